"""The import pipeline through a real browser: an SDA reviewer uploads the state's claims export as
an XLSX lunch-count file with other column names, corrects the guessed mapping, sees a bad row,
fixes the file, imports it with the progress bar, and imports the same file again to see it
refused. Long files run in Celery: here every file does, and the test plays the worker (it runs
the queued task itself) so the page can be seen waiting and then following the job."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import CHROMIUM, NO_CHROMIUM
from tests.browser.test_entitlements_flow import log_in
from tests.factories import DistrictFactory
from tests.imports.files import xlsx_bytes
from usda_foods.models import LunchCount

pytestmark = [pytest.mark.browser, pytest.mark.skipif(not CHROMIUM.exists(), reason=NO_CHROMIUM)]

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADERS = ["State", "SFA Code", "Program Year", "Free Breakfasts", "Free Lunch Count", "Reduced Price Meals",
           "Paid Lunches", "Sponsor Name"]  # fmt: skip


def claims(district, second, paid: object) -> bytes:
    return xlsx_bytes({"Claims": [
        ["Minnesota Department of Education — CNP claims export, SY 2024-25"], [], HEADERS,
        ["MN", district.agency_code, "2024-25", 90_000, 412_000, 61_500, 530_250, district.name],
        ["MN", second.agency_code, "2024-25", 12_000, 51_000, 7_500, paid, second.name],
        ["Total", "", "", 102_000, 463_000, 69_000, "", ""],
    ]})  # fmt: skip


def _upload(page: Page, data: bytes, name: str) -> None:
    page.goto("/imports/")
    page.get_by_role("link", name="Import lunch counts").click()
    page.get_by_label("File").set_input_files(files=[{"name": name, "mimeType": XLSX, "buffer": data}])
    page.get_by_label("From").fill("MDE claims export")
    page.get_by_role("button", name="Upload and read the columns").click()


def test_reviewer_maps_fixes_imports_and_is_refused_the_same_file(page: Page, sda_reviewer, district, worker,
                                                                  screenshots):  # fmt: skip
    second = DistrictFactory(name="Bloomington Public Schools", state_agency=district.state_agency,
                             collaborative=district.collaborative)  # fmt: skip
    log_in(page, sda_reviewer.email)

    _upload(page, claims(district, second, paid="n/a"), "claims-2024-25.xlsx")
    expect(page.get_by_text("header on line 3")).to_be_visible()  # the title rows are skipped
    free = page.get_by_label("Free", exact=True)
    expect(free.locator("option:checked")).to_have_text("Free Breakfasts")  # guessed, and wrong
    free.select_option(label="Free Lunch Count")
    page.screenshot(path=screenshots / "import-mapping.png", full_page=True)
    page.get_by_role("button", name="Check all rows").click()
    expect(page.get_by_text("Waiting for a worker…")).to_be_visible()
    page.screenshot(path=screenshots / "import-checking.png", full_page=True)
    worker.run()
    expect(page.get_by_text("line 5, column Paid Lunches: “n/a” is not a whole number")).to_be_visible()
    expect(page.get_by_role("button", name="Import 2 rows")).to_have_count(0)
    page.screenshot(path=screenshots / "import-problems.png", full_page=True)
    assert not LunchCount.objects.exists()

    fixed = claims(district, second, paid=88_000)
    _upload(page, fixed, "claims-2024-25-fixed.xlsx")
    expect(
        page.get_by_text("the columns you chose last time for files from MDE claims export")
    ).to_be_visible()
    expect(page.get_by_label("Free", exact=True).locator("option:checked")).to_have_text("Free Lunch Count")
    page.get_by_role("button", name="Check all rows").click()
    worker.run()
    expect(page.get_by_text("all 2 rows pass")).to_be_visible()
    page.get_by_role("button", name="Import 2 rows").click()
    expect(page.get_by_role("heading", name="Importing")).to_be_visible()
    expect(page.get_by_role("progressbar")).to_be_visible()
    page.screenshot(path=screenshots / "import-progress.png", full_page=True)
    worker.run()
    expect(page.get_by_test_id("import-counts")).to_have_text("2 created · 0 updated · 0 unchanged")
    page.screenshot(path=screenshots / "import-done.png", full_page=True)
    assert LunchCount.objects.get(district=second).paid == 88_000

    _upload(page, fixed, "claims-again.xlsx")
    expect(page.get_by_text("This file was already imported: import #")).to_be_visible()
    page.screenshot(path=screenshots / "import-refused.png", full_page=True)
    assert LunchCount.objects.count() == 2
