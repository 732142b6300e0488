"""An order's whole round trip in a real browser: a district manager starts an order in the open
window and adds lines (the value updates in place, no reload), submits; the SDA reviewer returns
it with a comment; the manager reads the comment, fixes a line and resubmits; the reviewer
approves. A screenshot at each step lands in artifacts/screenshots/ordering-NN-*.png."""

from __future__ import annotations

import os
import re
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import CHROMIUM, NO_CHROMIUM
from tests.browser.test_roles import log_in
from tests.usda_foods.ordering_fixtures import catalog_item, fund, open_window
from usda_foods.models import Drawdown, DrawdownStatus, Entitlement, Order, OrderStatus

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = [pytest.mark.browser, pytest.mark.skipif(not CHROMIUM.exists(), reason=NO_CHROMIUM)]


def log_out(page: Page) -> None:
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("button", name="Log out")).to_have_count(0)


def save_line(page: Page, *, food: int, site: int, cases: int, value: str) -> None:
    """Fill the line form and save it; htmx swaps the editor, so wait for the new value."""
    page.get_by_label("Food", exact=True).select_option(str(food))
    page.get_by_label("Delivery site", exact=True).select_option(str(site))
    page.get_by_label("Cases", exact=True).fill(str(cases))
    page.get_by_role("button", name="Save line").click()
    expect(page.get_by_test_id("order-value")).to_have_text(value)


def test_order_round_trip(
    page: Page, live_server, district, site, mn_agency, manager, sda_reviewer, screenshots
):
    beans = catalog_item("100117", "25.00", description="Beans, green, canned")
    apples = catalog_item("100220", "30.00", description="Apples, fresh")
    entitlement = fund(district)  # $23,750.00
    open_window(mn_agency, [beans, apples], name="Fall window")

    def shot(n: int, name: str) -> None:
        page.screenshot(path=screenshots / f"ordering-{n:02d}-{name}.png", full_page=True)

    # The manager starts the order in the open window.
    log_in(page, manager.email)
    page.goto("/usda-foods/orders/")
    expect(page.get_by_role("heading", name="Open order windows")).to_be_visible()
    shot(1, "manager-orders")
    page.get_by_role("button", name=f"Start an order for {district.name} in Fall window").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(district.name)
    expect(page.get_by_test_id("status")).to_have_text("Draft")
    order = Order.objects.get(district=district)
    shot(2, "order-started")

    # Lines: the value and the balance after the order update in place, without a reload.
    page.evaluate("window.__sameDocument = true")
    save_line(page, food=beans.pk, site=site.pk, cases=10, value="$250.00")
    expect(page.get_by_test_id("remaining-after")).to_have_text("$23,500.00")
    save_line(page, food=apples.pk, site=site.pk, cases=3, value="$340.00")
    expect(page.get_by_test_id("remaining-after")).to_have_text("$23,410.00")
    expect(page.get_by_test_id("editor-notice")).to_have_text(re.compile("3 cases of Apples, fresh"))
    assert page.evaluate("window.__sameDocument") is True  # htmx swapped the editor: no reload
    expect(page.get_by_test_id("lines").locator("tbody tr")).to_have_count(2)
    shot(3, "lines-added")

    page.get_by_role("button", name="Submit order").click()
    expect(page.get_by_role("alert").first).to_contain_text(f"Order #{order.pk} submitted for review")
    expect(page.get_by_test_id("status")).to_have_text("Submitted")
    shot(4, "submitted")
    log_out(page)

    # The reviewer finds it in the queue and returns it with a comment.
    log_in(page, sda_reviewer.email)
    page.goto("/usda-foods/review/")
    expect(page.get_by_test_id("totals")).to_contain_text("$340.00")
    shot(5, "review-queue")
    page.get_by_role("link", name=f"#{order.pk}", exact=True).click()
    page.get_by_label("Comment").fill("Apples are short this fall: 2 cases at most, please.")
    shot(6, "review-form")
    page.get_by_role("button", name="Return for changes").click()
    expect(page.get_by_role("alert").first).to_contain_text(f"Order #{order.pk} returned to {district.name}")
    expect(page.get_by_test_id("status")).to_have_text("Returned for changes")
    shot(7, "returned")
    log_out(page)

    # The manager reads the comment, fixes the apples line and resubmits.
    log_in(page, manager.email)
    page.goto(order.get_absolute_url())
    expect(page.get_by_test_id("return-comment")).to_contain_text("2 cases at most")
    save_line(page, food=apples.pk, site=site.pk, cases=2, value="$310.00")
    shot(8, "line-fixed")
    page.get_by_role("button", name="Submit order").click()
    expect(page.get_by_test_id("status")).to_have_text("Submitted")
    shot(9, "resubmitted")
    log_out(page)

    # The reviewer approves.
    log_in(page, sda_reviewer.email)
    page.goto(order.get_absolute_url())
    page.get_by_role("button", name="Approve").click()
    expect(page.get_by_role("alert").first).to_contain_text(f"Order #{order.pk} approved: $310.00 is drawn")
    expect(page.get_by_test_id("status")).to_have_text("Approved")
    expect(page.get_by_test_id("history")).to_contain_text("Submitted → Approved")
    shot(10, "approved")

    order.refresh_from_db()
    entitlement = Entitlement.objects.get(pk=entitlement.pk)
    assert order.status == OrderStatus.APPROVED and order.value == Decimal("310.00")
    assert entitlement.drawn == Decimal("310.00")
    assert list(Drawdown.objects.values_list("amount", "status")) == [
        (Decimal("340.00"), DrawdownStatus.CANCELLED),  # released by the return
        (Decimal("310.00"), DrawdownStatus.POSTED),
    ]
    assert [t.to_status for t in order.transitions.all()] == [
        "draft", "submitted", "returned", "submitted", "approved",
    ]  # fmt: skip
