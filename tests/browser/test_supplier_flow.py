# ruff: noqa: F811  (the supplier fixtures are imported below and used as arguments)
"""The partner's working day in a real browser: partner staff find a farm by product and distance,
log a farm visit with a follow-up and see it on the dashboard; the district manager sees the visit
that concerns the district; another partner's staff does not."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from partners.contacts.models import Interaction
from tests.browser.conftest import CHROMIUM, NO_CHROMIUM
from tests.browser.test_entitlements_flow import log_in
from tests.partners.supplier_fixtures import delivery_site, make_supplier, partner_b, partner_b_user  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.skipif(not CHROMIUM.exists(), reason=NO_CHROMIUM)]


def test_partner_finds_a_farm_logs_a_visit_and_the_district_sees_it(
    page: Page, collaborative, district, delivery_site, partner_user, partner_b_user, manager, screenshots
):
    # Alpha's kitchen is at 45°N 93°W: the orchard is 34.5 miles north, the far one 172.7 miles.
    make_supplier(collaborative, "Cannon River Orchard", origin=("45.5", "-93.0"),
                  products=(("Honeycrisp apples", "fruit"),), people=("Kari Hanson",))  # fmt: skip
    make_supplier(
        collaborative, "Far North Orchard", origin=("47.5", "-93.0"), products=(("Apples", "fruit"),)
    )
    make_supplier(collaborative, "Valley Creamery", kind="processor", origin=("45.2", "-93.0"),
                  products=(("Cheddar", "dairy"),))  # fmt: skip

    log_in(page, partner_user.email)
    page.goto("/suppliers/")
    page.get_by_label("Search").fill("apples")
    page.get_by_label("Near district's sites").select_option(label=district.name)
    page.get_by_label("Within (miles)").fill("50")
    page.get_by_role("button", name="Find").click()
    table = page.get_by_test_id("supplier-table")
    expect(table.get_by_role("link", name="Cannon River Orchard")).to_be_visible()
    expect(table.get_by_text("34.5 mi")).to_be_visible()
    expect(table.get_by_text("Far North Orchard")).to_have_count(0)
    expect(table.get_by_text("Valley Creamery")).to_have_count(0)
    page.screenshot(path=screenshots / "suppliers-search-by-product-and-distance.png", full_page=True)

    table.get_by_role("link", name="Cannon River Orchard").click()
    page.get_by_role("link", name="Log an interaction").first.click()
    page.get_by_label("Kind").select_option(label="Farm tour")
    page.get_by_label(district.name).check()
    page.get_by_label("Kari Hanson").check()
    page.get_by_label("Honeycrisp apples").check()
    page.get_by_label("Notes").fill("Walked the orchard with Kari; 138-count Honeycrisp fits the lunch spec.")
    page.get_by_label("Follow-up: what").fill("Send Kari the apple specification")
    due = timezone.localdate() + timedelta(days=5)
    page.get_by_label("Follow-up: due").fill(due.isoformat())
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", name="Farm tour on")).to_be_visible()
    expect(page.get_by_text("Send Kari the apple specification")).to_be_visible()
    page.screenshot(path=screenshots / "suppliers-farm-visit-logged.png", full_page=True)

    page.goto("/")
    expect(page.get_by_role("heading", name="Suppliers and contacts")).to_be_visible()
    expect(page.get_by_role("link", name="Send Kari the apple specification")).to_be_visible()
    expect(page.get_by_test_id("recent-activity")).to_contain_text("Farm tour by")
    page.screenshot(path=screenshots / "suppliers-partner-dashboard.png", full_page=True)
    page.get_by_role("button", name="Log out").click()

    visit = Interaction.objects.get()
    log_in(page, manager.email)
    page.get_by_role("link", name="Contact log").first.click()
    expect(page.get_by_test_id("interaction-table")).to_contain_text("Cannon River Orchard")
    page.get_by_test_id("interaction-table").get_by_role("link").first.click()
    expect(page.get_by_test_id("note-text")).to_contain_text("138-count Honeycrisp")
    page.screenshot(path=screenshots / "suppliers-district-sees-the-visit.png", full_page=True)
    page.get_by_role("button", name="Log out").click()

    log_in(page, partner_b_user.email)
    page.goto("/contacts/")
    expect(page.get_by_text("No interaction you can see yet.")).to_be_visible()
    page.screenshot(path=screenshots / "suppliers-other-partner-sees-nothing.png", full_page=True)
    response = page.goto(f"/contacts/{visit.pk}/")
    assert response is not None and response.status == 404
    page.goto("/suppliers/?q=orchard+kari")
    expect(page.get_by_test_id("supplier-table")).to_contain_text("Cannon River Orchard")  # shared directory
    page.goto("/suppliers/?q=lunch+spec")  # words only in the visit's note
    expect(page.get_by_test_id("supplier-table")).not_to_contain_text("Cannon River Orchard")
