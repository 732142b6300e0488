"""USDA Foods demo data for the seven-district lab: lunch counts for SY2018-19 and SY2019-20 (the
latest year with a published per-meal value in the reference data, 23.75 cents), so entitlements
compute; a small available list; the Minnesota survey and an open order window with orders."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from accounts.models import Membership, Role
from districts.models import District, StateAgency
from focus_lab.text import possessive
from usda_foods import services
from usda_foods.models import (
    CatalogItem,
    CorrectionKind,
    DataCorrection,
    LunchCount,
    Order,
    OrderStatus,
    OrderWindow,
    Survey,
)

SCHOOL_YEAR, PRIOR_YEAR = "2019-20", "2018-19"

# district name: (free, reduced, paid) lunches per year; the prior year about 2% lower
LUNCHES = {
    "Minneapolis Public Schools": (2_900_000, 310_000, 1_450_000),
    "Saint Paul Public Schools": (3_300_000, 280_000, 1_350_000),
    "Madison Metropolitan School District": (1_650_000, 190_000, 1_500_000),
    "Milwaukee Public Schools": (8_100_000, 120_000, 900_000),
    "Des Moines Public Schools": (2_700_000, 260_000, 1_100_000),
    "Cedar Rapids Community School District": (900_000, 140_000, 1_050_000),
    "Rockford Public Schools": (2_800_000, 150_000, 800_000),
}

# material code, description, category, pack, net lb, cases per truck, price per case, bulk
CATALOG = [
    ("100117", "Beans, green, canned", "vegetable", "6/#10 cans", "40.50", 1400, "23.10", False),
    ("110480", "Apples, fresh", "fruit", "40 lb box", "40.00", 1000, "28.75", False),
    ("100220", "Peaches, cling, diced, canned", "fruit", "6/#10 cans", "42.00", 1360, "31.20", False),
    ("100101", "Chicken, bulk, chilled, for processing", "meat", "40 lb box", "40.00", 1000, "85.00", True),
    ("100158", "Beef, fine ground, frozen", "meat", "4/10 lb", "40.00", 1000, "132.40", False),
    ("100036", "Cheese, cheddar, reduced fat, shredded", "dairy", "4/5 lb", "20.00", 1800, "54.60", False),
    ("100329", "Rice, brown, long grain", "grain", "25 lb bag", "25.00", 1600, "14.90", False),
    ("110230", "Flour, whole wheat", "grain", "50 lb bag", "50.00", 880, "19.80", False),
    ("100396", "Oil, vegetable", "oil", "6/1 gal", "45.00", 1000, "42.50", False),
    ("100360", "Sweet potatoes, fresh", "vegetable", "40 lb box", "40.00", 1000, "24.00", False),
]

# district -> (material code, cases) lines in the demo window's orders
ORDERS = {
    "Minneapolis Public Schools": [("100117", 320), ("110480", 410), ("100036", 150)],
    "Saint Paul Public Schools": [("100117", 280), ("110480", 250), ("100329", 240)],
}


@transaction.atomic
def seed_usda_foods(*, out: list[str]) -> None:
    districts = {d.name: d for d in District.objects.filter(name__in=LUNCHES)}
    for name, (free, reduced, paid) in LUNCHES.items():
        district = districts[name]
        LunchCount.objects.get_or_create(district=district, school_year=SCHOOL_YEAR,
                                         defaults={"free": free, "reduced": reduced, "paid": paid})  # fmt: skip
        LunchCount.objects.get_or_create(district=district, school_year=PRIOR_YEAR,
                                         defaults={"free": free * 98 // 100, "reduced": reduced * 98 // 100,
                                                   "paid": paid * 98 // 100})  # fmt: skip
    services.entitlements_recompute(
        school_year=SCHOOL_YEAR, districts=District.objects.filter(pk__in=[d.pk for d in districts.values()])
    )
    items = {}
    for code, description, category, pack, weight, per_truck, price, bulk in CATALOG:
        items[code], _ = CatalogItem.objects.get_or_create(
            school_year=SCHOOL_YEAR, material_code=code,
            defaults={"description": description, "category": category, "pack_description": pack,
                      "net_case_weight_lb": Decimal(weight), "cases_per_truckload": per_truck,
                      "unit_price": Decimal(price), "is_bulk_for_processing": bulk},
        )  # fmt: skip
    minnesota = StateAgency.objects.get(state="MN")
    now = timezone.now()
    survey, created = Survey.objects.get_or_create(
        state_agency=minnesota, school_year=SCHOOL_YEAR,
        defaults={"title": "SY2019-20 USDA Foods preferences", "opens_at": now - timedelta(days=30),
                  "closes_at": now + timedelta(days=30)},
    )  # fmt: skip
    if created:
        survey.offered_items.set([items[c] for c in ("100117", "110480", "100036", "100329", "100360")])
    window = OrderWindow.objects.filter(
        state_agency=minnesota, school_year=SCHOOL_YEAR, name="Winter delivery"
    ).first()
    if window is None:
        window = OrderWindow.objects.create(
            state_agency=minnesota, school_year=SCHOOL_YEAR, name="Winter delivery", opens_at=now - timedelta(days=3),
            closes_at=now + timedelta(days=14), delivery_start=(now + timedelta(days=21)).date(),
            delivery_end=(now + timedelta(days=42)).date(),
        )  # fmt: skip
        window.offered_items.set(survey.offered_items.all())
        out.append(f"Order window “{window.name}” open until {timezone.localtime(window.closes_at):%b %d}.")
    for name, lines in ORDERS.items():
        district = districts[name]
        if Order.objects.filter(district=district, window=window).exists():
            continue
        manager = Membership.objects.filter(
            district=district, role__in=[Role.DISTRICT_MANAGER, Role.DISTRICT_VIEWER]
        ).first()
        user = manager.user if manager else None
        order = services.order_create(district=district, window=window, user=user)
        site = services.delivery_sites_for(district).order_by("pk").first()
        for code, cases in lines:
            services.order_line_set(
                order_id=order.pk, catalog_item=items[code], cases=cases, delivery_site=site, user=user
            )
        if name == "Minneapolis Public Schools":  # one submitted order waits in the reviewer's queue
            services.order_submit(order_id=order.pk, user=user)
    _seed_correction(districts["Minneapolis Public Schools"], out)
    out.append(f"USDA Foods: {len(LUNCHES)} entitlements for SY{SCHOOL_YEAR}, {len(CATALOG)} foods, "
               f"{Order.objects.filter(window=window, status=OrderStatus.SUBMITTED).count()} order(s) to review.")  # fmt: skip


def _seed_correction(district: District, out: list[str]) -> None:
    """Minneapolis's manager proposes a correction to the state's SY2018-19 lunch counts, so the
    Minnesota reviewer has one to decide (once: a decided one is not proposed again)."""
    if DataCorrection.objects.filter(district=district).exists():
        return
    manager = (
        Membership.objects.filter(district=district, role=Role.DISTRICT_MANAGER)
        .select_related("user")
        .first()
    )
    count = LunchCount.objects.filter(district=district, school_year=PRIOR_YEAR).first()
    if manager is None or count is None:
        return
    correction = services.correction_propose(
        district=district, user=manager.user, kind=CorrectionKind.LUNCH_COUNTS, school_year=PRIOR_YEAR,
        free=count.free, reduced=count.reduced, paid=count.paid + 12_000,
        reason="Our amended May claim added 12,000 paid lunches served at the summer-bridge sites.",
    )  # fmt: skip
    out.append(f"{correction} waits for {possessive(district.state_agency.name)} decision.")
