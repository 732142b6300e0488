"""Read-side queries for entitlement pages and the API: scoped, annotated in SQL so lists sort by
computed columns and cost the same number of queries for 7 districts or 2,000."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db.models import (
    Case,
    Count,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    FilteredRelation,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Round
from django.utils import timezone

from usda_foods.entitlements import rules as entitlements
from usda_foods.entitlements.access import entitlement_districts
from usda_foods.entitlements.models import Drawdown, DrawdownStatus, Entitlement, LunchCount

if TYPE_CHECKING:
    from accounts.models import User
    from districts.models import District

MONEY = DecimalField(max_digits=14, decimal_places=2)


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


# The entitlement columns a row carries (prefixed ``e_`` on a district row, see entitlement_rows).
ROW_FIELDS = ("id", "prior_year_lunches", "per_meal_value_cents", "section4_cents", "commodity_offer_value",
              "planned_assistance_level", "pal_overridden", "pal_reason", "drawn", "twelve_cash", "twelve_usda_foods",
              "twelve_share", "twelve_needed", "twelve_meets", "twelve_additional", "missing", "missing_inputs",
              "computed_at")  # fmt: skip
ROW_SORTS = {
    "district": "name",
    "cov": "e_commodity_offer_value",
    "pal": "e_planned_assistance_level",
    "drawn": "e_drawn",
    "remaining": "remaining_amount",
    "utilisation": "utilisation",
}


def entitlement_rows(
    *, user: User, school_year: str, state: str | None = None, collaborative: int | None = None,
    q: str = "", incomplete: bool | None = None, sort: str = "district",
) -> QuerySet[District]:  # fmt: skip
    """Every district of the scope the user may see, each with its SY entitlement when it has one
    (a LEFT JOIN): a district nobody could compute yet, most often for want of lunch counts, is a
    row saying so instead of a row missing from the list. One statement per page whatever the
    number of districts; ``as_entitlements`` turns the rows into ``Entitlement`` objects."""
    prior = entitlements.previous_school_year(school_year)
    rows = entitlement_districts(user, write=False)
    if state:
        rows = rows.filter(state_agency__state=state)
    if collaborative:
        rows = rows.filter(collaborative_id=collaborative)
    if q:
        rows = rows.filter(Q(name__icontains=q) | Q(agency_code__icontains=q))
    rows = rows.select_related("state_agency").annotate(
        year_row=FilteredRelation("entitlements", condition=Q(entitlements__school_year=school_year))
    )
    rows = rows.annotate(
        **{f"e_{name}": F(f"year_row__{name}") for name in ROW_FIELDS},
        has_prior_lunches=Exists(LunchCount.objects.filter(district_id=OuterRef("pk"), school_year=prior)),
    ).annotate(
        remaining_amount=ExpressionWrapper(F("e_planned_assistance_level") - F("e_drawn"), output_field=MONEY),
        utilisation=Case(
            When(e_planned_assistance_level__gt=0,
                 then=Round(F("e_drawn") * Value(Decimal(100)) / F("e_planned_assistance_level"), 2)),
            default=None, output_field=DecimalField(max_digits=7, decimal_places=2),
        ),
    )  # fmt: skip
    if incomplete is not None:
        complete = Q(e_id__isnull=False, e_missing=[])
        rows = rows.exclude(complete) if incomplete else rows.filter(complete)
    descending = sort.startswith("-")
    field = ROW_SORTS.get(sort.lstrip("-"), "name")
    order = F(field).desc(nulls_last=True) if descending else F(field).asc(nulls_last=True)
    return rows.order_by(order, "name", "pk")


def as_entitlements(rows: Iterable[District], *, school_year: str) -> list[Entitlement]:
    """Rows of ``entitlement_rows`` as (unsaved when absent) ``Entitlement`` objects, so pages and
    the API show them as they show stored ones. No query: the district came with the row."""
    result = []
    for district in rows:
        values = {name: getattr(district, f"e_{name}") for name in ROW_FIELDS}
        if values["id"] is None:
            missing = (entitlements.not_computed(school_year) if district.has_prior_lunches
                       else entitlements.missing_prior_year_lunches(school_year))  # fmt: skip
            values.update(drawn=Decimal("0.00"), pal_overridden=False, pal_reason="", missing=[missing.reason],
                          missing_inputs=[missing.as_dict()])  # fmt: skip
        entitlement = Entitlement(district=district, school_year=school_year, **values)
        entitlement.remaining_amount = district.remaining_amount  # type: ignore[attr-defined]
        entitlement.utilisation = district.utilisation  # type: ignore[attr-defined]
        result.append(entitlement)
    return result


def entitlement_totals(rows: QuerySet, *, prefix: str = "") -> dict[str, Decimal | int | None]:
    """Sums over the rows and their count, in one query (``prefix="e_"`` for ``entitlement_rows``)."""
    totals = rows.order_by().aggregate(
        cov=Sum(f"{prefix}commodity_offer_value"), pal=Sum(f"{prefix}planned_assistance_level"),
        drawn=Sum(f"{prefix}drawn"), count=Count("pk"),
    )  # fmt: skip
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
