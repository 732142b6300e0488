"""Published per-meal values, the drawdown ledger, and computing many SFAs' entitlements at once."""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import (
    Decimal,
    localcontext,
)
from enum import StrEnum
from fractions import Fraction

from usda_foods.entitlements.rules.offer import (
    CannotCompute,
    Computed,
    Figure,
    Missing,
    TwelvePercent,
    commodity_offer_value,
    twelve_percent_check,
)
from usda_foods.entitlements.rules.values import (
    CATEGORIES,
    CENT,
    EXACT,
    SchoolYear,
    non_negative,
    round_half_up,
    to_count,
    validate_per_meal_value_cents,
)

# --- Published per-meal values -----------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class PerMealValueRecord:
    """One Federal Register publication (or correction) of the per-meal value for a school year."""

    school_year: str
    cents: Decimal
    published_on: date
    citation: str = ""

    def __post_init__(self) -> None:
        SchoolYear.parse(self.school_year)
        validate_per_meal_value_cents(self.cents)
        # datetime is a subclass of date, but comparing one with a date raises TypeError.
        if isinstance(self.published_on, datetime) or not isinstance(self.published_on, date):
            raise TypeError("published_on must be a date (not a datetime)")


def pick_per_meal_value(
    values: Iterable[PerMealValueRecord], *, school_year: str
) -> PerMealValueRecord | None:
    """The record in force for ``school_year``: the latest published, since a correction supersedes
    the original (2006-07: 16.75 cents, corrected to 17.00). None when nothing is published yet.

    Two records for the same year published the same day is a data problem; the one with more
    cents (then the later citation) wins, so the answer never depends on the order rows arrive in.
    """
    wanted = str(SchoolYear.parse(school_year))
    candidates = [record for record in values if record.school_year == wanted]
    if not candidates:
        return None
    return max(candidates, key=lambda r: (r.published_on, r.cents, r.citation))


# --- Entitlement ledger ------------------------------------------------------------------------


class DrawdownStatus(StrEnum):
    PENDING = "pending"  # ordered, not yet delivered: already counts, so it cannot be promised twice
    POSTED = "posted"  # delivered / received
    CANCELLED = "cancelled"  # never counts


@dataclass(frozen=True, slots=True)
class Drawdown:
    """An amount (dollars) drawn against an entitlement allocation."""

    amount: Decimal
    status: DrawdownStatus = DrawdownStatus.POSTED

    def __post_init__(self) -> None:
        non_negative(self.amount, "drawdown amount")
        object.__setattr__(self, "status", DrawdownStatus(self.status))

    @property
    def counts(self) -> bool:
        return self.status is not DrawdownStatus.CANCELLED


def drawn(*, drawdowns: Iterable[Drawdown | Decimal]) -> Decimal:
    """Exact sum of the drawdowns that count (pending and posted). A bare Decimal counts."""
    total = Decimal("0.00")
    with localcontext(EXACT):
        for item in drawdowns:
            entry = item if isinstance(item, Drawdown) else Drawdown(item)
            if entry.counts:
                total += entry.amount
    return total


def remaining(*, allocation: Decimal, drawdowns: Iterable[Drawdown | Decimal]) -> Decimal:
    """Allocation minus what is drawn, exactly. Negative means overdrawn: reported, not hidden.

    The service must refuse a drawdown that would make this negative (see ``would_overdraw``).
    """
    allocated = non_negative(allocation, "allocation")
    with localcontext(EXACT):
        return allocated - drawn(drawdowns=drawdowns)


def would_overdraw(*, allocation: Decimal, drawdowns: Iterable[Drawdown | Decimal], amount: Decimal) -> bool:
    return non_negative(amount, "amount") > remaining(allocation=allocation, drawdowns=drawdowns)


def utilisation_percent(*, allocation: Decimal, drawn: Decimal) -> Decimal | None:
    """Drawn / allocation x 100, rounded half up to 2 places; None when nothing is allocated
    (0% and 100% would both be misleading)."""
    allocated = non_negative(allocation, "allocation")
    used = non_negative(drawn, "drawn")
    if allocated == 0:
        return None
    return round_half_up(Fraction(used) / Fraction(allocated) * 100, CENT)


# --- Batch computation ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class LunchCounts:
    """Reimbursable lunches served by one SFA in one school year, by category."""

    free: int
    reduced: int
    paid: int

    def __post_init__(self) -> None:
        for label, count in zip(CATEGORIES, (self.free, self.reduced, self.paid), strict=True):
            to_count(count, f"{label} lunches")

    @property
    def total(self) -> int:
        return self.free + self.reduced + self.paid


@dataclass(frozen=True, slots=True, kw_only=True)
class EntitlementInputs:
    """Everything needed for one district's SY ``school_year`` entitlement, already loaded.

    ``lunches_by_year`` maps school year ("2018-19") to counts: the COV takes the *previous*
    year's total, the 12 percent check takes ``school_year``'s own counts. Rates are dollars per
    lunch for ``school_year`` in the district's tier. ``usda_foods_value`` (e.g. the planned
    assistance level) is C for the 12 percent check; when None the computed COV is used.
    """

    key: Hashable
    school_year: str
    per_meal_value_cents: Decimal | None
    lunches_by_year: Mapping[str, LunchCounts] = field(default_factory=dict)
    is_commodity_school: bool = False
    section4_cash_cents: Decimal | None = None
    rate_free: Decimal | None = None
    rate_reduced: Decimal | None = None
    rate_paid: Decimal | None = None
    usda_foods_value: Decimal | None = None


@dataclass(frozen=True, slots=True)
class EntitlementResult:
    key: Hashable
    cov: Computed | CannotCompute
    twelve_percent: TwelvePercent | CannotCompute

    @property
    def missing(self) -> tuple[str, ...]:
        """Every reason something could not be computed, without repeats, COV first."""
        return tuple(m.reason for m in self.missing_inputs)

    @property
    def missing_inputs(self) -> tuple[Missing, ...]:
        """Every absent input with the figure it blocks (the COV, or the 12 percent share), COV
        first, without repeating a reason."""
        found: list[Missing] = []
        for figure, outcome in ((Figure.COV, self.cov), (Figure.TWELVE_PERCENT, self.twelve_percent)):
            if isinstance(outcome, CannotCompute):
                found.extend(m for m in outcome.missing(figure) if m.reason not in {f.reason for f in found})
        return tuple(found)


def compute_entitlements(inputs: Iterable[EntitlementInputs]) -> dict[Hashable, EntitlementResult]:
    """Compute many districts at once, shaped like pretix's QuotaAvailability: the service loads
    all rows in a few queries, builds one ``EntitlementInputs`` per district and reads results by
    key. Duplicate keys raise ``ValueError``; malformed data raises as in the single functions.
    """
    results: dict[Hashable, EntitlementResult] = {}
    for item in inputs:
        if item.key in results:
            raise ValueError(f"duplicate entitlement key {item.key!r}")
        year = SchoolYear.parse(item.school_year)
        prior = item.lunches_by_year.get(str(year.previous()))
        cov = commodity_offer_value(
            school_year=item.school_year,
            per_meal_value_cents=item.per_meal_value_cents,
            prior_year_lunches=prior.total if prior is not None else None,
            is_commodity_school=item.is_commodity_school,
            section4_cash_cents=item.section4_cash_cents,
        )
        current = item.lunches_by_year.get(str(year))
        c = item.usda_foods_value
        if c is None and isinstance(cov, Computed):
            c = cov.value
        twelve = twelve_percent_check(
            school_year=item.school_year,
            free=current.free if current else None,
            reduced=current.reduced if current else None,
            paid=current.paid if current else None,
            rate_free=item.rate_free,
            rate_reduced=item.rate_reduced,
            rate_paid=item.rate_paid,
            usda_foods_value=c,
        )
        results[item.key] = EntitlementResult(key=item.key, cov=cov, twelve_percent=twelve)
    return results
