"""Lunch counts: the state's claims data, saved one by one or imported from a file."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction

from districts.models import District
from focus_lab.errors import DomainError
from focus_lab.imports.services import ImportReport, import_data
from usda_foods.entitlements import rules as entitlements
from usda_foods.entitlements.access import lunch_count_districts
from usda_foods.entitlements.models import LunchCount
from usda_foods.entitlements.services.common import LUNCH_COUNTS_ARE_THE_STATES, history_context
from usda_foods.entitlements.services.entitlements import entitlements_recompute

if TYPE_CHECKING:
    from accounts.models import User


# --- Lunch counts ------------------------------------------------------------------------------


def lunch_count_save(
    *, district: District, school_year: str, free: int, reduced: int, paid: int, user: User | None
) -> LunchCount:
    """Create or update a district's lunch count, then recompute the entitlements that use it:
    the next year's COV (prior-year rule) and this year's 12 percent check. The counts are the
    state's claims data: the user must be a reviewer of the district's state (or a superuser);
    ``user=None`` is the system itself (seeds, tasks)."""
    if user is not None and not lunch_count_districts(user).filter(pk=district.pk).exists():
        raise DomainError(LUNCH_COUNTS_ARE_THE_STATES, field="district")
    count = LunchCount.objects.filter(district=district, school_year=school_year).first() or LunchCount(
        district=district, school_year=school_year
    )
    count.free, count.reduced, count.paid = free, reduced, paid
    count.full_clean(validate_unique=False)
    with transaction.atomic(), history_context(user, "lunch_count_save"):
        count.save()
        districts = District.objects.filter(pk=district.pk)
        for year in (school_year, entitlements.next_school_year(school_year)):
            entitlements_recompute(school_year=year, districts=districts, user=user)
    return count


__all__ = ["LUNCH_COLUMNS", "ImportReport", "lunch_count_save", "lunch_counts_import"]

# The columns of the lunch-count template, in order (the import kind's field names).
LUNCH_COLUMNS = ("state", "agency_code", "school_year", "free", "reduced", "paid")


def lunch_counts_import(*, data: bytes | str, user: User, filename: str = "lunch-counts.csv") -> ImportReport:
    """Import lunch counts (CSV or a workbook, one row per SFA per school year) in one call,
    through the shared import pipeline: the rules are the import kind's
    (``usda_foods/entitlements/imports.py``). Every row is checked first; if any is bad none is
    written; the same file is imported once, and the same rows again change nothing."""
    return import_data(kind="lunch-counts", data=data, user=user, filename=filename)
