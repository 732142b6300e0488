"""Read-side queries for entitlement pages and the API: scoped, annotated in SQL so lists sort by
computed columns and cost the same number of queries for 7 districts or 2,000."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db.models import Case, DecimalField, ExpressionWrapper, F, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Round
from django.utils import timezone

from usda_foods import entitlements
from usda_foods.models import Drawdown, DrawdownStatus, Entitlement, LunchCount

if TYPE_CHECKING:
    from accounts.models import User

MONEY = DecimalField(max_digits=14, decimal_places=2)

SORTS = {
    "district": "district__name",
    "cov": "commodity_offer_value",
    "pal": "planned_assistance_level",
    "drawn": "drawn",
    "remaining": "remaining_amount",
    "utilisation": "utilisation",
}


def entitlement_list(
    *, user: User, school_year: str, state: str | None = None, collaborative: int | None = None,
    q: str = "", incomplete: bool | None = None, sort: str = "district",
) -> QuerySet[Entitlement]:  # fmt: skip
    """Entitlements the user may see for a year, optionally one state's or one lab's, annotated
    with ``remaining_amount`` and ``utilisation`` (percent, 2 places) so the database sorts them."""
    rows = Entitlement.objects.for_user(user).filter(school_year=school_year)
    if state:
        rows = rows.filter(district__state_agency__state=state)
    if collaborative:
        rows = rows.filter(district__collaborative_id=collaborative)
    if q:
        rows = rows.filter(Q(district__name__icontains=q) | Q(district__agency_code__icontains=q))
    if incomplete is not None:
        rows = rows.exclude(missing=[]) if incomplete else rows.filter(missing=[])
    rows = with_balance(rows)
    descending = sort.startswith("-")
    field = SORTS.get(sort.lstrip("-"), "district__name")
    order = F(field).desc(nulls_last=True) if descending else F(field).asc(nulls_last=True)
    return rows.order_by(order, "district__name")


def with_balance(rows: QuerySet[Entitlement]) -> QuerySet[Entitlement]:
    """Join the district and annotate ``remaining_amount`` and ``utilisation`` (percent, 2 places)."""
    return rows.select_related("district", "district__state_agency").annotate(
        remaining_amount=ExpressionWrapper(F("planned_assistance_level") - F("drawn"), output_field=MONEY),
        utilisation=Case(
            When(planned_assistance_level__gt=0,
                 then=Round(F("drawn") * Value(Decimal(100)) / F("planned_assistance_level"), 2)),
            default=None, output_field=DecimalField(max_digits=7, decimal_places=2),
        ),
    )  # fmt: skip


def entitlement_totals(rows: QuerySet[Entitlement]) -> dict[str, Decimal | int | None]:
    """Sums over the rows, in one query."""
    totals = rows.order_by().aggregate(
        cov=Sum("commodity_offer_value"), pal=Sum("planned_assistance_level"), drawn=Sum("drawn")
    )
    pal, drawn = totals["pal"] or Decimal("0"), totals["drawn"] or Decimal("0")
    totals["remaining"] = pal - drawn
    totals["utilisation"] = (drawn * 100 / pal).quantize(Decimal("0.01")) if pal else None
    return totals


def drawdown_series(
    entitlement: Entitlement, *, first: date | None = None, last: date | None = None
) -> list[dict[str, str]]:
    """Cumulative drawn by (local) day, for the chart: one point per day with drawdowns that count.
    A drawdown before ``first`` or after ``last`` counts on that day."""
    points, total = [], Decimal("0")
    by_day = (
        Drawdown.objects.filter(entitlement=entitlement)
        .exclude(status=DrawdownStatus.CANCELLED)
        .order_by("created_at")
        .values_list("created_at", "amount")
    )
    for created_at, amount in by_day:
        total += amount
        when = timezone.localdate(created_at)
        if first is not None:
            when = max(when, first)
        if last is not None:
            when = min(when, last)
        day = when.isoformat()
        if points and points[-1]["date"] == day:
            points[-1]["drawn"] = str(total)
        else:
            points.append({"date": day, "drawn": str(total)})
    return points


def drawdown_chart(entitlement: Entitlement) -> dict[str, object]:
    """The entitlement page's chart data, over its school year only (July 1 to June 30): the
    cumulative drawn by day, the PAL and COV lines, and one tick per month labelled with its year
    ("Jul 2026" … "Jun 2027"). A drawdown dated outside the year (an order placed in June for the
    autumn, a late adjustment) counts on the year's first or last day, so the axis never stretches
    across years."""
    year = entitlements.parse_school_year(entitlement.school_year)
    first, last = year.first_day, year.last_day
    months = [date(year.start + (month > 12), (month - 1) % 12 + 1, 1) for month in range(7, 19)]
    pal, cov = entitlement.planned_assistance_level, entitlement.commodity_offer_value
    return {
        "start": first.isoformat(),
        "end": last.isoformat(),
        "points": drawdown_series(entitlement, first=first, last=last),
        "months": [{"day": (month - first).days, "label": f"{month:%b %Y}"} for month in months],
        "pal": None if pal is None else str(pal),
        "cov": None if cov is None else str(cov),
    }


def lunch_count_list(*, user: User, district_ids: Iterable[int] | None = None) -> QuerySet[LunchCount]:
    rows = LunchCount.objects.for_user(user).select_related("district", "district__state_agency")
    if district_ids is not None:
        rows = rows.filter(district_id__in=district_ids)
    return rows
