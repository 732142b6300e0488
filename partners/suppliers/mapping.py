"""The supplier map: origins (and the chosen district's sites) as SVG points, drawn by the app.

Same projection as the shipment plan map (usda_foods/shipping_export.py): equirectangular over the
points' bounding box, longitude scaled by the cosine of the middle latitude. Nothing is fetched.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

MAX_POINTS = 2000


@dataclass(frozen=True)
class MapPoint:
    x: float
    y: float
    label: str
    title: str
    url: str
    kind: str  # "origin" or "site"


@dataclass(frozen=True)
class SupplierMap:
    width: int
    height: int
    points: tuple[MapPoint, ...]
    labelled: bool
    truncated: bool = False


def supplier_map(
    *, origins: Sequence[tuple[float, float, str, str, str]], sites: Sequence[tuple[float, float, str]] = (),
    width: int = 800, height: int = 480, pad: int = 30, truncated: bool = False,
) -> SupplierMap:  # fmt: skip
    """``origins``: (lat, lon, supplier name, title, url); ``sites``: (lat, lon, name)."""
    coords = [(lat, lon) for lat, lon, *_ in origins] + [(lat, lon) for lat, lon, _ in sites]
    if not coords:
        return SupplierMap(width, height, (), False, truncated)
    lats = [c[0] for c in coords]
    lons = [c[1] for c in coords]
    shrink = math.cos(math.radians((min(lats) + max(lats)) / 2))
    span_x = (max(lons) - min(lons)) * shrink
    span_y = max(lats) - min(lats)
    inner_w, inner_h = width - 2 * pad, height - 2 * pad
    scale = min(inner_w / span_x if span_x else math.inf, inner_h / span_y if span_y else math.inf)
    scale = 0.0 if math.isinf(scale) else scale
    off_x = pad + (inner_w - span_x * scale) / 2
    off_y = pad + (inner_h - span_y * scale) / 2
    west, north = min(lons), max(lats)

    def xy(lat: float, lon: float) -> tuple[float, float]:
        return round(off_x + (lon - west) * shrink * scale, 1), round(off_y + (north - lat) * scale, 1)

    points = [MapPoint(*xy(lat, lon), label=name, title=title, url=url, kind="origin")
              for lat, lon, name, title, url in origins]  # fmt: skip
    points += [MapPoint(*xy(lat, lon), label=name, title=f"{name} (delivery site)", url="", kind="site")
               for lat, lon, name in sites]  # fmt: skip
    points.sort(key=lambda p: (p.kind, p.y, p.x, p.label))
    return SupplierMap(width, height, tuple(points), labelled=len(points) <= 30, truncated=truncated)
