"""Benchmark: the supplier directory at 10,000 suppliers with 200,000 logged interactions.

Run: make bench-suppliers   (or: DATABASE_URL=... REDIS_URL=... .venv/bin/python bench/suppliers.py)

Builds a lab in a throwaway database (test_<name>, dropped at the end) at a small size first
(1,000 suppliers, 20,000 interactions) and then at the full size, and at each prints the time
(median of 5 after a warm-up) and query count of: the search page (full-text with a misspelling,
a category, and "within 100 miles of a district's sites"), the same search through the API, a
search that matches through notes, and the partner dashboard. The query counts must not change
between the sizes. Then it imports 10,000 supplier rows through ``suppliers_import_rows`` (rows
per second, peak Python memory). Figures, not assertions: the tests assert behaviour.
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import time
import tracemalloc
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

SUPPLIERS = int(os.environ.get("BENCH_SUPPLIERS", "10000"))
INTERACTIONS = int(os.environ.get("BENCH_INTERACTIONS", "200000"))
IMPORT_ROWS = int(os.environ.get("BENCH_IMPORT_ROWS", "10000"))
RNG = random.Random(12)

PLACES = ["Cannon River", "Prairie", "Driftless", "Kickapoo", "Root River", "Zumbro", "Minnesota Valley", "Red Cedar",
          "Chippewa", "Wapsipinicon", "Cedar Valley", "Big Woods", "Lake Pepin", "Whitewater", "Sugar Creek", "Maple Ridge",
          "Oak Savanna", "Turkey River", "Upper Iowa", "Blue Earth", "Crow River", "Sauk Prairie", "Baraboo", "Kettle Moraine"]  # fmt: skip
NOUNS = ["Orchard", "Gardens", "Acres", "Homestead", "Creamery", "Valley", "Hollow", "Meadows", "Ridge", "Fields", "Growers",
         "Family", "Harvest", "Produce", "Roots"]  # fmt: skip
PRODUCTS = [("Honeycrisp apples", "fruit"), ("Carrots", "vegetable"), ("Butternut squash", "vegetable"),
            ("Cheddar cheese", "dairy"), ("Yogurt", "dairy"), ("Ground beef", "meat_poultry"),
            ("Chicken drumsticks", "meat_poultry"), ("Whole wheat flour", "grain"), ("Rolled oats", "grain"),
            ("Whitefish fillets", "seafood"), ("Black beans", "legumes"), ("Salad greens", "vegetable"),
            ("Potatoes", "vegetable"), ("Strawberries", "fruit"), ("Sweet corn", "vegetable"), ("Wild rice", "grain")]  # fmt: skip
PEOPLE = [
    "Kari",
    "Luis",
    "Anna",
    "Tom",
    "Maria",
    "Deb",
    "Sam",
    "Jenna",
    "Per",
    "Hmong",
    "Ingrid",
    "Ole",
    "Nadia",
]
SURNAMES = [
    "Hanson",
    "Ortega",
    "Berg",
    "Ruud",
    "Lind",
    "Johnson",
    "Vue",
    "Price",
    "Larson",
    "Yang",
    "Nguyen",
    "Schmidt",
]
NOTES = ["Visited the farm; delivery to the central kitchen on Tuesdays works.",
         "Asked about pricing for the spring bid and minimum orders.",
         "Discussed the drumstick specification and antibiotic-use verification.",
         "Tasting at the high school went well; students liked the apples.",
         "GAP audit is scheduled; they will send the certificate after.",
         "Can pack in 5 lb bags for elementary schools.", "Follow up on storage capacity for winter squash."]  # fmt: skip


def build_lab():  # noqa: ANN201
    from accounts.models import Membership, Role, User
    from districts.models import Collaborative, District, Site, StateAgency
    from partners.models import PartnerOrganisation, Partnership

    lab = Collaborative.objects.create(name="Bench Lab", slug="bench-lab")
    agency = StateAgency.objects.create(state="MN", name="Minnesota Department of Education")
    districts = []
    for i in range(7):
        d = District.objects.create(name=f"Bench District {i}", state_agency=agency, agency_code=f"B{i}",
                                    enrollment=10_000, collaborative=lab)  # fmt: skip
        for j in range(3):
            Site.objects.create(district=d, name=f"School {j}", street="1 Main St", city="City", state="MN",
                                postal_code="55401", latitude=Decimal(f"{44 + i * 0.3 + j * 0.01:.6f}"),
                                longitude=Decimal(f"{-93.5 + i * 0.2:.6f}"))  # fmt: skip
        districts.append(d)
    partners = []
    for name in ("North Star Bench", "Driftless Bench"):
        p = PartnerOrganisation.objects.create(name=name, collaborative=lab)
        for d in districts:
            Partnership.objects.create(partner=p, district=d, start_date=date(2025, 8, 1))
        partners.append(p)
    staff = User.objects.create_user("bench-partner@example.org", "bench-password")
    Membership.objects.create(user=staff, role=Role.PARTNER_STAFF, partner=partners[0])
    other = User.objects.create_user("bench-other@example.org", "bench-password")
    Membership.objects.create(user=other, role=Role.PARTNER_STAFF, partner=partners[1])
    return lab, districts, partners, staff, other


def grow(
    lab, districts, partners, staff, other, *, suppliers: int, interactions: int, start: int = 0
) -> None:  # noqa: ANN001
    """Add ``suppliers`` suppliers (with an origin, a person, 1-3 products, some certifications)
    and ``interactions`` notes (half by each partner) with follow-ups, as the services would leave
    them (keys, search vectors, contact rows), in bulk."""
    from partners.contacts.models import FollowUp, Interaction, InteractionSupplier
    from partners.contacts.services import INTERACTION_VECTOR_SQL
    from partners.suppliers import rules, services
    from partners.suppliers.models import Certification, Origin, Product, Supplier, SupplierPerson

    today = date.today()  # noqa: DTZ011
    rows = []
    for i in range(start, start + suppliers):
        name = f"{RNG.choice(PLACES)} {RNG.choice(NOUNS)} {i}"
        rows.append(Supplier(collaborative=lab, name=name, kind=RNG.choice(["farm"] * 6 + ["processor", "food_hub",
                    "distributor"]), state="MN", city="Town", phone=f"612-{i // 10000:03d}-{i % 10000:04d}",
                    email=f"farm{i}@bench.example", name_key=rules.normalise_name(name), email_key=f"farm{i}@bench.example",
                    phone_key=rules.normalise_phone(f"612-{i // 10000:03d}-{i % 10000:04d}")))  # fmt: skip
    created = Supplier.objects.bulk_create(rows, batch_size=2000)
    Origin.objects.bulk_create([Origin(supplier=s, state="MN", city="Town", latitude=Decimal(f"{RNG.uniform(43.5, 47.5):.6f}"),
                                       longitude=Decimal(f"{RNG.uniform(-96.5, -91.0):.6f}"), coordinates_from="typed")
                                for s in created], batch_size=5000)  # fmt: skip
    SupplierPerson.objects.bulk_create([SupplierPerson(supplier=s, name=f"{RNG.choice(PEOPLE)} {RNG.choice(SURNAMES)}")
                                        for s in created], batch_size=5000)  # fmt: skip
    Product.objects.bulk_create([Product(supplier=s, name=p, category=c, months_available=[8, 9, 10])
                                 for s in created for p, c in RNG.sample(PRODUCTS, RNG.randint(1, 3))], batch_size=5000)  # fmt: skip
    Certification.objects.bulk_create([Certification(supplier=s, kind="gap", audit_date=today - timedelta(days=d),
                                                     expires_on=today - timedelta(days=d) + timedelta(days=365))
                                       for s in created if RNG.random() < 0.3 for d in [RNG.randint(0, 420)]],
                                      batch_size=5000)  # fmt: skip
    ids = [s.pk for s in created]
    for chunk in range(0, len(ids), 5000):
        services.supplier_reindex(supplier_ids=ids[chunk : chunk + 5000])
    all_ids = list(Supplier.objects.filter(collaborative=lab).values_list("pk", flat=True))
    batch = 20_000
    for offset in range(0, interactions, batch):
        n = min(batch, interactions - offset)
        notes = []
        for k in range(n):
            by_a = (offset + k) % 2 == 0
            notes.append(Interaction(collaborative=lab, occurred_on=today - timedelta(days=RNG.randint(0, 720)),
                                     kind=RNG.choice(["call", "visit", "email", "meeting"]), notes=RNG.choice(NOTES),
                                     author=staff if by_a else other, author_partner=partners[0 if by_a else 1]))  # fmt: skip
        notes = Interaction.objects.bulk_create(notes, batch_size=5000)
        links = [InteractionSupplier(interaction=n_, supplier_id=RNG.choice(all_ids), occurred_on=n_.occurred_on,
                                     author_partner_id=n_.author_partner_id) for n_ in notes]  # fmt: skip
        InteractionSupplier.objects.bulk_create(links, batch_size=5000)
        Interaction.districts.through.objects.bulk_create(
            [Interaction.districts.through(interaction_id=n_.pk, district_id=RNG.choice(districts).pk) for n_ in notes],
            batch_size=5000)  # fmt: skip
        FollowUp.objects.bulk_create([FollowUp(interaction=n_, what="Send the spec", owner_id=n_.author_id,
                                               author_partner_id=n_.author_partner_id,
                                               due_on=today + timedelta(days=RNG.randint(-30, 30)),
                                               done_on=None if RNG.random() < 0.3 else today)
                                      for n_ in notes if RNG.random() < 0.1], batch_size=5000)  # fmt: skip
        with connection.cursor() as cursor:
            cursor.execute(
                INTERACTION_VECTOR_SQL.replace("WHERE id = %s", "WHERE id = ANY(%s)"),
                [[n_.pk for n_ in notes]],
            )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def measure(label: str, fn, runs: int = 5) -> tuple[float, int]:  # noqa: ANN001
    fn()  # warm up
    times, count = [], 0
    for _ in range(runs):
        with CaptureQueriesContext(connection) as ctx:
            start = time.perf_counter()
            response = fn()
            times.append(time.perf_counter() - start)
        assert getattr(response, "status_code", 200) == 200, (label, response.status_code)
        count = len(ctx.captured_queries)
    median = statistics.median(times) * 1000
    print(f"  {label:<62} {median:8.1f} ms {count:4d} queries")
    return median, count


def measure_all(client, district) -> dict[str, int]:  # noqa: ANN001
    from partners.contacts.models import Interaction
    from partners.suppliers.models import Supplier

    print(f"{Supplier.objects.count():,} suppliers, {Interaction.objects.count():,} interactions")
    search = f"q=honeycrsip+aples&category=fruit&near={district.pk}&within=100"
    results = {}
    for label, url in [
        ("search page: misspelt words, category, within 100 mi", f"/suppliers/?{search}"),
        ("search page: plain word (many matches, ranked)", "/suppliers/?q=carrots"),
        ("search page: words only in notes (scoped)", "/suppliers/?q=drumstick+specification"),
        ("API search: misspelt words, category, within 100 mi", f"/api/v1/suppliers/?{search}"),
        ("partner dashboard", "/"),
    ]:
        results[label] = measure(label, lambda url=url: client.get(url))[1]
    return results


def bench_import(lab, staff) -> None:  # noqa: ANN001
    from partners.suppliers.imports import suppliers_import_rows

    rows = [{"name": f"Imported {RNG.choice(PLACES)} Grower {i}", "state": "WI", "email": f"import{i}@bench.example",
             "product_name": RNG.choice(PRODUCTS)[0], "product_category": "vegetable", "person_name": "Ole Larson",
             "origin_zip": RNG.choice(["54665", "54639", "54814", "53818"])} for i in range(IMPORT_ROWS)]  # fmt: skip
    tracemalloc.start()
    start = time.perf_counter()
    with CaptureQueriesContext(connection) as ctx:
        result = suppliers_import_rows(rows=rows, decisions={}, user=staff, collaborative_id=lab.pk)
    elapsed = time.perf_counter() - start
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"  import {IMPORT_ROWS:,} supplier rows (person, product, origin from ZIP): {elapsed:.1f} s, "
          f"{IMPORT_ROWS / elapsed:,.0f} rows/s, peak Python memory {peak / 2**20:.0f} MiB, "
          f"{len(ctx.captured_queries):,} queries, {len(result.created):,} created")  # fmt: skip


def main() -> None:
    from django.test import Client

    setup_test_environment()
    keep = os.environ.get("BENCH_KEEPDB") == "1"  # for profiling: build once, keep the database
    old = setup_databases(verbosity=0, interactive=False, keepdb=keep)
    try:
        from partners.suppliers.models import Supplier

        if keep and Supplier.objects.exists():
            return profile_kept()
        lab, districts, partners, staff, other = build_lab()
        client = Client()
        client.force_login(staff)
        small_s, small_i = SUPPLIERS // 10, INTERACTIONS // 10
        start = time.perf_counter()
        grow(lab, districts, partners, staff, other, suppliers=small_s, interactions=small_i)
        print(f"FOCUS Lab supplier benchmark (built in {time.perf_counter() - start:.0f} s)")
        small = measure_all(client, districts[0])
        start = time.perf_counter()
        grow(lab, districts, partners, staff, other, suppliers=SUPPLIERS - small_s, interactions=INTERACTIONS - small_i,
             start=small_s)  # fmt: skip
        print(f"(grown in {time.perf_counter() - start:.0f} s)")
        large = measure_all(client, districts[0])
        same = small == large
        print(f"query counts {'the same' if same else 'DIFFER'} at both sizes")
        bench_import(lab, staff)
    finally:
        if not keep:
            teardown_databases(old, verbosity=0)


def profile_kept() -> None:
    """With BENCH_KEEPDB=1 and the database already built: measure again, no building."""
    from django.test import Client

    from accounts.models import User
    from districts.models import District

    client = Client()
    client.force_login(User.objects.get(email="bench-partner@example.org"))
    measure_all(client, District.objects.order_by("pk").first())


if __name__ == "__main__":
    main()
