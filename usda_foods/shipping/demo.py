"""Demo of issue 18: a spring order window in each of the lab's four states with approved orders
from all seven districts (those with an entitlement to order against), and a later window in each, so that the spring plans show split trucks
(two districts on one truck) and a carry-over (a food under a truck waits for the later window)
and no cut. Minnesota also records a state warehouse (its fees come from the fee schedule).
Idempotent: a second run finds the windows and does nothing."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from accounts.models import User
from districts.models import District, StateAgency
from usda_foods.entitlements.models import Entitlement
from usda_foods.entitlements.rules.values import SchoolYear
from usda_foods.ordering.models import CatalogItem, OrderWindow
from usda_foods.ordering.services.orders import (
    delivery_sites_for,
    order_approve,
    order_create,
    order_line_set,
    order_submit,
)
from usda_foods.ordering.services.windows import window_create
from usda_foods.shipping.models import CarryOver, ShipmentPlan, StateWarehouse
from usda_foods.shipping.services import shipment_plan_compute

SPRING, LATE = "Spring delivery", "Late spring delivery"
# district -> (material code, cases). Per state: apples (1,000 a truck) split between two districts;
# beans (1,400 a truck) under a truck, so they wait for the late spring window (in Minnesota and
# Wisconsin, 900 + 500: one joint truck, ``coordination.demo``); rice a full truck.
SPRING_ORDERS = {
    "Minneapolis Public Schools": [("110480", 600), ("100117", 500)],
    "Saint Paul Public Schools": [("110480", 400), ("100117", 400), ("100329", 1600)],
    "Madison Metropolitan School District": [("110480", 1000), ("100117", 500), ("100329", 1600)],
    "Milwaukee Public Schools": [("110480", 550), ("100329", 1600)],
    "Des Moines Public Schools": [("110480", 700), ("100117", 400)],
    "Cedar Rapids Community School District": [("110480", 300)],
    "Rockford Public Schools": [("110480", 1000), ("100117", 350)],
}
WAREHOUSE = ("MDE USDA Foods warehouse (demo)", "1500 Hwy 36 W, Roseville, MN 55113", "45.013", "-93.164")


def _at(year: SchoolYear, moment: datetime) -> datetime | None:
    """``moment`` if it falls inside the school year, else None (the demo then skips)."""
    first = timezone.make_aware(datetime.combine(year.first_day, time.min))
    last = timezone.make_aware(datetime.combine(year.last_day, time(12)))
    return moment if first <= moment <= last else None


def seed_spring(*, school_year: str, out: list[str]) -> None:
    if OrderWindow.objects.filter(school_year=school_year, name=SPRING).exists():
        return
    year, now = SchoolYear.parse(school_year), timezone.now()
    moments = [_at(year, now + timedelta(days=d)) for d in (-6, 10, 20, 50, 11, 25, 55, 80)]
    if any(m is None for m in moments):
        out.append("Spring windows: too late in the school year for a window and a later one; skipped.")
        return
    opens, closes, first_day, last_day, late_opens, late_closes, late_first, late_last = moments
    admin = User.objects.filter(is_superuser=True).order_by("pk").first()
    if admin is None:
        out.append("Spring windows: no superuser to act for the four state agencies; skipped.")
        return
    foods = CatalogItem.objects.filter(
        school_year=school_year, material_code__in=["110480", "100117", "100329"]
    )
    districts = {
        d.name: d for d in District.objects.filter(name__in=SPRING_ORDERS).select_related("state_agency")
    }
    states = {d.state_agency for d in districts.values()}
    minnesota = StateAgency.objects.get(state="MN")
    StateWarehouse.objects.get_or_create(state_agency=minnesota, name=WAREHOUSE[0],
                                         defaults={"address": WAREHOUSE[1], "latitude": Decimal(WAREHOUSE[2]),
                                                   "longitude": Decimal(WAREHOUSE[3])})  # fmt: skip
    windows = {}
    for state in sorted(states, key=lambda s: s.state):
        windows[state.pk] = window_create(
            state_agency=state, school_year=school_year, name=SPRING, opens_at=opens, closes_at=closes,
            delivery_start=timezone.localdate(first_day), delivery_end=timezone.localdate(last_day),
            offered_items=foods, user=admin,
        )  # fmt: skip
        window_create(state_agency=state, school_year=school_year, name=LATE, opens_at=late_opens,
                      closes_at=late_closes, delivery_start=timezone.localdate(late_first),
                      delivery_end=timezone.localdate(late_last), offered_items=foods, user=admin)  # fmt: skip
    by_code = {f.material_code: f for f in foods}
    during = opens + timedelta(hours=1)
    skipped = []
    for name, lines in SPRING_ORDERS.items():
        district = districts[name]
        if not Entitlement.objects.filter(district=district, school_year=school_year,
                                          planned_assistance_level__isnull=False).exists():  # fmt: skip
            skipped.append(name)  # Milwaukee, a commodity school without its Section 4 payment on file
            continue
        order = order_create(
            district=district, window=windows[district.state_agency_id], user=admin, now=during
        )
        site = delivery_sites_for(district).order_by("pk").first()
        for code, cases in lines:
            order_line_set(order_id=order.pk, catalog_item=by_code[code], cases=cases, delivery_site=site,
                           user=admin, now=during)  # fmt: skip
        order_submit(order_id=order.pk, user=admin, now=during)
        order_approve(order_id=order.pk, user=admin, comment="Approved for the spring plan")
    for window in windows.values():
        plan = ShipmentPlan.objects.create(window=window, created_by=admin)
        shipment_plan_compute(plan_id=plan.pk)
    mn = ShipmentPlan.objects.filter(window=windows[minnesota.pk]).get()
    waiting = sum(CarryOver.objects.filter(window__name=SPRING).values_list("cases", flat=True))
    out.append(f"Spring windows in {len(windows)} states with orders from {len(SPRING_ORDERS) - len(skipped)} districts: "
               f"Minnesota's plan #{mn.pk} has {mn.trucks} trucks, {mn.adjusted_cases} cases adjusted; "
               f"{waiting:,} cases wait for a full truck in the late spring windows."
               + (f" No entitlement to order against: {', '.join(skipped)}." if skipped else ""))  # fmt: skip
