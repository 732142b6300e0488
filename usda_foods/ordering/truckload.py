"""Truckload context for people ordering (pure, no Django): how much of a truck a quantity is, and
where the state's demand for a food stands toward its next full truck.

"600 cases = 1/3 of a truck; the state has 1,400 of 1,800 for the next full truck"."""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any


def _trucks(n: int) -> str:
    return f"{n:,} truck{'s' if n != 1 else ''}"


def share_of_truck(cases: int, capacity: int) -> str:
    """A quantity as trucks: ``1/3 of a truck``, ``1 truck``, ``2 trucks and 1/4``, ``about 44%
    of a truck``, ``less than 1% of a truck``. Exact fractions up to tenths are named; others are
    rounded percentages."""
    if capacity <= 0 or cases <= 0:
        return "nothing yet"
    whole, rest = divmod(cases, capacity)
    part = Fraction(rest, capacity)
    if part.denominator <= 10:
        piece = f"{part.numerator}/{part.denominator}"
        exact = True
    else:
        piece = f"{round(100 * part)}%" if round(100 * part) not in (0, 100) else ""
        exact = (100 * part).denominator == 1
    if rest and not piece and not whole and round(100 * part) == 0:
        return "less than 1% of a truck"
    if not rest or not piece:
        return ("about " if rest else "") + _trucks(whole + (1 if rest and round(100 * part) == 100 else 0))
    if not whole:
        return f"{'' if exact else 'about '}{piece} of a truck"
    return f"{_trucks(whole)} and {'' if exact else 'about '}{piece}"


@dataclass(frozen=True)
class TruckloadContext:
    capacity: int
    cases: int
    state_cases: int
    food: Any = field(default=None, compare=False)

    @property
    def full_trucks(self) -> int:
        return self.state_cases // self.capacity

    @property
    def toward_next(self) -> int:
        """The state's cases beyond its full trucks: what the next truck holds so far."""
        return self.state_cases % self.capacity

    @property
    def still_needed(self) -> int:
        return self.capacity - self.toward_next if self.toward_next else 0

    @property
    def share(self) -> str:
        return f"{self.cases:,} cases = {share_of_truck(self.cases, self.capacity)}"

    @property
    def state_progress(self) -> str:
        if not self.state_cases:
            return f"no cases asked for in the state yet; a truck holds {self.capacity:,}"
        if not self.toward_next:
            return f"the state's {self.state_cases:,} cases fill {_trucks(self.full_trucks)} exactly"
        full = f" after {_trucks(self.full_trucks)}" if self.full_trucks else ""
        return f"the state has {self.toward_next:,} of {self.capacity:,} for the next full truck{full}"

    @property
    def sentence(self) -> str:
        return f"{self.share}; {self.state_progress}" if self.cases else self.state_progress.capitalize()
