"""Carry-over and proposals in a real browser (issue 18). A district's small order that cannot
fill a truck shows on its order page as "waiting for a full truck", with the state's progress
toward that truck; and when the state proposes an increase, the SDA reviewer sends it from the
plan page and the district manager accepts it from the dashboard. Screenshots land in
artifacts/screenshots/carryover-NN-*.png; the page fixture runs axe-core on every page visited."""

from __future__ import annotations

import os
from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import CHROMIUM, NO_CHROMIUM
from tests.browser.test_roles import log_in
from tests.usda_foods.ordering_fixtures import open_window
from tests.usda_foods.shipping_fixtures import approve, build_lab, manager_of
from usda_foods.models import AdjustmentStatus, Entitlement, OrderLine, ShipmentPlan
from usda_foods.shipping.models import CarryOver, PlacementSettings
from usda_foods.shipping.services import shipment_plan_compute

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = [pytest.mark.browser, pytest.mark.skipif(not CHROMIUM.exists(), reason=NO_CHROMIUM)]


def plan_of(window, reviewer) -> ShipmentPlan:
    return shipment_plan_compute(plan_id=ShipmentPlan.objects.create(window=window, created_by=reviewer).pk)


def test_a_district_sees_its_small_order_waiting_for_a_full_truck(page: Page, mn_agency, sda_reviewer,
                                                                  screenshots):  # fmt: skip
    lab = build_lab(mn_agency)
    open_window(mn_agency, [lab["beans"]], opens_in=timedelta(days=8), closes_in=timedelta(days=15),
                name="Spring window")  # fmt: skip
    small, _ = approve(lab, sda_reviewer, [30, 40])  # 70 of a 100-case truck
    plan = plan_of(lab["window"], sda_reviewer)
    assert plan.trucks == 0 and CarryOver.objects.count() == 2

    def shot(n: int, name: str) -> None:
        page.screenshot(path=screenshots / f"carryover-{n:02d}-{name}.png", full_page=True)

    log_in(page, manager_of(lab, 0).email)
    page.goto(small.get_absolute_url())
    waiting = page.get_by_test_id("waiting-for-truck")
    expect(waiting.get_by_role("heading", name="Waiting for a full truck")).to_be_visible()
    expect(waiting).to_contain_text("30 cases to Kitchen 0 waiting")
    expect(waiting).to_contain_text(
        "The state has 70 of 100 cases for the next full truck; 30 cases still needed"
    )
    expect(waiting.get_by_role("progressbar")).to_have_attribute("aria-valuenow", "70")
    expect(waiting).to_contain_text("Nothing is drawn from your entitlement until they ship")
    assert Entitlement.objects.get(pk=small.entitlement_id).drawn == 0
    shot(1, "waiting-for-a-full-truck")

    # The reviewer sees the same cases waiting on the plan page.
    page.context.clear_cookies()
    log_in(page, sda_reviewer.email)
    page.goto(plan.get_absolute_url())
    expect(page.get_by_test_id("carry-over-waiting").locator("tbody tr")).to_have_count(2)
    shot(2, "plan-carry-over")


def test_the_district_accepts_a_proposed_increase(page: Page, mn_agency, sda_reviewer, screenshots):
    lab = build_lab(mn_agency)
    PlacementSettings.objects.create(state_agency=mn_agency, steps=[])  # no carry-over, no warehouse
    small, _ = approve(lab, sda_reviewer, [20, 80])
    plan = plan_of(lab["window"], sda_reviewer)
    plus = plan.adjustments.get(cases=5)

    def shot(n: int, name: str) -> None:
        page.screenshot(path=screenshots / f"carryover-{n:02d}-{name}.png", full_page=True)

    # The reviewer sends the +5 at Kitchen 0 to its district.
    log_in(page, sda_reviewer.email)
    page.goto(plan.get_absolute_url())
    page.get_by_label("Select the adjustment at Kitchen 0").check()
    page.get_by_role("button", name="Send selected to the districts").click()
    expect(page.get_by_role("alert").first).to_contain_text("1 proposal sent to the districts")
    assert OrderLine.objects.get(order=small).cases == 20  # nothing added yet
    shot(3, "proposal-sent")

    # The district manager finds it on the dashboard and accepts it.
    page.context.clear_cookies()
    log_in(page, manager_of(lab, 0).email)
    page.goto("/")
    page.get_by_role("link", name="The state proposes 1 change to your approved orders").click()
    expect(page.get_by_test_id("proposals").locator("tbody tr")).to_have_count(1)
    shot(4, "proposals")
    page.get_by_role("link", name="Decide Beans, green, canned at Kitchen 0").click()
    expect(page.get_by_test_id("would-receive")).to_contain_text("25 cases (+5)")
    expect(page.get_by_test_id("cost")).to_contain_text("$50.00")
    expect(page.get_by_test_id("proposal")).to_contain_text("truck 1")
    shot(5, "proposal")
    page.get_by_role("button", name="Accept").click()
    expect(page.get_by_role("alert").first).to_contain_text("Accepted")
    expect(page.get_by_test_id("status")).to_contain_text("Accepted by the district and applied")
    shot(6, "accepted")
    plus.refresh_from_db()
    assert plus.status == AdjustmentStatus.ACCEPTED
    assert OrderLine.objects.get(order=small).cases == 25
    assert Entitlement.objects.get(pk=small.entitlement_id).drawn == 250
