"""What a real shipment-planning input can be (pure, no Django).

One place for the limits every entry point checks: the planner's own input checks (``PlanRules``,
``Location``, ``plan_food``), the preview API, the ``plan_shipments`` command, the catalog's model
validators and import, and the window planning task. Anything outside them is a typo or an
attack, and the planner's work grows with them (its delivery DP is O(locations x cases per truck),
every truckload is an object), so a bound here is also a bound on time and memory.
"""

from __future__ import annotations

import math

# A USDA Foods truckload is about 40,000 lb. The heaviest "case" is a bulk tote or barrel for
# processing (around 4,000 lb: 10 a truck); the lightest cases (about 8 lb) fill a truck at 5,000.
MIN_CASES_PER_TRUCKLOAD = 10
MAX_CASES_PER_TRUCKLOAD = 5_000

# One location's request for one food in one delivery period. The largest districts take a few
# dozen truckloads of a food in a year; 100 truckloads leaves room to spare.
MAX_TRUCKLOADS_PER_REQUEST = 100
MAX_CASES_PER_REQUEST = MAX_TRUCKLOADS_PER_REQUEST * MAX_CASES_PER_TRUCKLOAD  # 500,000

# Delivery locations of one food in one plan: a state's window reaches its SFAs' delivery sites
# (the largest states have about 1,200 SFAs, and co-ops share receiving sites).
MAX_LOCATIONS_PER_FOOD = 2_000

# Truckloads of one food in one plan (requested cases / cases per truck): a large state ships a
# few thousand truckloads of all foods in a whole year.
MAX_TRUCKLOADS_PER_FOOD = 5_000

# FD-125 allows three stops a truck; states may allow a few more, never dozens.
MAX_STOPS = 10

# The CP-SAT budget per food, in deterministic seconds: the planner's default is 2.
MAX_TIME_LIMIT_S = 60.0


def truckload_problem(capacity: object) -> str | None:
    """Why ``capacity`` (cases in a full truck) is not a real truckload, or None."""
    if isinstance(capacity, bool) or not isinstance(capacity, int):
        return f"cases per truckload must be a whole number, not {capacity!r}"
    if not MIN_CASES_PER_TRUCKLOAD <= capacity <= MAX_CASES_PER_TRUCKLOAD:
        return (
            f"cases per truckload must be between {MIN_CASES_PER_TRUCKLOAD:,} and "
            f"{MAX_CASES_PER_TRUCKLOAD:,} (a USDA truckload is about 40,000 lb), not {capacity:,}"
        )
    return None


def request_problem(cases: int, *, capacity: int | None = None) -> str | None:
    """Why ``cases`` is not a real request for one food at one location (with ``capacity``, at
    most ``MAX_TRUCKLOADS_PER_REQUEST`` of its truckloads), or None."""
    limit = MAX_CASES_PER_REQUEST if capacity is None else capacity * MAX_TRUCKLOADS_PER_REQUEST
    if cases > limit:
        trucks = f" ({MAX_TRUCKLOADS_PER_REQUEST} truckloads of {capacity:,})" if capacity is not None else ""
        return f"cases must be at most {limit:,}{trucks} for one location, not {cases:,}"
    return None


def food_problem(*, locations: int, cases: int, capacity: int) -> str | None:
    """Why one food's ``locations`` requests of ``cases`` in all are more than a plan can be."""
    if locations > MAX_LOCATIONS_PER_FOOD:
        return f"at most {MAX_LOCATIONS_PER_FOOD:,} locations of one food, not {locations:,}"
    if -(-cases // capacity) > MAX_TRUCKLOADS_PER_FOOD:  # whole-number ceil: no float overflow
        return (
            f"at most {MAX_TRUCKLOADS_PER_FOOD:,} truckloads of one food ({MAX_TRUCKLOADS_PER_FOOD * capacity:,} "
            f"cases of {capacity:,} a truck), not {cases:,} cases"
        )
    return None


def time_limit_problem(seconds: object) -> str | None:
    if isinstance(seconds, bool) or not isinstance(seconds, int | float):
        return f"the time limit must be a number of seconds, not {seconds!r}"
    if not math.isfinite(seconds) or not 0 <= seconds <= MAX_TIME_LIMIT_S:
        return f"the time limit must be between 0 and {MAX_TIME_LIMIT_S:g} seconds, not {seconds}"
    return None
