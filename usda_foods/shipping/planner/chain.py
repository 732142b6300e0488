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

from .chain_repair import PackerRepairs
from .limits import (
    ENDGAME_ITEMS,
    SEED_SCAN,
    Budget,
)


@dataclass
class Packer(PackerRepairs):
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
    #: The pool on a uniform grid of about four locations a cell (see :meth:`nearest_in_range`).
    grid: dict[tuple[int, int], set[int]] = field(default_factory=dict)
    cell: float = 1.0
    side: int = 1
    origin: tuple[float, float] = (0.0, 0.0)

    def __post_init__(self) -> None:
        if self.xy:
            x0, y0 = min(x for x, _ in self.xy), min(y for _, y in self.xy)
            span = max(max(x for x, _ in self.xy) - x0, max(y for _, y in self.xy) - y0, 1e-6)
            self.origin = (x0, y0)
            self.side = max(1, int(math.sqrt(len(self.xy) / 4)))
            self.cell = span / self.side

    def cell_of(self, loc: int) -> tuple[int, int]:
        x, y = self.xy[loc]
        return int((x - self.origin[0]) / self.cell), int((y - self.origin[1]) / self.cell)

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
        self.grid.setdefault(self.cell_of(loc), set()).add(loc)

    def remove(self, loc: int) -> int:
        amount = self.size.pop(loc)
        key = (amount, self.ranks[loc], loc)
        del self.by_size[bisect_left(self.by_size, key)]
        del self.by_rank[bisect_left(self.by_rank, (self.ranks[loc], loc))]
        lst = self.size_index[amount]
        del lst[bisect_left(lst, loc)]
        self.grid[self.cell_of(loc)].discard(loc)
        return amount

    def in_range(self, lo: int, hi: int) -> Iterable[int]:
        start = bisect_left(self.by_size, (lo, -1, -1))
        for j in range(start, len(self.by_size)):
            size, _, loc = self.by_size[j]
            if size > hi:
                break
            yield loc

    def nearest_in_range(self, lo: int, hi: int, skip: set[int], k: int) -> list[int]:
        """The ``k`` pool items of ``lo..hi`` cases nearest the open truck (ties: sweep rank),
        nearest first: the same as sorting them all by (distance, rank), without the sort.

        Few matching items are simply sorted. Otherwise rings of grid cells around the open
        truck's stops are searched outwards until the ``k``-th nearest found is nearer than
        anything the next ring could hold, so the work follows ``k``, not the pool."""
        start = bisect_left(self.by_size, (lo, -1, -1))
        end = bisect_left(self.by_size, (hi + 1, -1, -1))
        if not self.open or end - start <= 8 * k + 16:
            return sorted(
                (loc for _, _, loc in self.by_size[start:end] if loc not in skip),
                key=lambda j: (self.dist(j), self.ranks[j]),
            )[:k]
        centres = {self.cell_of(o) for o, _ in self.open}
        seen: set[tuple[int, int]] = set()
        found: list[tuple[float, int, int]] = []
        limit = self.side + 1
        ring = 0
        while True:
            for cx, cy in centres:
                for gx in range(cx - ring, cx + ring + 1):
                    for gy in (
                        (cy - ring, cy + ring) if abs(gx - cx) != ring else range(cy - ring, cy + ring + 1)
                    ):
                        if (gx, gy) in seen:
                            continue
                        seen.add((gx, gy))
                        for j in self.grid.get((gx, gy), ()):
                            if lo <= self.size[j] <= hi and j not in skip:
                                found.append((self.dist(j), self.ranks[j], j))
            if len(found) >= k:
                found.sort()
                # Unseen cells are at least ``ring`` cells from every stop's own cell.
                if found[k - 1][0] < ring * self.cell:
                    return [j for _, _, j in found[:k]]
            if ring > limit:
                found.sort()
                return [j for _, _, j in found[:k]]
            ring += 1

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
            for _, loc in self.by_rank[: SEED_SCAN // (4 if pairs else 1)]:
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
        near = self.nearest_in_range(self.m, room - self.m, on_truck, 40)
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
        cands = self.nearest_in_range(lo, hi, on_truck, 60)
        left = self.s - len(self.open) - 1
        feasible: list[int] = []
        for loc in cands:
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
        cands = self.nearest_in_range(room + m, room + cap - m, on_truck, self.near)
        if not cands:
            return None
        return min(cands, key=lambda j: (self.size[j] <= cap - m, self.size[j], self.dist(j), self.ranks[j]))

    def partial(self, room: int, on_truck: set[int]) -> tuple[int, int] | None:
        m = self.m
        left = self.s - len(self.open) - 1
        cands = self.nearest_in_range(2 * m, 10**12, on_truck, 30)
        sizes = sorted({size for size, _, _ in self.by_size})
        for loc in cands:
            amount = self.size[loc]
            top = min(room - m, amount - m)
            # The largest piece, or one that leaves room for an item already in the pool.
            pieces = [top] + [room - z for z in sizes if m <= room - z < top]
            for piece in pieces:
                if piece >= m and self.closable(room - piece, left, on_truck | {loc}):
                    return loc, piece
        return None

    # -- repair ------------------------------------------------------------------------------
    def run(self, *, reserve: int = 0) -> None:
        held = self.hold_back(reserve)
        while self.size or self.open or held:
            if not self.open and len(self.size) <= ENDGAME_ITEMS:
                self.release(held)
                if self.size:
                    self.repair(endgame=True)
                break
            if not self.step():
                self.release(held)
                self.repair(endgame=len(self.size) <= ENDGAME_ITEMS)
