"""Delivery pages and API as their users: the receiving district lists and receipts its
deliveries, a co-op member sees its lines, the state sees and releases; outsiders get 404;
the list runs a constant number of queries."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.usda_foods.deliveries_fixtures import released
from usda_foods.models import ExpectedDelivery, Receipt

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(district, manager, mn_agency, sda_reviewer):
    return released(district, manager, mn_agency, sda_reviewer)


def test_lists_and_detail_render_for_their_users(
    world, client_for, member_client, readonly_client, sda_reviewer
):
    beans = world["beans_delivery"]
    page = member_client.get(reverse("usda_foods:delivery-list")).content.decode()
    assert "Beans, green, canned" in page and "North Star Poultry" in page  # its chicken, diverted, too
    assert "Record the receipt" in member_client.get(beans.get_absolute_url()).content.decode()
    # The processor's delivery is the state's to receipt: the district reads it.
    chicken = member_client.get(world["chicken_delivery"].get_absolute_url()).content.decode()
    assert "Record the receipt" not in chicken and "the receiving state agency records it" in chicken
    assert "Record the receipt" not in readonly_client.get(beans.get_absolute_url()).content.decode()
    delta = client_for(world["delta_manager"])
    assert delta.get(beans.get_absolute_url()).status_code == 200  # a co-op member sees its lines
    assert (
        delta.post(
            beans.get_absolute_url(), {"received_on": "2019-10-01", "cases_received": "100"}
        ).status_code
        == 403
    )
    state = client_for(sda_reviewer).get(reverse("usda_foods:delivery-list")).content.decode()
    assert "North Star Poultry" in state


def test_manager_records_a_receipt_with_a_shortage(world, member_client):
    beans = world["beans_delivery"]
    response = member_client.post(beans.get_absolute_url(), {"received_on": str(beans.delivery_date),
                                                             "cases_received": "90", "reason": "damaged", "notes": "Crushed"})  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:2000]
    page = member_client.get(beans.get_absolute_url()).content.decode()
    assert "90 of 100 cases received" in page and "Damaged" in page and "-6" in page and "-4" in page
    again = member_client.post(
        beans.get_absolute_url(), {"received_on": str(beans.delivery_date), "cases_received": "100"}
    )
    assert again.status_code == 403 or Receipt.objects.count() == 1


def test_outsider_gets_404_on_pages_and_api(world, outsider_client, outsider_api):
    beans = world["beans_delivery"]
    assert outsider_client.get(beans.get_absolute_url()).status_code == 404
    assert outsider_client.post(beans.get_absolute_url(), {"cases_received": "1"}).status_code == 404
    assert "Beans" not in outsider_client.get(reverse("usda_foods:delivery-list")).content.decode()
    assert outsider_api.get(f"/api/v1/deliveries/{beans.pk}/").status_code == 404
    assert outsider_api.post(f"/api/v1/deliveries/{beans.pk}/receipt/", {"received_on": "2019-10-01",
                                                                        "cases_received": 1}, format="json").status_code == 404  # fmt: skip
    # The plan is input: an id outside the user's reach is a 400, as for any other bad input.
    release = outsider_api.post("/api/v1/deliveries/release/", {"plan": world["plan"].pk}, format="json")
    assert release.status_code == 400


def test_api_receipt_and_its_refusals(world, member_api):
    beans = world["beans_delivery"]
    url = f"/api/v1/deliveries/{beans.pk}/receipt/"
    short = member_api.post(
        url, {"received_on": str(beans.delivery_date), "cases_received": 99}, format="json"
    )
    assert short.status_code == 400 and "reason" in short.json()
    ok = member_api.post(url, {"received_on": str(beans.delivery_date), "cases_received": 100}, format="json")
    assert ok.status_code == 200 and ok.json()["receipt"]["cases_received"] == 100
    assert (
        member_api.post(
            url, {"received_on": str(beans.delivery_date), "cases_received": 100}, format="json"
        ).status_code
        == 400
    )


def test_delivery_list_runs_constant_queries(world, client_for, sda_reviewer):
    client = client_for(sda_reviewer)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("usda_foods:delivery-list")).status_code == 200
        return len(ctx.captured_queries)

    small = count()
    for delivery in list(ExpectedDelivery.objects.all()):
        for _ in range(3):
            delivery.pk, delivery.stop = None, None
            delivery.save()
    assert ExpectedDelivery.objects.count() > 6
    assert count() == small


def test_reviewer_releases_a_plan_through_the_api(district, manager, mn_agency, sda_reviewer, api_for):
    from usda_foods.models import ExpectedDelivery as Delivery

    world = released(district, manager, mn_agency, sda_reviewer)
    Delivery.objects.all().delete()
    api = api_for(sda_reviewer)
    response = api.post("/api/v1/deliveries/release/", {"plan": world["plan"].pk}, format="json")
    assert response.status_code == 201 and response.json() == {"created": 2}
    again = api.post("/api/v1/deliveries/release/", {"plan": world["plan"].pk}, format="json")
    assert again.json() == {"created": 0}  # idempotent: only new stops
    assert api_for(manager).post("/api/v1/deliveries/release/", {"plan": world["plan"].pk},
                                 format="json").status_code == 400  # fmt: skip


def test_dashboard_lists_receipts_waiting_and_late(world, member_client, client_for, sda_reviewer):
    from datetime import timedelta

    from usda_foods.deliveries.services import receipts_sweep

    page = member_client.get("/").content.decode()
    assert "1 delivery to receipt within 2 calendar days of delivery." in page
    last = max(world["beans_delivery"].delivery_date, world["chicken_delivery"].delivery_date)
    receipts_sweep(today=last + timedelta(days=3))
    page = member_client.get("/").content.decode()
    assert "1 delivery past the 2-day receipt deadline: record the receipts." in page
    state = client_for(sda_reviewer).get("/").content.decode()
    assert "1 delivery past the 2-day receipt deadline" in state  # the processor's chicken
