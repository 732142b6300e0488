"""Deliveries and receipts (FD-062): each stop of a released shipment plan becomes an expected
delivery with its lines (the approved order lines it carries); the receiving district (for a
co-op's receiving site, the co-op's lead district; for diverted foods at a processor, the
state agency) records one receipt within 2 calendar days of the delivery."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse

from districts.models import Coop, District, ScopedQuerySet, Site, StateAgency
from usda_foods.ordering.models import CatalogItem, OrderLine
from usda_foods.processing.models import Processor
from usda_foods.shipping.models import PlanStop, ShipmentPlan

RECEIPT_DUE_DAYS = 2  # FD-062: receipts are entered within 2 calendar days of delivery
MAX_PHOTO_BYTES = 5 * 1024 * 1024
PHOTO_FORMATS = {"JPEG": "JPEG", "PNG": "PNG", "WEBP": "WebP"}


def validate_photo(file: File) -> None:
    """A receipt photo: at most 5 MB, and (once the form's or serializer's image field has opened
    it with Pillow) a JPEG, PNG or WebP image."""
    if file.size is not None and file.size > MAX_PHOTO_BYTES:
        raise ValidationError(f"The photo is {file.size / 1024 / 1024:,.1f} MB; at most 5 MB, please.")
    image = getattr(file, "image", None)
    if image is not None and image.format not in PHOTO_FORMATS:
        raise ValidationError(f"The photo must be a {', '.join(PHOTO_FORMATS.values())} image.")


class ExpectedDelivery(models.Model):
    """A truck stop as the receiving party sees it. ``reminded_at`` and ``late_at`` record what
    the nightly sweep did, so each happens once."""

    plan = models.ForeignKey(ShipmentPlan, on_delete=models.PROTECT, related_name="deliveries")
    stop = models.OneToOneField(
        PlanStop, null=True, blank=True, on_delete=models.SET_NULL, related_name="delivery"
    )
    state_agency = models.ForeignKey(StateAgency, on_delete=models.PROTECT, related_name="+")
    district = models.ForeignKey(
        District, null=True, blank=True, on_delete=models.PROTECT, related_name="expected_deliveries",
        help_text="Who records the receipt: the site's district (a co-op's lead); empty for a processor.",
    )  # fmt: skip
    site = models.ForeignKey(Site, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    processor = models.ForeignKey(
        Processor, null=True, blank=True, on_delete=models.PROTECT, related_name="deliveries"
    )
    food = models.ForeignKey(CatalogItem, on_delete=models.PROTECT, related_name="+")
    truck_number = models.PositiveIntegerField()
    delivery_date = models.DateField()
    due_on = models.DateField()
    cases = models.PositiveIntegerField()
    reminded_at = models.DateTimeField(null=True, blank=True)
    late_at = models.DateTimeField(null=True, blank=True, help_text="Flagged late by the nightly sweep")

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["delivery_date", "truck_number", "id"]
        verbose_name_plural = "expected deliveries"
        constraints = [
            models.CheckConstraint(
                condition=(Q(site__isnull=False) & Q(processor__isnull=True))
                | (Q(site__isnull=True) & Q(processor__isnull=False)),
                name="delivery_to_a_site_or_a_processor",
            ),
        ]
        indexes = [models.Index(fields=["due_on"], name="delivery_due_on")]

    def __str__(self) -> str:
        return f"{self.cases:,} cases of {self.food} to {self.place} on {self.delivery_date}"

    @property
    def place(self) -> str:
        return self.site.name if self.site_id else self.processor.name

    def get_absolute_url(self) -> str:
        return reverse("usda_foods:delivery-detail", args=[self.pk])


class DeliveryLine(models.Model):
    """The cases of one approved order line on the stop (a co-op stop has one per member)."""

    delivery = models.ForeignKey(ExpectedDelivery, on_delete=models.CASCADE, related_name="lines")
    order_line = models.ForeignKey(OrderLine, null=True, on_delete=models.SET_NULL, related_name="+")
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="+")
    cases = models.PositiveIntegerField()

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["district__name", "id"]

    def __str__(self) -> str:
        return f"{self.cases:,} cases for {self.district}"


class Reason(models.TextChoices):
    SHORT_SHIPPED = "short_shipped", "Short-shipped"
    DAMAGED = "damaged", "Damaged"
    REFUSED = "refused", "Refused"
    WRONG_ITEM = "wrong_item", "Wrong item"
    OVER_SHIPPED = "over_shipped", "Over-shipped"


class Receipt(models.Model):
    """The one receipt of a delivery (the one-to-one is what makes simultaneous receipts of one
    stop record one)."""

    delivery = models.OneToOneField(ExpectedDelivery, on_delete=models.PROTECT, related_name="receipt")
    received_on = models.DateField()
    cases_received = models.PositiveIntegerField(validators=[MaxValueValidator(1_000_000)])
    reason = models.CharField(max_length=20, choices=Reason.choices, blank=True)
    notes = models.TextField(blank=True)
    photo = models.ImageField(upload_to="receipts/%Y/%m/", blank=True, max_length=300, validators=[validate_photo],
                              help_text="Optional: a photo of the signed bill of lading or the damage (JPEG, PNG or WebP, up to 5 MB)")  # fmt: skip
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-received_on", "-id"]

    def __str__(self) -> str:
        return f"Receipt of {self.delivery}"

    @property
    def photo_url(self) -> str:
        """The photo through the page that checks who may see it (never the storage's own URL)."""
        return reverse("usda_foods:receipt-photo", args=[self.delivery_id]) if self.photo else ""


class ReceiptLine(models.Model):
    """A delivery line's share of the receipt: received cases, as split (see deliveries.rules)."""

    receipt = models.ForeignKey(Receipt, on_delete=models.CASCADE, related_name="lines")
    delivery_line = models.OneToOneField(DeliveryLine, on_delete=models.PROTECT, related_name="received")
    cases_received = models.PositiveIntegerField()

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.cases_received:,} cases received"

    @property
    def difference(self) -> int:
        """Cases received minus expected: negative is a shortage, positive an overage."""
        return self.cases_received - self.delivery_line.cases


class FeeSchedule(models.Model):
    """What a state agency charges its SFAs for distribution, from a date (the latest schedule
    on or before a day applies). Real schedules vary: Indiana charges a drop fee under a 10-case
    minimum; Oregon charges per pound delivered and per case per month after 90 days."""

    state_agency = models.ForeignKey(StateAgency, on_delete=models.CASCADE, related_name="fee_schedules")
    effective_from = models.DateField()
    min_cases_per_drop = models.PositiveIntegerField(
        null=True, blank=True, help_text="Cases per site per order below which the drop fee is charged"
    )
    drop_fee = models.DecimalField(max_digits=10, decimal_places=2, default=Decimal("0"),
                                   validators=[MinValueValidator(Decimal("0"))], help_text="Dollars per drop under the minimum")  # fmt: skip
    delivery_fee_per_lb = models.DecimalField(max_digits=8, decimal_places=4, default=Decimal("0"),
                                              validators=[MinValueValidator(Decimal("0"))], help_text="Dollars per pound delivered")  # fmt: skip
    delivery_fee_per_case = models.DecimalField(max_digits=8, decimal_places=4, default=Decimal("0"),
                                                validators=[MinValueValidator(Decimal("0"))], help_text="Dollars per case delivered")  # fmt: skip
    storage_fee_per_case_month = models.DecimalField(max_digits=8, decimal_places=4, default=Decimal("0"),
                                                     validators=[MinValueValidator(Decimal("0"))],
                                                     help_text="Dollars per case per month stored after the free days")  # fmt: skip
    storage_free_days = models.PositiveIntegerField(default=0)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["state_agency__state", "-effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["state_agency", "effective_from"], name="fee_schedule_one_per_day"
            ),
            models.CheckConstraint(
                condition=Q(
                    drop_fee__gte=0,
                    delivery_fee_per_lb__gte=0,
                    delivery_fee_per_case__gte=0,
                    storage_fee_per_case_month__gte=0,
                ),
                name="fee_schedule_non_negative",
            ),  # fmt: skip
        ]

    def __str__(self) -> str:
        return f"{self.state_agency.state} fee schedule from {self.effective_from}"

    def get_absolute_url(self) -> str:
        return reverse("usda_foods:fee-schedule-list")


class StoragePickup(models.Model):
    """A member district picked up cases of a food held for it at its co-op's receiving site (the
    co-op's lead records it). Cases on hand = cases received for the member there minus pickups,
    never below zero (the service locks the co-op)."""

    coop = models.ForeignKey(Coop, on_delete=models.PROTECT, related_name="storage_pickups")
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="storage_pickups")
    food = models.ForeignKey(CatalogItem, on_delete=models.PROTECT, related_name="+")
    picked_up_on = models.DateField()
    cases = models.PositiveIntegerField(validators=[MinValueValidator(1), MaxValueValidator(1_000_000)])
    notes = models.CharField(max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-picked_up_on", "-id"]
        constraints = [models.CheckConstraint(condition=Q(cases__gt=0), name="storage_pickup_cases_positive")]

    def __str__(self) -> str:
        return f"{self.cases:,} cases of {self.food} picked up by {self.district} on {self.picked_up_on}"

    def get_absolute_url(self) -> str:
        return reverse("usda_foods:coop-storage", args=[self.coop_id])
