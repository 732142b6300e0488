"""Cross-state coordination in a real browser: an MN SDA reviewer offers the beans remainder of a
finished plan to a neighbouring state (WI, listed first as a neighbour); WI's reviewer plans it
jointly and accepts the joint plan; the MN reviewer accepts it too, and it binds. The joint truck
crosses the state line, and each agency sees the other's stops by site name only. Every page
visited passes axe-core with no serious or critical violation (the ``page`` fixture). Screenshots
land in artifacts/screenshots/joint-NN-*.png."""

from __future__ import annotations

import os
import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import CHROMIUM, NO_CHROMIUM
from tests.browser.test_roles import log_in
from tests.usda_foods.coordination_fixtures import build_two_states
from usda_foods.shipping.models import JointPlan, JointStatus

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = [pytest.mark.browser, pytest.mark.skipif(not CHROMIUM.exists(), reason=NO_CHROMIUM)]


def test_remainder_offered_to_a_neighbour_becomes_a_binding_joint_plan(page: Page, mn_agency, wi_agency,
                                                                        sda_reviewer, screenshots):  # fmt: skip
    two = build_two_states(mn_agency, wi_agency, sda_reviewer)

    def shot(n: int, name: str) -> None:
        page.screenshot(path=screenshots / f"joint-{n:02d}-{name}.png", full_page=True)

    # MN's reviewer opens the finished plan and offers the beans remainder to Wisconsin.
    log_in(page, sda_reviewer.email)
    page.goto(two["plan"].get_absolute_url())
    page.get_by_test_id("offer-remainder").click()
    expect(page.get_by_role("heading", name="Offer a remainder to another state")).to_be_visible()
    labels = page.locator("input[name=agencies] + label").all_inner_texts()
    assert (
        labels[0].startswith("Iowa")
        and "neighbour" in labels[0]
        and "Wisconsin DPI (WI) · neighbour" in labels
    )
    page.get_by_label("Wisconsin DPI (WI) · neighbour").check()
    page.get_by_label("Note to the other agencies").fill("Hudson is across the river from our kitchens.")
    shot(1, "offer-form")
    page.get_by_role("button", name="Offer the remainder").click()
    expect(page.get_by_role("heading", name="Remainders between states")).to_be_visible()
    expect(page.get_by_test_id("offers-sent")).to_contain_text("75 cases")
    shot(2, "offered")
    page.get_by_role("button", name="Log out").click()

    # WI's reviewer sees the offer and plans it jointly with WI's window.
    log_in(page, two["wi_reviewer"].email)
    page.goto("/usda-foods/remainder-offers/")
    received = page.get_by_test_id("offers-received")
    expect(received).to_contain_text("Minnesota Department of Education")
    received.get_by_role("link", name=re.compile(r"#\d+")).click()
    expect(page.get_by_role("heading", name=re.compile("offers 75 cases of Beans"))).to_be_visible()
    page.get_by_label("Plan it with the orders of").select_option(label=str(two["wi_window"]))
    shot(3, "offer-answer")
    page.get_by_role("button", name="Plan jointly").click()
    expect(page.get_by_role("heading", name=re.compile(r"Joint plan #\d+"))).to_be_visible()
    trucks = page.get_by_test_id("joint-trucks")
    expect(trucks.get_by_test_id("crosses")).to_have_text("Crosses a state line")
    expect(trucks).to_contain_text("25 cases · Hudson Kitchen")
    expect(trucks).to_contain_text("Kitchen 0 (MN, partner state)")
    expect(trucks).not_to_contain_text("District 0")
    page.get_by_role("button", name="Accept for your agency").click()
    expect(page.get_by_test_id("joint-status")).to_contain_text("Waiting for both agencies")
    expect(page.get_by_test_id("joint-status")).to_contain_text("WI: accepted")
    shot(4, "wi-accepted")
    page.get_by_role("button", name="Log out").click()

    # MN's reviewer accepts too: the joint plan binds.
    joint = JointPlan.objects.get()
    log_in(page, sda_reviewer.email)
    page.goto(joint.get_absolute_url())
    expect(page.get_by_test_id("joint-trucks")).to_contain_text("Hudson Kitchen (WI, partner state)")
    expect(page.get_by_test_id("joint-trucks")).to_contain_text("45 cases · Kitchen 1")
    page.get_by_role("button", name="Accept for your agency").click()
    expect(page.get_by_test_id("joint-status")).to_contain_text("Accepted by both: binding")
    expect(page.get_by_test_id("joint-summary")).to_contain_text("1 truck carries both states' remainders")
    shot(5, "binding")
    assert JointPlan.objects.get().status == JointStatus.BINDING
