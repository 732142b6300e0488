"""Checking a plan against the rules, and writing plans out as JSON."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from . import words
from .model import (
    Location,
    Plan,
    PlanRules,
)

# ---------------------------------------------------------------------------------------------
# Checking and output


def validate_plan(*, plan: Plan, locations: Sequence[Location], rules: PlanRules) -> list[str]:
    """Every rule the plan breaks, as messages (an empty list means the plan is valid).

    Checks: each truck carries exactly the capacity, has 1..max_stops stops at distinct known
    locations, every drop on a split truck is at least the minimum drop, each location receives
    exactly its request plus its adjustment, adjustments name known locations once each, the
    warehouse is never shorted, and the summary's adjusted cases match the adjustments.
    """
    cap, m, s = rules.capacity, rules.min_drop_cases, rules.max_stops
    by_name = {loc.name: loc for loc in locations}
    problems: list[str] = []
    got: dict[str, int] = defaultdict(int)
    for n, truck in enumerate(plan.trucks):
        names = [stop.location for stop in truck.stops]
        total = sum(stop.cases for stop in truck.stops)
        if truck.food != plan.food:
            problems.append(f"truck {n}: food {truck.food!r} is not {plan.food!r}")
        if total != cap or truck.cases != cap:
            problems.append(f"truck {n}: carries {total} cases (declared {truck.cases}), not {cap}")
        if not 1 <= len(names) <= s:
            problems.append(f"truck {n}: {len(names)} stops, allowed 1..{s}")
        if len(set(names)) != len(names):
            problems.append(f"truck {n}: a location appears twice")
        for stop in truck.stops:
            if stop.location not in by_name:
                problems.append(f"truck {n}: unknown location {stop.location!r}")
            if stop.cases <= 0 or (len(names) > 1 and stop.cases < m):
                problems.append(f"truck {n}: drop of {stop.cases} at {stop.location} (minimum {m})")
            got[stop.location] += stop.cases
    adjust: dict[str, int] = {}
    for adj in plan.adjustments:
        if adj.location not in by_name:
            problems.append(f"adjustment for unknown location {adj.location!r}")
        elif adj.location in adjust:
            problems.append(f"two adjustments for {adj.location}")
        adjust[adj.location] = adj.cases
        if not adj.reason:
            problems.append(f"adjustment for {adj.location} has no reason")
    counted = 0
    for loc in locations:
        delta = adjust.get(loc.name, 0)
        if got.get(loc.name, 0) != loc.cases + delta:
            problems.append(
                f"{loc.name}: receives {got.get(loc.name, 0)}, request {loc.cases} + adjustment {delta}"
            )
        if loc.warehouse and delta < 0:
            problems.append(f"{loc.name}: the warehouse is given less than it asked for")
        if not loc.warehouse:
            counted += abs(delta)
    if plan.summary.adjusted_cases != counted:
        problems.append(
            f"summary says {plan.summary.adjusted_cases} adjusted cases, adjustments sum to {counted}"
        )
    if plan.summary.trucks != len(plan.trucks):
        problems.append("summary truck count differs from the trucks")
    return problems


def plan_to_json(plans: Sequence[Plan]) -> dict[str, Any]:
    """The plans of one or more foods as one JSON-ready dict (trucks, adjustments, bounds, summary)."""
    trucks = []
    adjustments = []
    for plan in plans:
        for truck in plan.trucks:
            trucks.append(
                {
                    "food": truck.food,
                    "stops": [{"location": st.location, "cases": st.cases} for st in truck.stops],
                    "cases": truck.cases,
                    "distance_km": round(truck.distance_km, 3),
                    "distance_miles": round(words.miles(truck.distance_km), 3),
                }
            )
        for adj in plan.adjustments:
            adjustments.append(
                {"food": adj.food, "location": adj.location, "cases": adj.cases, "reason": adj.reason}
            )
    per_food = [
        {
            "food": p.food,
            "capacity": p.summary.capacity,
            "min_drop_cases": p.summary.min_drop_cases,
            "max_stops": p.summary.max_stops,
            "warehouse": p.summary.warehouse,
            "requested_cases": p.summary.requested_cases,
            "delivered_cases": p.summary.delivered_cases,
            "adjusted_cases": p.summary.adjusted_cases,
            "adjusted_cases_lower_bound": p.lower_bounds.adjusted_cases,
            "warehouse_absorbed_cases": p.summary.warehouse_absorbed_cases,
            "trucks": p.summary.trucks,
            "trucks_lower_bound": p.lower_bounds.trucks,
            "direct_trucks": p.summary.direct_trucks,
            "split_trucks": p.summary.split_trucks,
            "total_km": round(p.summary.total_km, 3),
            "total_miles": round(words.miles(p.summary.total_km), 3),
            "solve_seconds": round(p.summary.solve_seconds, 3),
            "explanation": explain(p),
            "details": words.bound_details(
                adjusted=p.summary.adjusted_cases,
                adjusted_bound=p.lower_bounds.adjusted_cases,
                trucks=p.summary.trucks,
                trucks_bound=p.lower_bounds.trucks,
            ),
        }
        for p in plans
    ]
    return {
        "trucks": trucks,
        "adjustments": adjustments,
        "lower_bounds": {
            "adjusted_cases": sum(p.lower_bounds.adjusted_cases for p in plans),
            "trucks": sum(p.lower_bounds.trucks for p in plans),
        },
        "summary": {
            "foods": len(plans),
            "requested_cases": sum(p.summary.requested_cases for p in plans),
            "delivered_cases": sum(p.summary.delivered_cases for p in plans),
            "adjusted_cases": sum(p.summary.adjusted_cases for p in plans),
            "warehouse_absorbed_cases": sum(p.summary.warehouse_absorbed_cases for p in plans),
            "trucks": sum(p.summary.trucks for p in plans),
            "total_km": round(sum(p.summary.total_km for p in plans), 3),
            "total_miles": round(words.miles(sum(p.summary.total_km for p in plans)), 3),
            "solve_seconds": round(sum(p.summary.solve_seconds for p in plans), 3),
            "per_food": per_food,
        },
    }


def explain(plan: Plan, *, unit: str = "mi") -> list[str]:
    """One food's plan in plain sentences: what ships, what changes and why no plan does better
    (the bounds, in words), and how far the shared trucks drive."""
    s, lb = plan.summary, plan.lower_bounds
    out = [
        words.adjusted_sentence(
            adjusted=s.adjusted_cases, bound=lb.adjusted_cases, requested=s.requested_cases
        ),
        words.trucks_sentence(trucks=s.trucks, bound=lb.trucks),
    ]
    if s.split_trucks:
        out.append(
            f"{words.count(s.split_trucks, 'shared truck')} stop at up to {words.count(s.max_stops, 'site')}, "
            f"{words.distance(s.total_km, unit=unit)} between first and last stops in all."
        )
    if s.warehouse_absorbed_cases:
        out.append(
            f"The state warehouse takes {words.count(s.warehouse_absorbed_cases, 'case')} more than it asked for."
        )
    return out
