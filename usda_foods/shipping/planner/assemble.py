"""Checking one food's input and turning raw trucks into a :class:`Plan` (pure, no Django): the
words of the adjustments' reasons, and the reported bounds."""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence

from usda_foods import bounds

from . import geo, groups, words
from .model import (
    Adjustment,
    Location,
    LowerBounds,
    Plan,
    PlanningInputError,
    PlanRules,
    PlanSummary,
    Stop,
    Truck,
)


def check_food(*, food: str, locations: Sequence[Location], rules: PlanRules, time_limit_s: float) -> None:
    """The input rules a ``Location`` or ``PlanRules`` alone cannot check, and the bounds that
    keep one food's work to what a real plan needs (``bounds``)."""
    if not isinstance(food, str) or not food.strip():
        raise PlanningInputError("food must be a non-empty string")
    if not isinstance(rules, PlanRules):
        raise PlanningInputError(f"{food}: expected PlanRules, got {type(rules).__name__}")
    if problem := bounds.time_limit_problem(time_limit_s):
        raise PlanningInputError(problem)
    seen: set[str] = set()
    warehouses = []
    for loc in locations:
        if not isinstance(loc, Location):
            raise PlanningInputError(f"{food}: expected Location, got {type(loc).__name__}")
        if loc.name in seen:
            raise PlanningInputError(f"{food}: location {loc.name!r} is listed more than once")
        seen.add(loc.name)
        if loc.warehouse:
            warehouses.append(loc.name)
        if problem := bounds.request_problem(loc.cases, capacity=rules.capacity):
            raise PlanningInputError(f"{food}: {loc.name}: {problem}")
    if problem := bounds.food_problem(
        locations=len(locations), cases=sum(loc.cases for loc in locations), capacity=rules.capacity
    ):
        raise PlanningInputError(f"{food}: {problem}")
    if len(warehouses) > 1:
        raise PlanningInputError(f"{food}: at most one warehouse per food, got {', '.join(warehouses)}")


def reason_codes(
    *,
    qs: Sequence[int],
    wh: int | None,
    raw_trucks: Sequence[Sequence[tuple[int, int]]],
    anchors: Sequence[int],
    flexed: set[int],
) -> dict[int, list[str]]:
    """Why each location's delivery differs from its request."""
    got = [0] * len(qs)
    for truck in raw_trucks:
        for i, cases in truck:
            got[i] += cases
    codes: dict[int, list[str]] = {}
    for i, q in enumerate(qs):
        if got[i] == q:
            continue
        if i == wh:
            codes[i] = ["warehouse"]
            continue
        mine = []
        if anchors[i] != q:
            mine.append("undeliverable")
        if got[i] != anchors[i]:
            mine.append("whole_trucks" if i in flexed else "repair")
        codes[i] = mine
    return codes


#: Why a delivery differs from the request, in plain words (``q`` cases asked, ``m`` the smallest
#: drop on a shared truck, ``s`` stops a truck, ``cap`` cases a full truck; ``stops`` says "1 stop").
REASONS = {
    "undeliverable": "{q:,} cases cannot ship as asked: a shared truck only stops for {m:,} cases or more",
    "whole_trucks": "this food ships only in full trucks of {cap:,} cases, and the requests add up to part of a truck",
    "repair": "so that every truck is full ({cap:,} cases) with at most {stops}, each taking {m:,} cases or more",
    "warehouse": "the state warehouse takes what is left on the last truck (not a change to any order)",
}


def assemble(
    *,
    food: str,
    locations: Sequence[Location],
    rules: PlanRules,
    raw_trucks: Sequence[Sequence[tuple[int, int]]],
    reasons: Mapping[int, list[str]],
    cost_lower_bound: int,
    trucks_at_bound: int,
    started: float,
) -> Plan:
    cap, m, s = rules.capacity, rules.min_drop_cases, rules.max_stops
    trucks = []
    got = [0] * len(locations)
    for raw in raw_trucks:
        merged: dict[int, int] = {}
        for i, cases in raw:
            merged[i] = merged.get(i, 0) + cases
        idx = sorted(merged, key=lambda i: locations[i].name)
        order, km = geo.best_order(
            points=[(locations[i].lat, locations[i].lon) for i in idx],
            names=[locations[i].name for i in idx],
        )
        stops = tuple(Stop(location=locations[idx[j]].name, cases=merged[idx[j]]) for j in order)
        for i in idx:
            got[i] += merged[i]
        trucks.append(Truck(food=food, stops=stops, cases=sum(merged.values()), distance_km=km))
    trucks.sort(key=lambda t: (len(t.stops) > 1, t.stops[0].location, -t.stops[0].cases, t.distance_km))
    adjustments = []
    adjusted = absorbed = 0
    for i, loc in enumerate(locations):
        delta = got[i] - loc.cases
        if not delta:
            continue
        codes = reasons.get(i) or ["repair"]
        if loc.warehouse:
            absorbed += delta
        else:
            adjusted += abs(delta)
        reason = "; ".join(
            REASONS[c].format(q=loc.cases, m=m, stops=words.count(s, "stop"), cap=cap) for c in codes
        )
        adjustments.append(
            Adjustment(food=food, location=loc.name, cases=delta, reason=reason, warehouse=loc.warehouse)
        )
    requested = sum(loc.cases for loc in locations)
    if adjusted == cost_lower_bound:
        truck_bound = trucks_at_bound
    else:
        truck_bound = max(0, -(-(requested - adjusted) // cap))
    if not any(loc.warehouse for loc in locations):
        qs = [loc.cases for loc in locations]
        truck_bound = max(truck_bound, groups.packing_trucks_bound(qs, cap=cap, s=s, adjusted=adjusted))
    wh_name = next((loc.name for loc in locations if loc.warehouse), None)
    summary = PlanSummary(
        requested_cases=requested,
        delivered_cases=sum(got),
        adjusted_cases=adjusted,
        warehouse_absorbed_cases=absorbed,
        trucks=len(trucks),
        direct_trucks=sum(1 for t in trucks if len(t.stops) == 1),
        split_trucks=sum(1 for t in trucks if len(t.stops) > 1),
        total_km=sum(t.distance_km for t in trucks),
        solve_seconds=time.perf_counter() - started,
        capacity=cap,
        min_drop_cases=m,
        max_stops=s,
        warehouse=wh_name,
    )
    return Plan(
        food=food,
        trucks=tuple(trucks),
        adjustments=tuple(adjustments),
        lower_bounds=LowerBounds(adjusted_cases=cost_lower_bound, trucks=truck_bound),
        summary=summary,
    )
