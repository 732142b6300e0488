"""Benchmark: a state of 500 districts and 20 processors after a year of end-product purchases,
and the nightly late-receipt sweep over 20,000 expected deliveries.

Run: make bench-processing   (or: DATABASE_URL=... REDIS_URL=... .venv/bin/python bench/processing.py)

It builds the data set in a throwaway database (test_<name>, dropped at the end) with bulk
inserts, then prints:

- the SDA's inventory table (/usda-foods/processing/state/MN/): time and queries, and its CSV;
- the API list /api/v1/processor-inventory/ (a page);
- end_product_purchase_record through the service (row locks, ledger), per purchase;
- receipts_sweep over 20,000 deliveries without receipts: the first run (flags and emails), and
  a second run on the same day (nothing left to do).

Figures, not assertions: the tests assert behaviour.
"""

from __future__ import annotations

import os
import sys
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "focus_lab.settings.test")

import django  # noqa: E402

django.setup()

from django.db import reset_queries  # noqa: E402
from django.test.utils import setup_databases, setup_test_environment, teardown_databases  # noqa: E402

DISTRICTS = int(os.environ.get("BENCH_DISTRICTS", "500"))
PROCESSORS = int(os.environ.get("BENCH_PROCESSORS", "20"))
PER_DISTRICT = int(os.environ.get("BENCH_PROCESSORS_PER_DISTRICT", "2"))
STOPS = int(os.environ.get("BENCH_STOPS", "20000"))
MONTHS = 10  # August to May: one purchase per inventory row per month of service


def report(label: str, seconds: float, queries: int | None = None, extra: str = "") -> None:
    q = f"{queries:6d} queries" if queries is not None else " " * 14
    print(f"{label:<56} {seconds:9.3f} s {q}  {extra}")


def timed(fn):
    from django.db import connection as conn

    conn.force_debug_cursor = True
    reset_queries()
    start = time.perf_counter()
    result = fn()
    elapsed = time.perf_counter() - start
    queries = len(conn.queries)
    conn.force_debug_cursor = False
    return result, elapsed, queries


def build() -> dict:
    from accounts.models import Membership, Role, User
    from districts.models import District, StateAgency
    from usda_foods.models import (
        CatalogItem,
        EndProduct,
        EndProductFood,
        EndProductPurchase,
        EntryKind,
        InventoryEntry,
        Processor,
        ProcessorInventory,
    )

    agency = StateAgency.objects.create(state="MN", name="Minnesota Department of Education")
    District.objects.bulk_create([District(name=f"Bench District {i:05d}", state_agency=agency, agency_code=f"B{i:05d}",
                                           enrollment=5000) for i in range(DISTRICTS)])  # fmt: skip
    districts = list(District.objects.order_by("pk"))
    foods = [CatalogItem.objects.create(school_year="2019-20", material_code=f"10010{n}", description=f"Bulk food {n}",
                                        category="meat", pack_description="40 lb box", net_case_weight_lb=Decimal("40"),
                                        cases_per_truckload=1000, unit_price=Decimal("90"), is_bulk_for_processing=True)
             for n in range(2)]  # fmt: skip
    processors = []
    for p in range(PROCESSORS):
        proc = Processor.objects.create(state_agency=agency, name=f"Processor {p:02d}", agreement_start=date(2019, 7, 1),
                                        agreement_end=date(2020, 6, 30), latitude=Decimal("45"), longitude=Decimal("-93"))  # fmt: skip
        proc.accepted_foods.set(foods)
        product = EndProduct.objects.create(processor=proc, code=f"EP-{p}", name=f"End product {p}", case_pack="4/8 lb",
                                            net_weight_lb=Decimal("32"), pass_through_methods=["noi"],
                                            value_per_case=Decimal("40"))  # fmt: skip
        for food in foods:
            EndProductFood.objects.create(end_product=product, food=food, pounds_per_case=Decimal("10"))
        processors.append((proc, product))
    rows = [ProcessorInventory(district=d, processor=processors[(i + k * 7) % PROCESSORS][0], food=f)
            for i, d in enumerate(districts) for k in range(PER_DISTRICT) for f in foods]  # fmt: skip
    ProcessorInventory.objects.bulk_create(rows, batch_size=5000)
    rows = list(ProcessorInventory.objects.all())
    purchases = EndProductPurchase.objects.bulk_create([
        EndProductPurchase(district_id=r.district_id, end_product=dict(processors)[r.processor], cases=10,
                           purchased_on=date(2019, 8 + m, 15) if m < 5 else date(2020, m - 4, 15),
                           pass_through="noi", value_credited=Decimal("400"))
        for r in rows for m in range(MONTHS)], batch_size=5000)  # fmt: skip
    entries = []
    for i, r in enumerate(rows):
        credited = Decimal(40 * (300 + (i % 7) * 50))  # 12,000-24,000 lb: some rows over 6 months
        entries.append(
            InventoryEntry(inventory=r, kind=EntryKind.CREDIT, pounds=credited, on=date(2019, 8, 1))
        )
        for m in range(MONTHS):
            entries.append(InventoryEntry(inventory=r, kind=EntryKind.PURCHASE, pounds=Decimal("-1000"),
                                          on=purchases[i * MONTHS + m].purchased_on, purchase=purchases[i * MONTHS + m]))  # fmt: skip
        r.pounds = credited - 1000 * MONTHS
    InventoryEntry.objects.bulk_create(entries, batch_size=5000)
    ProcessorInventory.objects.bulk_update(rows, ["pounds"], batch_size=5000)
    reviewer = User.objects.create_user(email="reviewer@bench.example", password="x")  # noqa: S106
    Membership.objects.create(user=reviewer, role=Role.SDA_REVIEWER, state_agency=agency)
    manager = User.objects.create_user(email="manager@bench.example", password="x")  # noqa: S106
    Membership.objects.create(user=manager, role=Role.DISTRICT_MANAGER, district=districts[0])
    return {"agency": agency, "districts": districts, "foods": foods, "processors": processors, "rows": len(rows),
            "entries": len(entries), "reviewer": reviewer, "manager": manager}  # fmt: skip


def build_stops(data: dict) -> date:
    """STOPS deliveries at processors, none receipted, delivered over the last ten days."""
    from django.utils import timezone

    from usda_foods.models import ExpectedDelivery, OrderWindow, ShipmentPlan

    today = date(2020, 3, 16)
    window = OrderWindow.objects.create(state_agency=data["agency"], school_year="2019-20", name="Bench window",
                                        opens_at=timezone.now(), closes_at=timezone.now() + timedelta(days=1),
                                        delivery_start=date(2020, 3, 2), delivery_end=date(2020, 3, 31))  # fmt: skip
    plan = ShipmentPlan.objects.create(window=window, status="done")
    deliveries = [ExpectedDelivery(plan=plan, state_agency=data["agency"], processor=data["processors"][n % PROCESSORS][0],
                                   food=data["foods"][n % 2], truck_number=n + 1,
                                   delivery_date=today - timedelta(days=n % 10), due_on=today - timedelta(days=n % 10 - 2),
                                   cases=1000) for n in range(STOPS)]  # fmt: skip
    ExpectedDelivery.objects.bulk_create(deliveries, batch_size=5000)
    return today


def main() -> None:
    import logging

    import time_machine
    from django.test import Client

    from usda_foods.deliveries.services import receipts_sweep
    from usda_foods.processing.services.inventory import end_product_purchase_record

    logging.getLogger("celery").setLevel(logging.WARNING)
    setup_test_environment()
    old = setup_databases(verbosity=0, interactive=False)
    try:
        start = time.perf_counter()
        data = build()
        print(f"FOCUS Lab processing benchmark: {DISTRICTS} districts, {PROCESSORS} processors, "
              f"{data['rows']:,} inventory rows, {data['entries']:,} ledger entries (a year of purchases)")  # fmt: skip
        report("build", time.perf_counter() - start)
        with time_machine.travel(date(2020, 3, 16), tick=True):
            client = Client()
            client.force_login(data["reviewer"])
            url = "/usda-foods/processing/state/MN/"
            client.get(url)  # warm
            response, elapsed, queries = timed(lambda: client.get(url))
            flagged = response.context["flagged"]
            report("SDA inventory table (page 1 of 100 rows, sorted over all)", elapsed, queries,
                   f"status {response.status_code}, {len(response.content) / 1e6:.1f} MB, {flagged:,} flagged")  # fmt: skip
            response, elapsed, queries = timed(lambda: client.get(url + "?sort=-months"))
            report(
                "SDA inventory table sorted by months on hand",
                elapsed,
                queries,
                f"status {response.status_code}",
            )
            response, elapsed, queries = timed(
                lambda: b"".join(client.get(url + "?format=csv").streaming_content)
            )
            report("SDA inventory table as CSV", elapsed, queries, f"{len(response) / 1e6:.2f} MB")
            response, elapsed, queries = timed(lambda: client.get("/api/v1/processor-inventory/"))
            report(
                "API /api/v1/processor-inventory/ (a page)",
                elapsed,
                queries,
                f"{response.json()['count']:,} rows",
            )
            district, product = data["districts"][0], data["processors"][0][1]
            n = 20
            _, elapsed, queries = timed(lambda: [end_product_purchase_record(
                district=district, end_product=product, purchased_on=date(2020, 3, 2), cases=1, pass_through="noi",
                value_credited=Decimal("40"), user=data["manager"]) for _ in range(n)])  # fmt: skip
            report(
                f"end_product_purchase_record x {n} (2 foods each)", elapsed / n, queries // n, "per purchase"
            )
        today = build_stops(data)
        first, elapsed, queries = timed(lambda: receipts_sweep(today=today))
        report(f"receipts_sweep over {STOPS:,} open deliveries (first run)", elapsed, queries, f"{first}")
        again, elapsed, queries = timed(lambda: receipts_sweep(today=today))
        report("receipts_sweep again the same day", elapsed, queries, f"{again}")
        report("total", time.perf_counter() - start)
    finally:
        teardown_databases(old, verbosity=0)


if __name__ == "__main__":
    main()
