"""A shipment plan in a real browser: an SDA reviewer opens a window's plans page and runs a plan;
the plan page shows the progress bar (polled with htmx) and then, without a reload, the plan:
figures, the SVG map and the trucks table; the reviewer sends the proposed adjustments to the districts. A
district manager then finds their drops on "My deliveries". Screenshots land in
artifacts/screenshots/shipping-NN-*.png."""

from __future__ import annotations

import os
import re
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from accounts.models import Role
from focus_lab.jobs.models import JobStatus
from tests.browser.conftest import CHROMIUM, NO_CHROMIUM
from tests.browser.test_roles import log_in
from tests.factories import DistrictFactory, SiteFactory, member
from tests.usda_foods.ordering_fixtures import catalog_item, fund, open_window
from usda_foods.models import AdjustmentStatus, PlanStop, ShipmentPlan
from usda_foods.ordering.services.orders import order_approve, order_create, order_line_set, order_submit
from usda_foods.shipping.services import shipment_plan_compute
from usda_foods.shipping.tasks import shipment_plan_run

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = [pytest.mark.browser, pytest.mark.skipif(not CHROMIUM.exists(), reason=NO_CHROMIUM)]

# Eight SFAs around the Twin Cities: (name, lat, lon, cases of beans, cases of apples).
SFAS = [
    ("Anoka", "45.198", "-93.387", 50, 20),
    ("Bloomington", "44.840", "-93.298", 25, 20),
    ("Edina", "44.889", "-93.349", 25, 0),
    ("Roseville", "45.006", "-93.156", 60, 30),
    ("Stillwater", "45.056", "-92.806", 40, 10),
    ("Shakopee", "44.798", "-93.527", 20, 0),
    ("Hastings", "44.744", "-92.852", 80, 0),
    ("Wayzata", "44.974", "-93.506", 30, 0),
]


def test_reviewer_runs_a_plan_and_a_district_sees_its_drops(page: Page, mn_agency, sda_reviewer, screenshots,
                                                            monkeypatch):  # fmt: skip
    beans = catalog_item("100117", "10.00", per_truck=100, description="Beans, green, canned")
    apples = catalog_item("100220", "12.00", per_truck=40, description="Apples, fresh")
    window = open_window(mn_agency, [beans, apples], name="Fall window")
    managers = {}
    for name, lat, lon, bean_cases, apple_cases in SFAS:
        district = DistrictFactory(state_agency=mn_agency, name=f"{name} Public Schools")
        site = SiteFactory(district=district, name=f"{name} Central Kitchen", latitude=Decimal(lat),
                           longitude=Decimal(lon))  # fmt: skip
        fund(district)
        manager = member(Role.DISTRICT_MANAGER, district, email=f"{name.lower()}@example.org")
        managers[name] = manager
        order = order_create(district=district, window=window, user=manager)
        for food, cases in ((beans, bean_cases), (apples, apple_cases)):
            if cases:
                order_line_set(order_id=order.pk, catalog_item=food, cases=cases, delivery_site=site,
                                        user=manager)  # fmt: skip
        order_submit(order_id=order.pk, user=manager)
        order_approve(order_id=order.pk, user=sda_reviewer)

    def shot(n: int, name: str) -> None:
        page.screenshot(path=screenshots / f"shipping-{n:02d}-{name}.png", full_page=True)

    # The reviewer opens the window's plans: none yet, and the form with FD-125's defaults.
    log_in(page, sda_reviewer.email)
    page.goto(f"/usda-foods/windows/{window.pk}/plans/")
    expect(page.get_by_role("heading", name="Shipment plans")).to_be_visible()
    expect(page.get_by_label("Stops a truck, at most")).to_have_value("3")
    expect(page.get_by_label("Smallest drop (share of a truck)")).to_have_value("0.25")
    shot(1, "window-plans")

    # Run it. The worker is held back so that the page shows the plan in progress first.
    held: list[int] = []
    monkeypatch.setattr(shipment_plan_run, "delay", held.append)
    page.get_by_role("button", name="Run a shipment plan").click()
    expect(page.get_by_role("heading", name=re.compile(r"Shipment plan #\d+"))).to_be_visible()
    expect(page.get_by_test_id("plan-progress")).to_be_visible()
    [plan_id] = held
    page.evaluate("window.__sameDocument = true")
    ShipmentPlan.objects.filter(pk=plan_id).update(status=JobStatus.RUNNING, progress=1, total=2)
    expect(page.get_by_role("progressbar")).to_have_attribute("aria-valuenow", "50")
    expect(page.get_by_test_id("plan-progress")).to_contain_text("Food 1 of 2 planned")
    shot(2, "progress")

    # The worker finishes: the next poll swaps in the plan, without a reload.
    shipment_plan_compute(plan_id=plan_id)
    plan = ShipmentPlan.objects.get(pk=plan_id)
    expect(page.get_by_test_id("plan-map")).to_be_visible()
    assert page.evaluate("window.__sameDocument") is True
    expect(page.get_by_test_id("trucks")).to_have_text(str(plan.trucks))
    expect(page.get_by_test_id("trucks-table").locator("tbody tr")).to_have_count(plan.trucks)
    sites = PlanStop.objects.filter(truck__plan=plan).values("site").distinct().count()
    expect(page.get_by_test_id("plan-map").locator("circle")).to_have_count(sites)
    assert page.get_by_test_id("plan-map").locator("polyline").count() >= 1
    expect(page.get_by_test_id("plan-details")).to_contain_text(f"lower bound {plan.adjusted_cases_bound}")
    shot(3, "plan")

    # Send every proposed adjustment to its district (each district then decides).
    adjustments = plan.adjustments.count()
    assert adjustments, "the demand was chosen so that some requests need adjusting"
    for box in page.locator('input[name="adjustment"]').all():
        box.check()
    page.get_by_role("button", name="Send selected to the districts").click()
    expect(page.get_by_role("alert").first).to_contain_text(f"{adjustments} proposal")
    expect(page.get_by_test_id("adjustment-status").first).to_have_text("Waiting for the district")
    assert set(plan.adjustments.values_list("status", flat=True)) == {AdjustmentStatus.OFFERED}
    shot(4, "sent")
    page.get_by_role("button", name="Log out").click()

    # A district manager sees their own drops, and no other district's.
    log_in(page, managers["Roseville"].email)
    page.goto("/usda-foods/my-deliveries/")
    drops = page.get_by_test_id("drops")
    expect(drops).to_contain_text("Roseville Central Kitchen")
    expect(drops).not_to_contain_text("Anoka")
    shot(5, "my-deliveries")
    page.goto(plan.get_absolute_url())
    expect(page.get_by_role("heading", name=re.compile("Your deliveries in this plan"))).to_be_visible()
    expect(page.get_by_test_id("plan-map")).to_have_count(0)
    expect(page.locator("main")).not_to_contain_text("Anoka")
    shot(6, "district-plan")
