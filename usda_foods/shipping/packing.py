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
_SEARCH_EXTRA = 12
#: Extra pool items offered to a mid-sweep CP-SAT repair.
_OPTIONAL_ITEMS = 10
#: How many of the nearest candidates the chain weighs by fit rather than by distance.
_NEAR = 6
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
        return False

    def seed(self) -> bool:
        cap, m = self.cap, self.m
        for pairs in (False, True):
            for _, loc in self.by_rank[: 60 if pairs else None]:
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
                if not largest or len(feasible) >= _NEAR:
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
        )[:_NEAR]
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
        for unwind in _UNWIND_STEPS:
            if self.repair_search(endgame=endgame, unwind=unwind):
                return
        self.repair_cpsat(endgame=endgame)

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

    def repair_search(self, *, endgame: bool, unwind: int) -> bool:
        saved_closed = self.closed[-unwind:] if unwind else []
        saved_open = list(self.open)
        planned = self._reopen(unwind)
        mandatory = set(planned)
        if endgame:
            mandatory |= set(self.size)
        elif not mandatory and self.by_rank:
            mandatory.add(self.by_rank[0][1])
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
            node_limit=_SEARCH_NODES,
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
        return True

    def repair_cpsat(self, *, endgame: bool) -> None:
        """Hand the open truck, the last few closed ones and the stuck items to CP-SAT."""
        planned = self._reopen(_UNWIND_TRUCKS)
        mandatory = set(planned)
        if endgame:
            mandatory |= set(self.size)
        elif not mandatory and self.by_rank:
            mandatory.add(self.by_rank[0][1])
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
        spend = self.budget.take(_REPAIR_CAP_S)
        sol = exact.solve_parties(
            parties=parties,
            capacity=self.cap,
            min_drop=self.m,
            max_stops=self.s,
            max_trucks=max_trucks,
            deterministic_s=spend,
            distance_pass_s=self.budget.take(_DISTANCE_PASS_S) if len(parties) <= 24 else 0.0,
        )
        self.budget.spend(spend)
        if sol is None:  # pragma: no cover - CP-SAT always has the empty delivery to fall back on
            sol = self._fallback(parties)
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

    def _fallback(self, parties: Sequence[exact.Party]) -> exact.SubSolution:
        trucks = []
        delivered = {}
        for p in parties:
            want = max(0, p.want)
            full = -(-want // self.cap) if p.warehouse else round(want / self.cap)
            trucks.extend([((p.key, self.cap),)] * full)
            delivered[p.key] = full * self.cap
        return exact.SubSolution(trucks=tuple(trucks), delivered=delivered)

    def run(self) -> None:
        while self.size or self.open:
            if not self.open and 0 < len(self.size) <= _ENDGAME_ITEMS:
                self.repair(endgame=True)
                break
            if not self.step():
                self.repair(endgame=len(self.size) <= _ENDGAME_ITEMS)


class _Abort(Exception):
    pass


@dataclass
class ChainResult:
    trucks: list[list[tuple[int, int]]]
    open: list[tuple[int, int]]
    remaining: dict[int, int]


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
    """
    rem = dict(items)
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
        return all(rem[j] <= 0 for j in mandatory)

    def key() -> tuple:
        on = {j for j, _ in open_}
        state = tuple(
            sorted((rem[j], j in mandatory, j in on, j == wh) for j in rem if rem[j] > 0 or j == wh)
        )
        return (sum(c for _, c in open_), len(open_), state)

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
    return ChainResult(trucks=[list(t) for t in trucks], open=list(open_), remaining=remaining)
