"""Benchmark: purchasing data (issue 15).

Run: make bench-purchasing   (or: DATABASE_URL=... REDIS_URL=... .venv/bin/python bench/purchasing.py)

``dashboard_bench()``: a learning lab of BENCH_DISTRICTS districts (default 50) with BENCH_ROWS
purchase rows (default 1,000,000) spread over two school years, made with one INSERT ... SELECT
FROM generate_series, classified by the generator (about a third local, a sixth regional, an
eighth USDA Foods, a tenth "no antibiotics ever", a twentieth a priority item), then summarised by
``summaries_refresh`` (the import's own set-based SQL). It prints the time to generate and to
summarise, the summary rows, then the collaborative dashboard (as the lab's admin, with the
per-district table), one district's dashboard, an export and the API: time and query count at a
tenth of the rows and at all of them (the count must not move; goal under 300 ms).

The import half (100,000 rows from XLSX and CSV against a bare COPY) lives in its own function
beside this one. Times are medians of BENCH_REPEAT runs (default 5). Figures, not assertions.
"""

from __future__ import annotations

import os
import sys
import time
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

DISTRICTS = int(os.environ.get("BENCH_DISTRICTS", "50"))
ROWS = int(os.environ.get("BENCH_ROWS", "1000000"))
REPEAT = int(os.environ.get("BENCH_REPEAT", "5"))


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

    print(f"Dashboards: {DISTRICTS} districts, {ROWS:,} purchase rows over SY 2025-26 and SY 2026-27")
    lab, first, admin, manager, items = dashboard_lab(DISTRICTS)
    district_ids = list(lab.districts.values_list("pk", flat=True))
    done = 0
    for target in (ROWS // 10, ROWS):
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
            f"summaries_refresh, {DISTRICTS} districts, {done:,} rows",
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
    setup_test_environment()
    old = setup_databases(verbosity=0, interactive=False)
    try:
        print(f"FOCUS Lab purchasing benchmark (BENCH_ROWS={ROWS:,}, BENCH_DISTRICTS={DISTRICTS})")
        import_bench = globals().get("import_bench")  # the import half, when present
        if import_bench is not None and os.environ.get("BENCH_PART", "all") in ("all", "import"):
            import_bench()
        if os.environ.get("BENCH_PART", "all") in ("all", "dashboard"):
            dashboard_bench()
    finally:
        teardown_databases(old, verbosity=0)


if __name__ == "__main__":
    main()
