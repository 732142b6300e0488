"""Building USDA Foods data for page tests through the real services. SY 2019-20 has a seeded
per-meal value (23.75 cents) and reimbursement rates, so its COV uses 2018-19 lunch counts."""

from __future__ import annotations

from decimal import Decimal

from districts.models import District
from usda_foods.entitlements.services.entitlements import entitlements_recompute
from usda_foods.models import Entitlement, LunchCount

YEAR = "2019-20"
PRIOR = "2018-19"
# 1,000,000 lunches x 23.75 cents = $237,500.00
PRIOR_COUNTS = {"free": 600_000, "reduced": 100_000, "paid": 300_000}
COV = Decimal("237500.00")


def lunch_count(district: District, school_year: str = PRIOR, **counts: int) -> LunchCount:
    values = {**PRIOR_COUNTS, **counts}
    return LunchCount.objects.create(district=district, school_year=school_year, **values)


def compute(*districts: District, school_year: str = YEAR) -> dict[int, Entitlement]:
    """Recompute ``districts`` for the year with the real service and return their rows."""
    entitlements_recompute(
        school_year=school_year, districts=District.objects.filter(pk__in=[d.pk for d in districts])
    )
    return {
        e.district_id: e for e in Entitlement.objects.filter(district__in=districts, school_year=school_year)
    }


def entitlement(district: District, *, with_current_year: bool = False, **counts: int) -> Entitlement:
    """A computed SY 2019-20 entitlement from a 2018-19 lunch count (and, for the 12 percent
    share, a 2019-20 one)."""
    lunch_count(district, PRIOR, **counts)
    if with_current_year:
        lunch_count(district, YEAR, free=580_000, reduced=110_000, paid=320_000)
    return compute(district)[district.pk]
