"""USDA Foods demo data for the seven-district lab, in the school year running today (July 1 to
June 30): the state's lunch counts for the two years before it, so this year's entitlements and
last year's (with its 12 percent share) compute; a small available list; the Minnesota survey and
an open order window with orders.

The app ships per-meal values and rates only where it has a citation (DOMAIN.md). For the recent
years the demo needs, it enters clearly labelled demo values (citation "DEMO VALUE — …", dated
January 1 so that any real notice published for the year supersedes them), which the pages badge
until a reference-data editor enters the Federal Register notice."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from accounts.models import Membership, Role
from districts.models import District, StateAgency
from focus_lab.text import possessive
from usda_foods.corrections.models import CorrectionKind, DataCorrection
from usda_foods.corrections.services import correction_propose
from usda_foods.deliveries.demo import seed_processing
from usda_foods.entitlements.models import (
    DEMO_VALUE_CITATION,
    LunchCategory,
    LunchCount,
    PerMealValue,
    ReimbursementRate,
)
from usda_foods.entitlements.rules.values import SchoolYear
from usda_foods.entitlements.services.entitlements import entitlements_recompute
from usda_foods.entitlements.services.reference import per_meal_value_create, reference_value_save
from usda_foods.ordering.models import CatalogItem, Order, OrderStatus, OrderWindow, Survey
from usda_foods.ordering.services.orders import delivery_sites_for, order_create, order_line_set, order_submit
from usda_foods.ordering.services.windows import window_create
from usda_foods.shipping.coordination.demo import seed_joint_truck
from usda_foods.shipping.demo import SPRING, seed_spring

# Demo reference values, not published figures: plausible steps up from the last cited years
# (per-meal value 23.75 cents in 2019-20, rates $4.43 / $4.03 / $0.42 in 2024-25). A year not
# listed here carries the latest earlier value forward, still labelled as a demo value.
DEMO_PER_MEAL_CENTS = {"2025-26": Decimal("36.00"), "2026-27": Decimal("37.00")}
DEMO_RATES = {
    "2025-26": {"free": Decimal("4.60"), "reduced": Decimal("4.20"), "paid": Decimal("0.44")},
    "2026-27": {"free": Decimal("4.74"), "reduced": Decimal("4.34"), "paid": Decimal("0.45")},
}
DEMO_NOTE = (
    "Entered by the demo seed: no publication is on file for this year. Replace it with the real notice."
)


def demo_years(today: date | None = None) -> tuple[str, str, str]:
    """(this school year, the previous one, the one before): the demo's order year, the lunch
    counts its COV uses, and the counts behind last year's COV."""
    year = SchoolYear.of(today or timezone.localdate())
    return str(year), str(year.previous()), str(year.previous().previous())


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
    school_year, prior_year, earlier_year = demo_years()
    for year in (prior_year, school_year):
        _seed_demo_reference_values(year, out)
    districts = {d.name: d for d in District.objects.filter(name__in=LUNCHES)}
    for name, (free, reduced, paid) in LUNCHES.items():
        district = districts[name]
        LunchCount.objects.get_or_create(district=district, school_year=prior_year,
                                         defaults={"free": free, "reduced": reduced, "paid": paid})  # fmt: skip
        LunchCount.objects.get_or_create(district=district, school_year=earlier_year,
                                         defaults={"free": free * 98 // 100, "reduced": reduced * 98 // 100,
                                                   "paid": paid * 98 // 100})  # fmt: skip
    lab = District.objects.filter(pk__in=[d.pk for d in districts.values()])
    for year in (prior_year, school_year):
        entitlements_recompute(school_year=year, districts=lab)
    items = {}
    for code, description, category, pack, weight, per_truck, price, bulk in CATALOG:
        items[code], _ = CatalogItem.objects.get_or_create(
            school_year=school_year, material_code=code,
            defaults={"description": description, "category": category, "pack_description": pack,
                      "net_case_weight_lb": Decimal(weight), "cases_per_truckload": per_truck,
                      "unit_price": Decimal(price), "is_bulk_for_processing": bulk},
        )  # fmt: skip
    minnesota = StateAgency.objects.get(state="MN")
    now = timezone.now()
    survey, created = Survey.objects.get_or_create(
        state_agency=minnesota, school_year=school_year,
        defaults={"title": f"SY{school_year} USDA Foods preferences", "opens_at": now - timedelta(days=30),
                  "closes_at": now + timedelta(days=30)},
    )  # fmt: skip
    if created:
        survey.offered_items.set([items[c] for c in ("100117", "110480", "100036", "100329", "100360")])
    window = OrderWindow.objects.filter(
        state_agency=minnesota, school_year=school_year, name="Winter delivery"
    ).first()
    if window is None:
        year = SchoolYear.parse(school_year)
        reviewer = Membership.objects.filter(role=Role.SDA_REVIEWER, state_agency=minnesota).select_related(
            "user"
        )
        window = window_create(
            state_agency=minnesota, school_year=school_year, name="Winter delivery",
            opens_at=_within(year, now - timedelta(days=3)), closes_at=_within(year, now + timedelta(days=14)),
            delivery_start=timezone.localdate(_within(year, now + timedelta(days=21))),
            delivery_end=timezone.localdate(_within(year, now + timedelta(days=42))),
            offered_items=survey.offered_items.all(), user=reviewer.first().user,
        )  # fmt: skip
        out.append(
            f"Order window “{window.name}” open until {timezone.localtime(window.closes_at):%b %d, %Y}."
        )
    for name, lines in ORDERS.items():
        district = districts[name]
        if Order.objects.filter(district=district, window=window).exists():
            continue
        manager = Membership.objects.filter(
            district=district, role__in=[Role.DISTRICT_MANAGER, Role.DISTRICT_VIEWER]
        ).first()
        user = manager.user if manager else None
        order = order_create(district=district, window=window, user=user)
        site = delivery_sites_for(district).order_by("pk").first()
        for code, cases in lines:
            order_line_set(
                order_id=order.pk, catalog_item=items[code], cases=cases, delivery_site=site, user=user
            )
        if name == "Minneapolis Public Schools":  # one submitted order waits in the reviewer's queue
            order_submit(order_id=order.pk, user=user)
    _seed_correction(districts["Minneapolis Public Schools"], prior_year, out)
    seed_processing(school_year=school_year, out=out)
    seed_spring(school_year=school_year, out=out)
    seed_joint_truck(school_year=school_year, window_name=SPRING, out=out)
    out.append(f"USDA Foods: {len(LUNCHES)} entitlements for SY{school_year} (and SY{prior_year}), "
               f"{len(CATALOG)} foods, "
               f"{Order.objects.filter(window=window, status=OrderStatus.SUBMITTED).count()} order(s) to review.")  # fmt: skip


def _within(year: SchoolYear, moment: datetime) -> datetime:
    """``moment`` moved inside the school year (a window's dates belong to its year), so a seed run
    in late June still makes a valid window."""
    first = timezone.make_aware(datetime.combine(year.first_day, time.min))
    last = timezone.make_aware(datetime.combine(year.last_day, time(23, 59)))
    return min(max(moment, first), last)


def _seed_demo_reference_values(school_year: str, out: list[str]) -> None:
    """A labelled demo per-meal value and demo reimbursement rates for a year that has none on
    file; a year with published values is left alone, so real notices are never overwritten."""
    if not PerMealValue.objects.filter(school_year=school_year).exists():
        earlier = PerMealValue.objects.filter(school_year__lt=school_year).order_by(
            "-school_year", "-published_on"
        )
        cents = DEMO_PER_MEAL_CENTS.get(school_year) or earlier.values_list("cents", flat=True).first()
        if cents is not None:
            start = SchoolYear.parse(school_year).start
            per_meal_value_create(
                school_year=school_year, cents=cents, citation=DEMO_VALUE_CITATION, published_on=date(start, 1, 1),
                notes=DEMO_NOTE, user=None,
            )  # fmt: skip
            out.append(
                f"SY{school_year} per-meal value: {cents}¢ DEMO VALUE (replace it with the published notice)."
            )
    have = set(ReimbursementRate.objects.filter(school_year=school_year).values_list("category", flat=True))
    for category in LunchCategory.values:
        if category in have:
            continue
        dollars = DEMO_RATES.get(school_year, {}).get(category) or (
            ReimbursementRate.objects.filter(school_year__lt=school_year, category=category)
            .order_by("-school_year").values_list("dollars", flat=True).first()
        )  # fmt: skip
        if dollars is not None:
            reference_value_save(
                value=ReimbursementRate(school_year=school_year, category=category, dollars=dollars,
                                        citation=DEMO_VALUE_CITATION),
                user=None,
            )  # fmt: skip


def _seed_correction(district: District, prior_year: str, out: list[str]) -> None:
    """Minneapolis's manager proposes a correction to the state's lunch counts of the previous
    year, so the Minnesota reviewer has one to decide (once: a decided one is not proposed again)."""
    if DataCorrection.objects.filter(district=district).exists():
        return
    manager = (
        Membership.objects.filter(district=district, role=Role.DISTRICT_MANAGER)
        .select_related("user")
        .first()
    )
    count = LunchCount.objects.filter(district=district, school_year=prior_year).first()
    if manager is None or count is None:
        return
    correction = correction_propose(
        district=district, user=manager.user, kind=CorrectionKind.LUNCH_COUNTS, school_year=prior_year,
        free=count.free, reduced=count.reduced, paid=count.paid + 12_000,
        reason="Our amended May claim added 12,000 paid lunches served at the summer-bridge sites.",
    )  # fmt: skip
    out.append(f"{correction} waits for {possessive(district.state_agency.name)} decision.")
