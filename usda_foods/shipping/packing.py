"""The chain packer behind :mod:`usda_foods.shipping.planner` (pure, no Django).

Input: for each location the cases it must receive on split trucks (its "item"). Output: trucks of
exactly ``cap`` cases, at most ``s`` stops, every drop at least ``m`` cases. See the planner's
docstring for the method; in short, a Hilbert-order sweep builds a chain of trucks closed either
exactly or by a crossing item cut across two trucks, a depth-first search finishes what the sweep
cannot, and CP-SAT (``exact.py``) settles what has no exact answer with the fewest adjusted cases.
"""

from __future__ import annotations

import math
from bisect import bisect_left, insort
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from . import exact

#: The chain hands the last items of the sweep to CP-SAT when this few are left.
_ENDGAME_ITEMS = 14
#: Closed trucks reopened for a CP-SAT repair.
_UNWIND_TRUCKS = 3
#: Closed trucks reopened, in turn, by the depth-first repair; its node limit; pool items it may use.
_UNWIND_STEPS = (0, 3, 6)
_SEARCH_NODES = 4000
_MIDWAY_NODES = 1500
#: How far along the sweep a new truck may start.
_SEED_SCAN = 80
#: Trucks tried as partners of each truck when re-pairing to lower adjustments.
_PARTNERS = 25
_SEARCH_EXTRA = 12
#: Extra pool items offered to a mid-sweep CP-SAT repair.
_OPTIONAL_ITEMS = 10
#: Largest single CP-SAT repair (deterministic seconds) and its distance pass.
_REPAIR_CAP_S = 1.0
_DISTANCE_PASS_S = 0.2


class Budget:
    def __init__(self, seconds: float) -> None:
        self.left = seconds

    def take(self, cap: float) -> float:
        return max(0.02, min(cap, self.left))

    def spend(self, seconds: float) -> None:
        self.left = max(0.0, self.left - seconds)


@dataclass
class Packer:
    cap: int
    m: int
    s: int
    xy: list[tuple[float, float]]
    ranks: list[int]
    qs: Sequence[int]
    wh: int | None
    budget: Budget
    closed: list[list[tuple[int, int]]] = field(default_factory=list)
    open: list[tuple[int, int]] = field(default_factory=list)
    size: dict[int, int] = field(default_factory=dict)
    by_size: list[tuple[int, int, int]] = field(default_factory=list)
    by_rank: list[tuple[int, int]] = field(default_factory=list)
    size_index: dict[int, list[int]] = field(default_factory=lambda: defaultdict(list))
    outside: list[int] = field(default_factory=list)
    repaired: set[int] = field(default_factory=set)
    use_cpsat: bool = True
    near: int = 3
    #: Cases still to add (> 0) or remove (< 0) for whole truckloads, spent to close trucks.
    flex: int = 0
    #: Each location's planned delivery (decides which way its cases may move at no extra cost).
    anchor: list[int] = field(default_factory=list)
    flexed: set[int] = field(default_factory=set)
    #: Search nodes left for repairs in mid-sweep (instances where nothing fits exactly would
    #: otherwise search in vain at every truck).
    midway_nodes: int = 40000
    cpsat_cost: int = 0

    # -- pool bookkeeping --------------------------------------------------------------------
    def add(self, loc: int, amount: int) -> None:
        if amount <= 0:
            return
        assert loc not in self.size
        self.size[loc] = amount
        insort(self.by_size, (amount, self.ranks[loc], loc))
        insort(self.by_rank, (self.ranks[loc], loc))
        insort(self.size_index[amount], loc)

    def remove(self, loc: int) -> int:
        amount = self.size.pop(loc)
        key = (amount, self.ranks[loc], loc)
        del self.by_size[bisect_left(self.by_size, key)]
        del self.by_rank[bisect_left(self.by_rank, (self.ranks[loc], loc))]
        lst = self.size_index[amount]
        del lst[bisect_left(lst, loc)]
        return amount

    def in_range(self, lo: int, hi: int) -> Iterable[int]:
        start = bisect_left(self.by_size, (lo, -1, -1))
        for j in range(start, len(self.by_size)):
            size, _, loc = self.by_size[j]
            if size > hi:
                break
            yield loc

    # -- geometry ----------------------------------------------------------------------------
    def dist(self, loc: int) -> float:
        if not self.open:
            return 0.0
        x, y = self.xy[loc]
        return min(math.hypot(x - self.xy[o][0], y - self.xy[o][1]) for o, _ in self.open)

    @property
    def load(self) -> int:
        return sum(c for _, c in self.open)

    # -- moves -------------------------------------------------------------------------------
    def closable(self, room: int, stops: int, skip: set[int], *, pairs: bool = False) -> bool:
        """Can a truck with ``room`` cases and ``stops`` stops left still be finished, by one item
        that fills it or crosses it (or, with ``pairs``, by two items that fill it)?"""
        if stops < 1 or room < self.m:
            return False
        for loc in self.size_index.get(room, ()):
            if loc not in skip:
                return True
        for loc in self.in_range(room + self.m, room + self.cap - self.m):
            if loc not in skip:
                return True
        if pairs and stops >= 2:
            for size in sorted(self.size_index):
                if size > room - self.m:
                    break
                firsts = [a for a in self.size_index[size] if a not in skip][:2]
                if not firsts:
                    continue
                for b in self.size_index.get(room - size, ()):
                    if b not in skip and b != firsts[0]:
                        return True
                    if b not in skip and len(firsts) > 1:
                        return True
        return False

    def flex_eligible(self, loc: int, delta: int) -> bool:
        """May ``loc`` take ``delta`` more cases out of the whole-truckload budget? Only in the
        budget's direction, within it, and not against the location's own adjustment."""
        if loc == self.wh or delta == 0 or (delta > 0) != (self.flex > 0) or abs(delta) > abs(self.flex):
            return False
        planned, asked = self.anchor[loc], self.qs[loc]
        return planned > 0 and (planned >= asked if delta > 0 else planned <= asked)

    def flex_close(self, room: int, on_truck: set[int]) -> bool:
        """Finish the truck with an item a few cases too big or too small, paid from the budget."""
        if not self.flex or len(self.open) >= self.s:
            return False
        lo, hi = (room + 1, room - self.flex) if self.flex < 0 else (max(self.m, room - self.flex), room - 1)
        cands = [
            loc
            for loc in self.in_range(lo, hi)
            if loc not in on_truck and self.flex_eligible(loc, room - self.size[loc])
        ]
        if not cands:
            return False
        loc = min(cands, key=lambda j: (abs(room - self.size[j]), self.dist(j), self.ranks[j]))
        amount = self.remove(loc)
        self.open.append((loc, room))
        self.flex -= room - amount
        self.flexed.add(loc)
        self.close()
        return True

    def resync_flex(self) -> None:
        """After a repair that adjusted cases, the budget is whatever makes the rest whole trucks."""
        rest = (sum(self.size.values()) + self.load) % self.cap
        self.flex = -rest if rest * 2 <= self.cap else self.cap - rest

    def place(self, loc: int, cases: int) -> None:
        amount = self.remove(loc)
        self.open.append((loc, cases))
        if amount > cases:
            self.add(loc, amount - cases)

    def close(self) -> None:
        assert self.load == self.cap, self.open
        for loc, cases in self.open:
            self.outside[loc] += cases
        self.closed.append(self.open)
        self.open = []

    def step(self) -> bool:
        """One move of the chain; False when stuck."""
        cap, m = self.cap, self.m
        on_truck = {loc for loc, _ in self.open}
        room = cap - self.load
        left = self.s - len(self.open)
        if not self.open:
            return self.seed()
        if left < 1:
            return False
        # 1. one item fills the truck exactly
        exact_one = [loc for loc in self.size_index.get(room, ()) if loc not in on_truck]
        if exact_one:
            loc = min(exact_one, key=lambda j: (self.dist(j), self.ranks[j]))
            self.place(loc, room)
            self.close()
            return True
        if left >= 2:
            # 2. two items fill it exactly
            pair = self.exact_pair(room, on_truck)
            if pair:
                for loc in pair:
                    self.place(loc, self.size[loc])
                self.close()
                return True
            # 3. a rigid item (cannot be cut) that keeps the truck closable
            rigid = self.whole_candidates(room, on_truck, lo=m, hi=min(2 * m - 1, room - m), largest=True)
            if rigid is not None:
                self.place(rigid, self.size[rigid])
                return True
        # 4. a crossing item: its first part fills this truck, the rest opens the next
        cross = self.crossing(room, on_truck)
        if cross is not None:
            amount = self.size[cross]
            self.place(cross, room)
            self.close()
            self.remove(cross)
            self.open = [(cross, amount - room)]
            return True
        if left >= 2:
            # 5. any other whole item that keeps the truck closable
            other = self.whole_candidates(room, on_truck, lo=2 * m, hi=min(cap - m, room - m), largest=False)
            if other is not None:
                self.place(other, self.size[other])
                return True
            # 6. a piece of a cuttable item, the rest going back to the pool
            piece = self.partial(room, on_truck)
            if piece is not None:
                self.place(*piece)
                return True
        # 7. spend some of the whole-truckload budget
        return self.flex_close(room, on_truck)

    def seed(self) -> bool:
        cap, m = self.cap, self.m
        for pairs in (False, True):
            for _, loc in self.by_rank[:_SEED_SCAN]:
                amount = self.size[loc]
                if amount <= cap - m and self.closable(cap - amount, self.s - 1, {loc}, pairs=pairs):
                    self.place(loc, amount)
                    return True
        for _, loc in self.by_rank:
            amount = self.size[loc]
            if amount == cap:
                self.place(loc, amount)
                self.close()
                return True
        # Only items too big to go whole are left near the front: start with a piece of one.
        piece = self.partial(cap, set())
        if piece is not None:
            self.place(*piece)
            return True
        # Nothing can be finished exactly: start anyway, the truck will be closed by adjusting.
        for _, loc in self.by_rank:
            if self.size[loc] <= cap - m and self.s >= 2:
                self.place(loc, self.size[loc])
                return True
        return False

    def exact_pair(self, room: int, on_truck: set[int]) -> tuple[int, int] | None:
        best: tuple[float, int, int] | None = None
        near = sorted(
            (loc for loc in self.in_range(self.m, room - self.m) if loc not in on_truck),
            key=lambda j: (self.dist(j), self.ranks[j]),
        )[:40]
        for a in near:
            need = room - self.size[a]
            for b in self.size_index.get(need, ()):
                if b == a or b in on_truck:
                    continue
                key = (self.dist(a) + self.dist(b), min(self.ranks[a], self.ranks[b]), a, b)
                if best is None or key < best:
                    best = key
                break
        if best is None:
            return None
        return best[2], best[3]

    def whole_candidates(
        self, room: int, on_truck: set[int], *, lo: int, hi: int, largest: bool
    ) -> int | None:
        """A nearby item to put on whole that leaves the truck closable; with ``largest``, the
        biggest of the few nearest (hard items first, best-fit style)."""
        if hi < lo:
            return None
        cands = sorted(
            (loc for loc in self.in_range(lo, hi) if loc not in on_truck),
            key=lambda j: (self.dist(j), self.ranks[j]),
        )
        left = self.s - len(self.open) - 1
        feasible: list[int] = []
        for loc in cands[:60]:
            if self.closable(room - self.size[loc], left, on_truck | {loc}):
                feasible.append(loc)
                if not largest or len(feasible) >= self.near:
                    break
        if not feasible:
            return None
        return (
            max(feasible, key=lambda j: (self.size[j], -self.dist(j), -self.ranks[j]))
            if largest
            else feasible[0]
        )

    def crossing(self, room: int, on_truck: set[int]) -> int | None:
        """Among the nearest items that can cross, one that must be cut anyway (too big to go
        whole), else the one leaving the shortest tail (best fit: big crossers are kept for when
        they are needed, and a short tail leaves room on the next truck)."""
        cap, m = self.cap, self.m
        cands = sorted(
            (loc for loc in self.in_range(room + m, room + cap - m) if loc not in on_truck),
            key=lambda j: (self.dist(j), self.ranks[j]),
        )[: self.near]
        if not cands:
            return None
        return min(cands, key=lambda j: (self.size[j] <= cap - m, self.size[j], self.dist(j), self.ranks[j]))

    def partial(self, room: int, on_truck: set[int]) -> tuple[int, int] | None:
        m = self.m
        left = self.s - len(self.open) - 1
        cands = sorted(
            (loc for loc in self.in_range(2 * m, 10**12) if loc not in on_truck),
            key=lambda j: (self.dist(j), self.ranks[j]),
        )
        sizes = sorted({size for size, _, _ in self.by_size})
        for loc in cands[:30]:
            amount = self.size[loc]
            top = min(room - m, amount - m)
            # The largest piece, or one that leaves room for an item already in the pool.
            pieces = [top] + [room - z for z in sizes if m <= room - z < top]
            for piece in pieces:
                if piece >= m and self.closable(room - piece, left, on_truck | {loc}):
                    return loc, piece
        return None

    # -- repair ------------------------------------------------------------------------------
    def repair(self, *, endgame: bool) -> None:
        """Finish what the sweep cannot: reopen the last few trucks and search (``chain_search``)
        for an exact way through, with more trucks reopened each time; failing that, CP-SAT packs
        the same items with the fewest extra adjusted cases."""
        if endgame:
            for unwind in _UNWIND_STEPS:
                if self.repair_search(endgame=True, unwind=unwind, nodes=_SEARCH_NODES):
                    return
            self.repair_cpsat(endgame=True)
            return
        for unwind in _UNWIND_STEPS[:2]:
            if self.midway_nodes < _MIDWAY_NODES:
                break
            self.midway_nodes -= _MIDWAY_NODES
            if self.repair_search(endgame=False, unwind=unwind, nodes=_MIDWAY_NODES):
                return
        if not self.paid_close():
            self.repair_cpsat(endgame=False)

    def paid_close(self) -> bool:
        """Close the open truck with the item, or the two items, nearest in size to the room
        left, adjusting one of them to fit: cheap, always possible while a stop is free, and it
        keeps the sweep going where no exact way exists (e.g. only drops of 1/4 to 1/2 truck are
        left, whose trucks must be exact triples). Cases moved count against the whole-truckload
        budget first."""
        if not self.open or len(self.open) >= self.s:
            return False
        room = self.cap - self.load
        on_truck = {loc for loc, _ in self.open}
        pool = sorted(
            (amount, self.ranks[loc], loc)
            for loc, amount in self.size.items()
            if loc not in on_truck and loc != self.wh
        )
        if not pool:
            return False

        def extra(delta: int) -> int:
            return abs(delta) + abs(self.flex - delta) - abs(self.flex)

        best: tuple | None = None
        for amount, _, loc in pool:
            delta = room - amount
            key = (extra(delta), abs(delta), 1, self.dist(loc), loc)
            if best is None or key < best[0]:
                best = (key, [(loc, amount)])
        if len(self.open) + 2 <= self.s:
            # Two items: the classic two-pointer walk over sizes for the pair nearest the room.
            whole = [p for p in pool if p[0] <= self.cap - self.m]
            lo, hi = 0, len(whole) - 1
            while lo < hi:
                a, b = whole[lo], whole[hi]
                delta = room - a[0] - b[0]
                if b[0] + delta >= self.m:
                    key = (extra(delta), abs(delta), 0, 0.0, a[2])
                    if key < best[0]:
                        best = (key, [(a[2], a[0]), (b[2], b[0])])
                if delta > 0:
                    lo += 1
                elif delta < 0:
                    hi -= 1
                else:
                    break
        key, chosen = best
        delta = room - sum(amount for _, amount in chosen)
        # The deviation goes on the largest item (it stays at least a minimum drop).
        big = max(range(len(chosen)), key=lambda i: (chosen[i][1], -i))
        for i, (loc, amount) in enumerate(chosen):
            self.remove(loc)
            self.open.append((loc, amount + delta if i == big else amount))
        self.flex -= delta
        (self.flexed if key[0] == 0 else self.repaired).add(chosen[big][0])
        self.close()
        return True

    def stuck_item(self) -> set[int]:
        """When no truck can even be started, the oldest item of the sweep must be dealt with
        (this is what guarantees progress)."""
        return {self.by_rank[0][1]} if not self.open and self.by_rank else set()

    def _reopen(self, unwind: int) -> dict[int, int]:
        planned: dict[int, int] = defaultdict(int)
        if unwind:
            for truck in self.closed[-unwind:]:
                for loc, cases in truck:
                    planned[loc] += cases
                    self.outside[loc] -= cases
            del self.closed[-unwind:]
        for loc, cases in self.open:
            planned[loc] += cases
        self.open = []
        return planned

    def repair_search(self, *, endgame: bool, unwind: int, nodes: int) -> bool:
        saved_closed = self.closed[-unwind:] if unwind else []
        saved_open = list(self.open)
        stuck = self.stuck_item()
        planned = self._reopen(unwind)
        mandatory = set(planned) | stuck
        if endgame:
            mandatory |= set(self.size)
        taken: dict[int, int] = {}
        for loc in sorted(mandatory):
            if loc in self.size:
                taken[loc] = self.remove(loc)
                planned[loc] += taken[loc]
        extra: list[int] = []
        if not endgame and self.size:
            ref = [self.xy[loc] for loc in mandatory]

            def near(j: int) -> float:
                return min(math.hypot(self.xy[j][0] - x, self.xy[j][1] - y) for x, y in ref)

            extra = sorted(self.size, key=lambda j: (near(j), self.ranks[j]))[:_SEARCH_EXTRA]
        if self.wh is not None and self.wh not in mandatory and self.wh not in extra and self.wh in self.size:
            extra.append(self.wh)
        items = dict(planned)
        for loc in extra:
            items[loc] = self.size[loc]
        found = chain_search(
            items=items,
            mandatory=mandatory,
            cap=self.cap,
            m=self.m,
            s=self.s,
            xy=self.xy,
            wh=self.wh,
            node_limit=nodes,
            flex=self.flex,
            flexible={j for j in items if self.flex_eligible(j, 1 if self.flex > 0 else -1)},
            spend_all=endgame,
        )
        if found is None:
            # Put everything back as it was.
            for loc, amount in taken.items():
                self.add(loc, amount)
            for truck in saved_closed:
                for loc, cases in truck:
                    self.outside[loc] += cases
            self.closed.extend(saved_closed)
            self.open = saved_open
            return False
        for loc in extra:
            self.remove(loc)
        for truck in found.trucks:
            self.closed.append(truck)
            for loc, cases in truck:
                self.outside[loc] += cases
        self.open = found.open
        for loc, amount in sorted(found.remaining.items()):
            self.add(loc, amount)
        self.flex = found.flex_left
        self.flexed |= found.flexed
        return True

    def repair_cpsat(self, *, endgame: bool) -> None:
        """Hand the open truck, the last few closed ones and the stuck items to CP-SAT."""
        stuck = self.stuck_item()
        planned = self._reopen(_UNWIND_TRUCKS)
        mandatory = set(planned) | stuck
        if endgame:
            mandatory |= set(self.size)
        for loc in sorted(mandatory):
            if loc in self.size:
                planned[loc] += self.remove(loc)
        if self.wh is not None and self.wh not in planned:
            # The warehouse can always take a drop to finish a truck; offer it to every repair.
            planned[self.wh] += self.remove(self.wh) if self.wh in self.size else 0
        optional: list[int] = []
        if not endgame and self.wh is not None and self.wh not in mandatory:
            optional.append(self.wh)
        if not endgame and self.size:
            ref = [self.xy[loc] for loc in mandatory]

            def near(j: int) -> float:
                return min(math.hypot(self.xy[j][0] - x, self.xy[j][1] - y) for x, y in ref)

            nearest = sorted(self.size, key=lambda j: (near(j), self.ranks[j]))[:_OPTIONAL_ITEMS]
            optional.extend(nearest)
            for loc in nearest:
                planned[loc] += self.remove(loc)
        parties = []
        for loc in sorted(planned, key=lambda j: self.ranks[j]):
            parties.append(
                exact.Party(
                    key=loc,
                    want=self.qs[loc] - self.outside[loc],
                    planned=planned[loc],
                    xy=self.xy[loc],
                    warehouse=loc == self.wh,
                    optional=loc in optional,
                )
            )
        total = sum(planned.values())
        max_trucks = -(-total // self.cap) + 2 + len(mandatory) // 3
        sol = adjusting_pack(parties=parties, cap=self.cap, m=self.m, s=self.s)
        if self.use_cpsat and self.budget.left > 0:
            spend = self.budget.take(self.budget.left if endgame else _REPAIR_CAP_S)
            distance_s = min(_DISTANCE_PASS_S, spend / 4) if len(parties) <= 24 else 0.0
            found = exact.solve_parties(
                parties=parties,
                capacity=self.cap,
                min_drop=self.m,
                max_stops=self.s,
                max_trucks=max(max_trucks, len(sol.trucks)),
                deterministic_s=spend - distance_s,
                distance_pass_s=distance_s,
                hint=sol.trucks,
            )
            self.budget.spend(spend)
            if found is not None and (found.cost, len(found.trucks)) <= (sol.cost, len(sol.trucks)):
                sol = found
        self.cpsat_cost += sol.cost
        for truck in sol.trucks:
            self.closed.append(list(truck))
            for loc, cases in truck:
                self.outside[loc] += cases
        for party in parties:
            got = sol.delivered.get(party.key, 0) + sol.leftover.get(party.key, 0)
            if got != party.planned:
                self.repaired.add(party.key)
        for loc, rest in sorted(sol.leftover.items()):
            self.add(loc, rest)
        self.resync_flex()

    def hold_back(self, count: int) -> dict[int, int]:
        """Take the biggest must-cut items from the last part of the sweep out of the pool: the
        end of a sweep is where the chain runs out of crossing items."""
        if count <= 0 or not self.by_rank:
            return {}
        last = self.by_rank[int(len(self.by_rank) * 0.7) :]
        big = sorted(
            (loc for _, loc in last if self.size[loc] > self.cap - self.m),
            key=lambda j: (-self.size[j], self.ranks[j]),
        )[:count]
        return {loc: self.remove(loc) for loc in sorted(big)}

    def release(self, held: dict[int, int]) -> None:
        for loc, amount in sorted(held.items()):
            self.add(loc, amount)
        held.clear()

    def run(self, *, reserve: int = 0) -> None:
        held = self.hold_back(reserve)
        while self.size or self.open or held:
            if not self.open and len(self.size) <= _ENDGAME_ITEMS:
                self.release(held)
                if self.size:
                    self.repair(endgame=True)
                break
            if not self.step():
                self.release(held)
                self.repair(endgame=len(self.size) <= _ENDGAME_ITEMS)


class _Abort(Exception):
    pass


@dataclass
class ChainResult:
    trucks: list[list[tuple[int, int]]]
    open: list[tuple[int, int]]
    remaining: dict[int, int]
    flex_left: int = 0
    flexed: set[int] = field(default_factory=set)


def chain_search(
    *,
    items: dict[int, int],
    mandatory: set[int],
    cap: int,
    m: int,
    s: int,
    xy: Sequence[tuple[float, float]],
    wh: int | None,
    node_limit: int,
    flex: int = 0,
    flexible: set[int] | frozenset[int] = frozenset(),
    spend_all: bool = False,
) -> ChainResult | None:
    """Depth-first search for trucks that deliver every ``mandatory`` item exactly.

    Other items may be used, whole or in part (what is left of them stays at least ``m``). The
    warehouse ``wh``, if given, may take more than its item (it finishes any truck with room for a
    drop), tried last so that it only grows when nothing else works. Moves mirror the chain: fill the
    truck exactly, add a whole item, cross with an item cut across this truck and the next, or add a
    piece of an item. Interchangeable items (same cases, same role) are tried once, failed states
    are remembered, and the search gives up after ``node_limit`` nodes. Returns the closed trucks,
    a possibly open last truck (a crossing tail of a non-mandatory item) and what is left of the
    items, or None.

    ``flex`` cases (to add if > 0, remove if < 0) may be spent on the ``flexible`` items to fill a
    truck exactly; with ``spend_all`` the search only succeeds once all of it is spent.
    """
    rem = dict(items)
    budget = [flex]
    flexed: list[int] = []
    if wh is not None:
        rem.setdefault(wh, 0)
    failed: set[tuple] = set()
    nodes = 0
    trucks: list[list[tuple[int, int]]] = []
    open_: list[tuple[int, int]] = []

    def dist(j: int) -> float:
        if not open_:
            return 0.0
        x, y = xy[j]
        return min(math.hypot(x - xy[o][0], y - xy[o][1]) for o, _ in open_)

    def done() -> bool:
        return all(rem[j] <= 0 for j in mandatory) and not (spend_all and budget[0])

    def key() -> tuple:
        on = {j for j, _ in open_}
        state = tuple(
            sorted((rem[j], j in mandatory, j in on, j == wh) for j in rem if rem[j] > 0 or j == wh)
        )
        return (sum(c for _, c in open_), len(open_), budget[0], state)

    def distinct(cands: Iterable[int]) -> list[int]:
        seen: dict[tuple, int] = {}
        for j in sorted(cands, key=lambda j: (dist(j), j)):
            seen.setdefault((rem[j], j in mandatory, j == wh), j)
        return sorted(seen.values(), key=lambda j: (j not in mandatory, dist(j), j))

    def push(j: int, cases: int) -> None:
        open_.append((j, cases))
        rem[j] -= cases

    def pop() -> None:
        j, cases = open_.pop()
        rem[j] += cases

    def close_and(recurse_tail: tuple[int, int] | None) -> bool:
        nonlocal open_
        trucks.append(open_)
        saved = open_
        open_ = []
        if recurse_tail is not None:
            push(*recurse_tail)
        if go():
            return True
        if recurse_tail is not None:
            pop()
        open_ = saved
        trucks.pop()
        return False

    def go() -> bool:
        nonlocal nodes
        nodes += 1
        if nodes > node_limit:
            raise _Abort
        load = sum(c for _, c in open_)
        if not open_ and done():
            return True
        if open_ and done() and len(open_) == 1 and open_[0][0] not in mandatory and load <= cap - m:
            return True
        k = key()
        if k in failed:
            return False
        room = cap - load
        left = s - len(open_)
        on = {j for j, _ in open_}
        avail = [j for j in rem if rem[j] > 0 and j not in on and j != wh]
        if open_:
            # 1. fill exactly
            for j in distinct(x for x in avail if rem[x] == room):
                push(j, room)
                if close_and(None):
                    return True
                pop()
            # 1b. fill exactly with an item a little too big or small, paid from the budget
            if budget[0]:
                f = budget[0]
                for j in distinct(
                    x for x in avail if x in flexible and 0 < (room - rem[x]) * (1 if f > 0 else -1) <= abs(f)
                ):
                    was = rem[j]
                    open_.append((j, room))
                    rem[j] = 0
                    budget[0] = f - (room - was)
                    flexed.append(j)
                    if close_and(None):
                        return True
                    flexed.pop()
                    budget[0] = f
                    rem[j] = was
                    open_.pop()
            if left >= 2:
                # 2. whole item, largest first (hard items first)
                whole = [x for x in avail if m <= rem[x] <= min(room - m, cap - m)]
                for j in sorted(distinct(whole), key=lambda j: (-rem[j], dist(j), j)):
                    push(j, rem[j])
                    if go():
                        return True
                    pop()
            # 3. cross: cut an item across this truck and the next
            cross = [x for x in avail if room + m <= rem[x] <= room + cap - m]
            for j in sorted(distinct(cross), key=lambda j: (rem[j], dist(j), j)):
                tail = rem[j] - room
                push(j, room)
                rem[j] -= tail
                if close_and((j, tail)):
                    return True
                rem[j] += tail
                pop()
        else:
            for j in distinct(x for x in avail if rem[x] == cap):
                push(j, cap)
                if close_and(None):
                    return True
                pop()
            for j in sorted(
                distinct(x for x in avail if rem[x] <= cap - m),
                key=lambda j: (j not in mandatory, -rem[j], j),
            ):
                push(j, rem[j])
                if go():
                    return True
                pop()
        if left >= 2:
            # 4. a piece of a cuttable item, sized so that something in the pool can finish the truck
            sizes = sorted({rem[x] for x in avail})
            for j in distinct(x for x in avail if rem[x] >= 2 * m):
                top = min(room - m, rem[j] - m)
                pieces = sorted({p for p in [top, *(room - z for z in sizes)] if m <= p <= top}, reverse=True)
                for p in pieces[:6]:
                    push(j, p)
                    if go():
                        return True
                    pop()
        if wh is not None and wh not in on and left >= 1 and open_:
            # 5. the warehouse: fill the truck, or take a drop and leave room for one more stop
            if room >= m:
                push(wh, room)
                if close_and(None):
                    return True
                pop()
            need = max(m, rem[wh])
            if left >= 2 and rem[wh] > 0 and need <= room - m:
                push(wh, need)
                if go():
                    return True
                pop()
        failed.add(k)
        return False

    try:
        ok = go()
    except _Abort:
        return None
    if not ok:
        return None
    remaining = {j: a for j, a in rem.items() if a > 0}
    return ChainResult(
        trucks=[list(t) for t in trucks],
        open=list(open_),
        remaining=remaining,
        flex_left=budget[0],
        flexed=set(flexed),
    )


def adjusting_pack(*, parties: Sequence[exact.Party], cap: int, m: int, s: int) -> exact.SubSolution:
    """A valid packing of the non-optional ``parties`` that always exists: a next-fit chain that
    cuts items across trucks and, where a drop or a truck cannot come out right, adjusts cases
    (or lets the warehouse take the room). Used when nothing exact is found, and as CP-SAT's hint.
    Optional parties are left out (their cases go back to the pool)."""
    trucks: list[tuple[tuple[int, int], ...]] = []
    cur: list[tuple[int, int]] = []
    delivered: dict[int, int] = defaultdict(int)
    wh = next((p for p in parties if p.warehouse and not p.optional), None)

    def close() -> None:
        nonlocal cur
        for key, cases in cur:
            delivered[key] += cases
        trucks.append(tuple(cur))
        cur = []

    def fill(room: int) -> None:
        """Finish the current truck: the warehouse takes the room if it can, else the largest stop grows."""
        keys = [k for k, _ in cur]
        if wh is not None and wh.key not in keys and room >= m and len(cur) < s:
            cur.append((wh.key, room))
        else:
            big = max(range(len(cur)), key=lambda i: (cur[i][1], -i))
            cur[big] = (cur[big][0], cur[big][1] + room)
        close()

    for p in parties:
        if p.optional or p.warehouse:
            continue
        amount = max(0, p.want)
        while amount > 0:
            room = cap - sum(c for _, c in cur)
            if any(k == p.key for k, _ in cur):
                fill(room)
                continue
            if amount >= room:
                rest = amount - room
                if 0 < rest < m:
                    rest = 0 if rest * 2 < m else m
                if room < m and cur:
                    fill(room)
                    continue
                cur.append((p.key, room))
                close()
                amount = rest
            elif len(cur) + 1 < s and room - amount >= m and amount >= m:
                cur.append((p.key, amount))
                amount = 0
            elif amount < m and not cur:
                amount = 0 if amount * 2 < m else m
                if amount:
                    cur.append((p.key, amount))
                    amount = 0
            else:
                cur.append((p.key, max(amount, m if cur else amount)))
                fill(cap - sum(c for _, c in cur))
                amount = 0
    if cur:
        load = sum(c for _, c in cur)
        if cap - load <= load or (wh is not None and len(cur) < s):
            fill(cap - load)
        else:
            cur = []
    if wh is not None:
        short = max(0, wh.want) - delivered.get(wh.key, 0)
        while short > 0:
            trucks.append(((wh.key, cap),))
            delivered[wh.key] += cap
            short -= cap
    cost = sum(abs(delivered.get(p.key, 0) - p.want) for p in parties if not p.optional and not p.warehouse)
    leftover = {p.key: p.planned for p in parties if p.optional and p.planned > 0}
    return exact.SubSolution(
        trucks=tuple(trucks), delivered=dict(delivered), leftover=leftover, cost=cost, optimal=False
    )


def improve_routes(
    *,
    trucks: list[list[tuple[int, int]]],
    points: Sequence[tuple[float, float]],
    xy: Sequence[tuple[float, float]],
    cap: int,
    m: int,
    s: int,
    max_pairs: int = 20000,
    neighbours: int = 6,
) -> list[list[tuple[int, int]]]:
    """Shorten routes without changing what any location receives: repeatedly take two split
    trucks close to each other and re-pack their stops (every way of giving each location to one
    truck, the other, or both) if that shortens the two routes. Adjusted cases and the number of
    trucks stay as they are. ``max_pairs`` bounds the work (deterministically)."""

    from .geo import haversine_km

    edge: dict[tuple[int, int], float] = {}

    def d(a: int, b: int) -> float:
        key = (a, b) if a < b else (b, a)
        if key not in edge:
            edge[key] = haversine_km(*points[a], *points[b])
        return edge[key]

    def route(locs: Sequence[int]) -> float:
        if len(locs) <= 1:
            return 0.0
        if len(locs) == 2:
            return d(locs[0], locs[1])
        if len(locs) == 3:
            a, b, c = locs
            ab, bc, ac = d(a, b), d(b, c), d(a, c)
            return ab + bc + ac - max(ab, bc, ac)
        from .geo import best_order

        return best_order(points=[points[i] for i in locs], names=[str(i) for i in sorted(locs)])[1]

    out = [list(t) for t in trucks]
    split = [i for i, t in enumerate(out) if len(t) > 1]
    if len(split) < 2:
        return out

    def centre(t: list[tuple[int, int]]) -> tuple[float, float]:
        return (sum(xy[i][0] for i, _ in t) / len(t), sum(xy[i][1] for i, _ in t) / len(t))

    centres = {i: centre(out[i]) for i in split}
    near: dict[int, list[int]] = {}
    for i in split:
        ci = centres[i]
        near[i] = sorted(
            (j for j in split if j != i),
            key=lambda j: ((centres[j][0] - ci[0]) ** 2 + (centres[j][1] - ci[1]) ** 2, j),
        )[:neighbours]
    checked = 0
    for _ in range(3):
        improved = False
        for t1 in split:
            for t2 in near[t1]:
                if checked >= max_pairs:
                    return out
                checked += 1
                better = _repack_pair(out[t1], out[t2], cap=cap, m=m, s=s, route=route)
                if better is not None:
                    out[t1], out[t2] = better
                    improved = True
        if not improved:
            break
    return out


def _repack_pair(
    one: list[tuple[int, int]], two: list[tuple[int, int]], *, cap: int, m: int, s: int, route
) -> tuple[list[tuple[int, int]], list[tuple[int, int]]] | None:
    """The shortest way to carry the same cases per location on two trucks, if shorter than now:
    the first truck takes a set of locations, the second the rest plus any of the first's that
    are shared (cut in two drops of at least ``m``)."""
    from itertools import combinations

    amounts: dict[int, int] = defaultdict(int)
    for i, c in one + two:
        amounts[i] += c
    locs = sorted(amounts)
    k = len(locs)
    if k > 2 * s:
        return None
    now = route([i for i, _ in one]) + route([i for i, _ in two])
    best: tuple[float, tuple[int, ...], tuple[int, ...]] | None = None
    for size in range(max(1, k - s), min(s, k) + 1):
        for first in combinations(locs, size):
            rest = [loc for loc in locs if loc not in first]
            whole_first = sum(amounts[loc] for loc in first)
            for n_shared in range(0, s - len(rest) + 1):
                for shared in combinations(first, n_shared):
                    if not rest and not shared:
                        continue
                    need = cap - (whole_first - sum(amounts[loc] for loc in shared))
                    if shared:
                        if not m * len(shared) <= need <= sum(amounts[loc] - m for loc in shared):
                            continue
                    elif need != 0:
                        continue
                    length = route(list(first)) + route(rest + list(shared))
                    if length < now - 1e-6 and (best is None or length < best[0] - 1e-9):
                        best = (length, first, shared)
    if best is None:
        return None
    _, first, shared = best
    need = cap - sum(amounts[loc] for loc in first if loc not in shared)
    pieces = {loc: m for loc in shared}
    left = need - m * len(shared)
    for loc in shared:
        add = min(left, amounts[loc] - 2 * m)
        pieces[loc] += add
        left -= add
    first_t = [(loc, pieces.get(loc, amounts[loc])) for loc in first]
    second_t = [(loc, amounts[loc]) for loc in locs if loc not in first]
    second_t += [(loc, amounts[loc] - pieces[loc]) for loc in shared]
    return first_t, second_t


def improve_adjustments(
    *,
    trucks: list[list[tuple[int, int]]],
    qs: Sequence[int],
    anchors: Sequence[int],
    wh: int | None,
    cap: int,
    m: int,
    s: int,
    max_pairs: int = 30000,
) -> list[list[tuple[int, int]]]:
    """Lower the adjusted cases by re-pairing trucks: a truck that had to be filled up (its
    locations' deliverable amounts add up to less than a truck) and one that had to be cut down
    can often swap locations so that both come out nearer a full truck. Only trucks whose
    locations are delivered whole on that one truck take part; each new truck puts its whole
    deviation on the one location where it costs least. Never increases adjusted cases."""
    pieces: dict[int, int] = defaultdict(int)
    for truck in trucks:
        for loc, _ in truck:
            pieces[loc] += 1
    out = [list(t) for t in trucks]

    def eligible(truck: list[tuple[int, int]]) -> bool:
        return len(truck) > 1 and all(pieces[loc] == 1 and loc != wh for loc, _ in truck)

    def cost(truck: Sequence[tuple[int, int]]) -> int:
        return sum(abs(c - qs[loc]) for loc, c in truck)

    def best_fill(locs: Sequence[int]) -> tuple[int, list[tuple[int, int]]] | None:
        if len(locs) < 2 or len(locs) > s:
            return None
        base = sum(anchors[i] for i in locs)
        delta = cap - base
        best = None
        for j in locs:
            final = anchors[j] + delta
            if final < m:
                continue
            total = sum(abs(anchors[i] - qs[i]) for i in locs if i != j) + abs(final - qs[j])
            if best is None or total < best[0]:
                best = (total, [(i, final if i == j else anchors[i]) for i in locs])
        return best

    def deviation(truck: Sequence[tuple[int, int]]) -> int:
        return cap - sum(anchors[loc] for loc, _ in truck)

    from itertools import combinations

    checked = 0
    for _ in range(4):
        improved = False
        idx = [i for i, t in enumerate(out) if eligible(t) and deviation(t) != 0]
        ups = sorted((i for i in idx if deviation(out[i]) > 0), key=lambda i: (-deviation(out[i]), i))
        downs = sorted((i for i in idx if deviation(out[i]) < 0), key=lambda i: (deviation(out[i]), i))
        used: set[int] = set()
        for a in ups:
            if a in used:
                continue
            # Partners whose deviation best cancels this one's first.
            partners = sorted(downs, key=lambda b: (abs(deviation(out[a]) + deviation(out[b])), b))
            for b in partners[:_PARTNERS]:
                if b in used:
                    continue
                if checked >= max_pairs:
                    return out
                checked += 1
                locs = sorted({loc for loc, _ in out[a]} | {loc for loc, _ in out[b]})
                now = cost(out[a]) + cost(out[b])
                best = None
                for size in range(2, min(s, len(locs) - 2) + 1):
                    for first in combinations(locs, size):
                        rest = [loc for loc in locs if loc not in first]
                        one, two = best_fill(first), best_fill(rest)
                        if one is None or two is None:
                            continue
                        total = one[0] + two[0]
                        if total < now and (best is None or total < best[0]):
                            best = (total, one[1], two[1])
                if best is not None:
                    out[a], out[b] = best[1], best[2]
                    used |= {a, b}
                    improved = True
                    break
        if not improved:
            break
    return out
