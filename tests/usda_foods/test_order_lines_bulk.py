"""Setting many lines of an order at once (``order_lines_set``): the rules of the one-line path,
all or nothing, and a 40-line order in a constant number of queries (at most 15)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from focus_lab.errors import DomainError
from tests.factories import SiteFactory
from tests.usda_foods.ordering_fixtures import catalog_item, fund, open_window
from usda_foods.models import Order, OrderLine
from usda_foods.ordering.services.orders import LineChange, order_create, order_line_set, order_lines_set

pytestmark = pytest.mark.django_db


@pytest.fixture
def bulk(district, site, mn_agency, manager):
    foods = [catalog_item(f"2{i:05d}", f"{10 + i}.25") for i in range(8)]
    fund(district, lunches=1_000_000)
    window = open_window(mn_agency, foods)
    sites = [site, *SiteFactory.create_batch(4, district=district)]
    order = order_create(district=district, window=window, user=manager)
    return {"foods": foods, "sites": sites, "order": order, "window": window}


def forty(bulk, cases=lambda i: i + 1) -> list[LineChange]:
    return [LineChange(food.pk, site.pk, cases(i)) for i, (food, site) in
            enumerate((f, s) for f in bulk["foods"] for s in bulk["sites"])]  # fmt: skip


def _queries(fn) -> int:
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


def test_forty_lines_in_at_most_15_queries_and_the_same_for_4(bulk, manager):
    lines = forty(bulk)
    assert len(lines) == 40
    four = _queries(lambda: order_lines_set(order_id=bulk["order"].pk, lines=lines[:4], user=manager))
    many = _queries(lambda: order_lines_set(order_id=bulk["order"].pk, lines=lines, user=manager))
    changed = _queries(lambda: order_lines_set(order_id=bulk["order"].pk, user=manager,
                                               lines=forty(bulk, cases=lambda i: i % 3)))  # fmt: skip
    assert many <= 15 and many == four
    assert changed <= 15

    order = Order.objects.get(pk=bulk["order"].pk)
    kept = {(ln.catalog_item_id, ln.delivery_site_id): ln.cases for ln in order.lines.all()}
    assert kept == {(c.catalog_item_id, c.delivery_site_id): c.cases for c in forty(bulk, cases=lambda i: i % 3)
                    if c.cases}  # fmt: skip
    assert order.value == sum(ln.cases * ln.unit_price for ln in order.lines.all())


def test_bulk_gives_what_the_one_line_path_gives(bulk, manager, district, mn_agency):
    lines = forty(bulk, cases=lambda i: (i * 7) % 5)
    order_lines_set(order_id=bulk["order"].pk, lines=lines, user=manager)
    one_by_one = order_create(district=district, window=open_window(mn_agency, bulk["foods"], name="Twin"),
                              user=manager)  # fmt: skip
    foods, sites = {f.pk: f for f in bulk["foods"]}, {s.pk: s for s in bulk["sites"]}
    for c in lines:
        order_line_set(order_id=one_by_one.pk, catalog_item=foods[c.catalog_item_id], cases=c.cases,
                       delivery_site=sites[c.delivery_site_id], user=manager)  # fmt: skip

    def shape(order_id):
        return sorted(OrderLine.objects.filter(order_id=order_id)
                      .values_list("catalog_item_id", "delivery_site_id", "cases", "unit_price"))  # fmt: skip

    assert shape(bulk["order"].pk) == shape(one_by_one.pk)
    assert Order.objects.get(pk=bulk["order"].pk).value == Order.objects.get(pk=one_by_one.pk).value


def test_an_existing_line_keeps_its_price(bulk, manager):
    food, site = bulk["foods"][0], bulk["sites"][0]
    order_lines_set(order_id=bulk["order"].pk, lines=[LineChange(food.pk, site.pk, 2)], user=manager)
    type(food).objects.filter(pk=food.pk).update(unit_price=Decimal("99.00"))
    order_lines_set(order_id=bulk["order"].pk, lines=[LineChange(food.pk, site.pk, 5)], user=manager)
    line = OrderLine.objects.get(order=bulk["order"])
    assert (line.cases, line.unit_price) == (5, Decimal("10.25"))


@pytest.mark.parametrize("bad, message", [
    ("not_offered", "Line 2: food #{food} is not offered"),
    ("foreign_site", "Line 2: site #{site} is not a delivery site"),
    ("negative", "Line 2: cases cannot be negative."),
    ("duplicate", "Line 2: name each food and site once."),
    ("too_many", "Line 2 (Food 200000): cases must be at most"),
])  # fmt: skip
def test_a_refused_line_refuses_all_and_says_which(bulk, manager, other_district, bad, message):
    food, site = bulk["foods"][0], bulk["sites"][0]
    other_food, other_site = catalog_item("300001"), SiteFactory(district=other_district)
    second = {
        "not_offered": LineChange(other_food.pk, site.pk, 1),
        "foreign_site": LineChange(food.pk, other_site.pk, 1),
        "negative": LineChange(bulk["foods"][1].pk, site.pk, -1),
        "duplicate": LineChange(food.pk, site.pk, 3),
        "too_many": LineChange(food.pk, bulk["sites"][1].pk, 10**7),
    }[bad]
    with pytest.raises(DomainError) as refused:
        order_lines_set(
            order_id=bulk["order"].pk, lines=[LineChange(food.pk, site.pk, 1), second], user=manager
        )
    assert refused.value.message.startswith(message.format(food=other_food.pk, site=other_site.pk))
    assert not OrderLine.objects.exists()


def test_a_locked_or_submitted_order_is_refused(bulk, manager):
    lines = forty(bulk)[:2]
    Order.objects.filter(pk=bulk["order"].pk).update(locked=True)
    with pytest.raises(DomainError, match="locked"):
        order_lines_set(order_id=bulk["order"].pk, lines=lines, user=manager)
    Order.objects.filter(pk=bulk["order"].pk).update(locked=False, status="submitted")
    with pytest.raises(DomainError, match="can no longer be changed"):
        order_lines_set(order_id=bulk["order"].pk, lines=lines, user=manager)
    assert not OrderLine.objects.exists()


# --- The order page's "save all" ---------------------------------------------------------------


def test_save_all_on_the_order_page_sets_every_line(bulk, manager, client_for):
    order = bulk["order"]
    order_lines_set(order_id=order.pk, lines=forty(bulk)[:3], user=manager)
    lines = list(OrderLine.objects.filter(order=order).order_by("pk"))
    client = client_for(manager)
    page = client.get(order.get_absolute_url()).content.decode()
    assert 'data-testid="save-all"' in page and "Save all 3 lines" in page

    url = f"/usda-foods/orders/{order.pk}/lines/all/"
    response = client.post(url, {f"cases-{lines[0].pk}": "7", f"cases-{lines[1].pk}": "0",
                                 f"cases-{lines[2].pk}": "3"}, HTTP_HX_REQUEST="true")  # fmt: skip
    assert response.status_code == 200 and "3 lines saved." in response.content.decode()
    assert dict(OrderLine.objects.filter(order=order).values_list("pk", "cases")) == {
        lines[0].pk: 7,
        lines[2].pk: 3,
    }

    refused = client.post(url, {f"cases-{lines[0].pk}": "many"}, HTTP_HX_REQUEST="true").content.decode()
    assert "No line was saved" in refused
    assert OrderLine.objects.get(pk=lines[0].pk).cases == 7


def test_save_all_is_the_managers_only(bulk, manager, viewer, client_for):
    order_lines_set(order_id=bulk["order"].pk, lines=forty(bulk)[:1], user=manager)
    line = OrderLine.objects.get(order=bulk["order"])
    response = client_for(viewer).post(
        f"/usda-foods/orders/{bulk['order'].pk}/lines/all/", {f"cases-{line.pk}": "9"}
    )
    assert response.status_code in (403, 404)
    assert OrderLine.objects.get(pk=line.pk).cases == 1


# --- The API ------------------------------------------------------------------------------------


def test_api_sets_lines_in_bulk_in_constant_queries(bulk, manager, api_for):
    api = api_for(manager)
    url = f"/api/v1/orders/{bulk['order'].pk}/lines/bulk/"

    def body(changes):
        return {"lines": [{"catalog_item": c.catalog_item_id, "delivery_site": c.delivery_site_id,
                           "cases": c.cases} for c in changes]}  # fmt: skip

    def post(changes):
        with CaptureQueriesContext(connection) as ctx:
            response = api.post(url, body(changes), format="json")
        assert response.status_code == 200, response.json()
        return response, len(ctx.captured_queries)

    _, four = post(forty(bulk)[:4])
    response, all_forty = post(forty(bulk))
    assert all_forty == four
    assert len(response.json()["lines"]) == 40
    assert Decimal(response.json()["value"]) == Order.objects.get(pk=bulk["order"].pk).value

    refused = api.post(url, body([LineChange(bulk["foods"][0].pk, 10**9, 1)]), format="json")
    assert refused.status_code == 400 and "Line 1" in str(refused.json())
    assert api.post(url, {"lines": []}, format="json").status_code == 400
    assert api.post(url, {"lines": "x"}, format="json").status_code == 400


def test_api_bulk_lines_of_another_district_are_not_found(bulk, api_for, other_district, mn_agency):
    from accounts.models import Role
    from tests.factories import member

    outsider = member(Role.DISTRICT_MANAGER, other_district, email="outsider@example.org")
    response = api_for(outsider).post(f"/api/v1/orders/{bulk['order'].pk}/lines/bulk/",
                                      {"lines": [{"catalog_item": 1, "delivery_site": 1, "cases": 1}]}, format="json")  # fmt: skip
    assert response.status_code == 404


def test_api_bulk_lines_are_refused_to_a_viewer(bulk, api_for, viewer):
    response = api_for(viewer).post(f"/api/v1/orders/{bulk['order'].pk}/lines/bulk/",
                                    {"lines": [{"catalog_item": 1, "delivery_site": 1, "cases": 1}]}, format="json")  # fmt: skip
    assert response.status_code == 403
    assert not OrderLine.objects.exists()
