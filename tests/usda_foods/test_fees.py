"""State fee schedules and a district's monthly fee statement (CSV), with hand-checked numbers;
the pages and API as their users, outsiders 404."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest
from django.urls import reverse

from tests.usda_foods.deliveries_fixtures import released
from usda_foods.deliveries.services import receipt_record
from usda_foods.models import FeeSchedule

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(district, manager, mn_agency, sda_reviewer):
    world = released(district, manager, mn_agency, sda_reviewer)
    FeeSchedule.objects.create(state_agency=mn_agency, effective_from=date(2019, 7, 1), min_cases_per_drop=120,
                               drop_fee=D("35.00"), delivery_fee_per_lb=D("0.0125"), delivery_fee_per_case=D("0.50"))  # fmt: skip
    beans = world["beans_delivery"]
    receipt_record(delivery_id=beans.pk, received_on=beans.delivery_date, cases_received=90, reason="damaged",
                   user=manager, today=beans.delivery_date)  # fmt: skip
    return world


def _csv(client, district, month: str) -> list[str]:
    response = client.get(reverse("usda_foods:fee-statement", args=[district.pk]) + f"?month={month}")
    assert response.status_code == 200
    return b"".join(response.streaming_content).decode("utf-8-sig").splitlines()


def test_statement_charges_delivery_fees_and_a_drop_fee_per_site_per_order(
    world, member_client, district, client_for
):
    month = f"{world['beans_delivery'].delivery_date:%Y-%m}"
    lines = _csv(member_client, district, month)
    assert lines[0].startswith("Received on,Delivery,USDA Food")
    # Alpha received 54 of the co-op's 90 cases: 2,160 lb x $0.0125 = $27.00 plus 54 x $0.50 = $27.00;
    # Alpha's order sent 60 cases to the site (the diverted chicken goes to a processor, not a
    # site), under the 120-case minimum: one $35.00 drop fee for the order at that site.
    assert lines[1].endswith("Delivery service fee,$0.0125/lb + $0.5000/case,54.00")
    order = world["orders"][district.pk]
    assert (
        lines[2]
        == f"2019-10-01,Order #{order.pk},All foods,Alpha Warehouse,60,,Drop fee,under 120 cases a site per order,35.00"
    )
    assert lines[-1] == ",,,,,,Total,,89.00" and len(lines) == 4
    # Delta, a member, shares the stop but has its own order: 36 cases, 1,440 lb -> $18.00 + $18.00,
    # and its own drop fee (40 cases at the site, under 120): $71.00. Per order, not per stop.
    delta = _csv(client_for(world["delta_manager"]), world["delta"], month)
    assert delta[2].endswith(",Alpha Warehouse,40,,Drop fee,under 120 cases a site per order,35.00")
    assert delta[-1] == ",,,,,,Total,,71.00" and len(delta) == 4
    # Another month: nothing but the total.
    assert _csv(member_client, district, "2019-12")[1:] == [",,,,,,Total,,0.00"]


def test_exactly_at_the_minimum_no_drop_fee_one_below_one_fee(world, member_client, district, client_for):
    month = f"{world['beans_delivery'].delivery_date:%Y-%m}"
    FeeSchedule.objects.update(min_cases_per_drop=60)  # Alpha's order: exactly 60 cases at the site
    lines = _csv(member_client, district, month)
    assert not any("Drop fee" in line for line in lines) and lines[-1] == ",,,,,,Total,,54.00"
    delta = _csv(client_for(world["delta_manager"]), world["delta"], month)  # 40 < 60
    assert delta[-1] == ",,,,,,Total,,71.00"
    FeeSchedule.objects.update(min_cases_per_drop=61)  # one below the minimum: one drop fee, once
    lines = _csv(member_client, district, month)
    assert sum("Drop fee" in line for line in lines) == 1 and lines[-1] == ",,,,,,Total,,89.00"


def test_fee_statement_api_matches_the_csv(world, api_for, manager, district, outsider_api, sda_reviewer):
    month = f"{world['beans_delivery'].delivery_date:%Y-%m}"
    body = api_for(manager).get(f"/api/v1/fee-statements/{district.pk}/?month={month}").json()
    assert body["month"] == month and body["total"] == "89.00"
    assert [(line["fee"], line["cases"], line["amount"]) for line in body["lines"]] == [
        ("Delivery service fee", 54, "54.00"), ("Drop fee", 60, "35.00")]  # fmt: skip
    assert body["lines"][0]["pounds"] == "2160.00" and body["lines"][1]["pounds"] is None
    reviewer = api_for(sda_reviewer).get(f"/api/v1/fee-statements/{district.pk}/?month={month}")
    assert reviewer.status_code == 200 and reviewer.json()["total"] == "89.00"
    assert outsider_api.get(f"/api/v1/fee-statements/{district.pk}/?month={month}").status_code == 404
    schema = api_for(manager).get("/api/schema/").content.decode()
    assert "/api/v1/fee-statements/{id}/" in schema and "FeeStatement" in schema


def test_statement_and_schedules_are_scoped(world, outsider_client, district, outsider_api, member_client):
    assert outsider_client.get(reverse("usda_foods:fee-statement", args=[district.pk])).status_code == 404
    assert outsider_api.get(f"/api/v1/fee-schedules/{FeeSchedule.objects.get().pk}/").status_code == 404
    page = member_client.get(reverse("usda_foods:fee-schedule-list")).content.decode()
    assert "$35.00 under 120 cases a site per order" in page and "Add a fee schedule" not in page


def test_reviewer_sets_a_schedule_and_a_district_cannot(
    client_for, sda_reviewer, member_client, mn_agency, api_for
):
    data = {"state_agency": mn_agency.pk, "effective_from": "2020-07-01", "min_cases_per_drop": "10", "drop_fee": "25",
            "delivery_fee_per_lb": "0", "delivery_fee_per_case": "0", "storage_fee_per_case_month": "0.35",
            "storage_free_days": "90"}  # fmt: skip
    assert member_client.post(reverse("usda_foods:fee-schedule-create"), data).status_code == 403
    assert client_for(sda_reviewer).post(reverse("usda_foods:fee-schedule-create"), data).status_code == 302
    schedule = FeeSchedule.objects.get()
    assert (schedule.storage_free_days, schedule.drop_fee) == (90, D("25"))
    api = api_for(sda_reviewer)
    assert (
        api.patch(f"/api/v1/fee-schedules/{schedule.pk}/", {"drop_fee": "30"}, format="json").status_code
        == 200
    )
    assert (
        client_for(sda_reviewer)
        .get(reverse("usda_foods:fee-schedule-update", args=[schedule.pk]))
        .status_code
        == 200
    )
