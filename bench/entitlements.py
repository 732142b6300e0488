"""Benchmark: recompute entitlements for 2,000 districts and render the SDA list for 2,000 SFAs.

Run: make bench-entitlements   (or: DATABASE_URL=... REDIS_URL=... .venv/bin/python bench/entitlements.py)

It builds the data set in a throwaway database (test_<name>, dropped at the end), then prints the
time and query count of the recompute, of a second (no-change) recompute, of the SDA page render
and of the API list. Figures, not assertions: the tests assert behaviour.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from usda_foods.entitlements.services.entitlements import entitlements_recompute

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

DISTRICTS = int(os.environ.get("BENCH_DISTRICTS", "2000"))
SY, PRIOR = "2019-20", "2018-19"


def build() -> tuple[object, object]:
    from accounts.models import Membership, Role, User
    from districts.models import District, StateAgency
    from usda_foods.models import LunchCount

    agency, _ = StateAgency.objects.get_or_create(
        state="MN", defaults={"name": "Minnesota Department of Education"}
    )
    District.objects.bulk_create(
        [District(name=f"Bench District {i:05d}", state_agency=agency, agency_code=f"B{i:05d}", enrollment=1000 + i)
         for i in range(DISTRICTS)], batch_size=1000,
    )  # fmt: skip
    districts = list(District.objects.filter(state_agency=agency))
    LunchCount.objects.bulk_create(
        [LunchCount(district=d, school_year=year, free=100_000 + d.pk, reduced=20_000, paid=50_000 + (d.pk % 7))
         for d in districts for year in (PRIOR, SY)], batch_size=2000,
    )  # fmt: skip
    reviewer = User.objects.create_user("bench-reviewer@example.org", "bench-password")
    Membership.objects.create(user=reviewer, role=Role.SDA_REVIEWER, state_agency=agency)
    return reviewer, agency


def measure(label: str, fn) -> object:
    with CaptureQueriesContext(connection) as ctx:
        start = time.perf_counter()
        result = fn()
        elapsed = time.perf_counter() - start
    print(f"{label:<46} {elapsed * 1000:9.1f} ms {len(ctx.captured_queries):6d} queries")
    return result


def main() -> None:
    from django.test import Client

    from districts.models import District

    setup_test_environment()
    old = setup_databases(verbosity=0, interactive=False)
    try:
        reviewer, agency = build()
        districts = District.objects.filter(state_agency=agency)
        print(f"FOCUS Lab entitlement benchmark: {DISTRICTS} districts, SY{SY}")
        result = measure("recompute (creates every entitlement)",
                         lambda: entitlements_recompute(school_year=SY, districts=districts))  # fmt: skip
        print(f"{'':<46} {result.as_dict()}")
        measure("recompute again (nothing changes)",
                lambda: entitlements_recompute(school_year=SY, districts=districts))  # fmt: skip
        client = Client()
        client.force_login(reviewer)
        url = f"/usda-foods/states/{agency.state}/entitlements/?year={SY}"
        client.get(url)  # warm templates and the session
        response = measure("SDA state page (50 per page, totals)", lambda: client.get(url))
        print(f"{'':<46} status {response.status_code}, {len(response.content) // 1024} KiB")
        csv = measure(
            "SDA state page CSV export (all rows)", lambda: b"".join(client.get(url + "&format=csv"))
        )
        lines = csv.count(b"\n")
        print(f"{'':<46} {lines} lines")
        api = measure("API /api/v1/entitlements/?state=MN (page of 50)",
                      lambda: client.get(f"/api/v1/entitlements/?state=MN&school_year={SY}"))  # fmt: skip
        print(f"{'':<46} status {api.status_code}")
    finally:
        teardown_databases(old, verbosity=0)


if __name__ == "__main__":
    main()
