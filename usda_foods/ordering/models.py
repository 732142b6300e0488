"""Request-driven ordering (FD-125): the USDA Foods available list, the SFA preference survey,
order windows and orders. A window's state (upcoming, open, closed) is derived from its timestamps,
never stored, so a late beat run cannot leave a window "open" past its close."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pghistory
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from districts.models import District, ScopedQuerySet, Site, StateAgency
from usda_foods.bounds import MAX_CASES_PER_TRUCKLOAD, MIN_CASES_PER_TRUCKLOAD
from usda_foods.entitlements import rules as entitlements
from usda_foods.entitlements.models import Drawdown, Entitlement, SchoolYearField

# The heaviest USDA Foods "case" is a bulk tote or combo bin for processing (about 2,000-4,000 lb);
# 5,000 lb leaves room, and anything heavier is a typo (or a truckload entered as one case).
MAX_NET_CASE_WEIGHT_LB = Decimal("5000")
# Dollars per case: the dearest bulk cases (a 2,000-lb bin of beef) cost around $10,000; ten times
# that is still a real price, while a typo of a few digits is caught.
MAX_UNIT_PRICE = Decimal("100000")
MIN_NET_CASE_WEIGHT_LB = Decimal("0.01")


class FoodCategory(models.TextChoices):
    FRUIT = "fruit", "Fruit"
    VEGETABLE = "vegetable", "Vegetable"
    GRAIN = "grain", "Grain"
    MEAT = "meat", "Meat / meat alternate"
    DAIRY = "dairy", "Dairy"
    OIL = "oil", "Oil"
    OTHER = "other", "Other"


class CatalogItem(models.Model):
    """One food on the USDA Foods available list for a school year."""

    school_year = SchoolYearField()
    material_code = models.CharField(max_length=20, help_text="USDA material code, e.g. 100117")
    description = models.CharField(max_length=200)
    category = models.CharField(max_length=12, choices=FoodCategory.choices)
    pack_description = models.CharField(max_length=100, help_text="e.g. 6/#10 cans, 40 lb box")
    net_case_weight_lb = models.DecimalField(
        max_digits=8,
        decimal_places=2,
        validators=[MinValueValidator(MIN_NET_CASE_WEIGHT_LB), MaxValueValidator(MAX_NET_CASE_WEIGHT_LB)],
        help_text=f"Pounds per case, at most {MAX_NET_CASE_WEIGHT_LB:,}",
    )
    cases_per_truckload = models.PositiveIntegerField(
        validators=[MinValueValidator(MIN_CASES_PER_TRUCKLOAD), MaxValueValidator(MAX_CASES_PER_TRUCKLOAD)],
        help_text=f"{MIN_CASES_PER_TRUCKLOAD}-{MAX_CASES_PER_TRUCKLOAD:,} (a truckload is about 40,000 lb)",
    )
    unit_price = models.DecimalField(
        max_digits=10,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(MAX_UNIT_PRICE)],
        help_text=f"Dollars per case, at most {MAX_UNIT_PRICE:,}",
    )
    is_bulk_for_processing = models.BooleanField(default=False)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["school_year", "category", "description"]
        constraints = [
            models.UniqueConstraint(fields=["school_year", "material_code"], name="catalog_item_unique_code"),
            models.CheckConstraint(
                condition=Q(cases_per_truckload__gt=0), name="catalog_item_truckload_positive"
            ),
            models.CheckConstraint(condition=Q(unit_price__gte=0), name="catalog_item_price_non_negative"),
            models.CheckConstraint(
                condition=Q(
                    cases_per_truckload__gte=MIN_CASES_PER_TRUCKLOAD,
                    cases_per_truckload__lte=MAX_CASES_PER_TRUCKLOAD,
                ),
                name="catalog_item_truckload_real",
            ),  # fmt: skip
            models.CheckConstraint(
                condition=Q(unit_price__lte=MAX_UNIT_PRICE), name="catalog_item_price_real"
            ),
            models.CheckConstraint(
                condition=Q(
                    net_case_weight_lb__gte=MIN_NET_CASE_WEIGHT_LB,
                    net_case_weight_lb__lte=MAX_NET_CASE_WEIGHT_LB,
                ),
                name="catalog_item_weight_real",
            ),  # fmt: skip
        ]

    def __str__(self) -> str:
        return f"{self.material_code} {self.description}"


class Survey(models.Model):
    """An SDA's annual preference survey (SFA input at least annually) over a year's catalog."""

    state_agency = models.ForeignKey(StateAgency, on_delete=models.CASCADE, related_name="surveys")
    school_year = SchoolYearField()
    title = models.CharField(max_length=200)
    opens_at = models.DateTimeField()
    closes_at = models.DateTimeField()
    offered_items = models.ManyToManyField(
        CatalogItem, blank=True, related_name="offered_in_surveys",
        help_text="The foods the SDA chose, from the results, to offer in the year's order windows.",
    )  # fmt: skip
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-school_year", "state_agency__state"]
        constraints = [
            models.UniqueConstraint(fields=["state_agency", "school_year"], name="survey_one_per_state_year"),
            models.CheckConstraint(
                condition=Q(closes_at__gt=F("opens_at")),
                name="survey_closes_after_opening",
                violation_error_message="The survey must close after it opens.",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def is_open(self, now: datetime | None = None) -> bool:
        now = now or timezone.now()
        return self.opens_at <= now < self.closes_at

    def get_absolute_url(self) -> str:
        return reverse("usda_foods:survey-detail", args=[self.pk])


class SurveyResponse(models.Model):
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses")
    district = models.ForeignKey(District, on_delete=models.CASCADE, related_name="survey_responses")
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    last_reminded_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["district__name"]
        constraints = [
            models.UniqueConstraint(fields=["survey", "district"], name="survey_response_one_per_district")
        ]

    def __str__(self) -> str:
        return f"{self.district} — {self.survey}"


class SurveyResponseLine(models.Model):
    response = models.ForeignKey(SurveyResponse, on_delete=models.CASCADE, related_name="lines")
    catalog_item = models.ForeignKey(CatalogItem, on_delete=models.CASCADE, related_name="survey_lines")
    estimated_cases = models.PositiveIntegerField()

    class Meta:
        ordering = ["catalog_item__description"]
        constraints = [
            models.UniqueConstraint(fields=["response", "catalog_item"], name="survey_line_one_per_item")
        ]

    def __str__(self) -> str:
        return f"{self.estimated_cases} × {self.catalog_item}"


class WindowState(models.TextChoices):
    UPCOMING = "upcoming", "Upcoming"
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"


WINDOW_OUTSIDE_YEAR = "{what} must fall within SY {year}, which runs from {first} to {last}."
_WINDOW_DATES = {
    "opens_at": "The opening",
    "closes_at": "The close",
    "delivery_start": "The first delivery day",
    "delivery_end": "The last delivery day",
}


def window_dates_outside_school_year(school_year: str | None, values: Mapping[str, Any]) -> dict[str, str]:
    """The window dates in ``values`` (opens_at, closes_at, delivery_start, delivery_end) that fall
    outside ``school_year``, each with the message to show. Times count by their local date: a
    window that closes at 11 pm on June 30 in Chicago is still inside its year. Missing or
    unparsable values are left to the fields' own validation."""
    try:
        year = entitlements.parse_school_year(school_year or "")
    except (entitlements.EntitlementInputError, TypeError):
        return {}
    errors = {}
    for name in _WINDOW_DATES:
        value = values.get(name)
        if not isinstance(value, date):
            continue
        if isinstance(value, datetime):
            value = timezone.localdate(value) if timezone.is_aware(value) else value.date()
        if value not in year:
            errors[name] = WINDOW_OUTSIDE_YEAR.format(
                what=_WINDOW_DATES[name],
                year=year,
                first=f"July 1, {year.start}",
                last=f"June 30, {year.start + 1}",
            )
    return errors


class OrderWindow(models.Model):
    """A period in which SFAs may order (several per school year). The ``*_at`` side-effect
    stamps record what beat has done (emails, close processing) so each happens once."""

    state_agency = models.ForeignKey(StateAgency, on_delete=models.CASCADE, related_name="order_windows")
    school_year = SchoolYearField()
    name = models.CharField(max_length=120)
    opens_at = models.DateTimeField()
    closes_at = models.DateTimeField()
    delivery_start = models.DateField()
    delivery_end = models.DateField()
    offered_items = models.ManyToManyField(CatalogItem, related_name="order_windows")
    reminder_days_before = models.PositiveSmallIntegerField(default=3)
    opened_notice_sent_at = models.DateTimeField(null=True, blank=True)
    reminder_sent_at = models.DateTimeField(null=True, blank=True)
    closed_processed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-opens_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=F("opens_at")),
                name="window_closes_after_opening",
                violation_error_message="The window must close after it opens.",
            ),
            models.CheckConstraint(
                condition=Q(delivery_end__gte=F("delivery_start")),
                name="window_delivery_period",
                violation_error_message="The delivery period must end on or after its first day.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.state_agency.state} SY{self.school_year})"

    def clean(self) -> None:
        """A window belongs to its school year: it opens, closes and delivers within it."""
        errors = window_dates_outside_school_year(
            self.school_year, {name: getattr(self, name) for name in _WINDOW_DATES}
        )
        if errors:
            raise ValidationError(errors)

    def state(self, now: datetime | None = None) -> WindowState:
        now = now or timezone.now()
        if now < self.opens_at:
            return WindowState.UPCOMING
        if now < self.closes_at:
            return WindowState.OPEN
        return WindowState.CLOSED

    def is_open(self, now: datetime | None = None) -> bool:
        return self.state(now) == WindowState.OPEN

    def get_absolute_url(self) -> str:
        return reverse("usda_foods:window-detail", args=[self.pk])


class OrderStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    RETURNED = "returned", "Returned for changes"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"


EDITABLE_STATUSES = (OrderStatus.DRAFT, OrderStatus.RETURNED)


@pghistory.track()
class Order(models.Model):
    """A district's requisition in one window. Submitting posts a pending drawdown on the
    entitlement; approval makes it final; rejection (or a return for changes) releases it."""

    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="orders")
    window = models.ForeignKey(OrderWindow, on_delete=models.PROTECT, related_name="orders")
    entitlement = models.ForeignKey(Entitlement, on_delete=models.PROTECT, related_name="orders")
    status = models.CharField(max_length=10, choices=OrderStatus.choices, default=OrderStatus.DRAFT)
    drawdown = models.OneToOneField(
        Drawdown, null=True, blank=True, on_delete=models.PROTECT, related_name="order"
    )
    value = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0.00"))
    notes = models.TextField(blank=True)
    locked = models.BooleanField(
        default=False, help_text="Set when the window closes: nothing changes after."
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["district", "window"], name="order_one_per_district_window"),
            models.CheckConstraint(condition=Q(value__gte=0), name="order_value_non_negative"),
        ]
        # The sorts and filters the pages offer: the review queue (a status, oldest submission
        # first) and the order lists (newest first). A window's and a district's orders have their
        # foreign key indexes.
        indexes = [
            models.Index(fields=["status", "submitted_at", "id"], name="order_queue_idx"),
            models.Index(fields=["-created_at", "-id"], name="order_newest_idx"),
        ]

    def __str__(self) -> str:
        return f"Order #{self.pk} — {self.district} — {self.window.name}"

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE_STATUSES and not self.locked

    def get_absolute_url(self) -> str:
        return reverse("usda_foods:order-detail", args=[self.pk])


class OrderLine(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    catalog_item = models.ForeignKey(CatalogItem, on_delete=models.PROTECT, related_name="order_lines")
    cases = models.PositiveIntegerField(validators=[MinValueValidator(1)])
    delivery_site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="order_lines")
    unit_price = models.DecimalField(
        max_digits=10, decimal_places=2, help_text="The catalog price when added"
    )
    # Named by label: processing builds on ordering, never the other way (import-linter).
    diverted_to = models.ForeignKey(
        "usda_foods.Processor", null=True, blank=True, on_delete=models.PROTECT, related_name="diverted_lines",
        help_text="A bulk food diverted to this processor: the truck delivers there, not to the site.",
    )  # fmt: skip

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(cases__gt=0), name="order_line_cases_positive"),
            models.UniqueConstraint(
                fields=["order", "catalog_item", "delivery_site"], name="order_line_unique_item_site"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.cases} × {self.catalog_item} → {self.delivery_site.name}"

    @property
    def value(self) -> Decimal:
        return self.cases * self.unit_price


class OrderTransition(models.Model):
    """Every transition of an order: who, when, from what to what, and why."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(max_length=10, choices=OrderStatus.choices, blank=True)
    to_status = models.CharField(max_length=10, choices=OrderStatus.choices)
    comment = models.TextField(blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.order_id}: {self.from_status or 'new'} → {self.to_status}"
