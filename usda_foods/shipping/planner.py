"""Split-shipment planner for USDA Foods (pure: no ORM, no Django).

The rule (FNS policy memo FD-125): USDA ships full truckloads; where an order is not a full truck the
state must offer split shipments, with at most three stops a truck and, as a guideline, drops of at
least 1/4 truck. For one food and one delivery period, every location asks for ``q_i`` cases and a
truck of that food carries exactly ``Q`` cases. The planner builds trucks (lists of stops) and, where
requests cannot be shipped as asked, proposes adjustments. Objective, lexicographic:

1. no rule broken (every truck exactly ``Q``; at most ``max_stops`` stops; on a split truck every
   drop at least ``ceil(min_drop * Q)``; a location appears once per truck);
2. fewest adjusted cases (sum of absolute adjustments; the state warehouse, if any, takes any
   quantity at or above its request for free);
3. fewest trucks;
4. shortest total route (haversine km, each truck's stops in the best open-path order).

Method, and why
---------------
*Adjustments first, by dynamic programming.* Because every truck carries exactly ``Q``, the number of
trucks is simply (cases delivered) / ``Q``: objectives 2 and 3 only depend on *how much* each location
gets, not on how trucks are formed. So the planner first chooses deliveries: each location either
keeps its request (if some combination of full trucks and split drops can carry it), or moves to the
nearest deliverable amount below or above (e.g. 20 cases when the minimum drop is 25: 0 or 25). A
dynamic programme over "total mod ``Q``" (numpy, O(choices x Q)) picks the cheapest combination whose
total is a whole number of trucks, with one location absorbing the last few cases at one case per
case. Without packing constraints this is an exact relaxation, so its value is a **lower bound** on
adjusted cases (at least as strong as "distance of the total to the nearest multiple of ``Q``"), and
with that many adjusted cases its total gives a lower bound on trucks.

*Packing second, as a chain.* A location's request splits into full direct trucks (free) and a
remainder; a remainder smaller than a drop, or too big to share a truck, is spread with one of the
location's full trucks instead (150 -> 75 + 75). Remainders are then laid out along a Hilbert-curve
sweep of the map and packed like a chain: a truck is closed either exactly (hash lookups for one or
two items that fill it) or by a *crossing* item that is cut, its first part finishing this truck and
its second part opening the next one. Pieces of at least two drops can be cut anywhere, so exact
sums rarely need luck; rigid items (between one and two minimum drops) are placed first, and every
partial truck is checked to remain closable. Candidates are ranked by distance to the stops already
on the truck, which keeps trucks local (objective 4). First-fit decreasing is deliberately not used:
it ignores the exact-fill rule and is far from optimal on drops of 1/4 to 1/2 truck.

*CP-SAT repair.* Where the chain gets stuck (typically at the end of the sweep, or on instances
such as four 25-case requests with ``Q`` = 100 that no chain can serve with three stops) the last few
trucks and the stuck items go to an exact CP-SAT model (``exact.py``), which finds the fewest extra
adjusted cases, then fewest trucks, then a short pairing. It runs with one worker and a deterministic
time budget, so equal inputs give equal plans. OR-Tools' routing solver is not used: it often finds
no first solution on such tight instances, and the plan is not a vehicle routing problem anyway
(stop order within a truck is enumerated).

*Reported lower bounds.* ``adjusted_cases``: the DP relaxation above (sum of per-location gaps to the
nearest deliverable amount, combined with whole truckloads; with a warehouse only the per-location
gaps). ``trucks``: if the plan reaches that adjusted-cases bound, the fewest trucks the relaxation
allows at that cost; otherwise ``ceil((requested - adjusted) / Q)``, which holds for any plan that
adjusts at most as many cases as this one (an optimal plan does). Both never exceed the optimum, so
"plan == bound" proves optimality for that objective.

Warehouse: a location flagged ``warehouse`` (at most one per food) may receive more than it asked
for without that counting as an adjustment; it is never given less.
"""

from __future__ import annotations

import math
import time
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

import numpy as np

from . import exact, geo
from .packing import Budget, Packer, improve_adjustments, improve_routes

#: Instances with at most this many split items are re-planned whole by CP-SAT when the chain
#: misses the lower bound.
_EXACT_MAX_ITEMS = 30


@dataclass(frozen=True)
class _Variant:
    """One run of the chain: how many nearest candidates to weigh by fit, how many must-cut items
    to hold back for the end of the sweep, and which way to sweep."""

    near: int
    reserve: int
    reverse: bool


#: The chain is greedy, so where it ends up stuck depends on small choices; a few cheap runs with
#: different choices, keeping the best, remove most of that luck.
_VARIANTS = (
    _Variant(near=3, reserve=0, reverse=False),
    _Variant(near=6, reserve=6, reverse=False),
    _Variant(near=3, reserve=6, reverse=True),
    _Variant(near=6, reserve=0, reverse=True),
)

DEFAULT_TIME_LIMIT_S = 2.0


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


@dataclass(frozen=True)
class PlanRules:
    """``capacity``: cases in a full truck of the food (USDA ships full trucks only).
    ``max_stops``: stops allowed on one truck. ``min_drop``: smallest drop on a split truck, as a
    fraction of a truck (rounded up to whole cases)."""

    capacity: int
    max_stops: int = 3
    min_drop: Decimal | Fraction = Decimal("0.25")

    def __post_init__(self) -> None:
        if isinstance(self.capacity, bool) or not isinstance(self.capacity, int) or self.capacity <= 0:
            raise PlanningInputError(
                f"capacity (cases per truck) must be a whole number > 0, not {self.capacity!r}"
            )
        if isinstance(self.max_stops, bool) or not isinstance(self.max_stops, int) or self.max_stops < 1:
            raise PlanningInputError(f"max_stops must be a whole number >= 1, not {self.max_stops!r}")
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


# ---------------------------------------------------------------------------------------------
# Which amounts can be delivered at all


@dataclass(frozen=True)
class _Deliverable:
    """Amounts a location can receive: full trucks plus drops of ``m``..``Q - m`` on split trucks.

    With ``m <= Q/3`` that is 0 and everything from ``m`` up; larger minimum drops leave gaps.
    """

    q: int
    m: int
    s: int

    @property
    def splits(self) -> bool:
        return self.s >= 2 and 2 * self.m <= self.q

    def split_ok(self, amount: int) -> bool:
        """Can ``amount`` (> 0) be cut into drops of ``m..Q-m`` (each on its own split truck)?"""
        if amount <= 0 or not self.splits:
            return False
        return -(-amount // (self.q - self.m)) <= amount // self.m

    def ok(self, amount: int) -> bool:
        if amount < 0:
            return False
        if amount % self.q == 0:
            return True
        if not self.splits:
            return False
        top = amount // self.q
        # Enough full trucks taken off leaves a remainder past the point where drop ranges overlap.
        for f in range(top, max(-1, top - self._overlap_trucks() - 2), -1):
            if self.split_ok(amount - f * self.q):
                return True
        return False

    def _overlap_trucks(self) -> int:
        gap = self.q - 2 * self.m
        if gap <= 0:
            return 2
        return self.m // gap + 2

    def anchors(self, amount: int) -> tuple[int, int]:
        """Nearest deliverable amounts at or below and at or above ``amount``."""
        lo = amount
        while not self.ok(lo):
            lo -= 1
        hi = amount
        while not self.ok(hi):
            hi += 1
        return lo, hi

    def split_part(self, amount: int) -> int:
        """The part of a deliverable ``amount`` to put on split trucks (the rest goes direct):
        the remainder, or the remainder plus as few full trucks as needed to cut it into drops."""
        rest = amount % self.q
        if rest == 0:
            return 0
        part = rest
        while not self.split_ok(part):
            part += self.q
            if part > amount:
                raise AssertionError(f"{amount} is not deliverable")
        return part


# ---------------------------------------------------------------------------------------------
# Step 1: deliveries by dynamic programming over the total modulo Q


@dataclass
class _Choice:
    loc: int
    lo: int
    hi: int


@dataclass
class _DeliveryPlan:
    #: Deliveries with each request moved to a deliverable amount, before ``shift``.
    amounts: list[int]
    #: Cases still to add (> 0) or remove (< 0) to make whole truckloads, at one case per case:
    #: the packer spends it where it helps close a truck (any location whose amount is not already
    #: adjusted the other way), rather than on one location chosen in advance.
    shift: int
    cost_lower_bound: int
    trucks_at_bound: int


def _choose_deliveries(*, qs: Sequence[int], wh: int | None, dv: _Deliverable) -> _DeliveryPlan:
    cap = dv.q
    choices: list[_Choice] = []
    base = 0
    for i, q in enumerate(qs):
        if i == wh:
            base += q
            continue
        lo, hi = dv.anchors(q)
        if lo == hi:
            base += q
        else:
            choices.append(_Choice(i, lo, hi))
            base += lo
    scale = sum(c.hi - c.lo for c in choices) + 3 * cap + 3
    inf = np.int64(2**62)
    dp = np.full(cap, inf, dtype=np.int64)
    dp[base % cap] = 0
    picks: list[np.ndarray] = []
    for c in choices:
        delta = c.hi - c.lo
        stay = dp + np.int64((qs[c.loc] - c.lo) * scale)
        move = np.roll(dp, delta % cap) + np.int64((c.hi - qs[c.loc]) * scale + delta)
        pick = move < stay
        dp = np.minimum(np.where(pick, move, stay), inf)
        picks.append(pick)
    # Final step: close to a whole number of trucks.
    finals: list[tuple[int, int, int]] = []  # (value, residue, shift)
    for r in range(cap):
        if dp[r] >= inf:
            continue
        val = int(dp[r])
        if wh is not None:
            extra = (-r) % cap
            while not dv.ok(qs[wh] + extra):
                extra += cap
            finals.append((val + extra + cap, r, extra))
        else:
            down, up = r, (cap - r) % cap
            finals.append((val + down * scale + cap - down, r, -down))
            if up:
                finals.append((val + up * scale + cap + up, r, up))
    finals.sort()
    best_val = finals[0][0]
    lower_bound = best_val // scale
    trucks_at_bound = 0
    for val, r, shift in finals:
        chosen = _backtrack(picks=picks, choices=choices, residue=r, cap=cap)
        trial = list(qs)
        for c, up in zip(choices, chosen, strict=True):
            trial[c.loc] = c.hi if up else c.lo
        if val == best_val:
            trucks_at_bound = (sum(trial) + shift) // cap
        if wh is not None:
            trial[wh] += shift
            shift = 0
        elif not _can_shift(trial=trial, qs=qs, shift=shift, dv=dv):
            continue
        return _DeliveryPlan(
            amounts=trial, shift=shift, cost_lower_bound=lower_bound, trucks_at_bound=trucks_at_bound
        )
    # Only reachable when no location has any case to move: deliver what can be delivered.
    amounts = [q if dv.ok(q) else dv.anchors(q)[0] for q in qs]  # pragma: no cover
    return _DeliveryPlan(amounts=amounts, shift=0, cost_lower_bound=lower_bound, trucks_at_bound=0)


def _backtrack(*, picks: list[np.ndarray], choices: list[_Choice], residue: int, cap: int) -> list[bool]:
    chosen = [False] * len(choices)
    r = residue
    for j in range(len(choices) - 1, -1, -1):
        if picks[j][r]:
            chosen[j] = True
            r = (r - (choices[j].hi - choices[j].lo)) % cap
    return chosen


def _can_shift(*, trial: list[int], qs: Sequence[int], shift: int, dv: _Deliverable) -> bool:
    """Can one location take ``shift`` more (or fewer) cases without leaving its deliverable range
    or undoing its own adjustment (so that the cost is exactly ``|shift|``)?"""
    if shift == 0:
        return True
    for i, d in enumerate(trial):
        if shift > 0 and d > 0 and d >= qs[i] and dv.ok(d + shift):
            return True
        if shift < 0 and 0 < d <= qs[i] and dv.ok(d + shift):
            return True
    return False


# ---------------------------------------------------------------------------------------------
# ---------------------------------------------------------------------------------------------
# Public API


def plan_food(
    *,
    food: str,
    locations: Sequence[Location],
    rules: PlanRules,
    time_limit_s: float = DEFAULT_TIME_LIMIT_S,
) -> Plan:
    """Plan one food's full trucks and the adjustments they need.

    ``time_limit_s`` is the CP-SAT budget in *deterministic* seconds (roughly wall seconds on a
    current CPU), shared by all repairs; the constructive part adds well under a second for 1,000
    locations. Equal inputs give equal plans.
    """
    started = time.perf_counter()
    _check_food(food=food, locations=locations)
    cap, m, s = rules.capacity, rules.min_drop_cases, rules.max_stops
    dv = _Deliverable(cap, m, s)
    qs = [loc.cases for loc in locations]
    wh = next((i for i, loc in enumerate(locations) if loc.warehouse), None)
    deliveries = _choose_deliveries(qs=qs, wh=wh, dv=dv)
    points = [(loc.lat, loc.lon) for loc in locations]
    keys = geo.hilbert_keys(points)
    order = sorted(range(len(locations)), key=lambda i: (keys[i], locations[i].name))
    ranks = [0] * len(locations)
    for r, i in enumerate(order):
        ranks[i] = r
    xy = geo.planar_km(points)
    budget = Budget(time_limit_s)

    def run(variant: _Variant, *, use_cpsat: bool) -> tuple[tuple[int, int, float], list[int], Packer]:
        packer = Packer(
            cap=cap,
            m=m,
            s=s,
            xy=xy,
            ranks=[len(ranks) - 1 - r for r in ranks] if variant.reverse else ranks,
            qs=qs,
            wh=wh,
            budget=budget,
            outside=[0] * len(locations),
            use_cpsat=use_cpsat,
            near=variant.near,
            flex=deliveries.shift,
            anchor=list(deliveries.amounts),
        )
        direct: list[int] = []
        for i, amount in enumerate(deliveries.amounts):
            part = dv.split_part(amount)
            direct.extend([i] * ((amount - part) // cap))
            packer.outside[i] += amount - part
            packer.add(i, part)
        packer.run(reserve=variant.reserve)
        cost = sum(abs(packer.outside[i] - q) for i, q in enumerate(qs) if i != wh)
        km = sum(
            geo.best_order(points=[points[i] for i, _ in t], names=[locations[i].name for i, _ in t])[1]
            for t in packer.closed
        )
        return (cost, len(direct) + len(packer.closed), round(km, 6)), direct, packer

    best = None
    for variant in _VARIANTS:
        result = run(variant, use_cpsat=False)
        if best is None or result[0] < best[1][0]:
            best = (variant, result)
    assert best is not None
    variant, (score, direct, packer) = best
    raw_trucks = [[(i, cap)] for i in direct] + packer.closed
    repaired = set(packer.repaired)
    flexed = set(packer.flexed)
    if score[0] > deliveries.cost_lower_bound and time_limit_s > 0:
        small = sum(1 for i in range(len(qs)) if packer.outside[i] % cap or qs[i] % cap) <= _EXACT_MAX_ITEMS
        if small:
            improved = _exact_whole(
                qs=qs,
                wh=wh,
                raw_trucks=raw_trucks,
                xy=xy,
                rules=rules,
                score=score,
                lower_bound=deliveries.cost_lower_bound,
                budget=budget,
            )
            if improved is not None:
                raw_trucks, changed = improved
                repaired |= changed
        else:
            again = run(variant, use_cpsat=True)
            if again[0] < score:
                score, direct, packer = again
                raw_trucks = [[(i, cap)] for i in direct] + packer.closed
                repaired = set(packer.repaired)
                flexed = set(packer.flexed)
    raw_trucks = improve_adjustments(
        trucks=raw_trucks, qs=qs, anchors=deliveries.amounts, wh=wh, cap=cap, m=m, s=s
    )
    raw_trucks = improve_routes(trucks=raw_trucks, points=points, xy=xy, cap=cap, m=m, s=s)
    return _assemble(
        food=food,
        locations=locations,
        rules=rules,
        raw_trucks=raw_trucks,
        reasons=_reason_codes(
            qs=qs, wh=wh, raw_trucks=raw_trucks, anchors=deliveries.amounts, flexed=flexed - repaired
        ),
        cost_lower_bound=deliveries.cost_lower_bound,
        trucks_at_bound=deliveries.trucks_at_bound,
        started=started,
    )


def _reason_codes(
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


def _exact_whole(
    *,
    qs: Sequence[int],
    wh: int | None,
    raw_trucks: list[list[tuple[int, int]]],
    xy: Sequence[tuple[float, float]],
    rules: PlanRules,
    score: tuple[int, int, float],
    lower_bound: int,
    budget: Budget,
) -> tuple[list[list[tuple[int, int]]], set[int]] | None:
    """Small instances: let CP-SAT re-plan everything (seeded with the chain's plan), keeping all
    but one of each location's direct trucks out of the model. Returns better trucks, or None."""
    cap = rules.capacity
    direct = defaultdict(int)
    got = defaultdict(int)
    for truck in raw_trucks:
        for i, cases in truck:
            got[i] += cases
        if len(truck) == 1:
            direct[truck[0][0]] += 1
    kept = {i: max(0, n - 1) for i, n in direct.items()}
    parties = [
        exact.Party(
            key=i,
            want=q - kept.get(i, 0) * cap,
            planned=got.get(i, 0) - kept.get(i, 0) * cap,
            xy=xy[i],
            warehouse=i == wh,
        )
        for i, q in enumerate(qs)
    ]
    hint = []
    dropped = dict(kept)
    for truck in raw_trucks:
        if len(truck) == 1 and dropped.get(truck[0][0], 0) > 0:
            dropped[truck[0][0]] -= 1
            continue
        hint.append(truck)
    spend = budget.take(budget.left)
    distance_s = min(0.2, spend / 4)
    found = exact.solve_parties(
        parties=parties,
        capacity=cap,
        min_drop=rules.min_drop_cases,
        max_stops=rules.max_stops,
        max_trucks=len(hint) + 2,
        deterministic_s=spend - distance_s,
        cost_lower_bound=lower_bound,
        distance_pass_s=distance_s,
        hint=hint,
    )
    budget.spend(spend)
    if found is None or (found.cost, len(found.trucks)) >= (score[0], len(hint)):
        return None
    trucks = [[(i, cap)] for i, n in sorted(kept.items()) for _ in range(n)]
    trucks += [list(t) for t in found.trucks]
    changed = {p.key for p in parties if found.delivered.get(p.key, 0) != p.planned}
    return trucks, changed


def plan_many(
    *, demands: Sequence[FoodDemand], time_limit_s: float = DEFAULT_TIME_LIMIT_S
) -> tuple[Plan, ...]:
    """Plan several foods (each has its own truckload); ``time_limit_s`` applies to each food."""
    foods = [d.food for d in demands]
    dupes = sorted({f for f in foods if foods.count(f) > 1})
    if dupes:
        raise PlanningInputError(f"food listed more than once: {', '.join(dupes)}")
    return tuple(
        plan_food(food=d.food, locations=d.locations, rules=d.rules, time_limit_s=time_limit_s)
        for d in demands
    )


def _check_food(*, food: str, locations: Sequence[Location]) -> None:
    if not isinstance(food, str) or not food.strip():
        raise PlanningInputError("food must be a non-empty string")
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
    if len(warehouses) > 1:
        raise PlanningInputError(f"{food}: at most one warehouse per food, got {', '.join(warehouses)}")


_REASONS = {
    "undeliverable": "{q} cases cannot be delivered within the rules (minimum drop {m} cases on a split truck)",
    "whole_trucks": "requests for this food must add up to whole truckloads of {cap} cases",
    "repair": "needed for full trucks within {s} stops and {m}-case minimum drops (and whole truckloads)",
    "warehouse": "state warehouse absorbs the remainder of the last trucks (not counted as an adjustment)",
}


def _assemble(
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
        reason = "; ".join(_REASONS[c].format(q=loc.cases, m=m, s=s, cap=cap) for c in codes)
        adjustments.append(
            Adjustment(food=food, location=loc.name, cases=delta, reason=reason, warehouse=loc.warehouse)
        )
    requested = sum(loc.cases for loc in locations)
    if adjusted == cost_lower_bound:
        truck_bound = trucks_at_bound
    else:
        truck_bound = max(0, -(-(requested - adjusted) // cap))
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
            "solve_seconds": round(p.summary.solve_seconds, 3),
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
            "solve_seconds": round(sum(p.summary.solve_seconds for p in plans), 3),
            "per_food": per_food,
        },
    }
