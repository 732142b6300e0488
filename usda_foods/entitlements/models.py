"""USDA Foods reference data (per-meal values, reimbursement rates, Section 4 payments), lunch
counts, entitlements and their drawdown ledger. The arithmetic lives in ``entitlements.py``;
these models hold the inputs and the results, and the constraints that even a bug cannot pass."""

from __future__ import annotations

from decimal import Decimal

import pghistory
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q, Value
from django.db.models.functions import Mod
from django.db.models.lookups import Exact
from django.urls import reverse

from districts.models import District, ScopedQuerySet
from focus_lab.history import track_statements
from usda_foods.entitlements import rules as entitlements
from usda_foods.entitlements import units

school_year_validator = RegexValidator(r"^\d{4}-\d{2}$", "Use the form 2019-20.")


def validate_school_year(value: str) -> None:
    try:
        entitlements.parse_school_year(value)
    except entitlements.EntitlementInputError as exc:
        raise ValidationError(str(exc)) from exc


class SchoolYearField(models.CharField):
    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("max_length", 7)
        kwargs.setdefault("validators", [validate_school_year])
        kwargs.setdefault("help_text", "School year starting July 1, e.g. 2019-20.")
        super().__init__(*args, **kwargs)


def validate_quarter_cent(value: Decimal) -> None:
    try:
        entitlements.validate_per_meal_value_cents(value)
    except entitlements.InvalidPerMealValue as exc:
        raise ValidationError(str(exc)) from exc


def _plausible(expected: units.Plausible, value: Decimal) -> None:
    try:
        expected.check(value)
    except units.ImplausibleValue as exc:
        raise ValidationError(str(exc), code="implausible") from exc


def validate_per_meal_value(value: Decimal) -> None:
    """Plausible first (0.2375 was meant as 23.75 cents), then the 1/4-cent rule, one message."""
    _plausible(units.PER_MEAL_VALUE, value)
    validate_quarter_cent(value)


def validate_section4_cents(value: Decimal) -> None:
    _plausible(units.SECTION4_PAYMENT, value)


def validate_rate_dollars(value: Decimal) -> None:
    _plausible(units.REIMBURSEMENT_RATE, value)


CENTS_PER_LUNCH = "in cents per lunch"
DOLLARS = "in dollars"
# Reference values the app has no publication for (the demo's recent years) carry this citation, so
# every page listing them shows a "demo value" badge until an editor enters the real notice.
DEMO_VALUE_CITATION = "DEMO VALUE — replace with the Federal Register notice"


class CitedValue:
    """A reference value with a citation; a demo value is one whose citation says so."""

    citation: str

    @property
    def is_demo_value(self) -> bool:
        return self.citation.upper().startswith("DEMO VALUE")


@pghistory.track()
class PerMealValue(CitedValue, models.Model):
    """The national per-meal value of USDA Foods for a school year, as published in the Federal
    Register, in cents, computed to the nearest 1/4 cent (42 USC 1755(c)). A later publication for
    the same year is a correction: it supersedes the earlier row, which is kept."""

    school_year = SchoolYearField()
    cents = models.DecimalField(
        "per-meal value (cents per lunch)", max_digits=6, decimal_places=2, validators=[validate_per_meal_value],
        help_text="Cents per lunch, as published, to the nearest 1/4 cent: 23.75 for 23.75 cents ($0.2375).",
    )  # fmt: skip
    citation = models.CharField(max_length=300, help_text="e.g. Federal Register notice of July 2019")
    published_on = models.DateField()
    notes = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-school_year", "-published_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["school_year", "published_on"], name="per_meal_value_one_per_publication"
            ),
            models.CheckConstraint(
                condition=Exact(Mod(F("cents"), Value(Decimal("0.25"))), Value(Decimal("0")))
                & Q(cents__gt=0),
                name="per_meal_value_quarter_cent",
            ),
        ]

    def __str__(self) -> str:
        return f"SY{self.school_year}: {self.cents}¢"


class LunchCategory(models.TextChoices):
    FREE = "free", "Free"
    REDUCED = "reduced", "Reduced-price"
    PAID = "paid", "Paid"


@pghistory.track()
class ReimbursementRate(CitedValue, models.Model):
    """NSLP lunch reimbursement rate in dollars per lunch (contiguous states, SFAs under 60%
    free/reduced), published each July."""

    school_year = SchoolYearField()
    category = models.CharField(max_length=10, choices=LunchCategory.choices)
    dollars = models.DecimalField(
        "rate (dollars per lunch)", max_digits=6, decimal_places=4, validators=[validate_rate_dollars],
        help_text="Dollars per lunch, as published: 3.41 for $3.41 (not 341).",
    )  # fmt: skip
    citation = models.CharField(max_length=300)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-school_year", "category"]
        constraints = [
            models.UniqueConstraint(fields=["school_year", "category"], name="reimbursement_rate_unique"),
            models.CheckConstraint(condition=Q(dollars__gte=0), name="reimbursement_rate_non_negative"),
        ]

    def __str__(self) -> str:
        return f"SY{self.school_year} {self.get_category_display()}: ${self.dollars}"


@pghistory.track()
class Section4Payment(CitedValue, models.Model):
    """The Section 4 general cash payment per lunch, in cents, that commodity schools add to the
    per-meal value (7 CFR 250.58(b))."""

    school_year = SchoolYearField(
        unique=True,
        error_messages={"unique": "This school year already has a Section 4 payment: change that one."},
    )
    cents = models.DecimalField(
        "Section 4 payment (cents per lunch)", max_digits=6, decimal_places=2, validators=[validate_section4_cents],
        help_text="Cents per lunch, as published: 40 for 40 cents (not 0.40).",
    )  # fmt: skip
    citation = models.CharField(max_length=300)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-school_year"]

    def __str__(self) -> str:
        return f"SY{self.school_year} Section 4: {self.cents}¢"


# Reimbursable lunches of one SFA in a year, per category and in all: the largest SFA (New York
# City) serves about 150 million a year; 300 million leaves room and keeps every total (and the
# entitlement's prior-year lunches) far below the 2^31 a database integer holds.
MAX_LUNCHES_PER_YEAR = 300_000_000
LUNCH_TOTAL_TOO_HIGH = (
    f"free + reduced + paid is {{total:,}}; at most {MAX_LUNCHES_PER_YEAR:,} lunches a year"
)


def _lunches_field() -> models.PositiveIntegerField:
    return models.PositiveIntegerField(validators=[MaxValueValidator(MAX_LUNCHES_PER_YEAR)])


# One trigger call a statement records a set-based recompute's or import's events (issue 16).
@track_statements()
class LunchCount(models.Model):
    """Reimbursable lunches a district served in a school year, by category."""

    district = models.ForeignKey(District, on_delete=models.CASCADE, related_name="lunch_counts")
    school_year = SchoolYearField()
    free = _lunches_field()
    reduced = _lunches_field()
    paid = _lunches_field()
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["district__name", "-school_year"]
        constraints = [
            models.UniqueConstraint(fields=["district", "school_year"], name="lunch_count_one_per_year"),
        ]

    def __str__(self) -> str:
        return f"{self.district} SY{self.school_year}: {self.total:,} lunches"

    @property
    def total(self) -> int:
        return self.free + self.reduced + self.paid

    def clean(self) -> None:
        counts = (self.free, self.reduced, self.paid)
        if all(isinstance(c, int) for c in counts) and sum(counts) > MAX_LUNCHES_PER_YEAR:
            raise ValidationError(LUNCH_TOTAL_TOO_HIGH.format(total=sum(counts)))

    def get_absolute_url(self) -> str:
        return reverse("usda_foods:lunch-count-update", args=[self.pk])


# One trigger call a statement records a set-based recompute's or import's events (issue 16).
@track_statements()
class Entitlement(models.Model):
    """A district's USDA Foods entitlement for a school year: the computed commodity offer value
    (COV, the legal floor), the planned assistance level (PAL) the SDA loads, and the running total
    drawn. ``drawn`` is maintained by the drawdown service under a row lock; the check constraint
    makes overdrawing impossible even if a bug bypassed the service."""

    district = models.ForeignKey(District, on_delete=models.CASCADE, related_name="entitlements")
    school_year = SchoolYearField()
    prior_year_lunches = models.PositiveIntegerField(
        null=True, blank=True, help_text="Reimbursable lunches served in the previous school year."
    )
    per_meal_value_cents = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True,
                                               help_text=f"The per-meal value used, {CENTS_PER_LUNCH}.")  # fmt: skip
    section4_cents = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True,
                                         help_text=f"The Section 4 payment added (commodity schools), {CENTS_PER_LUNCH}.")  # fmt: skip
    commodity_offer_value = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True,
                                                help_text=f"Commodity offer value (the legal floor), {DOLLARS}.")  # fmt: skip
    planned_assistance_level = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True,
                                                   help_text=f"Planned assistance level the state loads, {DOLLARS}.")  # fmt: skip
    pal_overridden = models.BooleanField(default=False)
    pal_reason = models.TextField(blank=True)
    pal_set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    drawn = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0.00"),
                                help_text=f"Pending and final drawdowns, {DOLLARS}.")  # fmt: skip
    twelve_cash = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    twelve_usda_foods = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    twelve_share = models.DecimalField(max_digits=6, decimal_places=4, null=True, blank=True)
    twelve_needed = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    # The answer of the pure check, decided on exact values (not on the rounded figures above).
    twelve_meets = models.BooleanField(null=True, blank=True)
    twelve_additional = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    missing = models.JSONField(default=list, blank=True)
    # The same reasons as ``missing``, each with the input it names and the figure it blocks:
    # [{"input": "prior_year_lunch_counts", "blocks": "cov", "reason": "..."}].
    missing_inputs = models.JSONField(default=list, blank=True)
    computed_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["district__name", "-school_year"]
        constraints = [
            models.UniqueConstraint(fields=["district", "school_year"], name="entitlement_one_per_year"),
            models.CheckConstraint(condition=Q(drawn__gte=0), name="entitlement_drawn_non_negative"),
            models.CheckConstraint(
                condition=Q(planned_assistance_level__isnull=True, drawn=0)
                | Q(drawn__lte=F("planned_assistance_level")),
                name="entitlement_never_overdrawn",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.district} SY{self.school_year}"

    @property
    def remaining(self) -> Decimal | None:
        if self.planned_assistance_level is None:
            return None
        return self.planned_assistance_level - self.drawn

    @property
    def status_text(self) -> str:
        """One line for lists: "complete", "cannot compute: no lunch counts", "12% share n/a: ..."."""
        return entitlements.status_text(self.missing_inputs)

    @property
    def utilisation_percent(self) -> Decimal | None:
        if self.planned_assistance_level is None:
            return None
        return entitlements.utilisation_percent(allocation=self.planned_assistance_level, drawn=self.drawn)

    def get_absolute_url(self) -> str:
        return reverse("usda_foods:entitlement-detail", args=[self.district_id, self.school_year])


class DrawdownStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    POSTED = "posted", "Final"
    CANCELLED = "cancelled", "Released"


class DrawdownKind(models.TextChoices):
    ORDER = "order", "Order"
    DIVERSION = "diversion", "Diversion to a processor"
    ADJUSTMENT = "adjustment", "Adjustment"


@pghistory.track()
class Drawdown(models.Model):
    """One entry in an entitlement's ledger. Pending and final entries count against the PAL;
    released ones no longer do."""

    entitlement = models.ForeignKey(Entitlement, on_delete=models.PROTECT, related_name="drawdowns")
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    status = models.CharField(max_length=10, choices=DrawdownStatus.choices, default=DrawdownStatus.PENDING)
    kind = models.CharField(max_length=12, choices=DrawdownKind.choices, default=DrawdownKind.ORDER)
    reference = models.CharField(max_length=100, blank=True)
    memo = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="drawdown_amount_positive")]

    def __str__(self) -> str:
        return f"${self.amount} {self.get_status_display().lower()} ({self.reference or self.get_kind_display()})"
