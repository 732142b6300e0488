"""Packing when no item needs cutting: the issue's hard case of drops of 1/4 to 1/2 truck (pure).

Such drops cannot be cut (two pieces would each be below a minimum drop) and two of them are less
than a truck, so with three stops every truck is a pair or a triple, and its shortfall or excess is
an adjustment. The adjusted cases are at least ``|trucks * Q - total|``, with equality exactly
when every truck errs the same way (all filled up, or all cut down). So, for each possible number of
trucks ``T``: the ``n - 2T`` triples take the smallest items (balanced largest-first onto the
lightest triple), the pairs take the rest (largest with smallest). The cheapest ``T`` wins; a
later pass (``improve.regroup_nearby``) makes the groups local at no extra cost. Used as one more
candidate beside the chain, for three-stop rules only.
"""

from __future__ import annotations

import heapq
from collections.abc import Mapping, Sequence


def pack_whole(
    *, items: Sequence[tuple[int, int]], wants: Mapping[int, int], cap: int, m: int, s: int
) -> tuple[int, list[list[tuple[int, int]]]] | None:
    """Trucks for ``items`` (location, cases), each placed whole on one truck, at the fewest
    adjusted cases measured against ``wants`` (what each location should get on split trucks for
    no adjustment), or None if this does not apply. Returns (adjusted cases, trucks)."""
    n = len(items)
    if s != 3 or n < 2 or any(not m <= amount <= cap - m for _, amount in items):
        return None
    ordered = sorted(items, key=lambda it: (it[1], it[0]))
    wanted = sum(wants[loc] for loc, _ in items)
    best: tuple[int, int, list[list[tuple[int, int]]]] | None = None
    for trucks in range(-(-n // 3), n // 2 + 1):
        if best is not None and abs(trucks * cap - wanted) >= best[0]:
            continue  # no grouping into this many trucks can do better
        total = 0
        packed = []
        for group in _groups(ordered, trucks):
            placed = _fill(group, wants=wants, cap=cap, m=m)
            if placed is None:
                break
            total += placed[0]
            packed.append(placed[1])
        else:
            if best is None or (total, trucks) < (best[0], best[1]):
                best = (total, trucks, packed)
    if best is None:
        return None
    return best[0], best[2]


def _groups(ordered: Sequence[tuple[int, int]], trucks: int) -> list[list[tuple[int, int]]]:
    triples = len(ordered) - 2 * trucks
    small, large = ordered[: 3 * triples], ordered[3 * triples :]
    groups: list[list[tuple[int, int]]] = [[] for _ in range(triples)]
    # Largest first onto the lightest triple that still has a free stop.
    heap = [(0, g) for g in range(triples)]
    for item in reversed(small):
        load, g = heapq.heappop(heap)
        groups[g].append(item)
        if len(groups[g]) < 3:
            heapq.heappush(heap, (load + item[1], g))
    half = len(large) // 2
    for k in range(half):
        groups.append([large[k], large[len(large) - 1 - k]])
    return groups


def _fill(
    group: Sequence[tuple[int, int]], *, wants: Mapping[int, int], cap: int, m: int
) -> tuple[int, list[tuple[int, int]]] | None:
    """Make ``group`` exactly one truck, moving its shortfall or excess onto the location where it
    costs least (never below a minimum drop); (adjusted cases, stops) or None."""
    delta = cap - sum(amount for _, amount in group)
    best = None
    for j, (loc, amount) in enumerate(group):
        if amount + delta < m:
            continue
        cost = sum(abs(a - wants[i]) for k, (i, a) in enumerate(group) if k != j)
        cost += abs(amount + delta - wants[loc])
        if best is None or cost < best[0]:
            best = (cost, [(i, a + delta if k == j else a) for k, (i, a) in enumerate(group)])
    return best
