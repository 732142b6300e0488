"""National reference data: per-meal values, reimbursement rates, Section 4 payments."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction

from districts import access
from focus_lab.errors import DomainError
from usda_foods.entitlements import rules as entitlements
from usda_foods.entitlements import units
from usda_foods.entitlements.models import (
    PerMealValue,
    ReimbursementRate,
    Section4Payment,
)
from usda_foods.entitlements.services.common import (
    DUPLICATE_PUBLICATION,
    REFERENCE_DATA_IS_NATIONAL,
    history_context,
    recompute_later,
)

if TYPE_CHECKING:
    from accounts.models import User


# --- Reference data ----------------------------------------------------------------------------


def per_meal_value_create(
    *, school_year: str, cents: Decimal, citation: str, published_on: date, notes: str = "", user: User | None
) -> PerMealValue:
    """Record a published per-meal value. A second publication for a year is a correction: it
    supersedes the first (which is kept) and the year's entitlements are recomputed."""
    if user is not None and not access.edits_reference_data(user):
        raise PermissionDenied(REFERENCE_DATA_IS_NATIONAL)
    try:
        units.PER_MEAL_VALUE.check(cents)  # first: 0.2375 was meant as 23.75 cents
        entitlements.validate_per_meal_value_cents(cents)
    except (units.ImplausibleValue, entitlements.InvalidPerMealValue) as exc:
        raise DomainError(str(exc), field="cents") from exc
    value = PerMealValue(school_year=school_year, cents=cents, citation=citation, published_on=published_on,
                         notes=notes, created_by=user)  # fmt: skip
    _refuse_duplicate_publication(value)
    value.full_clean()
    try:
        with transaction.atomic(), history_context(user, "per_meal_value_create"):
            value.save()
            recompute_later(school_year=school_year, user=user)
    except IntegrityError:  # the same publication saved meanwhile by someone else
        _refuse_duplicate_publication(value)
        raise
    return value


def _refuse_duplicate_publication(value: PerMealValue) -> None:
    same = PerMealValue.objects.filter(school_year=value.school_year, published_on=value.published_on).first()
    if same is not None:
        raise DomainError(
            DUPLICATE_PUBLICATION.format(
                year=same.school_year,
                cents=same.cents,
                date=f"{same.published_on:%B} {same.published_on.day}, {same.published_on.year}",
            ),  # fmt: skip
            field="published_on",
        )


def current_per_meal_value(school_year: str) -> PerMealValue | None:
    rows = list(PerMealValue.objects.filter(school_year=school_year))
    records = [entitlements.PerMealValueRecord(school_year=r.school_year, cents=r.cents, published_on=r.published_on,
                                               citation=r.citation) for r in rows]  # fmt: skip
    chosen = entitlements.pick_per_meal_value(records, school_year=school_year)
    if chosen is None:
        return None
    return next(r for r in rows if r.published_on == chosen.published_on and r.cents == chosen.cents)


def reference_value_save(
    *, value: ReimbursementRate | Section4Payment, user: User | None
) -> ReimbursementRate | Section4Payment:
    """Save a reimbursement rate or Section 4 payment, then recompute the year's entitlements that
    use it (the 12 percent check, commodity schools' COV): both years when an edit moves the value
    to another year, since the year it left loses it."""
    if user is not None and not access.edits_reference_data(user):
        raise PermissionDenied(REFERENCE_DATA_IS_NATIONAL)
    value.full_clean()
    years = {value.school_year}
    if value.pk is not None:
        years |= set(type(value).objects.filter(pk=value.pk).values_list("school_year", flat=True))
    with transaction.atomic(), history_context(user, "reference_value_save"):
        value.save()
        for year in sorted(years):
            recompute_later(school_year=year, user=user)
    return value
