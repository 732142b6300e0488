"""Exhaustive-but-bounded search and the fallback packing used by the chain's repairs (pure).

``chain_search`` looks for trucks that deliver a small set of items exactly (no adjustment);
``adjusting_pack`` always produces a valid packing, adjusting cases where it must, and serves as
CP-SAT's hint.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from . import exact


class _Abort(Exception):
    pass


@dataclass
class ChainResult:
    """Closed trucks, an open last truck (or none), what is left of each item, and the budget."""

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
