"""Seeded instance families for the planner's tests and ``bench/shipments.py`` (pure, no Django).

* ``exact_fill``: every request between 1/4 and 1/2 truck, built as trucks of three drops that fill
  each truck exactly (so a plan with no adjustment exists by construction; with ``n`` not a
  multiple of three, one or two trucks carry two half-truck drops instead).
* ``small``: a share ``small_share`` of the requests under 1/4 truck (2-25 % of a truck), the rest
  between 1/4 truck and a truck: 1.0 is the issue's "all small" family, 0.7 its "70 % small".

Locations cluster around Upper-Midwest towns; every instance is built from its seed.
"""

from __future__ import annotations

import random

from .model import Location

#: (lat, lon) of towns the locations cluster around.
TOWNS = (
    (44.98, -93.27),  # Minneapolis
    (46.79, -92.10),  # Duluth
    (44.02, -92.47),  # Rochester MN
    (45.56, -94.16),  # St Cloud
    (47.47, -94.88),  # Bemidji
    (43.07, -89.40),  # Madison
    (44.51, -88.02),  # Green Bay
    (44.81, -91.50),  # Eau Claire
    (43.04, -87.91),  # Milwaukee
    (41.59, -93.62),  # Des Moines
    (42.50, -96.40),  # Sioux City
    (41.98, -91.67),  # Cedar Rapids
    (42.50, -90.66),  # Dubuque
    (41.88, -87.63),  # Chicago
    (40.69, -89.59),  # Peoria
    (42.27, -89.09),  # Rockford
)


def place(rng: random.Random) -> tuple[float, float]:
    """A point near one of the towns, inside lat 40-48, lon -97 to -87."""
    lat0, lon0 = rng.choice(TOWNS)
    lat = min(48.0, max(40.0, rng.gauss(lat0, 0.45)))
    lon = min(-87.0, max(-97.0, rng.gauss(lon0, 0.6)))
    return round(lat, 5), round(lon, 5)


def _locations(prefix: str, sizes: list[int], rng: random.Random) -> list[Location]:
    out = []
    for i, cases in enumerate(sizes):
        lat, lon = place(rng)
        out.append(Location(name=f"{prefix}-{i:04d}", lat=lat, lon=lon, cases=cases))
    return out


def exact_fill(*, n: int, seed: int, capacity: int = 1000) -> list[Location]:
    """``n`` requests of 1/4 to 1/2 truck that fill whole trucks of three drops exactly (two half
    trucks on one or two trucks where ``n`` is not a multiple of three), in shuffled order."""
    if n < 2:
        raise ValueError("an exact-fill instance needs at least two requests")
    rng = random.Random(seed)
    quarter, half = -(-capacity // 4), capacity // 2
    pairs = {0: 0, 1: 2, 2: 1}[n % 3]
    sizes: list[int] = []
    for _ in range(pairs):
        sizes += [half, capacity - half]
    for _ in range((n - 2 * pairs) // 3):
        while True:
            a = rng.randint(quarter, half)
            b = rng.randint(quarter, half)
            c = capacity - a - b
            if quarter <= c <= half:
                break
        sizes += [a, b, c]
    rng.shuffle(sizes)
    return _locations(f"XF-{seed}", sizes, rng)


def small(*, n: int, seed: int, capacity: int = 1000, small_share: float = 1.0) -> list[Location]:
    """``n`` requests, a ``small_share`` of them under 1/4 truck (2-25 %), the rest 25-100 %."""
    rng = random.Random(seed)
    sizes = []
    for _ in range(n):
        if rng.random() < small_share:
            sizes.append(int(capacity * rng.uniform(0.02, 0.25)))
        else:
            sizes.append(int(capacity * rng.uniform(0.25, 1.0)))
    return _locations(f"SM-{seed}", sizes, rng)
