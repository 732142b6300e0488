"""Inputs and outputs of the shipment planner: frozen dataclasses, validated on construction
(pure, no Django). Cases are whole numbers; the minimum drop is an exact fraction of a truck;
coordinates and distances are floats (a cost to compare plans, not money)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from usda_foods import bounds


class PlanningInputError(ValueError):
    """Input the planner cannot plan with (bad capacity, negative cases, duplicate names, ...)."""


# ---------------------------------------------------------------------------------------------
# Inputs and outputs


def _as_fraction(value: Decimal | Fraction | int) -> Fraction:
    if isinstance(value, bool) or not isinstance(value, Decimal | Fraction | int):
        raise PlanningInputError(f"min_drop must be a Decimal or Fraction, not {value!r}")
    if isinstance(value, Decimal) and not value.is_finite():
        raise PlanningInputError(f"min_drop must be finite, not {value}")
    return Fraction(value)


@dataclass(frozen=True)
class Location:
    """A delivery location's request for one food: ``cases`` whole cases, at ``lat``/``lon``."""

    name: str
    lat: float
    lon: float
    cases: int
    warehouse: bool = False

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.strip():
            raise PlanningInputError("location name must be a non-empty string")
        for label, value, bound in (("lat", self.lat, 90.0), ("lon", self.lon, 180.0)):
            if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
                raise PlanningInputError(f"{self.name}: {label} must be a number, not {value!r}")
            if abs(value) > bound:
                raise PlanningInputError(f"{self.name}: {label} {value} is outside -{bound}..{bound}")
        if isinstance(self.cases, bool) or not isinstance(self.cases, int):
            raise PlanningInputError(f"{self.name}: cases must be a whole number, not {self.cases!r}")
        if self.cases < 0:
            raise PlanningInputError(f"{self.name}: cases must be >= 0, not {self.cases}")
        if problem := bounds.request_problem(self.cases):
            raise PlanningInputError(f"{self.name}: {problem}")


@dataclass(frozen=True)
class PlanRules:
    """``capacity``: cases in a full truck of the food (USDA ships full trucks only), within
    ``bounds``.
    ``max_stops``: stops allowed on one truck. ``min_drop``: smallest drop on a split truck, as a
    fraction of a truck (rounded up to whole cases)."""

    capacity: int
    max_stops: int = 3
    min_drop: Decimal | Fraction = Decimal("0.25")

    def __post_init__(self) -> None:
        if problem := bounds.truckload_problem(self.capacity):
            raise PlanningInputError(f"capacity: {problem}")
        if (
            isinstance(self.max_stops, bool)
            or not isinstance(self.max_stops, int)
            or not 1 <= self.max_stops <= bounds.MAX_STOPS
        ):
            raise PlanningInputError(
                f"max_stops must be a whole number from 1 to {bounds.MAX_STOPS}, not {self.max_stops!r}"
            )
        frac = _as_fraction(self.min_drop)
        if not 0 <= frac <= 1:
            raise PlanningInputError(f"min_drop must be between 0 and 1 truck, not {self.min_drop}")

    @property
    def min_drop_cases(self) -> int:
        """``ceil(min_drop * capacity)``, and at least one case (a stop delivers something)."""
        return max(1, math.ceil(_as_fraction(self.min_drop) * self.capacity))


@dataclass(frozen=True)
class Stop:
    location: str
    cases: int


@dataclass(frozen=True)
class Truck:
    """One full truck; ``stops`` in visiting order, ``distance_km`` from first to last stop."""

    food: str
    stops: tuple[Stop, ...]
    cases: int
    distance_km: float


@dataclass(frozen=True)
class Adjustment:
    """Cases added to (+) or removed from (-) a location's request. ``warehouse`` adjustments are
    the state warehouse absorbing remainders and do not count as adjusted cases."""

    food: str
    location: str
    cases: int
    reason: str
    warehouse: bool = False


@dataclass(frozen=True)
class LowerBounds:
    adjusted_cases: int
    trucks: int


@dataclass(frozen=True)
class PlanSummary:
    requested_cases: int
    delivered_cases: int
    adjusted_cases: int
    warehouse_absorbed_cases: int
    trucks: int
    direct_trucks: int
    split_trucks: int
    total_km: float
    solve_seconds: float
    capacity: int
    min_drop_cases: int
    max_stops: int
    warehouse: str | None = None


@dataclass(frozen=True)
class Plan:
    food: str
    trucks: tuple[Truck, ...]
    adjustments: tuple[Adjustment, ...]
    lower_bounds: LowerBounds
    summary: PlanSummary


@dataclass(frozen=True)
class FoodDemand:
    """One food's requests and rules, for :func:`plan_many`."""

    food: str
    locations: tuple[Location, ...]
    rules: PlanRules
