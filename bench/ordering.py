"""Benchmark: 500 districts x 40 lines submitting orders in one window, then the SDA's review.

Run: make bench-ordering   (or: DATABASE_URL=... REDIS_URL=... .venv/bin/python bench/ordering.py)

It builds the data set in a throwaway database (test_<name>, dropped at the end), then prints:

- orders per second through the whole service path (order_create + 40 order_line_set +
  order_submit) for a sample of districts (BENCH_FULL, default 100);
- for the other districts, whose orders and lines are bulk-created, order_submit alone;
- the SDA review queue page (/usda-foods/review/) with 20,000 lines, when that page exists;
- the API list /api/v1/orders/ (a page of 50 orders with 40 lines each).

Figures, not assertions: the tests assert behaviour.
"""

from __future__ import annotations

import os
import sys
import time
from decimal import Decimal
from pathlib import Path

from usda_foods.entitlements.services.entitlements import entitlements_recompute
from usda_foods.ordering.services.orders import order_create, order_line_set, order_submit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "focus_lab.settings.test")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import (  # noqa: E402
    setup_databases,
    setup_test_environment,
    teardown_databases,
)

DISTRICTS = int(os.environ.get("BENCH_DISTRICTS", "500"))
LINES = int(os.environ.get("BENCH_LINES", "40"))
FULL = min(int(os.environ.get("BENCH_FULL", "100")), DISTRICTS)
SY, PRIOR = "2019-20", "2018-19"


def build() -> dict[str, object]:
    from datetime import date, timedelta

    from django.utils import timezone

    from accounts.models import Membership, Role, User
    from districts.models import District, Site, StateAgency
    from usda_foods.models import CatalogItem, LunchCount, OrderWindow

    agency, _ = StateAgency.objects.get_or_create(
        state="MN", defaults={"name": "Minnesota Department of Education"}
    )
    District.objects.bulk_create(
        [District(name=f"Bench District {i:05d}", state_agency=agency, agency_code=f"B{i:05d}", enrollment=5000)
         for i in range(DISTRICTS)], batch_size=1000,
    )  # fmt: skip
    districts = list(District.objects.filter(state_agency=agency).order_by("pk"))
    Site.objects.bulk_create(
        [Site(district=d, name=f"Kitchen {d.pk}", kind="kitchen", street="1 Main St", city="Springfield", state="MN",
              postal_code="55401", latitude=Decimal("44.9778"), longitude=Decimal("-93.2650")) for d in districts],
        batch_size=1000,
    )  # fmt: skip
    # 200,000 prior-year lunches x 23.75 cents = $47,500 each: every order below fits.
    LunchCount.objects.bulk_create(
        [LunchCount(district=d, school_year=PRIOR, free=150_000, reduced=20_000, paid=30_000) for d in districts],
        batch_size=2000,
    )  # fmt: skip
    entitlements_recompute(school_year=SY, districts=District.objects.filter(state_agency=agency))
    items = CatalogItem.objects.bulk_create(
        [CatalogItem(school_year=SY, material_code=f"{100000 + i}", description=f"Bench food {i:02d}",
                     category="vegetable", pack_description="6/#10 cans", net_case_weight_lb=Decimal("40"),
                     cases_per_truckload=1000, unit_price=Decimal("20.00") + i) for i in range(LINES)],
    )  # fmt: skip
    now = timezone.now()
    window = OrderWindow.objects.create(
        state_agency=agency, school_year=SY, name="Bench fall window", opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=7), delivery_start=date(2019, 10, 1), delivery_end=date(2019, 10, 31),
    )  # fmt: skip
    window.offered_items.set(items)
    manager = User.objects.create_user("bench-manager@example.org", "bench-password")
    reviewer = User.objects.create_user("bench-reviewer@example.org", "bench-password")
    Membership.objects.create(user=reviewer, role=Role.SDA_REVIEWER, state_agency=agency)
    sites = {s.district_id: s for s in Site.objects.filter(district__state_agency=agency)}
    return {"districts": districts, "sites": sites, "items": items, "window": window, "manager": manager,
            "reviewer": reviewer}  # fmt: skip


def timed(fn) -> tuple[object, float, int]:
    """Run ``fn``; return its result, seconds and query count (counted by an execute wrapper:
    CaptureQueriesContext keeps only the last 9,000 queries)."""
    count = 0

    def counter(execute, sql, params, many, context):
        nonlocal count
        count += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(counter):
        start = time.perf_counter()
        result = fn()
        elapsed = time.perf_counter() - start
    return result, elapsed, count


def report(label: str, elapsed: float, queries: int, extra: str = "") -> None:
    print(f"{label:<52} {elapsed * 1000:10.1f} ms {queries:7d} queries  {extra}")


def full_service_path(data: dict, districts: list) -> None:

    window, items, sites, user = data["window"], data["items"], data["sites"], data["manager"]

    def run() -> None:
        for district in districts:
            order = order_create(district=district, window=window, user=user)
            for n, item in enumerate(items):
                order_line_set(order_id=order.pk, catalog_item=item, cases=1 + n % 5,
                                        delivery_site=sites[district.pk], user=user)  # fmt: skip
            order_submit(order_id=order.pk, user=user)

    _, elapsed, queries = timed(run)
    n = len(districts)
    report(f"service path: {n} orders x {LINES} lines", elapsed, queries,
           f"{n / elapsed:7.1f} orders/s, {queries / n:.0f} queries/order")  # fmt: skip


def bulk_then_submit(data: dict, districts: list) -> None:
    from usda_foods.models import Entitlement, Order, OrderLine, OrderStatus, OrderTransition

    window, items, sites, user = data["window"], data["items"], data["sites"], data["manager"]
    entitlements = dict(
        Entitlement.objects.filter(district__in=districts, school_year=SY).values_list("district_id", "pk")
    )
    orders = Order.objects.bulk_create(
        [Order(district=d, window=window, entitlement_id=entitlements[d.pk], created_by=user) for d in districts],
        batch_size=1000,
    )  # fmt: skip
    OrderLine.objects.bulk_create(
        [OrderLine(order=o, catalog_item=item, cases=1 + n % 5, delivery_site=sites[o.district_id],
                   unit_price=item.unit_price) for o in orders for n, item in enumerate(items)], batch_size=5000,
    )  # fmt: skip
    OrderTransition.objects.bulk_create(
        [OrderTransition(order=o, to_status=OrderStatus.DRAFT, user=user) for o in orders], batch_size=1000
    )

    def run() -> None:
        for order in orders:
            order_submit(order_id=order.pk, user=user)

    _, elapsed, queries = timed(run)
    n = len(orders)
    report(f"order_submit alone: {n} orders (lines bulk-created)", elapsed, queries,
           f"{n / elapsed:7.1f} orders/s, {queries / n:.0f} queries/order")  # fmt: skip


def review_queue(client) -> None:
    from django.urls import NoReverseMatch, reverse

    try:
        url = reverse("usda_foods:order-review-queue")
    except NoReverseMatch:
        print(f"{'SDA review queue':<52} skipped: usda_foods:order-review-queue is not built yet")
        return
    client.get(url)  # warm templates and the session
    response, elapsed, queries = timed(lambda: client.get(url))
    report(f"SDA review queue {url}", elapsed, queries,
           f"status {response.status_code}, {len(response.content) // 1024} KiB")  # fmt: skip


def main() -> None:
    import logging

    from django.test import Client

    from usda_foods.models import OrderLine, OrderStatus

    # Test settings run the district emails eagerly, inside the submit: keep their log lines out.
    logging.getLogger("celery").setLevel(logging.WARNING)
    setup_test_environment()
    old = setup_databases(verbosity=0, interactive=False)
    try:
        start = time.perf_counter()
        data = build()
        print(f"FOCUS Lab ordering benchmark: {DISTRICTS} districts x {LINES} lines in one window, SY{SY}")
        print(
            f"{'build (districts, sites, entitlements, catalog)':<52} {(time.perf_counter() - start):10.1f} s"
        )
        districts = data["districts"]
        full_service_path(data, districts[:FULL])
        bulk_then_submit(data, districts[FULL:])
        submitted = OrderLine.objects.filter(order__status=OrderStatus.SUBMITTED).count()
        print(f"{'':<52} {submitted} submitted lines in the window")
        client = Client()
        client.force_login(data["reviewer"])
        review_queue(client)
        client.get("/api/v1/orders/")  # warm
        response, elapsed, queries = timed(lambda: client.get("/api/v1/orders/"))
        body = response.json()
        lines = sum(len(o["lines"]) for o in body["results"])
        report("API /api/v1/orders/ (page of 50)", elapsed, queries,
               f"status {response.status_code}, {body['count']} orders, {lines} lines on the page")  # fmt: skip
        print(f"{'total':<52} {(time.perf_counter() - start):10.1f} s")
    finally:
        teardown_databases(old, verbosity=0)


if __name__ == "__main__":
    main()
