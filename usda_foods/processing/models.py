"""Processing of bulk USDA Foods (7 CFR 250.30): processors a state agency approved, the end
products of their summary end-product data schedules, each district's inventory of USDA Foods
(in pounds) at a processor with its ledger, end-product purchases that draw it down, and
transfers of inventory between districts at one processor that the state approves."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse

from districts.models import US_STATES, District, ScopedQuerySet, StateAgency
from usda_foods.ordering.models import MAX_NET_CASE_WEIGHT_LB, MAX_UNIT_PRICE, CatalogItem

POUNDS = {"max_digits": 14, "decimal_places": 2}


class PassThrough(models.TextChoices):
    """The value pass-through methods of FD-119 a processor may offer (FD-125: permit them all)."""

    NET_OFF_INVOICE = "noi", "Net-off-invoice"
    FEE_FOR_SERVICE_PROCESSOR = "ffs_processor", "Fee-for-service (processor)"
    FEE_FOR_SERVICE_DISTRIBUTOR = "ffs_distributor", "Fee-for-service (distributor)"
    REFUND = "refund", "Refund"


class Processor(models.Model):
    """A processor with an agreement approved by a state agency (dates inclusive)."""

    state_agency = models.ForeignKey(StateAgency, on_delete=models.PROTECT, related_name="processors")
    name = models.CharField(max_length=200)
    agreement_start = models.DateField()
    agreement_end = models.DateField()
    accepted_foods = models.ManyToManyField(
        CatalogItem, blank=True, related_name="processors",
        help_text="The bulk USDA Foods the processor accepts for processing.",
    )  # fmt: skip
    contact_name = models.CharField(max_length=200, blank=True)
    contact_email = models.EmailField(blank=True)
    contact_phone = models.CharField(max_length=30, blank=True)
    street = models.CharField(max_length=200, blank=True)
    city = models.CharField(max_length=100, blank=True)
    state = models.CharField(max_length=2, choices=US_STATES, blank=True)
    postal_code = models.CharField(max_length=10, blank=True)
    latitude = models.DecimalField(
        max_digits=9, decimal_places=6, validators=[MinValueValidator(-90), MaxValueValidator(90)],
        help_text="Where trucks of diverted foods deliver (the shipment planner's location).",
    )  # fmt: skip
    longitude = models.DecimalField(
        max_digits=9, decimal_places=6, validators=[MinValueValidator(-180), MaxValueValidator(180)]
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["state_agency", "name"], name="processor_unique_name_in_state"),
            models.CheckConstraint(
                condition=Q(agreement_end__gte=F("agreement_start")),
                name="processor_agreement_period",
                violation_error_message="The agreement must end on or after it starts.",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("usda_foods:processor-detail", args=[self.pk])


class EndProduct(models.Model):
    """One line of a processor's summary end-product data schedule."""

    processor = models.ForeignKey(Processor, on_delete=models.CASCADE, related_name="end_products")
    code = models.CharField(max_length=40)
    name = models.CharField(max_length=200)
    case_pack = models.CharField(max_length=100, help_text="e.g. 4/8 lb bags")
    net_weight_lb = models.DecimalField(
        max_digits=8, decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(MAX_NET_CASE_WEIGHT_LB)],
        help_text="Net weight of a case, in pounds",
    )  # fmt: skip
    pass_through_methods = ArrayField(
        models.CharField(max_length=20, choices=PassThrough.choices), default=list, blank=True,
        help_text="The value pass-through methods offered for this end product",
    )  # fmt: skip
    value_per_case = models.DecimalField(
        max_digits=10, decimal_places=2,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(MAX_UNIT_PRICE)],
        help_text="Dollars of USDA Foods value credited per case",
    )  # fmt: skip
    fee_per_case = models.DecimalField(
        max_digits=10, decimal_places=2, default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(MAX_UNIT_PRICE)],
        help_text="Processing fee, dollars per case",
    )  # fmt: skip

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["processor__name", "code"]
        constraints = [
            models.UniqueConstraint(fields=["processor", "code"], name="end_product_unique_code"),
            models.CheckConstraint(condition=Q(net_weight_lb__gt=0), name="end_product_weight_positive"),
            models.CheckConstraint(condition=Q(value_per_case__gte=0), name="end_product_value_non_negative"),
            models.CheckConstraint(condition=Q(fee_per_case__gte=0), name="end_product_fee_non_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("usda_foods:processor-detail", args=[self.processor_id])


class EndProductFood(models.Model):
    """Pounds of one USDA Food in a case of the end product: the drawdown rate."""

    end_product = models.ForeignKey(EndProduct, on_delete=models.CASCADE, related_name="foods")
    food = models.ForeignKey(CatalogItem, on_delete=models.PROTECT, related_name="+")
    pounds_per_case = models.DecimalField(
        max_digits=10, decimal_places=4, validators=[MinValueValidator(Decimal("0.0001"))]
    )

    class Meta:
        ordering = ["food__description"]
        constraints = [
            models.UniqueConstraint(fields=["end_product", "food"], name="end_product_food_unique"),
            models.CheckConstraint(condition=Q(pounds_per_case__gt=0), name="end_product_food_rate_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.pounds_per_case} lb of {self.food} per case"


class ProcessorInventory(models.Model):
    """A district's pounds of one USDA Food held at a processor. ``pounds`` is the ledger's sum,
    kept on the row so that a drawdown locks one row; the constraint means no code path, however
    buggy or concurrent, can take it below zero."""

    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="processor_inventory")
    processor = models.ForeignKey(Processor, on_delete=models.PROTECT, related_name="inventory")
    food = models.ForeignKey(CatalogItem, on_delete=models.PROTECT, related_name="+")
    pounds = models.DecimalField(**POUNDS, default=Decimal("0"))

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["processor__name", "district__name", "food__description"]
        verbose_name_plural = "processor inventory"
        constraints = [
            models.UniqueConstraint(fields=["district", "processor", "food"], name="inventory_one_row"),
            models.CheckConstraint(condition=Q(pounds__gte=0), name="inventory_never_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.district}: {self.pounds:,} lb of {self.food} at {self.processor}"


class EntryKind(models.TextChoices):
    CREDIT = "credit", "Received (diverted cases)"
    PURCHASE = "purchase", "End-product purchase"
    TRANSFER_IN = "transfer_in", "Transfer in"
    TRANSFER_OUT = "transfer_out", "Transfer out"


class InventoryEntry(models.Model):
    """One movement of an inventory row, in pounds: positive in, negative out."""

    inventory = models.ForeignKey(ProcessorInventory, on_delete=models.PROTECT, related_name="entries")
    kind = models.CharField(max_length=12, choices=EntryKind.choices)
    pounds = models.DecimalField(**POUNDS)
    on = models.DateField()
    purchase = models.ForeignKey(
        "EndProductPurchase", null=True, blank=True, on_delete=models.PROTECT, related_name="entries"
    )
    transfer = models.ForeignKey(
        "InventoryTransfer", null=True, blank=True, on_delete=models.PROTECT, related_name="entries"
    )
    reference = models.CharField(max_length=100, blank=True, help_text="e.g. the receipt it came from")
    memo = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["on", "id"]
        verbose_name_plural = "inventory entries"
        constraints = [models.CheckConstraint(condition=~Q(pounds=0), name="inventory_entry_not_zero")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.pounds:+,} lb"


class EndProductPurchase(models.Model):
    """A district bought cases of an end product; each case draws the district's inventory of
    every food in it by the schedule's pounds per case."""

    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="end_product_purchases")
    end_product = models.ForeignKey(EndProduct, on_delete=models.PROTECT, related_name="purchases")
    purchased_on = models.DateField()
    cases = models.PositiveIntegerField(validators=[MinValueValidator(1), MaxValueValidator(1_000_000)])
    distributor = models.CharField(max_length=200, blank=True)
    pass_through = models.CharField(max_length=20, choices=PassThrough.choices)
    value_credited = models.DecimalField(
        max_digits=14, decimal_places=2, validators=[MinValueValidator(Decimal("0"))],
        help_text="Dollars of USDA Foods value credited to the district for these cases",
    )  # fmt: skip
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-purchased_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(cases__gt=0), name="purchase_cases_positive"),
            models.CheckConstraint(condition=Q(value_credited__gte=0), name="purchase_value_non_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.cases:,} cases of {self.end_product} ({self.purchased_on})"


class InventoryTransfer(models.Model):
    """Pounds of one food moved from one district's inventory to another's at the same processor,
    approved (and recorded) by the processor's state agency. Totals stay equal."""

    processor = models.ForeignKey(Processor, on_delete=models.PROTECT, related_name="transfers")
    food = models.ForeignKey(CatalogItem, on_delete=models.PROTECT, related_name="+")
    from_district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="transfers_out")
    to_district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="transfers_in")
    pounds = models.DecimalField(**POUNDS, validators=[MinValueValidator(Decimal("0.01"))])
    transferred_on = models.DateField()
    memo = models.CharField(max_length=300, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-transferred_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(pounds__gt=0), name="transfer_pounds_positive"),
            models.CheckConstraint(
                condition=~Q(from_district=F("to_district")), name="transfer_between_two_districts"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.pounds:,} lb of {self.food}: {self.from_district} → {self.to_district}"

    def clean(self) -> None:
        if self.from_district_id and self.from_district_id == self.to_district_id:
            raise ValidationError({"to_district": "Choose another district to transfer to."})
