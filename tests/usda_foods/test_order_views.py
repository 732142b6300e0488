"""The ordering pages through the real services: a district's orders and the order page (lines
edited in place with htmx, submit), and the SDA's review queue (decide, bulk approve, CSV)."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from tests.exports import XLSX, csv_body, xlsx_rows
from tests.factories import CoopFactory, DistrictFactory, SiteFactory, member
from tests.usda_foods.ordering_fixtures import catalog_item, fund, open_window
from usda_foods.models import Drawdown, Entitlement, Order, OrderLine, OrderStatus, OrderWindow
from usda_foods.ordering.services.orders import order_approve, order_create, order_line_set, order_submit

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
QUEUE = reverse("usda_foods:order-review-queue")
CSV = reverse("usda_foods:order-approved-lines-csv")


@pytest.fixture
def flow(district, site, mn_agency, manager):
    beans = catalog_item("100117", "25.00", description="Beans, green, canned")
    apples = catalog_item("100220", "30.00", description="Apples, fresh")
    cheese = catalog_item("100036", "50.00", description="Cheese, cheddar")  # not offered
    entitlement = fund(district)  # $23,750.00
    window = open_window(mn_agency, [beans, apples])
    order = order_create(district=district, window=window, user=manager)
    return SimpleNamespace(beans=beans, apples=apples, cheese=cheese, entitlement=entitlement,
                           window=window, order=order, site=site)  # fmt: skip


def url(name: str, *args: object) -> str:
    return reverse(f"usda_foods:{name}", args=args)


def text(response) -> str:
    return response.content.decode()


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def add_line(flow, user, item=None, cases=10, site=None) -> Order:
    return order_line_set(order_id=flow.order.pk, catalog_item=item or flow.beans, cases=cases,
                                   delivery_site=site or flow.site, user=user)  # fmt: skip


def submitted(flow, manager, cases=10) -> Order:
    add_line(flow, manager, cases=cases)
    return order_submit(order_id=flow.order.pk, user=manager)


def options(html: str, name: str) -> set[str]:
    """The option values of the select called ``name``."""
    select = re.search(rf'<select name="{name}".*?</select>', html, re.S)
    assert select, f"no select {name}"
    return set(re.findall(r'<option value="(\d+)"', select.group(0)))


# --- District orders ---------------------------------------------------------------------------


def test_order_list_shows_the_users_orders_and_starts_one_per_open_window(
    flow, client_for, manager, mn_agency, district
):
    winter = open_window(mn_agency, [flow.beans], name="Winter window")
    upcoming = {"opens_in": timedelta(days=30), "closes_in": timedelta(days=40)}
    open_window(mn_agency, [flow.beans], name="Spring window", **upcoming)  # no start button
    client = client_for(manager)
    html = text(client.get(url("order-list")))
    assert f"#{flow.order.pk}" in html and "Fall window" in html
    assert f"Open order #{flow.order.pk}" in html
    assert f"Start an order for {district.name} in Winter window" in html
    assert "in Spring window" not in html and html.count('data-testid="start-option"') == 2

    response = client.post(url("order-start"), {"window": winter.pk, "district": district.pk}, follow=True)
    order = Order.objects.get(window=winter, district=district)
    assert response.redirect_chain[-1][0] == order.get_absolute_url()
    assert messages_of(response) == [
        f"Order #{order.pk} of {district.name} in “Winter window”: add its lines."
    ]


def test_starting_an_order_without_an_entitlement_shows_the_services_reason(client_for, mn_agency):
    unfunded = DistrictFactory(name="Unfunded Schools", state_agency=mn_agency)
    manager = member(Role.DISTRICT_MANAGER, unfunded, email="manager@unfunded.example")
    window = open_window(mn_agency, [catalog_item()])
    response = client_for(manager).post(
        url("order-start"), {"window": window.pk, "district": unfunded.pk}, follow=True
    )
    assert "Unfunded Schools has no SY2019-20 entitlement to order against" in messages_of(response)[0]
    assert not Order.objects.exists()


def test_viewers_and_reviewers_cannot_start_orders(flow, client_for, viewer, sda_reviewer, district):
    for user in (viewer, sda_reviewer):
        html = text(client_for(user).get(url("order-list")))
        assert "Start an order" not in html and f"#{flow.order.pk}" in html
        response = client_for(user).post(
            url("order-start"), {"window": flow.window.pk, "district": district.pk}
        )
        assert response.status_code == 403


def test_order_list_filters_by_status(flow, client_for, manager):
    client = client_for(manager)
    row = f'<a href="{flow.order.get_absolute_url()}">#{flow.order.pk}</a></td>'
    assert row in text(client.get(url("order-list"), {"status": "draft"}))
    assert row not in text(client.get(url("order-list"), {"status": "approved"}))


# --- The order page ----------------------------------------------------------------------------


def test_order_page_renders_for_its_users(flow, client_for, manager, viewer, sda_reviewer, collab_admin):
    add_line(flow, manager, cases=10)
    html = text(client_for(manager).get(flow.order.get_absolute_url()))
    assert "Fall window" in html and "Draft" in html and "window open" in html
    assert re.search(r'data-testid="remaining">\$23,750\.00<', html)
    assert re.search(r'data-testid="order-value">\$250\.00<', html)
    assert re.search(r'data-testid="remaining-after">\$23,500\.00<', html)
    assert "Beans, green, canned" in html and "Alpha High School" in html
    assert "Save line" in html and "Submit order" in html and "Draft started" in html
    for user in (viewer, sda_reviewer):
        page = text(client_for(user).get(flow.order.get_absolute_url()))
        assert "Beans, green, canned" in page
        assert "Save line" not in page and "Submit order" not in page  # read-only here
    assert "Save line" in text(client_for(collab_admin).get(flow.order.get_absolute_url()))  # admins edit
    assert "Approve" not in text(client_for(sda_reviewer).get(flow.order.get_absolute_url()))  # a draft


def test_outsider_gets_404(flow, client_for, outsider, wi_agency, manager):
    add_line(flow, manager)
    wi_reviewer = member(Role.SDA_REVIEWER, wi_agency, email="reviewer@wi.example")
    for user in (outsider, wi_reviewer):
        client = client_for(user)
        assert client.get(flow.order.get_absolute_url()).status_code == 404
        post = {"catalog_item": flow.beans.pk, "delivery_site": flow.site.pk, "cases": 99}
        assert client.post(url("order-line-set", flow.order.pk), post).status_code == 404
        assert client.post(url("order-submit", flow.order.pk)).status_code == 404
        assert client.post(url("order-review", flow.order.pk), {"decision": "approve"}).status_code == 404
    assert OrderLine.objects.get().cases == 10
    assert client_for(manager).get(url("order-detail", 999_999)).status_code == 404


def test_read_only_users_cannot_change_lines(flow, client_for, viewer, sda_reviewer):
    post = {"catalog_item": flow.beans.pk, "delivery_site": flow.site.pk, "cases": 5}
    for user in (viewer, sda_reviewer):
        assert client_for(user).post(url("order-line-set", flow.order.pk), post).status_code == 403
        assert client_for(user).post(url("order-submit", flow.order.pk)).status_code == 403
    assert not OrderLine.objects.exists()


def test_choice_lists_offer_only_the_windows_foods_and_the_districts_sites(
    flow, client_for, manager, district, other_district, other_site
):
    SiteFactory(district=district, name="Alpha Admin Office", receives_deliveries=False)
    coop = CoopFactory(lead_district=DistrictFactory(name="Lead Schools", state_agency=district.state_agency),
                       members=[district])  # fmt: skip
    html = text(client_for(manager).get(flow.order.get_absolute_url()))
    assert options(html, "catalog_item") == {str(flow.beans.pk), str(flow.apples.pk)}
    assert options(html, "delivery_site") == {str(flow.site.pk), str(coop.receiving_site.pk)}
    assert "co-op, Lead Schools" in html


def test_posting_a_food_not_offered_gives_the_services_message_and_writes_nothing(flow, client_for, manager):
    post = {"catalog_item": flow.cheese.pk, "delivery_site": flow.site.pk, "cases": 5}
    response = client_for(manager).post(url("order-line-set", flow.order.pk), post)
    message = f"{flow.cheese} is not offered in the window “Fall window”."
    assert response.status_code == 200
    assert messages_of(response) == [f"The line was not saved: {message}"]
    assert f'<div class="invalid-feedback d-block">{message}</div>' in text(response)  # next to the field
    assert not OrderLine.objects.exists()


def test_posting_another_districts_site_is_refused_and_writes_nothing(
    flow, client_for, manager, mn_agency, other_site
):
    # A site the manager may see (they also view a neighbouring district) but not deliver to:
    # the service says why.
    neighbour = DistrictFactory(name="Charlie Schools", state_agency=mn_agency)
    member_site = SiteFactory(district=neighbour, name="Charlie Middle School")
    from accounts.models import Membership

    Membership.objects.create(user=manager, role=Role.DISTRICT_VIEWER, district=neighbour)
    client = client_for(manager)
    response = client.post(url("order-line-set", flow.order.pk),
                           {"catalog_item": flow.beans.pk, "delivery_site": member_site.pk, "cases": 5}, **HTMX)  # fmt: skip
    html = text(response)
    assert "Charlie Middle School is not a delivery site of Alpha Public Schools or of its co-op." in html
    # A site the manager cannot even see: an invalid choice, and its name is not echoed back.
    response = client.post(url("order-line-set", flow.order.pk),
                           {"catalog_item": flow.beans.pk, "delivery_site": other_site.pk, "cases": 5}, **HTMX)  # fmt: skip
    html = text(response)
    assert "Select a valid choice" in html and other_site.name not in html
    assert not OrderLine.objects.exists()


def test_htmx_line_changes_update_the_editor_in_place(flow, client_for, manager):
    client = client_for(manager)
    post = {"catalog_item": flow.beans.pk, "delivery_site": flow.site.pk, "cases": 10}
    response = client.post(url("order-line-set", flow.order.pk), post, **HTMX)
    html = text(response)
    assert response.status_code == 200 and "<html" not in html and html.startswith('<div id="order-editor"')
    assert re.search(r'data-testid="order-value">\$250\.00<', html)
    assert re.search(r'data-testid="remaining-after">\$23,500\.00<', html)
    assert "10 cases of Beans, green, canned to Alpha High School saved." in html

    html = text(client.post(url("order-line-set", flow.order.pk), {**post, "cases": 12}, **HTMX))  # change
    assert re.search(r'data-testid="order-value">\$300\.00<', html)
    html = text(client.post(url("order-line-set", flow.order.pk),
                            {"catalog_item": flow.apples.pk, "delivery_site": flow.site.pk, "cases": 1000}, **HTMX))  # fmt: skip
    assert re.search(r'data-testid="remaining-after">−\$6,550\.00<', html)  # 23,750 - 300 - 30,000
    assert "the order cannot be submitted like this" in html

    apples = OrderLine.objects.get(catalog_item=flow.apples)
    html = text(client.post(url("order-line-remove", flow.order.pk, apples.pk), **HTMX))
    assert "Line removed." in html and re.search(r'data-testid="order-value">\$300\.00<', html)
    assert list(OrderLine.objects.values_list("cases", flat=True)) == [12]


def test_plain_post_saves_and_redirects_with_a_message(flow, client_for, manager):
    post = {"catalog_item": flow.beans.pk, "delivery_site": flow.site.pk, "cases": 4}
    response = client_for(manager).post(url("order-line-set", flow.order.pk), post, follow=True)
    assert response.redirect_chain == [(flow.order.get_absolute_url(), 302)]
    assert messages_of(response) == ["4 cases of Beans, green, canned to Alpha High School saved."]
    line = OrderLine.objects.get()
    response = client_for(manager).post(url("order-line-remove", flow.order.pk, line.pk), follow=True)
    assert messages_of(response) == ["Line removed."] and not OrderLine.objects.exists()


def test_submit_through_the_page_holds_the_value_and_emails_the_district(
    flow, client_for, manager, django_capture_on_commit_callbacks
):
    add_line(flow, manager, cases=100)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(manager).post(url("order-submit", flow.order.pk), follow=True)
    assert messages_of(response) == [
        f"Order #{flow.order.pk} submitted for review: $2,500.00 is held on the entitlement until the state "
        "agency decides."
    ]
    html = text(response)
    assert "Submitted" in html and "Draft → Submitted" in html and "Save line" not in html
    assert Entitlement.objects.get().drawn == Decimal("2500.00")
    assert [m.subject for m in mail.outbox] == [f"Order #{flow.order.pk} submitted: Fall window"]
    assert mail.outbox[0].to == ["manager@alpha.example"]


@pytest.mark.parametrize(
    ("cases", "expected"),
    [
        (0, "Add at least one line before submitting."),
        (1000, "overdraw the entitlement: $25,000.00 asked, $23,750.00 remaining"),
    ],
)
def test_submit_refusals_are_shown(flow, client_for, manager, cases, expected):
    if cases:
        add_line(flow, manager, cases=cases)
    response = client_for(manager).post(url("order-submit", flow.order.pk), follow=True)
    [message] = messages_of(response)
    assert message.startswith("The order was not submitted: ") and expected in message
    assert Order.objects.get().status == OrderStatus.DRAFT and not Drawdown.objects.exists()


def test_a_closed_window_refuses_submission_and_hides_the_editor(flow, client_for, manager):
    add_line(flow, manager)
    OrderWindow.objects.filter(pk=flow.window.pk).update(closes_at=timezone.now() - timedelta(minutes=1))
    client = client_for(manager)
    response = client.post(url("order-submit", flow.order.pk), follow=True)
    assert messages_of(response) == [
        "The order was not submitted: The order window “Fall window” is closed: orders can only be "
        "submitted while it is open."
    ]
    html = text(response)
    assert "Save line" not in html and "Submit order" not in html and "window closed" in html


def test_edit_after_submission_is_refused(flow, client_for, manager):
    submitted(flow, manager)
    client = client_for(manager)
    post = {"catalog_item": flow.beans.pk, "delivery_site": flow.site.pk, "cases": 99}
    response = client.post(url("order-line-set", flow.order.pk), post, follow=True)
    assert messages_of(response) == [
        "The line was not saved: This order is submitted and can no longer be changed."
    ]
    html = text(client.post(url("order-line-set", flow.order.pk), post, **HTMX))
    assert "This order is submitted and can no longer be changed." in html and "Save line" not in html
    line = OrderLine.objects.get()
    assert client.post(url("order-line-remove", flow.order.pk, line.pk), follow=True).status_code == 200
    assert OrderLine.objects.get().cases == 10


# --- Reviewing ----------------------------------------------------------------------------------


def test_reviewer_approves_once(flow, client_for, manager, sda_reviewer, django_capture_on_commit_callbacks):
    submitted(flow, manager)
    client = client_for(sda_reviewer)
    assert "Return for changes" in text(client.get(flow.order.get_absolute_url()))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("order-review", flow.order.pk), {"decision": "approve"}, follow=True)
    assert messages_of(response) == [
        f"Order #{flow.order.pk} approved: $250.00 is drawn from the SY2019-20 entitlement of Alpha Public Schools."
    ]
    assert Order.objects.get().status == OrderStatus.APPROVED
    assert [m.subject for m in mail.outbox] == [f"Order #{flow.order.pk} approved: Fall window"]
    response = client.post(url("order-review", flow.order.pk), {"decision": "approve"})
    assert messages_of(response) == [
        f"Order #{flow.order.pk} was not approved: Only a submitted order can be approved; this one is approved."
    ]
    assert Entitlement.objects.get().drawn == Decimal("250.00")


def test_return_needs_a_comment_and_the_district_sees_it(
    flow, client_for, manager, sda_reviewer, django_capture_on_commit_callbacks
):
    submitted(flow, manager, cases=100)
    reviewer = client_for(sda_reviewer)
    response = reviewer.post(url("order-review", flow.order.pk), {"decision": "return", "comment": " "})
    comment_error = "Say what needs to change: the district sees this comment."
    assert f'<div class="invalid-feedback d-block">{comment_error}</div>' in text(response)
    assert Order.objects.get().status == OrderStatus.SUBMITTED
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = reviewer.post(url("order-review", flow.order.pk),
                                 {"decision": "return", "comment": "Use 80 cases"}, follow=True)  # fmt: skip
    assert messages_of(response) == [
        f"Order #{flow.order.pk} returned to Alpha Public Schools for changes; the $2,500.00 held is released."
    ]
    assert "Comment: Use 80 cases" in mail.outbox[-1].body
    assert Entitlement.objects.get().drawn == Decimal("0.00")
    html = text(client_for(manager).get(flow.order.get_absolute_url()))
    assert 'data-testid="return-comment"' in html and "Use 80 cases" in html
    assert "Submitted → Returned for changes" in html and "Save line" in html  # editable again


def test_reject_needs_a_comment(flow, client_for, manager, sda_reviewer, django_capture_on_commit_callbacks):
    submitted(flow, manager)
    reviewer = client_for(sda_reviewer)
    response = reviewer.post(url("order-review", flow.order.pk), {"decision": "reject"})
    assert "Say why the order is rejected: the district sees this comment." in text(response)
    with django_capture_on_commit_callbacks(execute=True):
        response = reviewer.post(url("order-review", flow.order.pk),
                                 {"decision": "reject", "comment": "Duplicate of the winter order"}, follow=True)  # fmt: skip
    assert messages_of(response) == [f"Order #{flow.order.pk} rejected; the $250.00 held is released."]
    assert Order.objects.get().status == OrderStatus.REJECTED
    assert mail.outbox[-1].subject == f"Order #{flow.order.pk} rejected: Fall window"
    assert "Duplicate of the winter order" in text(client_for(manager).get(flow.order.get_absolute_url()))


def test_a_district_manager_cannot_review(flow, client_for, manager):
    submitted(flow, manager)
    response = client_for(manager).post(url("order-review", flow.order.pk), {"decision": "approve"})
    assert messages_of(response) == [
        f"Order #{flow.order.pk} was not approved: You cannot review this order."
    ]
    assert Order.objects.get().status == OrderStatus.SUBMITTED


# --- The review queue ---------------------------------------------------------------------------


def make_orders(n: int, *, agency, window, items, user, status: str = "submitted") -> list[Order]:
    """``n`` districts of the state, each with an order of two lines, taken to ``status``."""
    orders = []
    for _ in range(n):
        district = DistrictFactory(state_agency=agency)
        site = SiteFactory(district=district)
        fund(district)
        order = order_create(district=district, window=window, user=user)
        for cases, item in enumerate(items, start=1):
            order_line_set(order_id=order.pk, catalog_item=item, cases=cases, delivery_site=site, user=user)
        if status != "draft":
            order_submit(order_id=order.pk, user=user)
        if status == "approved":
            order_approve(order_id=order.pk, user=user)
        orders.append(order)
    return orders


def queue_rows(html: str) -> set[int]:
    return {int(pk) for pk in re.findall(r'aria-label="Select order #(\d+)"', html)} | {
        int(pk) for pk in re.findall(r'<td[^>]*><a href="/usda-foods/orders/(\d+)/">', html)
    }


def test_queue_lists_the_states_orders_with_filters_and_totals(
    flow, client_for, manager, sda_reviewer, mn_agency, district
):
    submitted(flow, manager, cases=10)  # $250.00, beans
    winter = open_window(mn_agency, [flow.beans, flow.apples], name="Winter window")
    [apples_order] = make_orders(1, agency=mn_agency, window=winter, items=[flow.apples], user=sda_reviewer)
    [draft] = make_orders(
        1, agency=mn_agency, window=winter, items=[flow.beans], user=sda_reviewer, status="draft"
    )
    client = client_for(sda_reviewer)

    response = client.get(QUEUE)  # submitted by default
    assert queue_rows(text(response)) == {flow.order.pk, apples_order.pk}
    totals = response.context["totals"]
    assert (totals.count, totals.value) == (2, Decimal("280.00"))
    assert re.search(r"<strong>2</strong> orders.*\$280\.00", text(response), re.S)

    assert queue_rows(text(client.get(QUEUE, {"window": winter.pk}))) == {apples_order.pk}
    assert queue_rows(text(client.get(QUEUE, {"district": district.pk}))) == {flow.order.pk}
    assert queue_rows(text(client.get(QUEUE, {"food": flow.apples.pk}))) == {apples_order.pk}
    assert queue_rows(text(client.get(QUEUE, {"status": "draft"}))) == {draft.pk}
    assert queue_rows(text(client.get(QUEUE, {"status": ""}))) == {flow.order.pk, apples_order.pk, draft.pk}
    response = client.get(QUEUE, {"status": "", "food": flow.beans.pk})
    assert response.context["orders"][0].line_count == 1
    assert response.context["totals"].count == 2  # the beans order and the beans draft


def test_queue_of_another_states_reviewer_shows_none_of_these_orders(flow, client_for, manager, wi_agency):
    submitted(flow, manager)
    wi_reviewer = member(Role.SDA_REVIEWER, wi_agency, email="reviewer@wi.example")
    response = client_for(wi_reviewer).get(QUEUE, {"status": ""})
    assert response.status_code == 200 and response.context["totals"].count == 0
    assert f"#{flow.order.pk}" not in text(response)
    csv_text = csv_body(client_for(wi_reviewer).get(CSV))
    assert csv_text.count("\n") == 1  # the header only


def test_queue_is_for_reviewers_only(flow, client_for, manager, viewer, collab_admin):
    for user in (manager, viewer, collab_admin):
        assert client_for(user).get(QUEUE).status_code == 403
        assert client_for(user).get(CSV).status_code == 403
        assert client_for(user).post(url("order-bulk-approve"), {"order": [flow.order.pk]}).status_code == 403


def test_bulk_approve_reports_each_refusal(
    flow, client_for, manager, sda_reviewer, mn_agency, wi_agency, other_district
):
    submitted(flow, manager)
    winter = open_window(mn_agency, [flow.beans], name="Winter window")
    [second] = make_orders(1, agency=mn_agency, window=winter, items=[flow.beans], user=manager)
    [draft] = make_orders(
        1, agency=mn_agency, window=winter, items=[flow.beans], user=manager, status="draft"
    )
    wi_window = open_window(wi_agency, [flow.beans], name="WI window")
    [foreign] = make_orders(1, agency=wi_agency, window=wi_window, items=[flow.beans], user=manager)
    response = client_for(sda_reviewer).post(
        url("order-bulk-approve"),
        {"order": [flow.order.pk, second.pk, draft.pk, foreign.pk], "query": "window=&status=submitted"},
        follow=True,
    )
    assert response.redirect_chain == [(f"{QUEUE}?window=&status=submitted", 302)]
    assert messages_of(response) == [
        f"Approved 2 orders: #{flow.order.pk}, #{second.pk}.",
        f"Order #{draft.pk} was not approved: Only a submitted order can be approved; this one is draft.",
        f"Order #{foreign.pk} was not approved: You cannot review this order.",
    ]
    statuses = dict(Order.objects.values_list("pk", "status"))
    assert statuses[flow.order.pk] == statuses[second.pk] == OrderStatus.APPROVED
    assert statuses[foreign.pk] == OrderStatus.SUBMITTED
    response = client_for(sda_reviewer).post(url("order-bulk-approve"), {}, follow=True)
    assert messages_of(response) == ["Select the orders to approve first."]


def parse_csv(response) -> list[dict[str, str]]:
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    return list(csv.DictReader(io.StringIO(csv_body(response))))


def test_csv_of_approved_lines(flow, client_for, manager, sda_reviewer, mn_agency, district, site):
    add_line(flow, manager, cases=10)
    add_line(flow, manager, item=flow.apples, cases=3)
    order_submit(order_id=flow.order.pk, user=manager)
    order_approve(order_id=flow.order.pk, user=sda_reviewer)
    winter = open_window(mn_agency, [flow.beans], name="Winter window")
    # submitted, not approved: not exported
    make_orders(1, agency=mn_agency, window=winter, items=[flow.beans], user=manager)
    client = client_for(sda_reviewer)

    rows = parse_csv(client.get(CSV, {"status": "submitted"}))  # the status filter does not apply
    workbook = client.get(CSV, {"status": "submitted", "format": "xlsx"})
    assert workbook["Content-Type"] == XLSX
    sheet = xlsx_rows(workbook)
    assert [row[0] for row in sheet[1:]] == [flow.order.pk, flow.order.pk]
    assert [row[-1] for row in sheet[1:]] == [250.0, 90.0] and sheet[1][1] == "Alpha Public Schools"
    assert rows == [
        {"order_id": str(flow.order.pk), "district": "Alpha Public Schools", "agency_code": district.agency_code,
         "window": "Fall window", "material_code": "100117", "description": "Beans, green, canned", "cases": "10",
         "delivery_site": "Alpha High School", "site_address": "100 Main St, Springfield, MN 55401",
         "latitude": "44.977800", "longitude": "-93.265000", "unit_price": "25.00", "line_value": "250.00"},
        {"order_id": str(flow.order.pk), "district": "Alpha Public Schools", "agency_code": district.agency_code,
         "window": "Fall window", "material_code": "100220", "description": "Apples, fresh", "cases": "3",
         "delivery_site": "Alpha High School", "site_address": "100 Main St, Springfield, MN 55401",
         "latitude": "44.977800", "longitude": "-93.265000", "unit_price": "30.00", "line_value": "90.00"},
    ]  # fmt: skip
    assert [r["material_code"] for r in parse_csv(client.get(CSV, {"food": flow.apples.pk}))] == ["100220"]
    assert parse_csv(client.get(CSV, {"window": winter.pk})) == []
    html = text(client.get(QUEUE, {"window": winter.pk, "status": "approved"}))
    assert f'href="{CSV}?window={winter.pk}"' in html  # the export link carries the filters, not the status


def test_csv_neutralises_formulas(flow, client_for, manager, sda_reviewer, site):
    type(site).objects.filter(pk=site.pk).update(name='=HYPERLINK("http://x")')
    submitted(flow, manager)
    order_approve(order_id=flow.order.pk, user=sda_reviewer)
    [row] = parse_csv(client_for(sda_reviewer).get(CSV))
    assert row["delivery_site"].startswith("'=")


# --- Query budgets ------------------------------------------------------------------------------


def _count_queries(client, path: str, params: dict | None = None, *, stream: bool = False) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path, params or {})
        assert response.status_code == 200
        if stream:
            b"".join(response.streaming_content)
    return len(ctx.captured_queries)


def test_review_queue_costs_the_same_queries_for_5_or_50_orders(
    client_for, manager, sda_reviewer, mn_agency, django_assert_num_queries
):
    beans, apples = catalog_item("100117", "25.00"), catalog_item("100220", "30.00")
    window = open_window(mn_agency, [beans, apples])
    make_orders(5, agency=mn_agency, window=window, items=[beans, apples], user=manager)
    client = client_for(sda_reviewer)
    params = {"window": window.pk, "food": beans.pk}
    client.get(QUEUE)  # warm the session
    with_five = _count_queries(client, QUEUE, params)
    make_orders(45, agency=mn_agency, window=window, items=[beans, apples], user=manager)
    # session, user, roles (navigation and the reviewer check), the window and food of the query
    # validated, the totals (one aggregate, whose count the paginator reuses), the page of orders
    # with their windows, states and districts and line counts, and the filter form's two choice
    # lists (the district is a search box: a state has thousands)
    with django_assert_num_queries(9) as captured:
        response = client.get(QUEUE, params)
    assert response.context["totals"].count == 50 and len(response.context["orders"]) == 50
    assert response.context["paginator"].count == 50
    assert with_five == 9
    # Line counts are a subquery the page's rows only evaluate: nothing groups the state's lines,
    # and the totals (the paginator's count) do not read order lines at all.
    sql = [q["sql"] for q in captured.captured_queries]
    assert not any("GROUP BY" in q and "LIMIT" not in q for q in sql)
    assert not any(q.startswith("SELECT COUNT(*)") for q in sql)
    count = next(q for q in sql if q.startswith('SELECT COUNT("usda_foods_order"."id")'))
    assert "usda_foods_orderline" not in count.split("EXISTS")[0]


def test_approved_lines_csv_costs_the_same_queries_for_5_or_50_orders(
    client_for, manager, sda_reviewer, mn_agency, django_assert_num_queries
):
    beans, apples = catalog_item("100117", "25.00"), catalog_item("100220", "30.00")
    window = open_window(mn_agency, [beans, apples])
    make_orders(
        5, agency=mn_agency, window=window, items=[beans, apples], user=sda_reviewer, status="approved"
    )
    client = client_for(sda_reviewer)
    client.get(QUEUE)  # warm the session
    with_five = _count_queries(client, CSV, stream=True)
    make_orders(
        45, agency=mn_agency, window=window, items=[beans, apples], user=sda_reviewer, status="approved"
    )
    # session, user, roles (the reviewer check), then the lines joined to their orders, districts,
    # windows, foods and sites, read through one server-side cursor
    with django_assert_num_queries(4):
        response = client.get(CSV)
        rows = csv_body(response).splitlines()
    assert len(rows) == 1 + 100 and with_five == 4


def test_order_page_and_list_cost_the_same_queries_for_2_or_20_lines(flow, client_for, manager):
    client = client_for(manager)
    add_line(flow, manager)
    add_line(flow, manager, item=flow.apples)
    client.get(flow.order.get_absolute_url())  # warm the session
    page, listing = (
        _count_queries(client, flow.order.get_absolute_url()),
        _count_queries(client, url("order-list")),
    )
    for site in SiteFactory.create_batch(9, district=flow.site.district):
        add_line(flow, manager, site=site)
        add_line(flow, manager, item=flow.apples, site=site)
    assert OrderLine.objects.count() == 20
    assert _count_queries(client, flow.order.get_absolute_url()) == page
    assert _count_queries(client, url("order-list")) == listing
    # The page: session, user, roles (navigation), the order with its window, state, district and
    # entitlement, the manager's write check, the lines with foods and sites, the history with its
    # users, the food and site choices of the line form, and the state's fee schedules (the fee
    # estimate reads the lines only when a schedule is in force: see the fee test below), and the
    # order's cases waiting for a full truck (the state's totals only when some wait), and the
    # truckload context: the window's foods and the state's demand for them (one query each).
    # The list: session, user, roles, the paginator's count, the page of orders, the open windows,
    # the managed districts and their orders in them, and the filter's window choices (the district
    # is a search box).
    assert (page, listing) == (13, 9)


def test_a_draft_shows_the_state_fees_it_will_incur_before_submission(
    flow, client_for, manager, mn_agency, api_for, outsider_api
):
    from usda_foods.deliveries.models import FeeSchedule

    FeeSchedule.objects.create(state_agency=mn_agency, effective_from=flow.window.delivery_start,
                               min_cases_per_drop=10, drop_fee=Decimal("25.00"),
                               delivery_fee_per_case=Decimal("0.50"), delivery_fee_per_lb=Decimal("0.01"))  # fmt: skip
    other_site = SiteFactory(district=flow.site.district, name="Zenith Kitchen")
    add_line(flow, manager, cases=12)  # 12 cases at the first site: at or over the minimum, no drop fee
    add_line(flow, manager, item=flow.apples, cases=4, site=other_site)  # 4 cases: under 10, a drop fee
    client = client_for(manager)
    pounds = 12 * flow.beans.net_case_weight_lb + 4 * flow.apples.net_case_weight_lb
    delivery = (Decimal("16") * Decimal("0.50") + pounds * Decimal("0.01")).quantize(Decimal("0.01"))
    html = text(client.get(flow.order.get_absolute_url()))
    assert 'data-testid="fee-estimate"' in html
    assert f"about ${delivery + Decimal('25.00'):,.2f}" in html
    assert "Drop fee at Zenith Kitchen: $25.00 (4 cases, under the minimum of 10 a drop)" in html
    assert f"Delivery: ${delivery:,.2f} on 16 cases" in html
    # The order API gives the same estimate (one computation: ordering.selectors.order_fee_estimate).
    api = api_for(manager).get(f"/api/v1/orders/{flow.order.pk}/fee-estimate/").json()
    assert api["drops"] == [{"site": "Zenith Kitchen", "cases": 4, "fee": "25.00"}]
    assert (api["delivery"], api["total"], api["cases"]) == (f"{delivery:.2f}", f"{delivery + 25:.2f}", 16)
    assert (api["schedule_effective_from"], api["min_cases_per_drop"]) == (
        str(flow.window.delivery_start),
        10,
    )
    assert outsider_api.get(f"/api/v1/orders/{flow.order.pk}/fee-estimate/").status_code == 404
    # the page still costs the same whatever the lines: one more query reads them for the estimate
    before = _count_queries(client, flow.order.get_absolute_url())
    for site in SiteFactory.create_batch(5, district=flow.site.district):
        add_line(flow, manager, site=site)
    assert _count_queries(client, flow.order.get_absolute_url()) == before
