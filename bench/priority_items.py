"""Benchmark: a learning lab of 50 districts with 40 adopted priority items and every district's
menu commitment to each (2,000 commitments).

Run: make bench-priority-items   (or: DATABASE_URL=... REDIS_URL=... .venv/bin/python bench/priority_items.py)

It builds the data set in a throwaway database (test_<name>, dropped at the end), then prints:

- the lab-wide pooled-demand page (/purchasing/demand/) and one item's pooled demand: time and
  query count, at 10 and 50 districts and 10 and 40 items (the count must not move);
- the API's pooled demand (/api/v1/priority-items/pooled-demand/);
- the RFP draft for 3 items (a typical bid) and for all 40 items: PDF (WeasyPrint), DOCX (python-docx) and the XLSX bid sheet.

Times are medians of BENCH_REPEAT runs (default 5; the 40-item PDF runs once). Figures, not assertions: the tests assert behaviour.
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
ITEMS = int(os.environ.get("BENCH_ITEMS", "40"))


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


def report(label: str, elapsed: float, queries: int, extra: str = "") -> None:
    print(f"{label:<58} {elapsed * 1000:9.1f} ms {queries:5d} queries  {extra}")


def build(districts: int, items: int):
    """The lab, ``districts`` districts with two delivery sites each, ``items`` adopted items and
    every district's commitment (rows bulk-created: the services are timed by the tests)."""
    from accounts.models import Membership, Role, User
    from districts.models import Collaborative, District, Site, StateAgency
    from purchasing.priority_items.models import MenuCommitment, PriorityItem, SpecVersion

    lab, _ = Collaborative.objects.get_or_create(slug="bench", defaults={"name": "Bench Lab"})
    agency, _ = StateAgency.objects.get_or_create(state="MN", defaults={"name": "Minnesota"})
    have = District.objects.filter(collaborative=lab).count()
    District.objects.bulk_create([
        District(name=f"Bench District {i:03d}", state_agency=agency, agency_code=f"B{i:04d}", enrollment=9000,
                 collaborative=lab) for i in range(have, districts)
    ])  # fmt: skip
    new = District.objects.filter(collaborative=lab, sites__isnull=True)
    Site.objects.bulk_create([
        Site(district=d, name=f"{d.name} {kind}", kind="school", street="1 Main St", city="Minneapolis", state="MN",
             postal_code="55401", latitude=Decimal("44.97"), longitude=Decimal("-93.26"))
        for d in new for kind in ("Kitchen", "High School")
    ])  # fmt: skip
    have_items = PriorityItem.objects.filter(collaborative=lab).count()
    created = PriorityItem.objects.bulk_create([
        PriorityItem(collaborative=lab, name=f"Bench item {i:02d}", unit="lb", reference_price=Decimal("2.35"))
        for i in range(have_items, items)
    ])  # fmt: skip
    SpecVersion.objects.bulk_create([
        SpecVersion(item=item, number=1, status="adopted", product_form=f"{item.name}, frozen", pack_size="40 lb case",
                    grade="USDA Grade A", processing="minimal", local_clause="preference", local_definition="MN, WI",
                    claims=[{"claim": "Raised without antibiotics", "verification": "USDA PVP"}],
                    attributes={"piece size": "3.5-4.5 oz"})
        for item in created
    ])  # fmt: skip
    existing = set(
        MenuCommitment.objects.filter(item__collaborative=lab).values_list("item_id", "district_id")
    )
    MenuCommitment.objects.bulk_create([
        MenuCommitment(item=item, district=d, times_per_month=Decimal(2), months=[9, 10, 11, 12, 1, 2, 3, 4, 5],
                       servings_per_day=1200, serving_size=Decimal(4), serving_unit="oz")
        for item in PriorityItem.objects.filter(collaborative=lab) for d in District.objects.filter(collaborative=lab)
        if (item.pk, d.pk) not in existing
    ])  # fmt: skip
    admin = User.objects.filter(email="admin@bench.example").first()
    if admin is None:
        admin = User.objects.create_user("admin@bench.example", "x")
        Membership.objects.create(user=admin, role=Role.COLLABORATIVE_ADMIN, collaborative=lab)
    return admin, list(PriorityItem.objects.filter(collaborative=lab).order_by("pk"))


def main() -> None:
    import logging

    from django.test import Client
    from django.urls import reverse

    from purchasing.priority_items.documents import bid_sheet_xlsx, rfp_docx, rfp_items, rfp_pdf
    from purchasing.priority_items.models import PriorityItem

    logging.getLogger("fontTools").setLevel(logging.WARNING)
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    setup_test_environment()
    old = setup_databases(verbosity=0, interactive=False)
    try:
        print(f"FOCUS Lab priority-items benchmark: up to {DISTRICTS} districts x {ITEMS} items")
        for districts, items in ((10, 10), (DISTRICTS, 10), (DISTRICTS, ITEMS)):  # each grows once
            admin, all_items = build(districts, items)
            client = Client()
            client.force_login(admin)
            shown = all_items[:items]
            url = reverse("purchasing:lab-demand")
            client.get(url)  # warm templates and the session
            response, elapsed, queries = timed(lambda url=url, client=client: client.get(url))
            report(f"pooled-demand page, {districts} districts x {len(all_items)} items", elapsed, queries,
                   f"status {response.status_code}, {len(response.content) // 1024} KiB")  # fmt: skip
            one = reverse("purchasing:item-demand", args=[shown[0].pk])
            client.get(one)
            response, elapsed, queries = timed(lambda one=one, client=client: client.get(one))
            report(
                f"one item's pooled demand, {districts} districts",
                elapsed,
                queries,
                f"status {response.status_code}",
            )
        api = "/api/v1/priority-items/pooled-demand/"
        client.get(api)
        response, elapsed, queries = timed(lambda: client.get(api))
        report(f"API {api}", elapsed, queries, f"{len(response.json())} items")
        few = rfp_items(
            PriorityItem.objects.filter(pk__in=PriorityItem.objects.order_by("pk").values("pk")[:3])
        )
        body, elapsed, queries = timed(
            lambda: rfp_pdf(few, title="Request for proposals (draft): 3 items"), repeat=3
        )
        report(
            f"RFP draft PDF, 3 items x {DISTRICTS} districts (a typical bid)",
            elapsed,
            queries,
            f"{len(body) // 1024} KiB",
        )
        chosen = rfp_items(PriorityItem.objects.all())
        title = f"Request for proposals (draft): {len(chosen)} items"
        for label, render in (("PDF", lambda: rfp_pdf(chosen, title=title)), ("DOCX", lambda: rfp_docx(chosen, title=title)),
                              ("XLSX bid sheet", lambda: bid_sheet_xlsx(chosen))):  # fmt: skip
            body, elapsed, queries = timed(render, repeat=1 if label == "PDF" else 3)
            report(f"RFP draft {label}, {len(chosen)} items x {DISTRICTS} districts", elapsed, queries,
                   f"{len(body) // 1024} KiB")  # fmt: skip
    finally:
        teardown_databases(old, verbosity=0)


if __name__ == "__main__":
    main()
