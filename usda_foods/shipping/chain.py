"""Step 2 of the planner: the chain packer (pure, no Django).

Input: for each location the cases it must receive on split trucks (its "item"). Output: trucks of
exactly ``cap`` cases, at most ``s`` stops, every drop at least ``m`` cases. A Hilbert-order sweep
builds a chain of trucks, each closed either exactly (one or two items that fill it) or by a
crossing item cut across two trucks; a bounded depth-first search (``search.chain_search``)
finishes what the sweep cannot; where nothing exact exists, the truck is closed by adjusting the
item nearest in size, and at the end of the sweep CP-SAT (``exact.py``) finds the fewest extra
adjusted cases. See :mod:`usda_foods.shipping.planner` for why.
"""

from __future__ import annotations

import math
from bisect import bisect_left, insort
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from . import exact
from .search import adjusting_pack, chain_search

#: The chain hands the last items of the sweep to the end-game repair when this few are left.
_ENDGAME_ITEMS = 14
#: Closed trucks reopened for a CP-SAT repair.
_UNWIND_TRUCKS = 3
#: Closed trucks reopened, in turn, by the depth-first repair; its node limits (end of the sweep,
#: mid-sweep); pool items a mid-sweep search may use.
_UNWIND_STEPS = (0, 3, 6)
_SEARCH_NODES = 4000
_MIDWAY_NODES = 1500
_SEARCH_EXTRA = 12
#: How far along the sweep a new truck may start.
_SEED_SCAN = 80
#: Extra pool items offered to a mid-sweep CP-SAT repair.
_OPTIONAL_ITEMS = 10
#: Largest single mid-sweep CP-SAT repair and its distance pass (deterministic seconds).
_REPAIR_CAP_S = 1.0
_DISTANCE_PASS_S = 0.2


class Budget:
    """CP-SAT time for one food, in deterministic seconds, shared by its repairs."""

    def __init__(self, seconds: float) -> None:
        self.left = seconds

    def take(self, cap: float) -> float:
        return max(0.02, min(cap, self.left))

    def spend(self, seconds: float) -> None:
        self.left = max(0.0, self.left - seconds)


@dataclass
class Packer:
    """One run of the chain over one food. Locations are indices; ``closed`` collects finished
    trucks as lists of (location, cases), ``open`` is the truck being loaded, and the pool of
    items still to place is kept sorted by size and by sweep rank for quick look-ups."""

    cap: int
    m: int
    s: int
    xy: list[tuple[float, float]]
    #: Position of each location along the sweep.
    ranks: list[int]
    #: Requests, for measuring adjustments.
    qs: Sequence[int]
    wh: int | None
    budget: Budget
    closed: list[list[tuple[int, int]]] = field(default_factory=list)
    open: list[tuple[int, int]] = field(default_factory=list)
    size: dict[int, int] = field(default_factory=dict)
    by_size: list[tuple[int, int, int]] = field(default_factory=list)
    by_rank: list[tuple[int, int]] = field(default_factory=list)
    size_index: dict[int, list[int]] = field(default_factory=lambda: defaultdict(list))
    #: Cases each location receives outside the pool and the open truck (direct, closed trucks).
    outside: list[int] = field(default_factory=list)
    #: Locations whose cases a repair changed.
    repaired: set[int] = field(default_factory=set)
    use_cpsat: bool = True
    #: How many of the nearest candidates are weighed by fit rather than by distance.
    near: int = 3
    #: Cases still to add (> 0) or remove (< 0) for whole truckloads, spent to close trucks.
    flex: int = 0
    #: Each location's planned delivery (decides which way its cases may move at no extra cost).
    anchor: list[int] = field(default_factory=list)
    flexed: set[int] = field(default_factory=set)
    #: Search nodes left for repairs in mid-sweep (instances where nothing fits exactly would
    #: otherwise search in vain at every truck).
    midway_nodes: int = 15000

    # -- pool bookkeeping --------------------------------------------------------------------
    def add(self, loc: int, amount: int) -> None:
        if amount <= 0:
            return
        if loc == self.wh and amount < self.m:
            # The warehouse takes any quantity at or above its request: a remainder smaller than a
            # drop becomes a full drop rather than a stop that breaks the rule.
            amount = self.m
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
    def closable(
        self, room: int, stops: int, skip: set[int], *, pairs: bool = False, sizes: list[int] | None = None
    ) -> bool:
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
            for size in sizes if sizes is not None else sorted(k for k, v in self.size_index.items() if v):
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
        sizes = sorted(k for k, v in self.size_index.items() if v)
        for pairs in (False, True):
            for _, loc in self.by_rank[: _SEED_SCAN // (4 if pairs else 1)]:
                amount = self.size[loc]
                if amount <= cap - m and self.closable(
                    cap - amount, self.s - 1, {loc}, pairs=pairs, sizes=sizes
                ):
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
            (amount, self.ranks[loc], loc) for loc, amount in self.size.items() if loc not in on_truck
        )
        if not pool:
            return False

        def extra(delta: int, loc: int | None = None) -> int:
            if loc is not None and loc == self.wh:
                return 0 if delta >= 0 else 2 * self.cap  # more for the warehouse is free, less never
            return abs(delta) + abs(self.flex - delta) - abs(self.flex)

        best: tuple | None = None
        for amount, _, loc in pool:
            delta = room - amount
            key = (extra(delta, loc), abs(delta), 1, self.dist(loc), loc)
            if best is None or key < best[0]:
                best = (key, [(loc, amount)])
        if len(self.open) + 2 <= self.s:
            # Two items: the classic two-pointer walk over sizes for the pair nearest the room.
            whole = [p for p in pool if p[0] <= self.cap - self.m and p[2] != self.wh]
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
        if chosen[big][0] != self.wh:
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
        found = None
        # First without giving the warehouse more than it holds (no extra truck), then with.
        for wh in (None, self.wh) if self.wh is not None else (None,):
            found = chain_search(
                items=items,
                mandatory=mandatory,
                cap=self.cap,
                m=self.m,
                s=self.s,
                xy=self.xy,
                wh=wh,
                node_limit=nodes,
                flex=self.flex,
                flexible={j for j in items if self.flex_eligible(j, 1 if self.flex > 0 else -1)},
                spend_all=endgame,
            )
            if found is not None:
                break
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
