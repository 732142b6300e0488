"""Pure arithmetic for the spending dashboards: school years (July to June), periods, shares and
progress toward a goal. No Django: the tests call these directly."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

HUNDRED = Decimal(100)
MONTH_ABBR = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

# What a goal measures.
LOCAL = "local"
LOCAL_EX_USDA = "local_ex_usda"
LOCAL_REGIONAL = "local_regional"
LOCAL_REGIONAL_EX_USDA = "local_regional_ex_usda"
PRIORITY_VOLUME = "priority_volume"

MET, MISSED, ON_PACE, OFF_PACE, NO_DATA = "met", "missed", "on_pace", "off_pace", "no_data"


def school_year_of(day: date) -> int:
    """The year a school year starts in: July 2026 to June 2027 is 2026."""
    return day.year if day.month >= 7 else day.year - 1


def school_year_label(start_year: int) -> str:
    """2027 -> "SY 2027-28"."""
    return f"SY {start_year}-{(start_year + 1) % 100:02d}"


def school_year_months(start_year: int) -> list[date]:
    """The first day of each month of the school year, July to June."""
    return [date(start_year + (m < 7), m, 1) for m in (7, 8, 9, 10, 11, 12, 1, 2, 3, 4, 5, 6)]


def month_label(month: date) -> str:
    return f"{MONTH_ABBR[month.month - 1]} {month.year}"


@dataclass(frozen=True)
class Period:
    """A school year, or one month of it: the months the figures add up."""

    school_year: int
    month: date | None = None

    @property
    def first(self) -> date:
        return self.month or date(self.school_year, 7, 1)

    @property
    def last(self) -> date:
        """The first day of the period's last month (summary rows are dated the 1st)."""
        return self.month or date(self.school_year + 1, 6, 1)

    @property
    def label(self) -> str:
        return month_label(self.month) if self.month else school_year_label(self.school_year)

    @property
    def query(self) -> str:
        """The page's query string for this period."""
        return f"month={self.month:%Y-%m}" if self.month else f"school_year={self.school_year}"


def parse_period(*, school_year: str | None, month: str | None, default: date) -> Period | None:
    """The period a request asks for (``month=2026-09`` wins over ``school_year=2026``), else the
    school year of ``default``; ``None`` for a value that is not a period."""
    if month:
        found = re.fullmatch(r"(\d{4})-(\d{1,2})", month, re.ASCII)
        if found is None:
            return None
        year, number = int(found[1]), int(found[2])
        if not (2000 <= year <= 2100 and 1 <= number <= 12):
            return None
        first = date(year, number, 1)
        return Period(school_year_of(first), first)
    if school_year:
        if not re.fullmatch(r"\d{4}", school_year, re.ASCII) or not 2000 <= int(school_year) <= 2100:
            return None
        return Period(int(school_year))
    return Period(school_year_of(default))


def share(part: Decimal | None, whole: Decimal | None) -> Decimal | None:
    """``part`` as a percent of ``whole``, to two places (half up); ``None`` when nothing was bought."""
    if not whole:
        return None
    return (HUNDRED * (part or Decimal(0)) / whole).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def to_item_unit(*, pounds: Decimal, unit: str, case_net_weight_lb: Decimal | None) -> Decimal | None:
    """Pounds bought in the priority item's unit: pounds, or cases of a known net weight; ``None``
    for items counted each (a summary keeps pounds only)."""
    if unit == "lb":
        return pounds
    if unit == "case" and case_net_weight_lb:
        return pounds / case_net_weight_lb
    return None


@dataclass(frozen=True)
class Progress:
    actual: Decimal | None
    target: Decimal
    status: str
    gap: Decimal | None  # percentage points still to go (0 once met)

    @property
    def percent_of_target(self) -> Decimal | None:
        """How far along: the actual as a percent of the target, capped at 100."""
        if self.actual is None or not self.target:
            return None
        return min(HUNDRED, share(self.actual, self.target) or Decimal(0))


def goal_progress(*, actual: Decimal | None, target: Decimal, goal_year: int, current_year: int,
                  set_year: int) -> Progress:  # fmt: skip
    """Where a goal stands in ``current_year``. Met once the actual reaches the target; missed
    when the goal's year has passed without it, off pace in that year until met. Before then, on
    pace when the actual is at least the straight line from zero in the school year before the
    goal was set (``set_year``) to the target in the goal's year."""
    if actual is None:
        return Progress(None, target, NO_DATA, None)
    gap = max(Decimal(0), target - actual)
    if actual >= target:
        return Progress(actual, target, MET, gap)
    if current_year >= goal_year:
        return Progress(actual, target, MISSED if current_year > goal_year else OFF_PACE, gap)
    start = min(set_year, current_year, goal_year) - 1
    expected = target * Decimal(current_year - start) / Decimal(goal_year - start)
    return Progress(actual, target, ON_PACE if actual >= expected else OFF_PACE, gap)
