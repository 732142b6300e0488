"""The processing API as its users: scoped reads (outsiders 404), purchases and transfers through
their services (400 with the figures when refused), end-product rates, constant list queries."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import DistrictFactory
from tests.usda_foods.processing_fixtures import chicken, credit, drumsticks, processor
from usda_foods.models import ProcessorInventory

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(district, mn_agency):
    food = chicken()
    proc = processor(mn_agency, food)
    product = drumsticks(proc, food)
    credit(district, proc, food, 10)  # 400 lb
    return {"food": food, "proc": proc, "product": product}


def test_reads_are_scoped_and_outsiders_get_404(member_api, outsider_api, setup):
    inventory = ProcessorInventory.objects.get()
    for path in (f"/api/v1/processors/{setup['proc'].pk}/", f"/api/v1/end-products/{setup['product'].pk}/",
                 f"/api/v1/processor-inventory/{inventory.pk}/"):  # fmt: skip
        assert member_api.get(path).status_code == 200, path
        assert outsider_api.get(path).status_code == 404, path
    assert outsider_api.get("/api/v1/processor-inventory/").json()["count"] == 0
    row = member_api.get(f"/api/v1/processor-inventory/{inventory.pk}/").json()
    assert row["pounds"] == "400.00" and row["pace"] in {"behind", "not started", "on pace", "ahead"}


def test_purchase_through_the_api_and_its_refusal(member_api, outsider_api, setup, district):
    body = {"district": district.pk, "end_product": setup["product"].pk, "purchased_on": "2019-09-03", "cases": 17,
            "pass_through": "noi", "value_credited": "765.00"}  # fmt: skip
    assert member_api.post("/api/v1/end-product-purchases/", body, format="json").status_code == 201
    assert ProcessorInventory.objects.get().pounds == D("17.50")
    refused = member_api.post("/api/v1/end-product-purchases/", {**body, "cases": 1}, format="json")
    assert refused.status_code == 400 and "need 22.50 lb" in refused.json()["cases"][0]
    assert outsider_api.post("/api/v1/end-product-purchases/", body, format="json").status_code in (400, 403)
    assert ProcessorInventory.objects.get().pounds == D("17.50")


def test_transfer_and_rate_through_the_api(api_for, sda_reviewer, member_api, setup, district, mn_agency):
    other = DistrictFactory(state_agency=mn_agency)
    api = api_for(sda_reviewer)
    body = {"processor": setup["proc"].pk, "food": setup["food"].pk, "from_district": district.pk,
            "to_district": other.pk, "pounds": "100", "transferred_on": "2019-10-01"}  # fmt: skip
    assert member_api.post("/api/v1/inventory-transfers/", body, format="json").status_code == 403
    assert api.post("/api/v1/inventory-transfers/", body, format="json").status_code == 201
    assert sorted(ProcessorInventory.objects.values_list("pounds", flat=True)) == [D("100.00"), D("300.00")]
    rate = api.post(f"/api/v1/end-products/{setup['product'].pk}/set-rate/",
                    {"food": setup["food"].pk, "pounds_per_case": "20"}, format="json")  # fmt: skip
    assert rate.status_code == 200 and rate.json()["foods"][0]["pounds_per_case"] == "20.0000"
    assert member_api.post(f"/api/v1/end-products/{setup['product'].pk}/set-rate/",
                           {"food": setup["food"].pk, "pounds_per_case": "1"}, format="json").status_code == 403  # fmt: skip


def test_reviewer_creates_a_processor_and_a_district_cannot(
    api_for, sda_reviewer, member_api, mn_agency, wi_agency
):
    food = chicken()
    body = {"state_agency": mn_agency.pk, "name": "Lakes", "agreement_start": "2019-07-01", "agreement_end": "2020-06-30",
            "accepted_foods": [food.pk], "latitude": "45.0", "longitude": "-93.0"}  # fmt: skip
    assert member_api.post("/api/v1/processors/", body, format="json").status_code == 403
    assert api_for(sda_reviewer).post("/api/v1/processors/", body, format="json").status_code == 201
    other_state = api_for(sda_reviewer).post(
        "/api/v1/processors/", {**body, "state_agency": wi_agency.pk}, format="json"
    )
    assert other_state.status_code == 400


def test_inventory_list_runs_constant_queries(api_for, sda_reviewer, setup, mn_agency):
    api = api_for(sda_reviewer)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert api.get("/api/v1/processor-inventory/").status_code == 200
        return len(ctx.captured_queries)

    small = count()
    for _ in range(5):
        credit(DistrictFactory(state_agency=mn_agency), setup["proc"], setup["food"], 2, on=date(2019, 9, 1))
    assert count() == small
