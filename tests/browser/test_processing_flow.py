"""Diverted chicken in a real browser: a district manager diverts an order line of bulk chicken
to a processor; once approved, planned and released, the SDA reviewer records the processor's
receipt with a shortage; the manager records an end-product purchase and sees the new months on
hand; the reviewer sees the flag in the state's table. Screenshots land in
artifacts/screenshots/processing-NN-*.png."""

from __future__ import annotations

import os
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import CHROMIUM, NO_CHROMIUM
from tests.browser.test_roles import log_in
from tests.factories import SiteFactory
from tests.usda_foods.ordering_fixtures import fund, open_window
from tests.usda_foods.processing_fixtures import chicken, drumsticks, processor
from tests.usda_foods.test_storage_and_photos import png
from usda_foods.deliveries.services import deliveries_release
from usda_foods.models import ExpectedDelivery, ProcessorInventory, ShipmentPlan
from usda_foods.ordering.services.orders import order_approve, order_create, order_line_set, order_submit
from usda_foods.shipping.services import shipment_plan_compute

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = [pytest.mark.browser, pytest.mark.skipif(not CHROMIUM.exists(), reason=NO_CHROMIUM)]


def test_diverted_chicken_is_planned_receipted_and_drawn_down(page: Page, district, manager, mn_agency,
                                                              sda_reviewer, screenshots, settings, tmp_path):  # fmt: skip
    settings.MEDIA_ROOT = tmp_path  # the receipt's photo
    food = chicken()
    proc = processor(mn_agency, food)
    drumsticks(proc, food)  # 22.5 lb of chicken a case
    site = SiteFactory(district=district, name="Alpha Central Kitchen", latitude=Decimal("44.98"),
                       longitude=Decimal("-93.27"))  # fmt: skip
    fund(district, lunches=1_000_000)
    window = open_window(mn_agency, [food])
    order = order_create(district=district, window=window, user=manager)
    order_line_set(order_id=order.pk, catalog_item=food, cases=1000, delivery_site=site, user=manager)

    def shot(n: int, name: str) -> None:
        page.screenshot(path=screenshots / f"processing-{n:02d}-{name}.png", full_page=True)

    # The manager diverts the chicken to the processor from the order.
    log_in(page, manager.email)
    page.goto(order.get_absolute_url())
    page.get_by_role("link", name="Bulk foods to a processor").click()
    page.get_by_label("Where 100101 Chicken, chilled, bulk ships").select_option(label="North Star Poultry")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("now ships to North Star Poultry")).to_be_visible()
    shot(1, "diverted")

    # Submitted, approved, planned (the processor is a stop) and released to deliveries.
    order_submit(order_id=order.pk, user=manager)
    order_approve(order_id=order.pk, user=sda_reviewer)
    plan = shipment_plan_compute(
        plan_id=ShipmentPlan.objects.create(window=window, created_by=sda_reviewer).pk
    )
    deliveries_release(plan=plan, user=sda_reviewer)
    delivery = ExpectedDelivery.objects.get(processor=proc)

    # The reviewer receipts the processor's truck: 990 of 1,000 cases, short-shipped.
    page.context.clear_cookies()
    log_in(page, sda_reviewer.email)
    page.goto("/usda-foods/deliveries/")
    expect(page.get_by_role("cell", name="Processor North Star Poultry")).to_be_visible()
    page.goto(delivery.get_absolute_url())
    page.get_by_label("Cases received").fill("990")
    page.get_by_label("Reason for a shortage or overage").select_option(label="Short-shipped")
    page.get_by_label("Photo").set_input_files(files=[{"name": "bill-of-lading.png", "mimeType": "image/png",
                                                        "buffer": png()}])  # fmt: skip
    page.get_by_role("button", name="Record the receipt").click()
    expect(page.get_by_text("990 of 1,000 cases received")).to_be_visible()
    expect(page.get_by_test_id("receipt-photo").get_by_role("img")).to_be_visible()
    shot(2, "receipt-with-shortage")
    assert ProcessorInventory.objects.get(district=district).pounds == Decimal("39600.00")  # 990 x 40 lb

    # The manager buys 40 cases of drumsticks: 900 lb drawn; the page shows months on hand.
    page.context.clear_cookies()
    log_in(page, manager.email)
    page.goto(f"/usda-foods/processors/{proc.pk}/districts/{district.pk}/")
    page.get_by_label("End product").select_option(label="DS-100 Breaded drumsticks")
    page.get_by_label("Purchased on").fill("2019-11-04")
    page.locator("#id_cases").fill("40")
    page.get_by_label("Value pass-through").select_option(label="Net-off-invoice")
    page.get_by_label("Value credited ($)").fill("1800.00")
    page.get_by_role("button", name="Record the purchase").click()
    expect(page.get_by_text("Recorded 40 cases")).to_be_visible()
    expect(page.get_by_role("cell", name="38,700.00")).to_be_visible()  # 39,600 - 900 lb
    expect(page.get_by_test_id("months")).to_contain_text("Over 6 months")
    shot(3, "district-processor-page")

    # The reviewer sees the flag in the state's table.
    page.context.clear_cookies()
    log_in(page, sda_reviewer.email)
    page.goto("/usda-foods/processing/state/MN/")
    expect(page.get_by_text("1 of 1 row flagged")).to_be_visible()
    expect(page.get_by_test_id("state-inventory").get_by_text("Over 6 months")).to_be_visible()
    shot(4, "state-inventory")


def test_coop_storage_shows_the_lead_every_member_and_a_member_its_own(page: Page, district, manager, mn_agency,
                                                                        sda_reviewer, screenshots):  # fmt: skip
    from datetime import date

    from tests.usda_foods.deliveries_fixtures import released
    from tests.usda_foods.test_storage_and_photos import receive

    world = receive(released(district, manager, mn_agency, sda_reviewer), manager)  # Alpha 54, Delta 36 held
    url = f"/usda-foods/coops/{world['coop'].pk}/storage/"
    log_in(page, manager.email)
    page.goto(url)
    table = page.get_by_test_id("coop-storage")
    expect(table.get_by_role("row", name="Delta Schools Beans, green, canned 36 0 36")).to_be_visible()
    page.get_by_label("District (SFA)").select_option(label="Delta Schools")
    page.get_by_label("USDA Food").select_option(label="100117 Beans, green, canned")
    page.locator("#id_cases").fill("10")
    page.get_by_label("Picked up on").fill(f"{date(2019, 12, 15):%Y-%m-%d}")
    page.get_by_role("button", name="Record the pickup").click()
    expect(table.get_by_role("row", name="Delta Schools Beans, green, canned 36 10 26")).to_be_visible()
    page.screenshot(path=screenshots / "processing-05-coop-storage-lead.png", full_page=True)
    page.context.clear_cookies()
    log_in(page, world["delta_manager"].email)
    page.goto(url)
    expect(page.get_by_test_id("coop-storage").get_by_text("Alpha Public Schools")).to_have_count(0)
    expect(page.get_by_role("button", name="Record the pickup")).to_have_count(0)
    page.screenshot(path=screenshots / "processing-06-coop-storage-member.png", full_page=True)
