"""Benchmark: the app's pages as an SDA reviewer against a bare 50-row view, at 2,000, 20,000 and
100,000 order lines; then entitlement recompute against one INSERT ... SELECT (issue 16).

Run: make bench-pages            (add ARGS=--quick for 2,000 and 20,000 lines, fewer runs)
 or: DATABASE_URL=... REDIS_URL=... .venv/bin/python bench/pages.py [--quick]

It builds its data in a throwaway database (test_<name>, dropped at the end). Pages are requested
in process with Django's test client (middleware, sessions, templates, SQL: everything but the
HTTP server; templates render as in production, without the test environment's instrumentation),
in pairs with the bare view, alternating; medians of the pairs are compared:

    ratio = bare view's median time / page's median time   (1.0 = as fast as the bare view)

The bare view is defined here, not in the app: 50 orders joined to their district, rendered from a
template string. For each page: median ms, ratio, queries and SQL ms (summed by an execute
wrapper). Goals from the issue (printed, not asserted): /healthz >= 0.5; review queue >= 0.5 at
20,000 lines and SQL at 100,000 within 2x of 2,000; orders API >= 0.3; list pages >= 0.3.

Recompute: 2,000 SFAs created, then every value changed (a corrected per-meal value), by the
service (one statement computing and writing every figure, services/recompute_sql.py) against one
INSERT ... SELECT that computes only the same COVs; medians of 5 runs.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import types
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "focus_lab.settings.test")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.http import HttpResponse  # noqa: E402
from django.template import engines  # noqa: E402
from django.template.base import Template  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
from django.test.utils import setup_databases, setup_test_environment, teardown_databases  # noqa: E402
from django.urls import include, path  # noqa: E402
from django.utils import timezone  # noqa: E402

SY, PRIOR = "2019-20", "2018-19"
LINES_PER_ORDER = 40

# --- The bare view: defined here, outside the app -------------------------------------------------

BARE_TEMPLATE = engines["django"].from_string(
    "<!doctype html><title>bare</title><table>{% for o in orders %}<tr><td>{{ o.pk }}</td>"
    "<td>{{ o.district.name }}</td><td>{{ o.status }}</td><td>{{ o.value }}</td></tr>{% endfor %}</table>"
)


def bare_view(request):
    from usda_foods.models import Order

    orders = list(Order.objects.select_related("district").order_by("-id")[:50])
    return HttpResponse(BARE_TEMPLATE.render({"orders": orders}))


bench_urls = types.ModuleType("bench_pages_urls")
bench_urls.urlpatterns = [path("bench/bare/", bare_view), path("", include("focus_lab.urls"))]
sys.modules["bench_pages_urls"] = bench_urls


# --- Data -----------------------------------------------------------------------------------------


def build_base() -> dict:
    from accounts.models import Membership, Role, User
    from districts.models import StateAgency
    from usda_foods.models import CatalogItem, OrderWindow

    agency, _ = StateAgency.objects.get_or_create(
        state="MN", defaults={"name": "Minnesota Department of Education"}
    )
    items = CatalogItem.objects.bulk_create(
        [CatalogItem(school_year=SY, material_code=f"{100000 + i}", description=f"Bench food {i:02d}",
                     category="vegetable", pack_description="6/#10 cans", net_case_weight_lb=Decimal("40"),
                     cases_per_truckload=1000, unit_price=Decimal("20.00") + i) for i in range(LINES_PER_ORDER)]
    )  # fmt: skip
    now = timezone.now()
    window = OrderWindow.objects.create(
        state_agency=agency, school_year=SY, name="Bench window", opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=7), delivery_start=date(2019, 10, 1), delivery_end=date(2019, 10, 31),
    )  # fmt: skip
    window.offered_items.set(items)
    reviewer = User.objects.create_user("bench-reviewer@example.org", "bench-password")
    Membership.objects.create(user=reviewer, role=Role.SDA_REVIEWER, state_agency=agency)
    return {"agency": agency, "items": items, "window": window, "reviewer": reviewer, "orders": 0}


def grow_to(data: dict, lines: int) -> None:
    """Add districts (a site, lunch counts, an entitlement each) with one submitted 40-line order."""
    from districts.models import District, Site
    from usda_foods.entitlements.services.entitlements import entitlements_recompute
    from usda_foods.models import Entitlement, LunchCount, Order, OrderLine, OrderStatus

    start, end = data["orders"], lines // LINES_PER_ORDER
    agency, items, window, user = data["agency"], data["items"], data["window"], data["reviewer"]
    made = District.objects.bulk_create(
        [District(name=f"Bench District {i:05d}", state_agency=agency, agency_code=f"B{i:05d}", enrollment=5000)
         for i in range(start, end)], batch_size=2000,
    )  # fmt: skip
    Site.objects.bulk_create(
        [Site(district=d, name=f"Kitchen {d.pk}", kind="kitchen", street="1 Main St", city="Springfield", state="MN",
              postal_code="55401", latitude=Decimal("44.9778"), longitude=Decimal("-93.2650")) for d in made],
        batch_size=2000,
    )  # fmt: skip
    LunchCount.objects.bulk_create(
        [LunchCount(district=d, school_year=PRIOR, free=150_000, reduced=20_000, paid=30_000) for d in made],
        batch_size=2000,
    )  # fmt: skip
    entitlements_recompute(school_year=SY, districts=District.objects.filter(pk__in=[d.pk for d in made]))
    ents = dict(
        Entitlement.objects.filter(district__in=made, school_year=SY).values_list("district_id", "pk")
    )
    sites = dict(Site.objects.filter(district__in=made).values_list("district_id", "pk"))
    now = timezone.now()
    orders = Order.objects.bulk_create(
        [Order(district=d, window=window, entitlement_id=ents[d.pk], created_by=user, status=OrderStatus.SUBMITTED,
               submitted_at=now - timedelta(minutes=i), value=Decimal("1000.00")) for i, d in enumerate(made)],
        batch_size=2000,
    )  # fmt: skip
    OrderLine.objects.bulk_create(
        [OrderLine(order=o, catalog_item=item, cases=1 + n % 5, delivery_site_id=sites[o.district_id],
                   unit_price=item.unit_price) for o in orders for n, item in enumerate(items)], batch_size=10000,
    )  # fmt: skip
    data["orders"] = end
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


# --- Measuring ------------------------------------------------------------------------------------


class SqlMeter:
    """Counts queries and sums their time through an execute wrapper."""

    def __init__(self) -> None:
        self.queries, self.seconds = 0, 0.0

    def __call__(self, execute, sql, params, many, context):
        self.queries += 1
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - started


def one(client: Client, url: str) -> tuple[float, int, float, int]:
    meter = SqlMeter()
    with connection.execute_wrapper(meter):
        started = time.perf_counter()
        response = client.get(url)
        elapsed = time.perf_counter() - started
    return elapsed, meter.queries, meter.seconds, response.status_code


def paired(client: Client, url: str, runs: int) -> dict:
    one(client, url), one(client, "/bench/bare/")  # warm
    page, bare, sql, queries, status = [], [], [], 0, 0
    for _ in range(runs):
        b, *_ = one(client, "/bench/bare/")
        p, queries, s, status = one(client, url)
        bare.append(b), page.append(p), sql.append(s)
    page_ms, bare_ms = statistics.median(page) * 1000, statistics.median(bare) * 1000
    return {"ms": page_ms, "bare_ms": bare_ms, "ratio": bare_ms / page_ms, "queries": queries,
            "sql_ms": statistics.median(sql) * 1000, "status": status}  # fmt: skip


PAGES = [
    ("/healthz", "/healthz", 0.5),
    ("review queue", "/usda-foods/review/", 0.5),
    ("review queue, one district typed", "/usda-foods/review/?district=Bench+District+0001", 0.3),
    ("orders API, page of 50", "/api/v1/orders/", 0.3),
    ("orders API ?expand=lines", "/api/v1/orders/?expand=lines", None),
    ("order list", "/usda-foods/orders/", 0.3),
    ("districts list", "/districts/", 0.3),
    ("state entitlements page", f"/usda-foods/states/MN/entitlements/?year={SY}", 0.3),
]


def pages(data: dict, lines: int, runs: int, results: dict) -> None:
    client = Client()
    client.force_login(data["reviewer"])
    print(
        f"\n{lines:,} order lines ({data['orders']:,} SFAs, one 40-line submitted order each), {runs} pairs"
    )
    print(f"{'page':<36} {'ms':>8} {'bare ms':>8} {'ratio':>6} {'goal':>5} {'queries':>7} {'SQL ms':>7}")
    for label, url, goal in PAGES:
        r = paired(client, url, runs)
        results[(label, lines)] = r
        flag = "" if goal is None else ("ok" if r["ratio"] >= goal else "below")
        print(f"{label:<36} {r['ms']:8.1f} {r['bare_ms']:8.1f} {r['ratio']:6.2f} {goal or '':>5} "
              f"{r['queries']:7d} {r['sql_ms']:7.1f}  {flag}{'' if r['status'] == 200 else ' status ' + str(r['status'])}")  # fmt: skip


# --- Recompute ------------------------------------------------------------------------------------

ONE_STATEMENT = """
INSERT INTO bench_cov (district_id, cov)
SELECT lc.district_id, round(%s * (lc.free + lc.reduced + lc.paid) / 100.0, 2)
FROM usda_foods_lunchcount lc JOIN districts_district d ON d.id = lc.district_id
WHERE lc.school_year = %s AND d.state_agency_id = %s
ON CONFLICT (district_id) DO UPDATE SET cov = EXCLUDED.cov
"""


def recompute(sfas: int, runs: int) -> None:
    from districts.models import District, StateAgency
    from usda_foods.entitlements.services.entitlements import entitlements_recompute
    from usda_foods.models import Entitlement, LunchCount, PerMealValue

    agency = StateAgency.objects.create(state="WI", name="Wisconsin Department of Public Instruction")
    made = District.objects.bulk_create(
        [District(name=f"Recompute {i:05d}", state_agency=agency, agency_code=f"R{i:05d}", enrollment=900)
         for i in range(sfas)]
    )  # fmt: skip
    LunchCount.objects.bulk_create(
        [LunchCount(district=d, school_year=PRIOR, free=1000 + i, reduced=i % 97, paid=3 * i) for i, d in enumerate(made)]
    )  # fmt: skip
    scope = District.objects.filter(state_agency=agency)
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMP TABLE bench_cov (district_id integer PRIMARY KEY, cov numeric)")

    def statement(cents: Decimal) -> float:
        with connection.cursor() as cursor:
            started = time.perf_counter()
            cursor.execute(ONE_STATEMENT, [cents, PRIOR, agency.pk])
            return time.perf_counter() - started

    def service_run() -> float:
        started = time.perf_counter()
        entitlements_recompute(school_year=SY, districts=scope)
        return time.perf_counter() - started

    print(
        f"\nRecompute {sfas:,} SFAs, medians of {runs} (goals: <= 3x the one statement creating, <= 5x changing)"
    )
    per_meal = PerMealValue.objects.filter(school_year=SY).order_by("-published_on").first()
    corrected = per_meal.cents - Decimal("0.25")
    rows = []
    for run in range(runs):
        Entitlement.objects.filter(district__state_agency=agency).delete()
        PerMealValue.objects.filter(school_year=SY, citation="Bench correction").delete()
        with connection.cursor() as cursor:
            cursor.execute("TRUNCATE bench_cov")
        base = statement(per_meal.cents)
        created = service_run()
        PerMealValue.objects.create(school_year=SY, cents=corrected, citation="Bench correction",
                                    published_on=date(2019, 12, 1) + timedelta(days=run))  # fmt: skip
        changed_base = statement(corrected)
        changed = service_run()
        rows.append((base, created, changed_base, changed))
    base, created, changed_base, changed = (statistics.median(col) for col in zip(*rows, strict=True))
    print(f"{'':<34} {'service s':>9} {'stmt s':>8} {'ratio':>6}")
    print(f"{'create every entitlement':<34} {created:9.3f} {base:8.3f} {created / base:6.1f}")
    print(
        f"{'every value changes (correction)':<34} {changed:9.3f} {changed_base:8.3f} {changed / changed_base:6.1f}"
    )


def main() -> None:
    import logging

    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="2,000 and 20,000 lines only, 5 pairs a page")
    parser.add_argument("--only", choices=["pages", "recompute"], help="run one half of the bench")
    parser.add_argument("--sizes", help="comma-separated line counts, e.g. 2000,20000")
    args = parser.parse_args()
    sizes = [2_000, 20_000] if args.quick else [2_000, 20_000, 100_000]
    if args.sizes:
        sizes = [int(size) for size in args.sizes.split(",")]
    runs = 5 if args.quick else 15
    logging.getLogger("celery").setLevel(logging.WARNING)
    rendering = Template._render
    setup_test_environment()
    # The test environment wraps every template render to record it for assertions (a signal a
    # render): production has no such cost, and it weighed on pages with many includes.
    Template._render = rendering
    old = setup_databases(verbosity=0, interactive=False)
    started = time.perf_counter()
    try:
        with override_settings(ROOT_URLCONF="bench_pages_urls", DEBUG=False):
            data = build_base()
            if args.only != "recompute":
                results: dict = {}
                for lines in sizes:
                    grow_to(data, lines)
                    pages(data, lines, runs, results)
                first, last = sizes[0], sizes[-1]
                for label in ("review queue", "orders API, page of 50", "state entitlements page"):
                    a, b = results[(label, first)]["sql_ms"], results[(label, last)]["sql_ms"]
                    print(
                        f"{label}: SQL {a:.1f} ms at {first:,} lines, {b:.1f} ms at {last:,} ({b / a:.1f}x; goal <= 2x)"
                    )
            if args.only != "pages":
                recompute(2_000, 5)
        print(f"\ntotal {time.perf_counter() - started:.0f} s")
    finally:
        teardown_databases(old, verbosity=0)


if __name__ == "__main__":
    main()
