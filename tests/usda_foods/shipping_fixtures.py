"""Builders for shipment-plan tests: four MN districts with sites, funded entitlements and
managers, an open window offering beans (100 cases a truck), approved orders and plans."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from accounts.models import Role
from focus_lab.jobs.models import JobStatus
from tests.factories import DistrictFactory, SiteFactory, member
from tests.usda_foods.ordering_fixtures import catalog_item, fund, open_window
from usda_foods.models import PlanAdjustment, PlanStop, PlanTruck, ShipmentPlan
from usda_foods.ordering.services.orders import order_approve, order_create, order_line_set, order_submit
from usda_foods.shipping.services import shipment_plan_start
from usda_foods.shipping.tasks import shipment_plan_run

COORDS = [("44.98", "-93.27"), ("44.95", "-93.09"), ("45.10", "-93.40"), ("44.80", "-93.20")]


def build_lab(mn_agency) -> dict:
    """Four MN districts, each with one site, a funded entitlement and a manager, and an open
    window offering beans (100 cases a truck). The API tests build theirs the same way."""
    beans = catalog_item("100117", "10.00", per_truck=100, description="Beans, green, canned")
    districts = []
    for n, (lat, lon) in enumerate(COORDS):
        district = DistrictFactory(state_agency=mn_agency, name=f"District {n}")
        SiteFactory(district=district, name=f"Kitchen {n}", latitude=Decimal(lat), longitude=Decimal(lon),
                    street=f"{n}00 Main St", city="Minneapolis", postal_code="55401")  # fmt: skip
        fund(district)
        districts.append((district, member(Role.DISTRICT_MANAGER, district, email=f"m{n}@example.org")))
    window = open_window(mn_agency, [beans])
    return {"beans": beans, "window": window, "districts": districts}


def approve(lab, reviewer, cases: list[int]) -> list:
    orders = []
    for (district, manager), n in zip(lab["districts"], cases, strict=False):
        order = order_create(district=district, window=lab["window"], user=manager)
        order_line_set(order_id=order.pk, catalog_item=lab["beans"], cases=n,
                                delivery_site=district.sites.get(), user=manager)  # fmt: skip
        order_submit(order_id=order.pk, user=manager)
        orders.append(order_approve(order_id=order.pk, user=reviewer))
    return orders


def run_plan(window, user, **rules) -> ShipmentPlan:
    plan = shipment_plan_start(window=window, user=user, **rules)
    shipment_plan_run.delay(plan.pk)
    plan.refresh_from_db()
    return plan


def manager_of(lab, n: int):
    return lab["districts"][n][1]


def stored_plan(lab, reviewer, trucks: int) -> ShipmentPlan:
    """A done plan of ``trucks`` two-stop trucks and one adjustment per site, written directly."""
    plan = ShipmentPlan.objects.create(window=lab["window"], created_by=reviewer, status=JobStatus.DONE,
                                       trucks=trucks, trucks_bound=trucks, total=1, progress=1)  # fmt: skip
    sites = [district.sites.get() for district, _ in lab["districts"]]
    for n in range(1, trucks + 1):
        truck = PlanTruck.objects.create(plan=plan, food=lab["beans"], number=n, cases=100,
                                         distance_km=Decimal("12.5"), delivery_date=date(2019, 10, 1))  # fmt: skip
        PlanStop.objects.bulk_create([PlanStop(truck=truck, site=sites[n % 4], sequence=1, cases=50),
                                      PlanStop(truck=truck, site=sites[(n + 1) % 4], sequence=2, cases=50)])  # fmt: skip
    PlanAdjustment.objects.bulk_create(
        PlanAdjustment(plan=plan, food=lab["beans"], site=site, requested_cases=20, proposed_cases=5, cases=5,
                       reason="requests must add up to whole truckloads")
        for site in sites
    )  # fmt: skip
    return plan
