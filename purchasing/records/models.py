"""What the lab's districts buy: one row per purchase line from a distributor's or vendor's report,
where the food came from, and what the lab calls local.

Local is decided by the origin (where the food was grown, raised or caught), never by where the
vendor's office is; an unknown origin is counted as unknown, never as local. Each row keeps the
class it got under the definition in force for its district (the district's own, else its lab's),
so a changed definition re-classifies rows without re-importing them."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import BrinIndex
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower

from districts.models import US_STATES, Collaborative, District, ScopedQuerySet, Site
from partners.suppliers.models import Practice, ProductCategory, Supplier


class PurchaseUnit(models.TextChoices):
    POUND = "lb", "Pounds"
    CASE = "case", "Cases"
    EACH = "each", "Each"
    GALLON = "gal", "Gallons"
    DOZEN = "dozen", "Dozens"


class PurchaseSource(models.TextChoices):
    COMMERCIAL = "commercial", "Commercial"
    USDA_FOODS = "usda_foods", "USDA Foods"
    DOD_FRESH = "dod_fresh", "DoD Fresh"
    LOCAL_DIRECT = "local_direct", "Local direct"
    SCHOOL_GARDEN = "school_garden", "School garden"


class LocalClass(models.TextChoices):
    LOCAL = "local", "Local"
    REGIONAL = "regional", "Regional"
    OTHER = "other", "Neither local nor regional"
    UNKNOWN = "unknown", "Origin unknown"


class LocalDefinition(models.Model):
    """What a collaborative (or, optionally, one of its districts) calls local and regional, as the
    Farm to School Census lets districts choose: a radius in miles from the district's sites, or a
    list of states (and optionally counties). Regional is wider than local; food that is local is
    never counted as regional too."""

    collaborative = models.ForeignKey(
        Collaborative, on_delete=models.CASCADE, related_name="local_definitions"
    )
    district = models.ForeignKey(
        District, null=True, blank=True, on_delete=models.CASCADE, related_name="local_definitions",
        help_text="Leave empty for the lab's definition; a district's own replaces it for its rows.",
    )  # fmt: skip
    name = models.CharField(max_length=120, help_text='How pages name it, e.g. "Within 150 miles"')
    local_radius_miles = models.DecimalField(
        "local: within (miles of a site)", max_digits=7, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(5000)],
    )  # fmt: skip
    local_states = ArrayField(models.CharField(max_length=2, choices=US_STATES), default=list, blank=True)
    # "MN:Hennepin" (state and county as written, case-insensitive)
    local_counties = ArrayField(models.CharField(max_length=120), default=list, blank=True)
    regional_radius_miles = models.DecimalField(
        "regional: within (miles of a site)", max_digits=7, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(5000)],
    )  # fmt: skip
    regional_states = ArrayField(models.CharField(max_length=2, choices=US_STATES), default=list, blank=True)
    regional_counties = ArrayField(models.CharField(max_length=120), default=list, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["collaborative_id", "district_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["collaborative", "district"], nulls_distinct=False, name="local_definition_once"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class PurchaseRecord(models.Model):
    """One purchase line. ``pounds`` is the quantity in pounds where it can be known (pounds, or
    cases with a case weight); ``local_class`` is set by classification, not typed."""

    # no index of its own: purchase_district_date (district, invoice_date) serves it; one index
    # fewer to keep up on every imported row
    district = models.ForeignKey(
        District, on_delete=models.PROTECT, related_name="purchase_records", db_index=False
    )
    site = models.ForeignKey(Site, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    invoice_date = models.DateField()
    vendor = models.ForeignKey(
        Supplier, null=True, blank=True, on_delete=models.PROTECT, related_name="purchases"
    )
    vendor_name = models.CharField("vendor as written", max_length=200)
    product_description = models.CharField(max_length=300)
    category = models.CharField(max_length=20, choices=ProductCategory.choices, default=ProductCategory.OTHER)
    priority_item = models.ForeignKey(
        "purchasing.PriorityItem", null=True, blank=True, on_delete=models.SET_NULL, related_name="purchases"
    )
    quantity = models.DecimalField(max_digits=14, decimal_places=3, validators=[MinValueValidator(0)])
    unit = models.CharField(max_length=6, choices=PurchaseUnit.choices)
    case_weight_lb = models.DecimalField(
        "case weight (lb)",
        max_digits=10,
        decimal_places=3,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    pounds = models.DecimalField(max_digits=16, decimal_places=3, null=True, blank=True, editable=False)
    spend = models.DecimalField(max_digits=14, decimal_places=2)
    origin_text = models.CharField("origin as written", max_length=200, blank=True)
    origin_state = models.CharField(max_length=2, choices=US_STATES, blank=True)
    origin_county = models.CharField(max_length=120, blank=True)
    origin_latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    origin_longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    source = models.CharField(
        max_length=16, choices=PurchaseSource.choices, default=PurchaseSource.COMMERCIAL
    )
    claims = ArrayField(
        models.CharField(max_length=20, choices=Practice.choices), default=list, blank=True,
        help_text="Production claims, the same tags as suppliers' practices",
    )  # fmt: skip
    local_class = models.CharField(
        max_length=8, choices=LocalClass.choices, default=LocalClass.UNKNOWN, editable=False
    )
    import_run = models.ForeignKey(  # its index is the foreign key's own
        "imports.ImportRun",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-invoice_date", "id"]
        indexes = [
            models.Index(fields=["district", "invoice_date"], name="purchase_district_date"),
            models.Index(fields=["district", "vendor_name", "invoice_date"], name="purchase_vendor_period"),
            models.Index(
                "district", Lower("vendor_name"), "invoice_date", name="purchase_vendor_lower_period"
            ),
            BrinIndex(fields=["invoice_date"], name="purchase_date_brin"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=0), name="purchase_quantity_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.invoice_date} {self.vendor_name}: {self.product_description}"


class SpendSummary(models.Model):
    """Spend and pounds per district, month, category, source, local class and priority item,
    kept by the import and by re-classification; the dashboards read these, not the raw rows."""

    district = models.ForeignKey(District, on_delete=models.CASCADE, related_name="+")
    month = models.DateField(help_text="The first day of the month")
    category = models.CharField(max_length=20, choices=ProductCategory.choices)
    source = models.CharField(max_length=16, choices=PurchaseSource.choices)
    local_class = models.CharField(max_length=8, choices=LocalClass.choices)
    priority_item = models.ForeignKey(
        "purchasing.PriorityItem", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    spend = models.DecimalField(max_digits=16, decimal_places=2)
    pounds = models.DecimalField(max_digits=18, decimal_places=3)
    lines = models.PositiveIntegerField()

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["district_id", "month"]
        constraints = [
            models.UniqueConstraint(
                fields=["district", "month", "category", "source", "local_class", "priority_item"],
                nulls_distinct=False, name="spend_summary_key",
            ),
        ]  # fmt: skip
        indexes = [models.Index(fields=["month", "district"], name="spend_summary_month")]

    def __str__(self) -> str:
        return f"{self.district_id} {self.month:%Y-%m} {self.category} {self.local_class}: {self.spend}"


class ClaimSummary(models.Model):
    """Spend per production claim, counted independently of local: a purchase that is local and
    "no antibiotics ever" counts once here and once in SpendSummary; totals come from SpendSummary
    alone, so nothing is counted twice."""

    district = models.ForeignKey(District, on_delete=models.CASCADE, related_name="+")
    month = models.DateField()
    claim = models.CharField(max_length=20, choices=Practice.choices)
    source = models.CharField(max_length=16, choices=PurchaseSource.choices)
    local_class = models.CharField(max_length=8, choices=LocalClass.choices)
    spend = models.DecimalField(max_digits=16, decimal_places=2)
    pounds = models.DecimalField(max_digits=18, decimal_places=3)
    lines = models.PositiveIntegerField()

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["district_id", "month"]
        constraints = [
            models.UniqueConstraint(
                fields=["district", "month", "claim", "source", "local_class"], name="claim_summary_key"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.district_id} {self.month:%Y-%m} {self.claim}: {self.spend}"


class VendorSummary(models.Model):
    """Spend per district, month and vendor (the top suppliers)."""

    district = models.ForeignKey(District, on_delete=models.CASCADE, related_name="+")
    month = models.DateField()
    vendor = models.ForeignKey(Supplier, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    vendor_name = models.CharField(max_length=200)
    source = models.CharField(max_length=16, choices=PurchaseSource.choices)
    local_class = models.CharField(max_length=8, choices=LocalClass.choices)
    spend = models.DecimalField(max_digits=16, decimal_places=2)
    lines = models.PositiveIntegerField()

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["district_id", "month"]
        constraints = [
            models.UniqueConstraint(
                fields=["district", "month", "vendor_name", "source", "local_class"],
                name="vendor_summary_key",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.district_id} {self.month:%Y-%m} {self.vendor_name}: {self.spend}"


class AliasStatus(models.TextChoices):
    SUGGESTED = "suggested", "Suggested: awaiting confirmation"
    CONFIRMED = "confirmed", "Confirmed"
    REJECTED = "rejected", "Not this supplier"


class VendorAlias(models.Model):
    """A vendor's name as the lab's files write it, and the directory's supplier it is. An exact
    name needs no alias; a similar one is suggested by the import and linked only once a person
    confirms it (then remembered for every later file)."""

    collaborative = models.ForeignKey(Collaborative, on_delete=models.CASCADE, related_name="+")
    name = models.CharField("vendor as written (lower case)", max_length=200)
    supplier = models.ForeignKey(Supplier, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=10, choices=AliasStatus.choices, default=AliasStatus.SUGGESTED)
    score = models.PositiveSmallIntegerField(default=0, help_text="How similar the names are, 0 to 100")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["status", "name"]
        constraints = [models.UniqueConstraint(fields=["collaborative", "name"], name="vendor_alias_once")]

    def __str__(self) -> str:
        return f"{self.name} → {self.supplier_id or 'no supplier'} ({self.status})"


class KeywordRule(models.Model):
    """A rule the lab keeps: a product description holding this keyword (a whole word or phrase,
    any case) is a purchase of this priority item. Kept once, applied to every later import and
    to the rows already imported that name no priority item."""

    collaborative = models.ForeignKey(Collaborative, on_delete=models.CASCADE, related_name="+")
    keyword = models.CharField(max_length=100, help_text='A word or phrase, e.g. "drumstick"')
    priority_item = models.ForeignKey("purchasing.PriorityItem", on_delete=models.CASCADE, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["keyword"]
        constraints = [models.UniqueConstraint(fields=["collaborative", "keyword"], name="keyword_rule_once")]

    def __str__(self) -> str:
        return f"“{self.keyword}” → {self.priority_item}"
