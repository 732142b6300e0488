"""Builders for delivery tests: Alpha (ours) and Delta, a co-op member, order beans (100 cases a
truck, $10.00 a case) to the co-op's receiving site at Alpha and chicken diverted to a processor;
the orders are approved, planned and released."""

from __future__ import annotations

from decimal import Decimal as D

from accounts.models import Role
from tests.factories import CoopFactory, DistrictFactory, SiteFactory, member
from tests.usda_foods.ordering_fixtures import catalog_item, fund, open_window
from tests.usda_foods.processing_fixtures import chicken, processor
from tests.usda_foods.shipping_fixtures import run_plan
from usda_foods.deliveries.services import deliveries_release
from usda_foods.models import ExpectedDelivery, OrderLine
from usda_foods.ordering.services.orders import order_approve, order_create, order_line_set, order_submit
from usda_foods.processing.services.diversion import order_line_divert


def released(district, manager, mn_agency, reviewer) -> dict:
    site = SiteFactory(district=district, name="Alpha Warehouse", latitude=D("44.98"), longitude=D("-93.27"))
    delta = DistrictFactory(state_agency=mn_agency, name="Delta Schools")
    delta_manager = member(Role.DISTRICT_MANAGER, delta, email="m@delta.example")
    CoopFactory(lead_district=district, receiving_site=site, members=[delta])
    beans = catalog_item("100117", "10.00", per_truck=100, description="Beans, green, canned")
    food = chicken()
    proc = processor(mn_agency, food)
    window = open_window(mn_agency, [beans, food])
    orders = {}
    for who, user, cases, chicken_cases in ((district, manager, 60, 600), (delta, delta_manager, 40, 400)):
        fund(who, lunches=1_000_000)  # $237,500
        order = order_create(district=who, window=window, user=user)
        order_line_set(order_id=order.pk, catalog_item=beans, cases=cases, delivery_site=site, user=user)
        order_line_set(
            order_id=order.pk, catalog_item=food, cases=chicken_cases, delivery_site=site, user=user
        )
        line = OrderLine.objects.get(order=order, catalog_item=food)
        order_line_divert(line_id=line.pk, processor=proc, user=user)
        order_submit(order_id=order.pk, user=user)
        orders[who.pk] = order_approve(order_id=order.pk, user=reviewer)
    plan = run_plan(window, reviewer)
    assert plan.status == "done", plan.message
    deliveries_release(plan=plan, user=reviewer)
    return {"site": site, "delta": delta, "delta_manager": delta_manager, "beans": beans, "chicken": food,
            "proc": proc, "window": window, "orders": orders, "plan": plan,
            "beans_delivery": ExpectedDelivery.objects.get(food=beans),
            "chicken_delivery": ExpectedDelivery.objects.get(food=food)}  # fmt: skip
