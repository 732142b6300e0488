"""Distances and stop ordering for shipment planning (pure, no Django).

Great-circle distance uses the haversine formula on a sphere of radius 6,371.0088 km (the IUGG mean
Earth radius). Distances are float kilometres: they are a cost to compare plans, not money.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from itertools import permutations

EARTH_RADIUS_KM = 6371.0088
#: Up to this many stops a truck's visiting order is found by enumerating every order.
EXACT_ORDER_MAX_STOPS = 8


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance between two points given in decimal degrees."""
    p1 = math.radians(lat1)
    p2 = math.radians(lat2)
    dp = p2 - p1
    dl = math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def path_km(points: Sequence[tuple[float, float]]) -> float:
    """Length of the open path visiting ``points`` (lat, lon) in the given order."""
    return sum(haversine_km(a[0], a[1], b[0], b[1]) for a, b in zip(points, points[1:], strict=False))


def best_order(
    *, points: Sequence[tuple[float, float]], names: Sequence[str]
) -> tuple[tuple[int, ...], float]:
    """The shortest open path through all ``points`` (any start, any end) and its length.

    Enumerates every order up to ``EXACT_ORDER_MAX_STOPS`` stops (USDA allows three), otherwise
    nearest neighbour from each start followed by 2-opt. Ties (a path and its reverse always tie)
    go to the order whose sequence of names is smallest, so the answer is deterministic.
    """
    n = len(points)
    if n <= 1:
        return tuple(range(n)), 0.0
    dist = [[haversine_km(a[0], a[1], b[0], b[1]) for b in points] for a in points]

    def length(order: Sequence[int]) -> float:
        return sum(dist[a][b] for a, b in zip(order, order[1:], strict=False))

    def key(order: Sequence[int]) -> tuple[float, tuple[str, ...]]:
        return (round(length(order), 9), tuple(names[i] for i in order))

    if n <= EXACT_ORDER_MAX_STOPS:
        best = min(permutations(range(n)), key=key)
        return tuple(best), length(best)
    candidates = []
    for start in range(n):
        order = [start]
        left = set(range(n)) - {start}
        while left:
            last = order[-1]
            nxt = min(left, key=lambda j: (dist[last][j], j))
            order.append(nxt)
            left.remove(nxt)
        improved = True
        while improved:
            improved = False
            for i in range(n - 1):
                for j in range(i + 2, n + 1):
                    cand = order[:i] + order[i:j][::-1] + order[j:]
                    if length(cand) < length(order) - 1e-9:
                        order, improved = cand, True
        candidates.append(tuple(order))
    best = min(candidates, key=key)
    return best, length(best)


def hilbert_keys(points: Sequence[tuple[float, float]], *, bits: int = 16) -> list[int]:
    """Position of each (lat, lon) point along a Hilbert curve over the points' bounding box.

    Sorting by this key walks the map so that neighbours in the order are usually neighbours on the
    ground; the planner sweeps locations in this order to keep each truck's stops close together.
    """
    if not points:
        return []
    mean_lat = math.radians(sum(p[0] for p in points) / len(points))
    xs = [p[1] * math.cos(mean_lat) for p in points]
    ys = [p[0] for p in points]
    x0, y0 = min(xs), min(ys)
    span = max(max(xs) - x0, max(ys) - y0) or 1.0
    side = (1 << bits) - 1
    keys = []
    for x, y in zip(xs, ys, strict=True):
        keys.append(_xy_to_hilbert(int((x - x0) / span * side), int((y - y0) / span * side), bits))
    return keys


def _xy_to_hilbert(x: int, y: int, bits: int) -> int:
    n = 1 << bits
    d = 0
    s = n >> 1
    while s > 0:
        rx = 1 if x & s else 0
        ry = 1 if y & s else 0
        d += s * s * ((3 * rx) ^ ry)
        if ry == 0:
            if rx == 1:
                x = n - 1 - x
                y = n - 1 - y
            x, y = y, x
        s >>= 1
    return d


def planar_km(points: Sequence[tuple[float, float]]) -> list[tuple[float, float]]:
    """Equirectangular projection to kilometres: cheap, close enough to rank nearby candidates."""
    if not points:
        return []
    mean_lat = math.radians(sum(p[0] for p in points) / len(points))
    k = math.pi / 180 * EARTH_RADIUS_KM
    return [(p[1] * k * math.cos(mean_lat), p[0] * k) for p in points]


def nearest(xy: Sequence[tuple[float, float]], k: int) -> list[list[int]]:
    """For each planar point, the indices of its ``k`` nearest other points, nearest first (ties
    by index), from a uniform grid: each point looks at rings of cells around its own until the
    next ring cannot hold anything nearer, so the work is about ``n * k`` instead of sorting all
    ``n`` points for every point (``n^2 log n``)."""
    n = len(xy)
    if n <= 1 or k <= 0:
        return [[] for _ in range(n)]
    k = min(k, n - 1)
    xs = [p[0] for p in xy]
    ys = [p[1] for p in xy]
    x0, y0 = min(xs), min(ys)
    span = max(max(xs) - x0, max(ys) - y0, 1e-9)
    side = max(1, int(math.sqrt(n / max(1, k))))
    size = span / side
    cells: dict[tuple[int, int], list[int]] = {}
    where = []
    for i, (x, y) in enumerate(xy):
        cell = (min(side - 1, int((x - x0) / size)), min(side - 1, int((y - y0) / size)))
        cells.setdefault(cell, []).append(i)
        where.append(cell)
    out = []
    for i, (x, y) in enumerate(xy):
        cx, cy = where[i]
        found: list[tuple[float, int]] = []
        ring = 0
        while True:
            for gx in range(cx - ring, cx + ring + 1):
                for gy in range(cy - ring, cy + ring + 1):
                    if max(abs(gx - cx), abs(gy - cy)) != ring:
                        continue
                    for j in cells.get((gx, gy), ()):
                        if j != i:
                            found.append(((xy[j][0] - x) ** 2 + (xy[j][1] - y) ** 2, j))
            # Anything outside the rings seen is at least ``ring * size`` away.
            if len(found) >= k:
                found.sort()
                if found[k - 1][0] < (ring * size) ** 2 or ring > side:
                    break
            elif ring > side:
                found.sort()
                break
            ring += 1
        out.append([j for _, j in found[:k]])
    return out
