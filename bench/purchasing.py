"""Benchmark: purchasing (issue 15). Import part: 100,000 generated purchase lines from CSV and
from XLSX through the import pipeline's services end to end (upload, check, write with COPY,
summaries), beside a bare PostgreSQL COPY of the same rows (the ratio is printed); rows per
second and peak memory (RSS above the start of each step), at two sizes to show memory stays flat.

Run: make bench-purchasing   (or: DATABASE_URL=... REDIS_URL=... .venv/bin/python bench/purchasing.py)
     BENCH_ROWS=20000 for a quicker run.

It works in a throwaway database (test_<name>, dropped at the end) and a temporary media folder.
Figures, not assertions. The dashboard part (``dashboard_bench``, below) follows; BENCH_PART=import or
dashboard runs one part.
"""

from __future__ import annotations

import csv
import io
import os
import sys
import tempfile
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "focus_lab.settings.test")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import (  # noqa: E402
    CaptureQueriesContext,
    setup_databases,
    setup_test_environment,
    teardown_databases,
)
from imports import PeakRss  # noqa: E402  (bench/imports.py: the RSS sampler)

ROWS = int(os.environ.get("BENCH_ROWS", "100000"))
DISTRICTS = 10
HEADER = ["Customer", "Ship To", "Invoice Date", "Vendor", "Item Description", "Category", "Qty Shipped", "UOM",
          "Pack Weight", "Ext Price", "Country of Origin", "Program", "Attributes"]  # fmt: skip
ORIGINS = ["MN", "WI", "Hennepin County, MN", "CA", "Mexico", "unknown", "IA", "Dane County, WI"]
UNITS = [("CS", "40"), ("LB", ""), ("EA", ""), ("CS", "25.5"), ("GAL", "8.6")]
SOURCES = ["commercial", "commercial", "commercial", "USDA Foods", "DoD Fresh", "local direct"]
CLAIMS = ["", "", "", "organic", "no antibiotics ever", "NAE; organic"]
CATEGORIES = ["vegetable", "fruit", "dairy", "meat", "grain", "other"]
START = date(2025, 8, 1)


def rows(n: int):
    for i in range(n):
        unit, weight = UNITS[i % 5]
        yield [f"Bench District {i % DISTRICTS}", f"Bench School {i % DISTRICTS}-{i % 2}",
               (START + timedelta(days=i % 330)).strftime("%m/%d/%Y"), f"Vendor {i % 20}",
               f"Product {i % 997}, frozen", CATEGORIES[i % 6], str(1 + i % 40), unit, weight,
               f"${10 + i % 900}.{i % 100:02d}", ORIGINS[i % 8], SOURCES[i % 6], CLAIMS[i % 6]]  # fmt: skip


def csv_file(n: int) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    writer.writerows(rows(n))
    return out.getvalue().encode("utf-8")


def xlsx_file(n: int) -> bytes:
    import xlsxwriter

    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"constant_memory": True, "tmpdir": tempfile.gettempdir()})
    sheet = book.add_worksheet("Invoice lines")
    sheet.write_row(0, 0, HEADER)
    for r, row in enumerate(rows(n), start=1):
        # as a distributor's workbook holds them: quantities and weights as numbers, dates as dates
        day = date(int(row[2][6:]), int(row[2][:2]), int(row[2][3:5]))
        sheet.write_row(r, 0, row[:2])
        sheet.write_datetime(r, 2, day)
        sheet.write_row(r, 3, [row[3], row[4], row[5], int(row[6]), row[7], float(row[8]) if row[8] else "",
                               row[9], row[10], row[11], row[12]])  # fmt: skip
    book.close()
    return out.getvalue()


def setup_world():
    """A lab of DISTRICTS districts with two sites each, its definition of local, its admin."""
    from accounts.models import Role
    from districts.models import Collaborative, District, Site, StateAgency
    from purchasing.records.models import LocalDefinition
    from tests.factories import member

    clear()  # a kept database (BENCH_KEEPDB=1) from a run before
    District.objects.filter(name__startswith="Bench District").delete()
    Collaborative.objects.filter(slug="bench-lab").delete()
    lab = Collaborative.objects.create(name="Bench Lab", slug="bench-lab")
    agency, _ = StateAgency.objects.get_or_create(
        state="MN", defaults={"name": "Minnesota Department of Education"}
    )
    for d in range(DISTRICTS):
        district = District.objects.create(name=f"Bench District {d}", state_agency=agency, agency_code=f"B{d:04d}",
                                           enrollment=10_000, collaborative=lab)  # fmt: skip
        for s in range(2):
            Site.objects.create(district=district, name=f"Bench School {d}-{s}", street="1 Main St", city="Minneapolis",
                                state="MN", postal_code="55401", latitude=Decimal("44.98") + Decimal(d) / 100,
                                longitude=Decimal("-93.27"))  # fmt: skip
    LocalDefinition.objects.create(collaborative=lab, name="Within 150 miles, or grown in MN",
                                   local_radius_miles=Decimal(150), local_states=["MN"],
                                   regional_states=["MN", "WI", "IA"])  # fmt: skip
    return member(Role.COLLABORATIVE_ADMIN, lab, email=f"bench{time.time_ns()}@lab.example")


def step(label: str, n: int, work):
    with PeakRss() as memory:
        started = time.perf_counter()
        result = work()
        seconds = time.perf_counter() - started
    print(
        f"  {label:<10} {seconds:7.2f} s  {n / seconds:>10,.0f} rows/s  peak +{memory.mb:6.1f} MB", flush=True
    )
    return result, seconds


def clear() -> None:
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE purchasing_purchaserecord, purchasing_spendsummary, purchasing_claimsummary, "
                       "purchasing_vendorsummary")  # fmt: skip


def pipeline(name: str, data: bytes, n: int, user) -> float:
    from focus_lab.imports import services
    from focus_lab.imports.kinds import get_kind
    from focus_lab.imports.models import RunStatus

    kind = get_kind("purchases")
    print(f"{name}: {n:,} rows, {len(data) / 1e6:.1f} MB", flush=True)
    run, up = step("upload", n, lambda: services.import_upload(kind=kind, file=io.BytesIO(data), filename=name,
                                                               source="Bench Foods", user=user))  # fmt: skip
    missing = [f.name for f in kind.fields if f.name not in run.mapping]
    assert missing == ["priority_item"], missing  # every column guessed from the headers
    run, check = step(
        "check", n, lambda: services.import_map(run=run, columns=run.mapping, remember=True, user=user)
    )
    assert run.status == RunStatus.VALID, run.problems[:3]
    run, write = step("write", n, lambda: services.import_confirm(run=run, user=user))
    assert run.status == RunStatus.DONE and run.created == n, run.message
    total = up + check + write
    print(f"  {'end to end':<10} {total:7.2f} s  {n / total:>10,.0f} rows/s", flush=True)
    return total


def copy_anchor(n: int) -> float:
    """The same rows straight into the table with COPY: values already typed, no parsing, no
    checks, no classification, no summaries."""
    from districts.models import District
    from purchasing.records.import_kind import COLUMNS

    districts = dict(District.objects.values_list("name", "pk"))
    kept = [c for c in COLUMNS if c != "id"]
    now = django.utils.timezone.now()
    units = {"CS": "case", "LB": "lb", "EA": "each", "GAL": "gal"}
    clear()
    with connection.cursor() as cursor:
        started = time.perf_counter()
        with cursor.cursor.copy(f"COPY purchasing_purchaserecord ({', '.join(kept)}) FROM STDIN") as copy:
            for row in rows(n):
                day = date(int(row[2][6:]), int(row[2][:2]), int(row[2][3:5]))
                copy.write_row((districts[row[0]], None, day, None, row[3], row[4], "other", None, row[6],
                                units[row[7]], row[8] or None, None, row[9].lstrip("$"), row[10], "", "", None, None,
                                "commercial", [], "unknown", None, now))  # fmt: skip
        seconds = time.perf_counter() - started
    clear()
    print(f"COPY anchor: {n:,} rows {seconds:.2f} s, {n / seconds:,.0f} rows/s", flush=True)
    return seconds


def import_part(user) -> None:
    from django.conf import settings

    from focus_lab.imports import services

    services.BACKGROUND_ROWS = 10**9  # in this process: the worker would run the same services
    settings.MEDIA_ROOT = tempfile.mkdtemp(prefix="bench-purchasing-")
    anchor = copy_anchor(ROWS)
    results = {}
    small = max(ROWS // 5, 1)
    for label, make in (("csv", csv_file), ("xlsx", xlsx_file)):
        for n in (small, ROWS):
            results[(label, n)] = pipeline(f"invoice-lines-{n}.{label}", make(n), n, user)
            clear()
    print()
    for (label, n), seconds in results.items():
        if n == ROWS:
            print(
                f"{label.upper()}: {n / seconds:,.0f} rows/s end to end, {seconds / anchor:.1f}x a bare COPY"
            )


# --- dashboard part ----------------------------------------------------------------------------
# dashboard_bench(): a lab of BENCH_DASHBOARD_DISTRICTS districts (default 50) with
# BENCH_DASHBOARD_ROWS purchase rows (default 1,000,000) over SY 2025-26 and SY 2026-27, made with
# one INSERT ... SELECT FROM generate_series (classified by the generator: a third local, a sixth
# regional, an eighth USDA Foods, a tenth "no antibiotics ever", a twentieth a priority item), then
# summarised by summaries_refresh (the import's own set-based SQL). Prints the time to generate and
# to summarise, then the collaborative dashboard (the lab's admin, with the per-district table), one
# month, the API, an export and one district's dashboard: median time of BENCH_REPEAT runs and the
# query count, at a tenth of the rows and at all of them (the count must not move; goal < 300 ms).

DASHBOARD_ROWS = int(os.environ.get("BENCH_DASHBOARD_ROWS", "1000000"))
DASHBOARD_DISTRICTS = int(os.environ.get("BENCH_DASHBOARD_DISTRICTS", "50"))
REPEAT = int(os.environ.get("BENCH_REPEAT", "5"))
PART = os.environ.get("BENCH_PART", "all")  # import, dashboard or all


def timed(fn, repeat: int = REPEAT):
    """The median of ``repeat`` runs (the machine is shared: one run is noise), and the queries of one."""
    times = []
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as ctx:
            start = time.perf_counter()
            result = fn()
            times.append(time.perf_counter() - start)
    return result, sorted(times)[len(times) // 2], len(ctx)


def report(label: str, elapsed: float, queries: int | str, extra: str = "") -> None:
    print(f"{label:<62} {elapsed * 1000:10.1f} ms {queries!s:>5} queries  {extra}")


def dashboard_lab(districts: int):
    """The lab, its districts, two priority items with every district's commitment, a goal and
    the lab's definition of local."""
    from accounts.models import Membership, Role, User
    from districts.models import Collaborative, District, StateAgency
    from purchasing.priority_items.models import MenuCommitment, PriorityItem
    from purchasing.records.models import LocalDefinition
    from purchasing.spend.models import Goal

    lab, _ = Collaborative.objects.get_or_create(slug="bench-spend", defaults={"name": "Bench Spending Lab"})
    agency, _ = StateAgency.objects.get_or_create(state="MN", defaults={"name": "Minnesota"})
    District.objects.bulk_create([
        District(name=f"Spend District {i:03d}", state_agency=agency, agency_code=f"S{i:04d}", enrollment=9000,
                 collaborative=lab) for i in range(districts)
    ])  # fmt: skip
    items = [PriorityItem.objects.create(collaborative=lab, name=name, unit="lb")
             for name in ("Chicken drumsticks", "Whole-grain tortillas")]  # fmt: skip
    MenuCommitment.objects.bulk_create([
        MenuCommitment(item=item, district=d, times_per_month=Decimal(2), months=[9, 10, 11, 12, 1, 2, 3, 4, 5],
                       servings_per_day=1200, serving_size=Decimal(4), serving_unit="oz")
        for item in items for d in District.objects.filter(collaborative=lab)
    ])  # fmt: skip
    LocalDefinition.objects.create(collaborative=lab, name="Grown in Minnesota", local_states=["MN"],
                                   regional_states=["MN", "WI", "IA"])  # fmt: skip
    Goal.objects.create(collaborative=lab, metric="local_ex_usda", target_percent=Decimal(25), school_year=2027,
                        set_in=2026)  # fmt: skip
    Goal.objects.create(collaborative=lab, metric="priority_volume", target_percent=Decimal(50), school_year=2027,
                        set_in=2026)  # fmt: skip
    admin = User.objects.create_user("admin@spend.bench.example", "x")
    Membership.objects.create(user=admin, role=Role.COLLABORATIVE_ADMIN, collaborative=lab)
    manager = User.objects.create_user("manager@spend.bench.example", "x")
    first = District.objects.filter(collaborative=lab).order_by("pk").first()
    Membership.objects.create(user=manager, role=Role.DISTRICT_MANAGER, district=first)
    return lab, first, admin, manager, items


GENERATE = """
INSERT INTO purchasing_purchaserecord
  (district_id, invoice_date, vendor_name, product_description, category, quantity, unit, case_weight_lb,
   pounds, spend, origin_text, origin_state, origin_county, source, claims, local_class, priority_item_id,
   created_at)
SELECT d.ids[(1 + (g %% d.n))::int],
       DATE '2025-07-01' + ((g * 7919) %% 730)::int,
       'Vendor ' || ((g * 31) %% 60),
       'Product ' || ((g * 17) %% 2000),
       (ARRAY['fruit','vegetable','dairy','meat_poultry','grain','seafood','legumes','other'])[1 + (g %% 8)],
       1 + (g %% 20), 'case', 20, (1 + (g %% 20)) * 20,
       round((10 + (g * 13) %% 500)::numeric + ((g %% 100)::numeric / 100), 2),
       CASE WHEN g %% 6 IN (0, 1) THEN 'MN' WHEN g %% 6 = 2 THEN 'WI' WHEN g %% 6 = 3 THEN 'CA' ELSE '' END,
       CASE WHEN g %% 6 IN (0, 1) THEN 'MN' WHEN g %% 6 = 2 THEN 'WI' WHEN g %% 6 = 3 THEN 'CA' ELSE '' END,
       '',
       CASE WHEN g %% 8 = 5 THEN 'usda_foods' ELSE 'commercial' END,
       CASE WHEN g %% 10 = 0 THEN ARRAY['nae']::varchar[] ELSE ARRAY[]::varchar[] END,
       CASE WHEN g %% 6 IN (0, 1) THEN 'local' WHEN g %% 6 = 2 THEN 'regional'
            WHEN g %% 6 = 3 THEN 'other' ELSE 'unknown' END,
       CASE WHEN g %% 20 = 0 THEN %(item)s END,
       now()
FROM generate_series(%(start)s::bigint, %(stop)s::bigint) AS g,
     (SELECT array_agg(id ORDER BY id) AS ids, count(*) AS n FROM districts_district
      WHERE collaborative_id = %(lab)s) AS d
"""


def dashboard_bench() -> None:
    from django.test import Client
    from django.urls import reverse

    from purchasing.records.models import ClaimSummary, SpendSummary, VendorSummary
    from purchasing.records.services import summaries_refresh

    print(
        f"Dashboards: {DASHBOARD_DISTRICTS} districts, {DASHBOARD_ROWS:,} purchase rows over SY 2025-26 and SY 2026-27"
    )
    lab, first, admin, manager, items = dashboard_lab(DASHBOARD_DISTRICTS)
    district_ids = list(lab.districts.values_list("pk", flat=True))
    done = 0
    for target in (DASHBOARD_ROWS // 10, DASHBOARD_ROWS):
        start = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(GENERATE, {"start": done + 1, "stop": target, "lab": lab.pk, "item": items[0].pk})
            cursor.execute("ANALYZE purchasing_purchaserecord")
        report(f"generate rows {done + 1:,}..{target:,} (INSERT ... generate_series)",
               time.perf_counter() - start, "-")  # fmt: skip
        done = target
        start = time.perf_counter()
        summaries_refresh(district_ids=district_ids)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE purchasing_spendsummary; ANALYZE purchasing_claimsummary; "
                           "ANALYZE purchasing_vendorsummary")  # fmt: skip
        counts = f"{SpendSummary.objects.count():,} spend, {ClaimSummary.objects.count():,} claim, " \
                 f"{VendorSummary.objects.count():,} vendor summary rows"  # fmt: skip
        report(
            f"summaries_refresh, {DASHBOARD_DISTRICTS} districts, {done:,} rows",
            time.perf_counter() - start,
            "-",
            counts,
        )
        client = Client()
        client.force_login(admin)
        pages = [
            ("collaborative dashboard (admin)", client, reverse("purchasing:spend-lab", args=[lab.pk]) + "?school_year=2026"),
            ("collaborative dashboard, one month", client, reverse("purchasing:spend-lab", args=[lab.pk]) + "?month=2026-10"),
            ("collaborative dashboard API", client, f"/api/v1/spend/labs/{lab.pk}/?school_year=2026"),
            ("district-table export (XLSX)", client,
             reverse("purchasing:spend-lab-export", args=[lab.pk, "districts", "xlsx"]) + "?school_year=2026"),
        ]  # fmt: skip
        staff = Client()
        staff.force_login(manager)
        pages.append(("one district's dashboard (its manager)", staff,
                      reverse("purchasing:spend-district", args=[first.pk]) + "?school_year=2026"))  # fmt: skip
        for label, who, url in pages:
            who.get(url)  # warm templates and the session
            response, elapsed, queries = timed(lambda who=who, url=url: who.get(url))
            report(f"{label}, {done:,} rows", elapsed, queries,
                   f"status {response.status_code}")  # fmt: skip


def main() -> None:
    if PART in ("all", "import"):
        import_part(setup_world())
    if PART in ("all", "dashboard"):
        dashboard_bench()


if __name__ == "__main__":
    keep = os.environ.get("BENCH_KEEPDB") == "1"  # while developing: migrate once
    setup_test_environment()
    config = setup_databases(verbosity=0, interactive=False, keepdb=keep)
    try:
        main()
    finally:
        teardown_databases(config, verbosity=0, keepdb=keep)
