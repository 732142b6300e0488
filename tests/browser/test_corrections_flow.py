"""A correction to the state's lunch counts, through a real browser: the district manager cannot
edit the counts, proposes a correction from the entitlement page; the state's reviewer accepts it
from the review queue; the manager sees the new commodity offer value."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import CHROMIUM, NO_CHROMIUM
from tests.browser.test_entitlements_flow import log_in
from tests.usda_foods.helpers import YEAR, compute, lunch_count
from usda_foods.models import DataCorrection

pytestmark = [pytest.mark.browser, pytest.mark.skipif(not CHROMIUM.exists(), reason=NO_CHROMIUM)]


def test_manager_proposes_and_the_reviewer_accepts(page: Page, manager, sda_reviewer, district, screenshots):
    lunch_count(district)  # SY 2018-19: 1,000,000 lunches -> SY 2019-20 COV $237,500.00
    compute(district)

    log_in(page, manager.email)
    page.goto(f"/districts/{district.pk}/entitlements/{YEAR}/")
    expect(page.get_by_text("$237,500.00").first).to_be_visible()
    expect(page.get_by_role("link", name="edit", exact=True)).to_have_count(0)  # the counts are the state's
    page.get_by_role("link", name="Propose a correction").first.click()
    expect(page.get_by_role("heading", name="Propose a correction: lunch counts")).to_be_visible()
    expect(page.get_by_label("Paid lunches")).to_have_value("300000")  # the state's figure, to correct
    page.get_by_label("Paid lunches").fill("400000")
    page.get_by_label("Reason").fill("The amended May claim adds 100,000 paid lunches.")
    page.get_by_role("button", name="Propose the correction").click()
    expect(page.get_by_text("Waiting for a reviewer of")).to_be_visible()
    expect(page.get_by_text("$261,250.00")).to_be_visible()  # what accepting would make the COV
    page.screenshot(path=screenshots / "correction-proposed.png", full_page=True)
    page.get_by_role("button", name="Log out").click()

    log_in(page, sda_reviewer.email)
    page.goto("/")
    page.get_by_role("link", name="1 correction to your SFAs' data waits for your decision.").click()
    expect(page.get_by_role("heading", name="Corrections to review")).to_be_visible()
    page.screenshot(path=screenshots / "correction-queue.png", full_page=True)
    page.get_by_role("button", name="Accept").click()
    expect(page.get_by_text("accepted: it now applies")).to_be_visible()
    assert DataCorrection.objects.get().status == "accepted"
    page.get_by_role("button", name="Log out").click()

    log_in(page, manager.email)
    page.goto(f"/districts/{district.pk}/entitlements/{YEAR}/")
    expect(page.get_by_text("$261,250.00").first).to_be_visible()
