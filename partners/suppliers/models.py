"""The supplier directory: farms, processors, distributors, food hubs... shared within a learning
lab. Where food comes from is its origins (never the mailing address)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse

from districts.models import US_STATES, Collaborative, District, ScopedQuerySet


class SupplierKind(models.TextChoices):
    FARM = "farm", "Farm or ranch"
    FISHERY = "fishery", "Fishery"
    PROCESSOR = "processor", "Processor"
    DISTRIBUTOR = "distributor", "Distributor / vendor"
    FOOD_HUB = "food_hub", "Food hub"
    MANUFACTURER = "manufacturer", "Manufacturer"
    COOP = "coop", "Co-op"


class Supplier(models.Model):
    collaborative = models.ForeignKey(Collaborative, on_delete=models.PROTECT, related_name="suppliers")
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=SupplierKind.choices, default=SupplierKind.FARM)
    website = models.URLField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)
    street = models.CharField("mailing street", max_length=200, blank=True)
    city = models.CharField("mailing city", max_length=100, blank=True)
    state = models.CharField("mailing state", max_length=2, choices=US_STATES, blank=True)
    postal_code = models.CharField("mailing ZIP", max_length=10, blank=True)
    description = models.TextField(blank=True)
    buying_districts = models.ManyToManyField(
        District, blank=True, related_name="suppliers_bought_from", verbose_name="districts buying from it"
    )
    # Normalised keys for duplicate checks (partners/suppliers/rules.py); set by the services.
    name_key = models.CharField(max_length=200, editable=False, db_index=True, default="")
    email_key = models.CharField(max_length=254, editable=False, db_index=True, default="")
    phone_key = models.CharField(max_length=20, editable=False, db_index=True, default="")
    search_vector = SearchVectorField(null=True, editable=False)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, editable=False, on_delete=models.PROTECT, related_name="merged_from"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        indexes = [
            GinIndex(fields=["search_vector"], name="supplier_search_gin"),
            models.Index(fields=["collaborative", "state", "name_key"], name="supplier_dup_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("partners:supplier-detail", args=[self.pk])


class SupplierChild(models.Model):
    """What hangs off one supplier: its origins, people, products, practices, certifications."""

    objects = ScopedQuerySet.as_manager()

    class Meta:
        abstract = True

    def get_absolute_url(self) -> str:
        return self.supplier.get_absolute_url()


class CoordinateSource(models.TextChoices):
    TYPED = "typed", "Typed"
    ZIP = "zip", "ZIP centroid"
    NONE = "none", "Unknown"


class Origin(SupplierChild):
    """Where food is grown, raised, caught or processed. Coordinates are typed or, left blank,
    filled from the ZIP code's centroid (offline)."""

    supplier = models.ForeignKey(Supplier, on_delete=models.CASCADE, related_name="origins")
    label = models.CharField(max_length=100, blank=True, help_text="e.g. home farm, packing shed")
    street = models.CharField(max_length=200, blank=True)
    city = models.CharField(max_length=100, blank=True)
    county = models.CharField(max_length=100, blank=True)
    state = models.CharField(max_length=2, choices=US_STATES)
    postal_code = models.CharField("ZIP", max_length=10, blank=True)
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True,
                                   validators=[MinValueValidator(-90), MaxValueValidator(90)])  # fmt: skip
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True,
                                    validators=[MinValueValidator(-180), MaxValueValidator(180)])  # fmt: skip
    coordinates_from = models.CharField(
        max_length=8, choices=CoordinateSource.choices, default=CoordinateSource.NONE, editable=False
    )

    class Meta:
        ordering = ["supplier_id", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(latitude__isnull=True) | models.Q(latitude__gte=-90, latitude__lte=90),
                name="origin_latitude_range",
            ),
            models.CheckConstraint(
                condition=models.Q(longitude__isnull=True)
                | models.Q(longitude__gte=-180, longitude__lte=180),
                name="origin_longitude_range",
            ),
        ]

    def __str__(self) -> str:
        where = ", ".join(p for p in (self.city, self.county, self.state) if p)
        return f"{self.label or 'Origin'}: {where}"


class Channel(models.TextChoices):
    PHONE = "phone", "Phone"
    TEXT = "text", "Text message"
    EMAIL = "email", "Email"
    IN_PERSON = "in_person", "In person"


class SupplierPerson(SupplierChild):
    supplier = models.ForeignKey(Supplier, on_delete=models.CASCADE, related_name="people")
    name = models.CharField(max_length=200)
    role = models.CharField(max_length=100, blank=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    preferred_channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.PHONE)

    class Meta:
        ordering = ["supplier_id", "name"]
        verbose_name = "supplier contact person"
        verbose_name_plural = "supplier contact people"

    def __str__(self) -> str:
        return f"{self.name} ({self.supplier.name})" if self.supplier_id else self.name


class ProductCategory(models.TextChoices):
    FRUIT = "fruit", "Fruit"
    VEGETABLE = "vegetable", "Vegetable"
    DAIRY = "dairy", "Dairy"
    MEAT = "meat_poultry", "Meat / poultry"
    GRAIN = "grain", "Grain"
    SEAFOOD = "seafood", "Seafood"
    LEGUMES = "legumes", "Legumes"
    OTHER = "other", "Other"


class DeliveryMode(models.TextChoices):
    SITES = "sites", "Delivers to school sites"
    DISTRIBUTOR = "distributor", "Only through a distributor"
    PICKUP = "pickup", "Pick-up only"


MONTHS = [(m, name) for m, name in enumerate(
    ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"], start=1)]  # fmt: skip


class Product(SupplierChild):
    supplier = models.ForeignKey(Supplier, on_delete=models.CASCADE, related_name="products")
    name = models.CharField(max_length=200)
    category = models.CharField(
        max_length=20, choices=ProductCategory.choices, default=ProductCategory.VEGETABLE
    )
    forms_and_packs = models.CharField(max_length=200, blank=True, help_text="e.g. whole, diced; 40 lb case")
    months_available = ArrayField(
        models.PositiveSmallIntegerField(choices=MONTHS), default=list, blank=True, help_text="1 = January"
    )
    minimum_order = models.CharField(max_length=100, blank=True, help_text="with its unit, e.g. 10 cases")
    delivery_area = models.CharField(max_length=200, blank=True)
    delivery_mode = models.CharField(max_length=12, choices=DeliveryMode.choices, default=DeliveryMode.SITES)
    lead_time_days = models.PositiveSmallIntegerField("lead time (days)", null=True, blank=True)

    class Meta:
        ordering = ["supplier_id", "name"]

    def __str__(self) -> str:
        return self.name

    @property
    def months_display(self) -> str:
        names = dict(MONTHS)
        return ", ".join(names[m] for m in sorted(self.months_available)) or "—"


class Practice(models.TextChoices):
    ORGANIC = "organic", "Certified organic"
    RWA = "rwa", "Raised without antibiotics"
    NAE = "nae", "No antibiotics ever"
    GRASS_FED = "grass_fed", "Grass-fed"
    PASTURE = "pasture", "Pasture-raised"
    IPM = "ipm", "Integrated pest management (IPM)"
    OTHER = "other", "Other"


class Verification(models.TextChoices):
    THIRD_PARTY = "third_party", "Third-party certificate"
    PVP = "pvp", "USDA Process Verified Program"
    SUPPLIER = "supplier", "Supplier's word"


class ProductionPractice(SupplierChild):
    supplier = models.ForeignKey(Supplier, on_delete=models.CASCADE, related_name="practices")
    practice = models.CharField(max_length=20, choices=Practice.choices)
    verification = models.CharField(
        max_length=20, choices=Verification.choices, default=Verification.SUPPLIER
    )
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["supplier_id", "practice"]
        constraints = [
            models.UniqueConstraint(fields=["supplier", "practice"], name="practice_once_per_supplier")
        ]

    def __str__(self) -> str:
        return f"{self.get_practice_display()} ({self.get_verification_display()})"


class CertificationKind(models.TextChoices):
    GAP = "gap", "USDA GAP"
    GHP = "ghp", "USDA GHP"
    HARMONIZED_GAP = "harmonized_gap", "Harmonized GAP"
    GROUP_GAP = "group_gap", "Group GAP"
    ORGANIC = "organic", "Organic"
    HACCP = "haccp", "HACCP"
    SQF = "sqf", "SQF"
    OTHER = "other", "Other"


class Certification(SupplierChild):
    supplier = models.ForeignKey(Supplier, on_delete=models.CASCADE, related_name="certifications")
    kind = models.CharField(max_length=20, choices=CertificationKind.choices)
    scope = models.CharField(
        max_length=200, blank=True, help_text="e.g. apples, field operations and packing"
    )
    audit_date = models.DateField(null=True, blank=True)
    expires_on = models.DateField(
        null=True, blank=True, help_text="GAP/GHP: left blank, one year after the audit."
    )
    certificate = models.FileField(upload_to="certificates/%Y/", blank=True)

    class Meta:
        ordering = ["supplier_id", "expires_on"]
        indexes = [models.Index(fields=["expires_on"], name="cert_expiry_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expires_on__isnull=True)
                | models.Q(audit_date__isnull=True)
                | models.Q(expires_on__gte=models.F("audit_date")),
                name="cert_expires_after_audit",
            )
        ]

    def __str__(self) -> str:
        return (
            f"{self.get_kind_display()} ({self.supplier.name})"
            if self.supplier_id
            else self.get_kind_display()
        )


class SupplierMerge(models.Model):
    """The record of a merge: which supplier was folded into which, by whom, and what moved. The
    merged supplier stays (``merged_into`` set) so old links and history still resolve."""

    kept = models.ForeignKey(Supplier, on_delete=models.PROTECT, related_name="merges_kept")
    merged = models.ForeignKey(Supplier, on_delete=models.PROTECT, related_name="merges_merged")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    moved = models.JSONField(default=dict, help_text="rows moved, by kind")
    filled = models.JSONField(default=list, help_text="empty fields of the kept supplier filled in")
    snapshot = models.JSONField(default=dict, help_text="the merged supplier's fields before the merge")

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.merged.name} → {self.kept.name}"


class SearchWord(models.Model):
    """The words of a lab's supplier names, products and people: the vocabulary a misspelled
    search term is matched against with rapidfuzz (no pg_trgm in the embedded PostgreSQL). Notes
    are not in it: they belong to their author's organisation."""

    collaborative = models.ForeignKey(Collaborative, on_delete=models.CASCADE, related_name="+")
    word = models.CharField(max_length=60)
    length = models.PositiveSmallIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["collaborative", "word"], name="search_word_unique")]
        indexes = [models.Index(fields=["collaborative", "length"], name="search_word_len_idx")]

    def __str__(self) -> str:
        return self.word
