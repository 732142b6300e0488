"""An SDA reviewer, through a real browser: log in with the form, open their state's entitlement
table from the navigation, click a district, see its entitlement (COV, a drawn chart), and go back
to the state list. Screenshots of each step land in artifacts/screenshots/."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import CHROMIUM, NO_CHROMIUM
from tests.factories import PASSWORD, DistrictFactory
from tests.usda_foods.helpers import YEAR, compute, lunch_count
from usda_foods.entitlements.services.drawdowns import drawdown_post
from usda_foods.models import Drawdown, PerMealValue, ReimbursementRate

pytestmark = [pytest.mark.browser, pytest.mark.skipif(not CHROMIUM.exists(), reason=NO_CHROMIUM)]


def ensure_reference_data() -> None:
    """The seeded SY 2019-20 values. Live-server tests flush the database afterwards, taking the
    migration's rows with it, so a browser test that runs after another one puts them back."""
    PerMealValue.objects.get_or_create(
        school_year=YEAR, published_on=date(2019, 7, 1),
        defaults={"cents": Decimal("23.75"), "citation": "Federal Register notice, July 2019"},
    )  # fmt: skip
    for category, dollars in (("free", "3.41"), ("reduced", "3.01"), ("paid", "0.32")):
        ReimbursementRate.objects.get_or_create(
            school_year=YEAR, category=category,
            defaults={"dollars": Decimal(dollars), "citation": "Federal Register notice, July 2019"},
        )  # fmt: skip


def log_in(page: Page, email: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Log out")).to_be_attached()


def test_sda_reviewer_goes_from_the_state_list_to_a_district_and_back(
    page: Page, sda_reviewer, district, mn_agency, screenshots
):
    ensure_reference_data()
    others = [
        DistrictFactory(name=name, state_agency=mn_agency)
        for name in ("Birch Lake Schools", "Cedar Valley ISD")
    ]
    for d, lunches in zip([district, *others], (600_000, 250_000, 80_000), strict=True):
        lunch_count(d, free=lunches)
        lunch_count(d, YEAR, free=lunches, reduced=100_000, paid=300_000)
    entitlements = compute(district, *others)
    alpha = entitlements[district.pk]  # (600,000 + 100,000 + 300,000) lunches x 23.75 cents
    orders = [(datetime(2019, 8, 12, 15, tzinfo=UTC), "18250.00"), (datetime(2019, 10, 2, 15, tzinfo=UTC), "9400.75"),
              (datetime(2020, 1, 21, 15, tzinfo=UTC), "31000.00")]  # fmt: skip
    for number, (when, amount) in enumerate(orders, start=1):
        drawdown = drawdown_post(entitlement_id=alpha.pk, amount=Decimal(amount), user=sda_reviewer,
                                          reference=f"PO-{number:03d}")  # fmt: skip
        Drawdown.objects.filter(pk=drawdown.pk).update(created_at=when)  # as if ordered during the year

    log_in(page, sda_reviewer.email)
    page.get_by_role("navigation").get_by_role("link", name="Entitlements", exact=True).click()

    expect(page).to_have_url(re.compile(r"/usda-foods/states/MN/entitlements/$"))
    expect(page.get_by_role("heading", name="SFAs in Minnesota")).to_be_visible()
    table = page.get_by_test_id("entitlements")
    expect(table.get_by_role("row")).to_have_count(1 + 3 + 1)  # header, three SFAs, totals
    expect(page.get_by_test_id("totals")).to_contain_text("$505,875.00")  # 237,500 + 154,375 + 114,000
    page.screenshot(path=screenshots / "entitlements-state-sda_reviewer.png", full_page=True)

    table.get_by_role("link", name=district.name).click()

    expect(page).to_have_url(re.compile(rf"/districts/{district.pk}/entitlements/{YEAR}/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(district.name)
    expect(page.get_by_test_id("cov")).to_have_text("$237,500.00")
    expect(page.get_by_test_id("drawn")).to_have_text("$58,650.75")
    chart = page.locator("canvas#drawdown-chart")
    expect(chart).to_be_visible()
    page.wait_for_function("() => window.Chart && Chart.getChart(document.getElementById('drawdown-chart'))")
    points = page.evaluate(
        "() => Chart.getChart(document.getElementById('drawdown-chart')).data.datasets[0].data"
    )
    assert points[-1]["y"] == pytest.approx(58650.75)
    # The axis is the school year, July 1 to June 30, one tick a month, each with its year.
    axis = page.evaluate("""() => {
      const x = Chart.getChart(document.getElementById('drawdown-chart')).scales.x;
      return {min: x.min, max: x.max, labels: x.ticks.map((tick) => [].concat(tick.label).join(" "))};
    }""")
    assert (axis["min"], axis["max"]) == (0, 365)  # to June 30, 2020 (a leap year)
    assert axis["labels"] == ["Jul 2019", "Aug 2019", "Sep 2019", "Oct 2019", "Nov 2019", "Dec 2019",
                              "Jan 2020", "Feb 2020", "Mar 2020", "Apr 2020", "May 2020", "Jun 2020"]  # fmt: skip
    expect(page.get_by_text("42 USC 1755(e)")).to_be_visible()
    page.screenshot(path=screenshots / "entitlement-district-sda_reviewer.png", full_page=True)

    page.get_by_role("link", name="Entitlements in MN").click()

    expect(page).to_have_url(re.compile(r"/usda-foods/states/MN/entitlements/\?year=2019-20$"))
    expect(page.get_by_role("heading", name="SFAs in Minnesota")).to_be_visible()
    page.screenshot(path=screenshots / "entitlements-state-back-sda_reviewer.png", full_page=True)
