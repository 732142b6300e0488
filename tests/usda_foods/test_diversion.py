"""Diversion: an order line of a bulk food goes to a processor; the shipment planner delivers it
there (the processor is a delivery location), and the stop, the CSV and the pages name it."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.urls import reverse

from focus_lab.errors import DomainError
from tests.factories import SiteFactory
from tests.usda_foods.ordering_fixtures import catalog_item, fund, open_window
from tests.usda_foods.processing_fixtures import chicken, processor
from tests.usda_foods.shipping_fixtures import run_plan
from usda_foods.models import OrderLine, PlanStop
from usda_foods.ordering.services.orders import order_approve, order_create, order_line_set, order_submit
from usda_foods.processing.services.diversion import order_line_divert
from usda_foods.shipping.export import plan_rows, plan_trucks

pytestmark = pytest.mark.django_db


@pytest.fixture
def ordered(district, mn_agency, manager):
    """A draft order of 1,000 cases of chicken (a full truck) and 100 of beans at Alpha High."""
    food, beans = (
        chicken(),
        catalog_item("100117", "10.00", per_truck=100, description="Beans, green, canned"),
    )
    site = SiteFactory(
        district=district, name="Alpha High School", latitude=D("44.98"), longitude=D("-93.27")
    )
    fund(district, lunches=1_000_000)
    window = open_window(mn_agency, [food, beans])
    order = order_create(district=district, window=window, user=manager)
    line = order_line_set(order_id=order.pk, catalog_item=food, cases=1000, delivery_site=site, user=manager)
    order_line_set(order_id=order.pk, catalog_item=beans, cases=100, delivery_site=site, user=manager)
    return {"food": food, "beans": beans, "site": site, "window": window, "order": order,
            "line": OrderLine.objects.get(order=order, catalog_item=food), "proc": processor(mn_agency, food),
            "_line": line}  # fmt: skip


def test_a_bulk_line_is_diverted_and_the_planner_delivers_to_the_processor(ordered, manager, sda_reviewer):
    order_line_divert(line_id=ordered["line"].pk, processor=ordered["proc"], user=manager)
    order_submit(order_id=ordered["order"].pk, user=manager)
    order_approve(order_id=ordered["order"].pk, user=sda_reviewer)
    plan = run_plan(ordered["window"], sda_reviewer)
    assert plan.status == "done", plan.message
    chicken_stop = PlanStop.objects.get(truck__food=ordered["food"])
    beans_stop = PlanStop.objects.get(truck__food=ordered["beans"])
    assert (
        chicken_stop.processor == ordered["proc"] and chicken_stop.site is None and chicken_stop.cases == 1000
    )
    assert beans_stop.site == ordered["site"] and beans_stop.processor is None
    rows = {row[1]: row for row in plan_rows(plan_trucks(plan))}
    assert rows["Chicken, chilled, bulk"][5:7] == ["North Star Poultry", "processor (diverted)"]
    assert (
        "North Star Poultry"
        in plan.result["trucks"][0]["stops"][0]["location"] + plan.result["trucks"][1]["stops"][0]["location"]
    )
    page = __import__("django.test", fromlist=["Client"]).Client()
    page.force_login(sda_reviewer)
    assert "North Star Poultry" in page.get(plan.get_absolute_url()).content.decode()


def test_diversion_rules(ordered, manager, viewer, mn_agency, wi_agency):
    beans_line = OrderLine.objects.get(order=ordered["order"], catalog_item=ordered["beans"])
    with pytest.raises(DomainError, match="not a bulk food"):
        order_line_divert(line_id=beans_line.pk, processor=ordered["proc"], user=manager)
    with pytest.raises(DomainError, match="managers"):
        order_line_divert(line_id=ordered["line"].pk, processor=ordered["proc"], user=viewer)
    elsewhere = processor(wi_agency, ordered["food"], name="Badger Foods")
    with pytest.raises(DomainError, match="another state agency"):
        order_line_divert(line_id=ordered["line"].pk, processor=elsewhere, user=manager)
    picky = processor(
        mn_agency, catalog_item("100150", "120.00", is_bulk_for_processing=True), name="Beef Only"
    )
    with pytest.raises(DomainError, match="does not accept"):
        order_line_divert(line_id=ordered["line"].pk, processor=picky, user=manager)
    order_line_divert(line_id=ordered["line"].pk, processor=ordered["proc"], user=manager)
    order_line_divert(line_id=ordered["line"].pk, processor=None, user=manager)  # back to the site
    assert OrderLine.objects.get(pk=ordered["line"].pk).diverted_to is None


def test_diversion_page_as_manager_and_outsider(ordered, member_client, outsider_client, readonly_client):
    url = reverse("usda_foods:order-diversions", args=[ordered["order"].pk])
    page = member_client.get(url).content.decode()
    assert "Chicken, chilled, bulk" in page and "Beans" not in page and "North Star Poultry" in page
    assert (
        member_client.post(url, {"line": ordered["line"].pk, "processor": ordered["proc"].pk}).status_code
        == 302
    )
    assert OrderLine.objects.get(pk=ordered["line"].pk).diverted_to == ordered["proc"]
    assert outsider_client.get(url).status_code == 404
    assert outsider_client.post(url, {"line": ordered["line"].pk, "processor": ""}).status_code == 404
    assert readonly_client.post(url, {"line": ordered["line"].pk, "processor": ""}).status_code == 403
    assert OrderLine.objects.get(pk=ordered["line"].pk).diverted_to == ordered["proc"]
