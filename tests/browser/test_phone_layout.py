"""The demo on a phone (390 × 844): the key money figures (PAL, remaining, utilisation; an order's
value) are on screen without scrolling sideways, on the entitlement lists, the order list, the
review queue and the entitlement page, whose figures come first and whose chart spans its school
year with the year on every label. Screenshots land in artifacts/screenshots/phone-*.png; axe-core
checks every page at this size (the ``page`` fixture)."""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from districts import demo
from districts.models import Collaborative, District
from tests.browser.conftest import CHROMIUM, NO_CHROMIUM
from usda_foods.entitlements import rules as entitlements
from usda_foods.entitlements.school_years import current_school_year

pytestmark = [pytest.mark.browser, pytest.mark.skipif(not CHROMIUM.exists(), reason=NO_CHROMIUM)]

PHONE = {"width": 390, "height": 844}

# Where an element sits, and whether all of it is on screen: inside the viewport's width and not
# cut off by any ancestor that clips or scrolls sideways (a .table-responsive wrapper).
PLACEMENT = """(element) => {
  const box = element.getBoundingClientRect();
  let clipped = false;
  for (let parent = element.parentElement; parent; parent = parent.parentElement) {
    if (getComputedStyle(parent).overflowX !== "visible") {
      const frame = parent.getBoundingClientRect();
      clipped = clipped || box.left < frame.left - 0.5 || box.right > frame.right + 0.5;
    }
  }
  return {left: box.left, right: box.right, top: box.top, bottom: box.bottom, width: box.width,
          clipped: clipped, text: element.innerText.trim()};
}"""

NOTHING_SCROLLS_SIDEWAYS = """() => [document.documentElement, ...document.querySelectorAll(".table-responsive")]
  .filter((element) => element.scrollWidth > element.clientWidth + 1)
  .map((element) => element.className || element.tagName)"""


def log_in_on_a_phone(page: Page, email: str) -> None:
    """Log in at desktop size (the phone layout folds the Log out button into the menu), then
    turn the window into a phone."""
    page.context.clear_cookies()
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(demo.DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Log out")).to_be_attached()
    page.set_viewport_size(PHONE)


def assert_on_screen(page: Page, selector: str, *, at_least: int) -> list[dict]:
    """Every element matching ``selector`` has a size, lies within the phone's width and is not
    clipped by a scrolling table; nothing on the page scrolls sideways."""
    cells = page.locator(selector)
    expect(cells.first).to_be_visible()
    placements = [cells.nth(i).evaluate(PLACEMENT) for i in range(cells.count())]
    assert len(placements) >= at_least, (selector, placements)
    for placement in placements:
        assert placement["width"] > 0 and placement["text"], (selector, placement)
        assert placement["left"] >= 0 and placement["right"] <= PHONE["width"], (selector, placement)
        assert not placement["clipped"], (selector, placement)
    assert page.evaluate(NOTHING_SCROLLS_SIDEWAYS) == []
    return placements


def test_key_figures_fit_a_phone(page: Page, live_server, screenshots):
    call_command("seed_demo")
    year = current_school_year()
    minneapolis = District.objects.get(name="Minneapolis Public Schools")
    lab = Collaborative.objects.get(slug=demo.COLLABORATIVE["slug"])

    # The SDA reviewer: the state's SFAs, the review queue, one SFA's entitlement.
    log_in_on_a_phone(page, "reviewer@mde.example")
    page.goto("/usda-foods/states/MN/entitlements/")
    table = "[data-testid=entitlements] tbody"
    for figure in ("pal", "remaining", "utilisation"):
        assert_on_screen(page, f"{table} [data-testid={figure}]", at_least=2)
    expect(page.locator(f"{table} [data-testid=remaining]").first).to_contain_text("$")
    page.screenshot(path=screenshots / "phone-entitlements-state.png", full_page=True)

    page.goto("/usda-foods/review/")
    assert_on_screen(page, "[data-testid=queue] tbody [data-testid=value]", at_least=1)
    page.screenshot(path=screenshots / "phone-review-queue.png", full_page=True)

    page.goto(f"/districts/{minneapolis.pk}/entitlements/{year}/")
    # The key figures come first: whole, on the first screen, without scrolling either way.
    for figure in ("remaining", "utilisation", "pal"):
        placement = assert_on_screen(page, f"[data-testid={figure}]", at_least=1)[0]
        assert 0 <= placement["top"] and placement["bottom"] <= PHONE["height"], (figure, placement)
    assert_on_screen(page, "[data-testid=ledger] tbody td.stack-key", at_least=2)  # status, amount
    # The chart spans its school year, July 1 to June 30, and every label carries its year.
    page.wait_for_function("() => window.Chart && Chart.getChart(document.getElementById('drawdown-chart'))")
    axis = page.evaluate("""() => {
      const x = Chart.getChart(document.getElementById('drawdown-chart')).scales.x;
      const text = (label) => (Array.isArray(label) ? label.join(" ") : label);
      return {min: x.min, max: x.max, labels: x.ticks.map((tick) => text(tick.label))};
    }""")
    school_year = entitlements.parse_school_year(year)
    assert (axis["min"], axis["max"]) == (0, (school_year.last_day - school_year.first_day).days)
    assert axis["labels"][0] == f"Jul {school_year.start}"
    assert axis["labels"] and all(re.fullmatch(r"[A-Z][a-z]{2} 20\d\d", label) for label in axis["labels"])
    page.screenshot(path=screenshots / "phone-entitlement.png", full_page=True)

    # The district manager's orders.
    log_in_on_a_phone(page, "manager@mpls.example")
    page.goto("/usda-foods/orders/")
    assert_on_screen(page, "[data-testid=orders] tbody [data-testid=value]", at_least=1)
    page.screenshot(path=screenshots / "phone-orders.png", full_page=True)

    # The lab's admin: all seven districts across four states.
    log_in_on_a_phone(page, "admin@focuslab.example")
    page.goto(f"/collaboratives/{lab.pk}/entitlements/")
    for figure in ("pal", "remaining", "utilisation"):
        assert_on_screen(page, f"[data-testid=entitlements] tbody [data-testid={figure}]", at_least=7)
    page.screenshot(path=screenshots / "phone-entitlements-collaborative.png", full_page=True)
