"""Local improvements of a finished plan (pure): fewer adjusted cases, then shorter routes.

Both re-pack two trucks at a time and keep every rule; neither changes the number of trucks.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from collections.abc import Callable, Sequence
from itertools import combinations

from .geo import best_order, haversine_km, nearest

#: Trucks tried as partners of each truck when re-pairing to lower adjustments.
PARTNERS = 12


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
        return best_order(points=[points[i] for i in locs], names=[str(i) for i in sorted(locs)])[1]

    out = [list(t) for t in trucks]
    split = [i for i, t in enumerate(out) if len(t) > 1]
    if len(split) < 2:
        return out

    def centre(t: list[tuple[int, int]]) -> tuple[float, float]:
        return (sum(xy[i][0] for i, _ in t) / len(t), sum(xy[i][1] for i, _ in t) / len(t))

    found = nearest([centre(out[i]) for i in split], neighbours)
    near = {i: [split[j] for j in found[n]] for n, i in enumerate(split)}
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
    one: list[tuple[int, int]],
    two: list[tuple[int, int]],
    *,
    cap: int,
    m: int,
    s: int,
    route: Callable[[Sequence[int]], float],
) -> tuple[list[tuple[int, int]], list[tuple[int, int]]] | None:
    """The shortest way to carry the same cases per location on two trucks, if shorter than now:
    the first truck takes a set of locations, the second the rest plus any of the first's that
    are shared (cut in two drops of at least ``m``)."""
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
            cuttable = [loc for loc in first if amounts[loc] >= 2 * m]
            for n_shared in range(0, min(s - len(rest), len(cuttable)) + 1):
                for shared in combinations(cuttable, n_shared):
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
        add = max(0, min(left, amounts[loc] - 2 * m))
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
        return len(truck) > 1 and all(
            pieces[loc] == 1 and loc != wh and anchors[loc] >= m for loc, _ in truck
        )

    def cost(truck: Sequence[tuple[int, int]]) -> int:
        return sum(abs(c - qs[loc]) for loc, c in truck)

    def best_fill(locs: Sequence[int]) -> tuple[int, list[tuple[int, int]]] | None:
        return _fill_exactly(locs, anchors=anchors, qs=qs, cap=cap, max_stops=s, min_drop=m)

    def deviation(truck: Sequence[tuple[int, int]]) -> int:
        return cap - sum(anchors[loc] for loc, _ in truck)

    checked = 0
    for _ in range(3):
        improved = False
        idx = [i for i, t in enumerate(out) if eligible(t) and deviation(t) != 0]
        ups = sorted((i for i in idx if deviation(out[i]) > 0), key=lambda i: (-deviation(out[i]), i))
        downs = sorted((i for i in idx if deviation(out[i]) < 0), key=lambda i: (deviation(out[i]), i))
        down_devs = [deviation(out[i]) for i in downs]
        used: set[int] = set()
        for a in ups:
            if a in used:
                continue
            # Partners whose deviation best cancels this one's first.
            for b in _closest(downs, down_devs, -deviation(out[a]), PARTNERS):
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


def regroup_nearby(
    *,
    trucks: list[list[tuple[int, int]]],
    qs: Sequence[int],
    anchors: Sequence[int],
    wh: int | None,
    points: Sequence[tuple[float, float]],
    xy: Sequence[tuple[float, float]],
    cap: int,
    m: int,
    s: int,
    neighbours: int = 6,
    max_pairs: int = 20000,
) -> list[list[tuple[int, int]]]:
    """Like :func:`improve_adjustments`, but between trucks close on the map and also accepting
    equal adjusted cases with shorter routes: after trucks were formed by size alone, this makes
    them local again without costing a case."""
    pieces: dict[int, int] = defaultdict(int)
    for truck in trucks:
        for loc, _ in truck:
            pieces[loc] += 1
    out = [list(t) for t in trucks]

    def eligible(truck: list[tuple[int, int]]) -> bool:
        return len(truck) > 1 and all(
            pieces[loc] == 1 and loc != wh and anchors[loc] >= m for loc, _ in truck
        )

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
        return best_order(points=[points[i] for i in locs], names=[str(i) for i in sorted(locs)])[1]

    def fill(locs: Sequence[int]) -> tuple[int, list[tuple[int, int]]] | None:
        return _fill_exactly(locs, anchors=anchors, qs=qs, cap=cap, max_stops=s, min_drop=m)

    def cost(truck: Sequence[tuple[int, int]]) -> int:
        return sum(abs(c - qs[loc]) for loc, c in truck)

    idx = [i for i, t in enumerate(out) if eligible(t)]
    if len(idx) < 2:
        return out

    def centre(t: list[tuple[int, int]]) -> tuple[float, float]:
        return (sum(xy[i][0] for i, _ in t) / len(t), sum(xy[i][1] for i, _ in t) / len(t))

    checked = 0
    for _ in range(3):
        improved = False
        found = nearest([centre(out[i]) for i in idx], neighbours)
        for n, a in enumerate(idx):
            for b in (idx[j] for j in found[n]):
                if checked >= max_pairs:
                    return out
                checked += 1
                locs = sorted({loc for loc, _ in out[a]} | {loc for loc, _ in out[b]})
                now = (
                    cost(out[a]) + cost(out[b]),
                    route([i for i, _ in out[a]]) + route([i for i, _ in out[b]]),
                )
                best = None
                for size in range(2, min(s, len(locs) - 2) + 1):
                    for first in combinations(locs, size):
                        rest = [loc for loc in locs if loc not in first]
                        one, two = fill(first), fill(rest)
                        if one is None or two is None:
                            continue
                        key = (one[0] + two[0], route(list(first)) + route(rest))
                        if key[0] < now[0] or (key[0] == now[0] and key[1] < now[1] - 1e-6):
                            if best is None or key < best[0]:
                                best = (key, one[1], two[1])
                if best is not None:
                    out[a], out[b] = best[1], best[2]
                    improved = True
        if not improved:
            break
    return out


def _fill_exactly(
    locs: Sequence[int], *, anchors: Sequence[int], qs: Sequence[int], cap: int, max_stops: int, min_drop: int
) -> tuple[int, list[tuple[int, int]]] | None:
    """Make ``locs`` fill one truck exactly by moving a single location off its anchor amount:
    the cheapest such choice as (cases adjusted, [(location, cases)]), or None if none is valid."""
    if len(locs) < 2 or len(locs) > max_stops:
        return None
    delta = cap - sum(anchors[i] for i in locs)
    best = None
    for j in locs:
        final = anchors[j] + delta
        if final < min_drop:
            continue
        total = sum(abs(anchors[i] - qs[i]) for i in locs if i != j) + abs(final - qs[j])
        if best is None or total < best[0]:
            best = (total, [(i, final if i == j else anchors[i]) for i in locs])
    return best


def _closest(keys: Sequence[int], values: Sequence[int], target: int, count: int) -> list[int]:
    """The ``count`` entries of ``keys`` whose ``values`` (sorted ascending) are nearest
    ``target``, nearest first (ties: the smaller key), by bisection rather than sorting them all."""
    j = bisect_left(values, target)
    lo, hi = j - 1, j
    picked: list[tuple[int, int]] = []
    while len(picked) < count and (lo >= 0 or hi < len(values)):
        take_lo = hi >= len(values) or (lo >= 0 and target - values[lo] <= values[hi] - target)
        if take_lo:
            picked.append((abs(target - values[lo]), keys[lo]))
            lo -= 1
        else:
            picked.append((abs(values[hi] - target), keys[hi]))
            hi += 1
    return [k for _, k in sorted(picked)]
