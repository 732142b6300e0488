"""Purchasing data in a real browser: a district manager uploads the XLSX her distributor sends,
maps the one column the app cannot guess, sees the bad row, fixes the file, watches the progress
bar, then sees the local-share chart and the priority item against her menu commitment; the lab's
admin sets a goal and sees the collaborative view with it. Screenshots land in
artifacts/screenshots/purchasing-NN-*.png. The test plays the Celery worker (it runs the queued
tasks itself), as the imports flow does."""

from __future__ import annotations

from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from purchasing.priority_items.models import MenuCommitment, PriorityItem
from purchasing.records.models import PurchaseRecord
from purchasing.spend.models import Goal
from tests.browser.conftest import CHROMIUM, NO_CHROMIUM
from tests.browser.test_roles import log_in
from tests.imports.files import xlsx_bytes
from tests.purchasing.records.fixtures import lab_definition

pytestmark = [pytest.mark.browser, pytest.mark.skipif(not CHROMIUM.exists(), reason=NO_CHROMIUM)]

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADERS = ["Customer", "Invoice Dt", "Distributor", "Item Description", "Product Category", "Lab Item", "Qty Shipped",
           "UOM", "Pack Weight", "Line Total $", "Grown In", "Program", "Attributes"]  # fmt: skip


def report(district, oranges_qty: object) -> bytes:
    name = district.name
    return xlsx_bytes({"Sales": [
        ["North Star Foods: customer purchase history, September 2026"], [], HEADERS,
        [name, "09/15/2026", "North Star Foods", "Carrots, whole", "vegetable", "", 10, "case", 25, 250, "MN",
         "commercial", ""],
        [name, "09/20/2026", "North Star Foods", "Chicken drumsticks, IQF", "meat", "Chicken drumsticks", 100, "lb",
         "", 300, "MN", "commercial", "no antibiotics ever"],
        [name, "09/22/2026", "North Star Foods", "Oranges, navel", "fruit", "", oranges_qty, "case", 40, 100, "CA",
         "commercial", ""],
        [name, "09/25/2026", "North Star Foods", "Cheese, mozzarella", "dairy", "", 10, "case", 30, 40, "unknown",
         "USDA Foods", ""],
    ]})  # fmt: skip


def _upload(page: Page, data: bytes, name: str) -> None:
    page.goto("/imports/")
    page.get_by_role("link", name="Import purchase records").click()
    page.get_by_label("File").set_input_files(files=[{"name": name, "mimeType": XLSX, "buffer": data}])
    page.get_by_label("From").fill("North Star Foods")
    page.get_by_role("button", name="Upload and read the columns").click()


def test_manager_imports_a_distributor_file_and_the_admin_sees_the_goal(
    page: Page, district, manager, collab_admin, collaborative, site, worker, screenshots
):
    lab_definition(collaborative)  # Minnesota local; MN, WI and IA regional
    item = PriorityItem.objects.create(collaborative=collaborative, name="Chicken drumsticks", unit="lb")
    MenuCommitment.objects.create(item=item, district=district, times_per_month=Decimal(2), months=[9, 10, 11],
                                  servings_per_day=100, serving_size=Decimal(4), override_volume=Decimal(1000),
                                  override_reason="Last year's invoices")  # fmt: skip

    def shot(n: int, name: str) -> None:
        page.screenshot(path=screenshots / f"purchasing-{n:02d}-{name}.png", full_page=True)

    log_in(page, manager.email)
    _upload(page, report(district, oranges_qty=-5), "north-star-sept.xlsx")
    spend = page.get_by_label("Spend", exact=True)
    spend.select_option(label="Line Total $")  # the one column no synonym finds
    shot(1, "mapping")
    page.get_by_role("button", name="Check all rows").click()
    worker.run()
    expect(page.get_by_text("Qty Shipped").first).to_be_visible()
    expect(page.get_by_role("button", name="Import 4 rows")).to_have_count(0)
    shot(2, "bad-row")
    assert not PurchaseRecord.objects.exists()

    _upload(page, report(district, oranges_qty=5), "north-star-sept-fixed.xlsx")
    expect(page.get_by_label("Spend", exact=True).locator("option:checked")).to_have_text("Line Total $")
    page.get_by_role("button", name="Check all rows").click()
    worker.run()
    expect(page.get_by_text("all 4 rows pass")).to_be_visible()
    page.get_by_role("button", name="Import 4 rows").click()
    expect(page.get_by_role("progressbar")).to_be_visible()
    shot(3, "progress")
    worker.run()
    expect(page.get_by_test_id("import-counts")).to_contain_text("4 created")
    assert PurchaseRecord.objects.count() == 4

    page.goto(f"/purchasing/spend/districts/{district.pk}/?school_year=2026")
    # $550 local of $690; excluding USDA Foods' $40: 550 / 650
    expect(page.get_by_test_id("total-spend")).to_have_text("$690.00")
    expect(page.get_by_test_id("local-share-ex")).to_have_text("84.62%")
    expect(page.get_by_test_id("local-share")).to_have_text("79.71%")
    expect(page.get_by_test_id("definition")).to_contain_text("Grown in Minnesota")
    expect(page.locator("#chart-months")).to_be_visible()
    assert page.evaluate(
        "() => !!window.Chart && !!window.Chart.getChart(document.getElementById('chart-shares'))"
    )
    priority = page.get_by_test_id("table-priority")
    expect(priority.get_by_role("row", name="Chicken drumsticks")).to_contain_text(
        "10.00%"
    )  # 100 of 1,000 lb
    expect(page.get_by_test_id("table-claims")).to_contain_text("No antibiotics ever")
    shot(4, "district-dashboard")

    page.context.clear_cookies()
    log_in(page, collab_admin.email)
    page.goto("/purchasing/goals/new/")
    page.get_by_label("Metric").select_option(label="Local share of food dollars, excluding USDA Foods")
    page.get_by_label("Target (%)").fill("25")
    page.get_by_label("By school year (its first year)").fill("2027")
    page.get_by_role("button", name="Save the goal").click()
    expect(page.get_by_text("Goal saved")).to_be_visible()
    assert Goal.objects.get().target_percent == Decimal(25)
    page.goto(f"/purchasing/spend/labs/{collaborative.pk}/?school_year=2026")
    goals = page.get_by_test_id("table-goals")
    expect(goals).to_contain_text("SY 2027-28")
    expect(goals).to_contain_text("84.62%")
    expect(goals).to_contain_text("Met")
    expect(page.get_by_test_id("table-districts")).to_contain_text(district.name)
    shot(5, "collaborative-dashboard")
