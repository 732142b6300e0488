"""Pure arithmetic of diverted USDA Foods at a processor (no Django): pounds credited for cases
received, drawdown, average monthly usage, months on hand against the 6-month cap of
7 CFR 250.30(n), and drawdown pace against an even draw over the months of service.

Everything is ``Decimal``; figures shown to people are rounded half up once, by ``shown``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from enum import Enum

# 7 CFR 250.30(n): a processor may hold at most a six-month supply of a recipient's inventory.
MAX_MONTHS_ON_HAND = Decimal("6")
# A school year of service runs August to May: ten months (an even draw is 10% a month).
SERVICE_MONTHS = (8, 9, 10, 11, 12, 1, 2, 3, 4, 5)
# Pace within this many percentage points of an even draw counts as "on pace".
PACE_TOLERANCE = Decimal("5")


class InventoryInputError(ValueError):
    """Input these rules cannot work with (negative cases or pounds)."""


class Pace(Enum):
    BEHIND = "behind"
    ON_PACE = "on pace"
    AHEAD = "ahead"
    NOT_STARTED = "not started"


def pounds_credited(*, cases: int, net_case_weight_lb: Decimal) -> Decimal:
    """Pounds a district's inventory gains when diverted cases are received."""
    if cases < 0 or net_case_weight_lb < 0:
        raise InventoryInputError("cases and weight cannot be negative")
    return Decimal(cases) * net_case_weight_lb


def pounds_drawn(*, cases: int, pounds_per_case: Decimal) -> Decimal:
    """Pounds of a USDA Food an end-product purchase draws: the schedule's rate x cases."""
    if cases < 0 or pounds_per_case < 0:
        raise InventoryInputError("cases and rate cannot be negative")
    return Decimal(cases) * pounds_per_case


def drawdown_shortfall(*, on_hand: Decimal, wanted: Decimal) -> Decimal:
    """Pounds missing for a drawdown (0 when there is enough): inventory never goes below zero."""
    return max(wanted - on_hand, Decimal("0"))


def months_of_service_elapsed(*, school_year_start: int, as_of: date) -> int:
    """Months of service (August to May) of the school year starting July 1 ``school_year_start``
    that have begun by ``as_of`` (the current month counts): 0 in July, 1 in August, 10 from May."""
    first = date(school_year_start, 7, 1)
    if as_of < first:
        return 0
    months_since_july = (as_of.year - first.year) * 12 + as_of.month - 7
    return min(max(months_since_july, 0), len(SERVICE_MONTHS))


def average_monthly_usage(*, pounds_used: Decimal, months_elapsed: int) -> Decimal:
    """Pounds drawn per month of service so far (a month counts once it has begun; before the
    first month of service, usage is zero)."""
    if pounds_used < 0:
        raise InventoryInputError("usage cannot be negative")
    if months_elapsed <= 0:
        return Decimal("0")
    return pounds_used / Decimal(months_elapsed)


def months_on_hand(*, on_hand: Decimal, monthly_usage: Decimal) -> Decimal | None:
    """Months the inventory lasts at the average usage; ``None`` when nothing has been used yet
    (unbounded: flagged by ``over_cap`` if anything is on hand)."""
    if on_hand < 0 or monthly_usage < 0:
        raise InventoryInputError("inventory and usage cannot be negative")
    if monthly_usage == 0:
        return Decimal("0") if on_hand == 0 else None
    return on_hand / monthly_usage


def over_cap(*, on_hand: Decimal, months: Decimal | None) -> bool:
    """More than a six-month supply (7 CFR 250.30(n)): exactly 6 is allowed."""
    if months is None:
        return on_hand > 0
    return months > MAX_MONTHS_ON_HAND


def pace(*, pounds_used: Decimal, pounds_available: Decimal, months_elapsed: int,
         months_of_service: int = len(SERVICE_MONTHS), tolerance: Decimal = PACE_TOLERANCE) -> Pace:  # fmt: skip
    """Drawdown pace against an even draw: by month ``m`` of ``n`` an even draw has used m/n of
    what was available (used + on hand). Within ``tolerance`` percentage points is on pace."""
    if pounds_available <= 0 or months_elapsed <= 0:
        return Pace.NOT_STARTED
    expected = Decimal(100) * Decimal(min(months_elapsed, months_of_service)) / Decimal(months_of_service)
    actual = Decimal(100) * pounds_used / pounds_available
    if actual < expected - tolerance:
        return Pace.BEHIND
    if actual > expected + tolerance:
        return Pace.AHEAD
    return Pace.ON_PACE


def shown(value: Decimal, places: str = "0.1") -> Decimal:
    """Round half up once, at the edge, for display and exports."""
    return value.quantize(Decimal(places), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class InventoryStatus:
    """What the processor pages show for one inventory row."""

    on_hand: Decimal
    used: Decimal
    credited: Decimal
    monthly_usage: Decimal
    months: Decimal | None
    flagged: bool
    pace: Pace
    used_share: Decimal  # percent of what was available, drawn so far
    even_share: Decimal  # percent an even draw would have used by now


def inventory_status(
    *, on_hand: Decimal, used: Decimal, school_year_start: int, as_of: date
) -> InventoryStatus:
    """All the figures of one row. ``used`` is pounds drawn by purchases this year; what was
    available is used + on hand (transfers and credits are already in ``on_hand``)."""
    elapsed = months_of_service_elapsed(school_year_start=school_year_start, as_of=as_of)
    usage = average_monthly_usage(pounds_used=used, months_elapsed=elapsed)
    months = months_on_hand(on_hand=on_hand, monthly_usage=usage)
    available = used + on_hand
    n = len(SERVICE_MONTHS)
    return InventoryStatus(
        on_hand=on_hand, used=used, credited=available, monthly_usage=usage, months=months,
        flagged=over_cap(on_hand=on_hand, months=months),
        pace=pace(pounds_used=used, pounds_available=available, months_elapsed=elapsed),
        used_share=(Decimal(100) * used / available) if available > 0 else Decimal("0"),
        even_share=Decimal(100) * Decimal(elapsed) / Decimal(n),
    )  # fmt: skip
