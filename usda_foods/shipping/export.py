"""What a stored shipment plan looks like outside the planner: its trucks loaded in a fixed number
of queries, the map the plan page draws, one CSV row per stop, and the carrier's PDF manifest.

The page, the CSV and the PDF share :func:`plan_trucks`, so all three show the same trucks in
the same order. The PDF is rendered from a template by WeasyPrint with a URL fetcher that reads
local static files only: a plan names schools, so nothing in it may make the renderer reach the
network (and a template mistake must not turn into a request to somewhere else).
"""

from __future__ import annotations

import math
import mimetypes
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.db.models import Prefetch
from django.template.loader import render_to_string
from django.utils import timezone

from usda_foods.shipping.models import PlanStop, PlanTruck, ShipmentPlan

# Colour-blind-safe categorical palette (Okabe-Ito, then Tableau's), one colour per truck, cycling.
PALETTE = ("#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9", "#8c564b", "#7f7f7f",
           "#bcbd22", "#1f77b4", "#9467bd", "#17becf")  # fmt: skip

CSV_HEADER = ["truck", "food", "material_code", "delivery_date", "stop_sequence", "site", "district",
              "street", "city", "state", "zip", "lat", "lon", "cases", "truck_km", "crosses_state_line"]  # fmt: skip


def truck_colour(number: int) -> str:
    return PALETTE[(number - 1) % len(PALETTE)]


def plan_trucks(plan: ShipmentPlan) -> list[PlanTruck]:
    """The plan's trucks in number order with their food and their stops in visiting order (each
    with its site and district). Two queries, whatever the number of trucks."""
    stops = PlanStop.objects.select_related("site", "site__district", "processor", "warehouse").order_by(
        "sequence"
    )
    return list(
        PlanTruck.objects.filter(plan=plan)
        .select_related("food")
        .prefetch_related(Prefetch("stops", queryset=stops))
        .order_by("number")
    )


# --- Map ------------------------------------------------------------------------------------------


def _place(stop: PlanStop):
    """Where a stop delivers: its site, or the processor a diverted food goes to (both have a
    name, an address and coordinates)."""
    if getattr(stop, "warehouse_id", None):
        return stop.warehouse
    return stop.site if stop.site_id else stop.processor


def _place_key(stop: PlanStop) -> str:
    if getattr(stop, "warehouse_id", None):
        return f"wh-{stop.warehouse_id}"
    return f"site-{stop.site_id}" if stop.site_id else f"proc-{stop.processor_id}"


def _owner(stop: PlanStop) -> str:
    if getattr(stop, "warehouse_id", None):
        return "state warehouse"
    return stop.site.district.name if stop.site_id else "processor (diverted)"


@dataclass(frozen=True)
class MapSite:
    x: float
    y: float
    name: str
    title: str


@dataclass(frozen=True)
class MapRoute:
    points: str
    colour: str
    title: str


@dataclass(frozen=True)
class PlanMap:
    width: int
    height: int
    sites: tuple[MapSite, ...]
    routes: tuple[MapRoute, ...]
    labelled: bool


def plan_map(trucks: Sequence[PlanTruck], *, width: int = 800, height: int = 460, pad: int = 28) -> PlanMap:
    """Sites as points and each split truck's route as a polyline, in SVG coordinates.

    The projection is linear (an equirectangular view of the plan's bounding box): longitude is
    scaled by the cosine of the middle latitude so that a kilometre is as long east-west as
    north-south, and the box is centred. No tiles: at the scale of a state the shape of the
    routes is what a reviewer reads, and nothing is fetched from a map server."""
    visits: dict[int, list[tuple[PlanTruck, PlanStop]]] = {}
    for truck in trucks:
        for stop in truck.stops.all():
            visits.setdefault(_place_key(stop), []).append((truck, stop))
    if not visits:
        return PlanMap(width=width, height=height, sites=(), routes=(), labelled=False)
    coords = {
        sid: (float(_place(v[0][1]).latitude), float(_place(v[0][1]).longitude)) for sid, v in visits.items()
    }
    lats = [lat for lat, _ in coords.values()]
    lons = [lon for _, lon in coords.values()]
    shrink = math.cos(math.radians((min(lats) + max(lats)) / 2))
    span_x = (max(lons) - min(lons)) * shrink
    span_y = max(lats) - min(lats)
    inner_w, inner_h = width - 2 * pad, height - 2 * pad
    scale = min(inner_w / span_x if span_x else math.inf, inner_h / span_y if span_y else math.inf)
    scale = 0.0 if math.isinf(scale) else scale
    off_x = pad + (inner_w - span_x * scale) / 2
    off_y = pad + (inner_h - span_y * scale) / 2
    west, north = min(lons), max(lats)

    def xy(site_id: str) -> tuple[float, float]:
        lat, lon = coords[site_id]
        return round(off_x + (lon - west) * shrink * scale, 1), round(off_y + (north - lat) * scale, 1)

    sites = []
    for site_id, rows in visits.items():
        site = _place(rows[0][1])
        cases = sum(stop.cases for _, stop in rows)
        numbers = ", ".join(str(truck.number) for truck, _ in rows)
        x, y = xy(site_id)
        sites.append(MapSite(x=x, y=y, name=site.name, title=f"{site.name} ({_owner(rows[0][1])}): {cases:,} cases "
                                                          f"on truck{'s' if len(rows) > 1 else ''} {numbers}"))  # fmt: skip
    routes = []
    for truck in trucks:
        stops = list(truck.stops.all())
        if len(stops) < 2:
            continue
        points = " ".join("{},{}".format(*xy(_place_key(stop))) for stop in stops)
        path = " → ".join(f"{_place(stop).name} ({stop.cases})" for stop in stops)
        routes.append(MapRoute(points=points, colour=truck_colour(truck.number),
                               title=f"Truck {truck.number}, {truck.food.description}: {path}"))  # fmt: skip
    sites.sort(key=lambda s: (s.y, s.x, s.name))
    return PlanMap(
        width=width, height=height, sites=tuple(sites), routes=tuple(routes), labelled=len(sites) <= 25
    )


# --- CSV ------------------------------------------------------------------------------------------


def plan_rows(trucks: Sequence[PlanTruck]) -> Iterator[list[object]]:
    """One row per stop (see ``CSV_HEADER``), trucks in number order and stops in visiting order."""
    for truck in trucks:
        for stop in truck.stops.all():
            site = _place(stop)
            yield [truck.number, truck.food.description, truck.food.material_code, truck.delivery_date,
                   stop.sequence, site.name, _owner(stop), site.street, site.city, site.state,
                   site.postal_code, site.latitude, site.longitude, stop.cases, truck.distance_km, "no"]  # fmt: skip


# --- PDF ------------------------------------------------------------------------------------------

PDF_TEMPLATE = "usda_foods/shipping/plan_pdf.html"
_BASE_URL = "https://focus-lab.invalid/"


def _static_only_fetcher():  # -> weasyprint.urls.URLFetcher
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticOnlyFetcher(URLFetcher):
        """Serves ``/static/…`` from the project's static files and ``data:`` URLs; refuses the
        rest (WeasyPrint then leaves the resource out and logs a warning)."""

        def fetch(self, url: str, headers: dict | None = None) -> URLFetcherResponse:
            if url.startswith("data:"):
                return super().fetch(url, headers)
            parts = urlsplit(url)
            prefix = urlsplit(_BASE_URL)
            path = unquote(parts.path)
            local = (parts.scheme, parts.netloc) == (prefix.scheme, prefix.netloc)
            if local and path.startswith(settings.STATIC_URL) and ".." not in path.split("/"):
                found = finders.find(path.removeprefix(settings.STATIC_URL))
                if found:
                    with open(found, "rb") as handle:
                        body = handle.read()
                    mime = mimetypes.guess_type(found)[0] or "application/octet-stream"
                    return URLFetcherResponse(url, body, {"Content-Type": mime})
            raise ValueError(f"PDFs use local static files only, not {url}")

    return StaticOnlyFetcher()


def plan_pdf(plan: ShipmentPlan, joint_plans: Sequence = ()) -> bytes:
    """The carrier's manifest: the plan's figures, then one section per truck with its stops in
    visiting order (site, address, cases), then the trucks of binding joint plans with another
    state (``joint_plans``: pairs of a joint plan and its trucks as the reader's agency sees them),
    each saying whether it crosses a state line. A view returns it; a task could store it."""
    context = {
        "plan": plan,
        "trucks": plan_trucks(plan),
        "generated_at": timezone.now(),
        "joint_plans": joint_plans,
    }
    return render_pdf(PDF_TEMPLATE, context)


def render_pdf(template_name: str, context: dict) -> bytes:
    """A template rendered to PDF by WeasyPrint, reading local static files only."""
    import weasyprint

    html = render_to_string(template_name, context)
    document = weasyprint.HTML(string=html, base_url=_BASE_URL, url_fetcher=_static_only_fetcher())
    return document.write_pdf()
