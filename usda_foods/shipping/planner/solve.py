"""Split-shipment planner for USDA Foods (pure: no ORM, no Django).

The rule (FNS policy memo FD-125): USDA ships full truckloads; where an order is not a full truck the
state must offer split shipments, with at most three stops a truck and, as a guideline, drops of at
least 1/4 truck. For one food and one delivery period, every location asks for ``q_i`` cases and a
truck of that food carries exactly ``Q`` cases. The planner builds trucks (lists of stops) and, where
requests cannot be shipped as asked, proposes adjustments. Objective, lexicographic:

1. no rule broken (every truck exactly ``Q``; at most ``max_stops`` stops; on a split truck every
   drop at least ``ceil(min_drop * Q)``; a location appears once per truck);
2. fewest adjusted cases (sum of absolute adjustments; the state warehouse, if any, takes any
   quantity at or above its request for free, and is never given less);
3. fewest trucks;
4. shortest total route (haversine km, each truck's stops in the best open-path order).

Method, and why
---------------
*1. Deliveries by dynamic programming* (``deliveries.py``). Every truck carries exactly ``Q``, so
the number of trucks is (cases delivered) / ``Q``: objectives 2 and 3 depend only on *how much*
each location gets, not on how trucks are formed. A location keeps its request if full trucks plus
drops of ``m``..``Q - m`` can carry it, else moves to the nearest amount that can (20 cases with a
25-case drop: 0 or 25). A DP over "total modulo ``Q``" (numpy, O(choices x Q)) picks the cheapest
directions such that the total can reach whole truckloads, and how many cases that still takes.
Those last cases are *not* pinned on one location: they are a budget the packer spends where it
closes a truck (one case moved per case, on locations not already adjusted the other way).

*2. Packing as a chain* (``chain.py``). A request splits into full direct trucks (free) and a
remainder; a remainder below a drop, or too big to share a truck, is spread over one of the
location's full trucks too (150 -> 100 direct + a 50 drop; 120 -> two drops of 60). Remainders are swept in
Hilbert-curve order over the map and packed like a chain: a truck is closed exactly (hash look-ups
for one or two items that fill it, which is where exact pairs and triples come from) or by a
*crossing* item cut in two, its first part finishing this truck and its second opening the next.
Anything of at least two drops can be cut anywhere, so exact fills rarely need luck. Items that
cannot be cut (one to two drops) go first, and a truck is only extended if something can still
close it. Candidates are ranked by distance to the truck's stops, so trucks stay local. The chain
runs four times with small variations (sweep direction, how many nearby candidates to weigh by fit,
must-cut items held back for the end) and the best run is kept. First-fit decreasing is deliberately
not used: it ignores the exact-fill rule and is far from optimal on drops of 1/4 to 1/2 truck.

*3. Whole-drop packings* (no warehouse). Where every remainder must go whole (between a minimum
drop and a truck minus one, e.g. drops of 1/4 to 1/2 truck with three stops) the chain is greedy
and strands a few drops, so an exact partition is tried *first* (``partition.py``): a CP-SAT
pattern model over sizes (every multiset of at most ``s`` sizes filling a truck; one worker, fixed
seed, deterministic budget), bin-completion search as a fallback. With the delivery DP's
whole-truckload budget, one drop takes it (the model or a few tries choose which), so plans at the
DP's bound are found too, not only plans with no adjustment. Where the chain misses a bound,
``groups.py`` packs the remainders whole or cuts them, settling each truck's amounts once its stops
are known (small requests are not rounded to 0 or one drop beforehand): the best of first-fit
decreasing and a largest-first completion, improved by single moves. A candidate replaces the
chain's plan only if it adjusts fewer cases (then uses fewer trucks), so the planner never loses to
first-fit decreasing; ``whole.py`` covers the quarter-to-half case when no exact partition exists.

*4. Repairs.* Where the chain gets stuck, a bounded depth-first search (``search.py``) re-packs the
last few trucks and nearby items exactly. If nothing exact exists mid-sweep the truck is closed
with the item (or two) nearest the room left, adjusted. At the end of the sweep, or for small
instances (at most 30 split items) the whole instance, CP-SAT (``exact.py``) finds the fewest extra
adjusted cases, then fewest trucks, then a short pairing, seeded with the heuristic's answer. It
runs single-threaded on a *deterministic* time budget, so equal inputs give equal plans. The
OR-Tools routing solver is not used: it often finds no first solution on tight instances, and the
stop order within a truck is enumerated anyway.

*5. Polish* (``improve.py``). Pairs of trucks are re-packed where that lowers adjusted cases (one
truck filled up, one cut down) and then where it shortens the two routes (same cases per location,
same number of trucks). Neighbouring trucks come from a grid (``geo.nearest``) and the chain's
nearest candidates from a grid of its pool (``Packer.nearest_in_range``), not from sorting
everything for every truck, so the work grows with the requests, not their square.

*Reported lower bounds.* ``adjusted_cases``: the larger of two valid bounds. The DP value
(per-location gaps to a deliverable amount plus whole truckloads; with a warehouse only this,
without the whole truckloads) is at least the issue's "distance of the total to the nearest multiple
of ``Q``". Without a warehouse, the stop-counting bound (``groups.packing_bound``): ``T`` trucks
deliver ``T * Q`` cases to at most ``s * T`` locations, so a plan adjusts at least
``W + T * Q - 2 * min(T * Q, top(s * T))`` (``W`` all requests, ``top(k)`` the ``k`` largest),
minimised over ``T``; it is what sees that three 250-case drops are 750 cases, not a truck (on the
all-small family it is the optimum). ``trucks``: the largest of the DP's fewest trucks at its bound
(when the plan meets that bound), ``ceil((requested - adjusted) / Q)``, and the fewest ``T`` whose
stop-counting bound is within the plan's adjusted cases: each valid for every plan adjusting no
more than this one, the optimum included. (Rounding the total to the nearest truck would not be a
bound: an optimal plan may round the other way.) "plan == bound" proves that objective optimal.
With a mix of small and large requests (the 70 %-small family) both bounds stay well below the
optimum; see ``bench/shipments.py``.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

from . import exact, geo, groups, partition
from .assemble import assemble, check_food, reason_codes
from .chain import Packer
from .deliveries import Deliverable, DeliveryPlan, choose_deliveries
from .improve import improve_adjustments, improve_routes, regroup_nearby
from .limits import DEFAULT_TIME_LIMIT_S, EXACT_FILL_S, EXACT_MAX_ITEMS, VARIANTS, Budget, Variant
from .model import FoodDemand, Location, Plan, PlanningInputError, PlanRules
from .whole import pack_whole

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

    ``time_limit_s`` is the CP-SAT budget in *deterministic* seconds (about 1-1.5 wall seconds
    each on the development machine), shared by all repairs of this food; CP-SAT only runs when the
    constructive plan misses a lower bound. Equal inputs give equal plans.
    """
    started = time.perf_counter()
    check_food(food=food, locations=locations, rules=rules, time_limit_s=time_limit_s)
    ctx = _Food.build(locations=locations, rules=rules, time_limit_s=time_limit_s)
    # Where every remainder must go whole and could fill trucks exactly (drops of 1/4 to 1/2
    # truck), look for that exact partition first; otherwise the chain is the fast path.
    best = _partition_candidate(ctx) if ctx.wh is None else None
    if best is None or not ctx.at_bounds(best):
        chained = min(
            (_chain_candidate(ctx, variant, use_cpsat=False) for variant in VARIANTS), key=lambda c: c.score
        )
        best = chained if best is None or chained.score < best.score else best
    if not ctx.at_bounds(best) and ctx.wh is None:
        # Whole-drop packings: the best grouping of small remainders, the hard quarter-to-half
        # case; each kept only where it beats the chain.
        for make in (_groups_candidate, _whole_candidate):
            other = make(ctx)
            if other is not None and other.score[:2] < best.score[:2]:
                best = other
            if ctx.at_bounds(best):
                break
    if not ctx.at_bounds(best) and time_limit_s > 0:
        if ctx.split_items <= EXACT_MAX_ITEMS:
            better = _exact_whole(ctx, best)
        elif best.variant is not None:
            better = _chain_candidate(ctx, best.variant, use_cpsat=True)
        else:
            better = None
        if better is not None and better.score[:2] < best.score[:2]:
            best = better
    cap, m, s = rules.capacity, rules.min_drop_cases, rules.max_stops
    anchors = ctx.deliveries.amounts
    trucks = improve_adjustments(trucks=best.trucks, qs=ctx.qs, anchors=anchors, wh=ctx.wh, cap=cap, m=m, s=s)
    trucks = regroup_nearby(
        trucks=trucks, qs=ctx.qs, anchors=anchors, wh=ctx.wh, points=ctx.points, xy=ctx.xy, cap=cap, m=m, s=s
    )
    trucks = improve_routes(trucks=trucks, points=ctx.points, xy=ctx.xy, cap=cap, m=m, s=s)
    return assemble(
        food=food,
        locations=locations,
        rules=rules,
        raw_trucks=trucks,
        reasons=reason_codes(
            qs=ctx.qs, wh=ctx.wh, raw_trucks=trucks, anchors=anchors, flexed=best.flexed - best.repaired
        ),
        cost_lower_bound=ctx.cost_lower_bound,
        trucks_at_bound=ctx.deliveries.trucks_at_bound
        if ctx.cost_lower_bound == ctx.deliveries.cost_lower_bound
        else 0,
        started=started,
    )


@dataclass
class _Food:
    """Everything the candidates of one food share."""

    locations: Sequence[Location]
    rules: PlanRules
    qs: list[int]
    wh: int | None
    dv: Deliverable
    deliveries: DeliveryPlan
    points: list[tuple[float, float]]
    xy: list[tuple[float, float]]
    ranks: list[int]
    budget: Budget

    @classmethod
    def build(cls, *, locations: Sequence[Location], rules: PlanRules, time_limit_s: float) -> _Food:
        dv = Deliverable(rules.capacity, rules.min_drop_cases, rules.max_stops)
        qs = [loc.cases for loc in locations]
        wh = next((i for i, loc in enumerate(locations) if loc.warehouse), None)
        points = [(loc.lat, loc.lon) for loc in locations]
        keys = geo.hilbert_keys(points)
        ranks = [0] * len(locations)
        for r, i in enumerate(sorted(range(len(locations)), key=lambda i: (keys[i], locations[i].name))):
            ranks[i] = r
        return cls(
            locations=locations,
            rules=rules,
            qs=qs,
            wh=wh,
            dv=dv,
            deliveries=choose_deliveries(qs=qs, wh=wh, dv=dv),
            points=points,
            xy=geo.planar_km(points),
            ranks=ranks,
            budget=Budget(time_limit_s),
        )

    @property
    def split_items(self) -> int:
        return sum(1 for amount in self.deliveries.amounts if self.dv.split_part(amount))

    @cached_property
    def cost_lower_bound(self) -> int:
        """The delivery DP's bound and, without a warehouse, the stop-counting packing bound."""
        if self.wh is not None:
            return self.deliveries.cost_lower_bound
        packing = groups.packing_bound(self.qs, cap=self.rules.capacity, s=self.rules.max_stops)
        return max(self.deliveries.cost_lower_bound, packing)

    def at_bounds(self, candidate: _Candidate) -> bool:
        cost, trucks = candidate.score[:2]
        if cost != self.cost_lower_bound:
            return False
        if self.cost_lower_bound != self.deliveries.cost_lower_bound:
            return True  # no truck bound to meet beyond what assemble reports
        return trucks == self.deliveries.trucks_at_bound

    def cost(self, trucks: Sequence[Sequence[tuple[int, int]]]) -> int:
        got = [0] * len(self.qs)
        for truck in trucks:
            for i, cases in truck:
                got[i] += cases
        return sum(abs(got[i] - q) for i, q in enumerate(self.qs) if i != self.wh)

    def km(self, trucks: Sequence[Sequence[tuple[int, int]]]) -> float:
        names = [loc.name for loc in self.locations]
        total = sum(
            geo.best_order(points=[self.points[i] for i, _ in t], names=[names[i] for i, _ in t])[1]
            for t in trucks
            if len(t) > 1
        )
        return round(total, 6)

    def score(self, trucks: Sequence[Sequence[tuple[int, int]]]) -> tuple[int, int, float]:
        return (self.cost(trucks), len(trucks), self.km(trucks))


@dataclass
class _Candidate:
    """A complete plan as raw trucks of (location index, cases), with how it was made."""

    trucks: list[list[tuple[int, int]]]
    score: tuple[int, int, float]
    repaired: set[int]
    flexed: set[int]
    variant: Variant | None = None


def _chain_candidate(ctx: _Food, variant: Variant, *, use_cpsat: bool) -> _Candidate:
    cap = ctx.rules.capacity
    ranks = [len(ctx.ranks) - 1 - r for r in ctx.ranks] if variant.reverse else ctx.ranks
    packer = Packer(
        cap=cap,
        m=ctx.rules.min_drop_cases,
        s=ctx.rules.max_stops,
        xy=ctx.xy,
        ranks=ranks,
        qs=ctx.qs,
        wh=ctx.wh,
        budget=ctx.budget,
        outside=[0] * len(ctx.qs),
        use_cpsat=use_cpsat,
        near=variant.near,
        flex=ctx.deliveries.shift,
        anchor=list(ctx.deliveries.amounts),
    )
    direct: list[list[tuple[int, int]]] = []
    for i, amount in enumerate(ctx.deliveries.amounts):
        part = ctx.dv.split_part(amount)
        direct.extend([[(i, cap)] for _ in range((amount - part) // cap)])
        packer.outside[i] += amount - part
        packer.add(i, part)
    packer.run(reserve=variant.reserve)
    trucks = direct + packer.closed
    return _Candidate(
        trucks=trucks,
        score=ctx.score(trucks),
        repaired=set(packer.repaired),
        flexed=set(packer.flexed),
        variant=variant,
    )


def _remainders(ctx: _Food) -> tuple[list[list[tuple[int, int]]], list[tuple[int, int]]]:
    """Each location's full direct trucks, and what it asks for beyond them (location, cases)."""
    cap = ctx.rules.capacity
    direct = [[(i, cap)] for i, q in enumerate(ctx.qs) for _ in range(q // cap)]
    return direct, [(i, q % cap) for i, q in enumerate(ctx.qs) if q % cap]


def _partition_candidate(ctx: _Food) -> _Candidate | None:
    """Every remainder placed whole at the delivery DP's amounts, with at most the DP's whole-
    truckload budget on one location (``partition``), where all remainders must go whole."""
    if ctx.cost_lower_bound != ctx.deliveries.cost_lower_bound:
        return None  # the DP's amounts cannot reach the bound: leave it to the other packings
    cap = ctx.rules.capacity
    amounts, shift = ctx.deliveries.amounts, ctx.deliveries.shift
    direct = [[(i, cap)] for i, a in enumerate(amounts) for _ in range(a // cap)]
    items = [(i, a % cap) for i, a in enumerate(amounts) if a % cap]
    eligible = {
        i for i, a in enumerate(amounts) if a > 0 and (a >= ctx.qs[i] if shift > 0 else a <= ctx.qs[i])
    }
    rules = ctx.rules
    found = partition.exact_partition(
        items, cap=cap, m=rules.min_drop_cases, s=rules.max_stops, ranks=ctx.ranks,
        deterministic_s=EXACT_FILL_S if ctx.budget.left > 0 else 0.0, shift=shift, eligible=eligible,
    )  # fmt: skip
    if found is None:
        return None
    trucks = direct + found
    changed = {i for i, z in items if i in eligible} if shift else set()
    return _Candidate(trucks=trucks, score=ctx.score(trucks), repaired=set(), flexed=changed)


def _groups_candidate(ctx: _Food) -> _Candidate | None:
    """Remainders placed whole or cut, trucks settled once their stops are known (``groups``)."""
    direct, items = _remainders(ctx)
    if not items:
        return None
    rules = ctx.rules
    kept, _ = groups.best_groups(items, cap=rules.capacity, m=rules.min_drop_cases, s=rules.max_stops)
    trucks = direct + [groups.settle(g, cap=rules.capacity, m=rules.min_drop_cases) for g in kept]
    return _Candidate(trucks=trucks, score=ctx.score(trucks), repaired={i for i, _ in items}, flexed=set())


def _whole_candidate(ctx: _Food) -> _Candidate | None:
    """:func:`whole.pack_whole` on the split parts, beside the direct trucks; None where some split
    part must be cut."""
    cap = ctx.rules.capacity
    direct: list[list[tuple[int, int]]] = []
    items = []
    wants = {}
    for i, amount in enumerate(ctx.deliveries.amounts):
        part = ctx.dv.split_part(amount)
        full = (amount - part) // cap
        direct.extend([[(i, cap)] for _ in range(full)])
        if part:
            items.append((i, part))
            wants[i] = ctx.qs[i] - full * cap
    found = pack_whole(items=items, wants=wants, cap=cap, m=ctx.dv.m, s=ctx.dv.s)
    if found is None:
        return None
    trucks = direct + found[1]
    return _Candidate(trucks=trucks, score=ctx.score(trucks), repaired={i for i, _ in items}, flexed=set())


def _exact_whole(ctx: _Food, best: _Candidate) -> _Candidate | None:
    """Small instances: CP-SAT re-plans everything, seeded with the best plan so far, keeping all
    but one of each location's direct trucks out of the model. None if it finds nothing better."""
    cap = ctx.rules.capacity
    direct: dict[int, int] = defaultdict(int)
    got: dict[int, int] = defaultdict(int)
    for truck in best.trucks:
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
            xy=ctx.xy[i],
            warehouse=i == ctx.wh,
        )
        for i, q in enumerate(ctx.qs)
    ]
    hint = []
    dropped = dict(kept)
    for truck in best.trucks:
        if len(truck) == 1 and dropped.get(truck[0][0], 0) > 0:
            dropped[truck[0][0]] -= 1
            continue
        hint.append(truck)
    spend = ctx.budget.take(ctx.budget.left)
    distance_s = min(0.2, spend / 4)
    found = exact.solve_parties(
        parties=parties,
        capacity=cap,
        min_drop=ctx.rules.min_drop_cases,
        max_stops=ctx.rules.max_stops,
        max_trucks=len(hint) + 2,
        deterministic_s=spend - distance_s,
        cost_lower_bound=ctx.deliveries.cost_lower_bound,
        distance_pass_s=distance_s,
        hint=hint,
    )
    ctx.budget.spend(spend)
    if found is None:
        return None
    trucks = [[(i, cap)] for i, n in sorted(kept.items()) for _ in range(n)]
    trucks += [list(t) for t in found.trucks]
    changed = {p.key for p in parties if found.delivered.get(p.key, 0) != p.planned}
    return _Candidate(
        trucks=trucks, score=ctx.score(trucks), repaired=best.repaired | changed, flexed=best.flexed - changed
    )


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
