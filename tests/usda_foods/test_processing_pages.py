"""Processing pages as their users: processors, end products, the district's page at a
processor (purchases), the state agency's inventory table (sort, CSV/XLSX) and transfers; each
with its outsider getting 404 and lists at a constant number of queries."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Role
from tests.factories import DistrictFactory, member
from tests.usda_foods.processing_fixtures import chicken, credit, drumsticks, processor
from usda_foods.models import EndProduct, EndProductPurchase, InventoryTransfer, Processor, ProcessorInventory

pytestmark = pytest.mark.django_db
DURING = date(2019, 11, 15)  # month 4 of service of SY 2019-20


@pytest.fixture
def setup(district, mn_agency):
    food = chicken()
    proc = processor(mn_agency, food)
    product = drumsticks(proc, food)
    credit(district, proc, food, 50)  # 2,000 lb
    return {"food": food, "proc": proc, "product": product}


def test_processor_list_and_detail_render_for_each_role(
    client_for, setup, manager, viewer, sda_reviewer, collab_admin
):
    for user in (manager, viewer, sda_reviewer, collab_admin):
        client = client_for(user)
        page = client.get(reverse("usda_foods:processor-list"))
        assert page.status_code == 200 and "North Star Poultry" in page.content.decode()
        detail = client.get(setup["proc"].get_absolute_url())
        assert detail.status_code == 200 and "Breaded drumsticks" in detail.content.decode()
        assert ("Set the rate" in detail.content.decode()) is (user == sda_reviewer)


def test_empty_processor_list_says_how_to_start(client_for, sda_reviewer):
    assert (
        "No processors yet"
        in client_for(sda_reviewer).get(reverse("usda_foods:processor-list")).content.decode()
    )


def test_outsider_gets_404_on_processor_pages(outsider_client, setup, district):
    proc, product = setup["proc"], setup["product"]
    for url in (proc.get_absolute_url(), reverse("usda_foods:processor-update", args=[proc.pk]),
                reverse("usda_foods:end-product-update", args=[product.pk]),
                reverse("usda_foods:district-processor", args=[proc.pk, district.pk]),
                reverse("usda_foods:transfer-create", args=[proc.pk])):  # fmt: skip
        assert outsider_client.get(url).status_code == 404, url
    assert "North Star" not in outsider_client.get(reverse("usda_foods:processor-list")).content.decode()
    assert outsider_client.post(reverse("usda_foods:end-product-rate", args=[product.pk]),
                                {"food": setup["food"].pk, "pounds_per_case": "1"}).status_code == 404  # fmt: skip


def test_reviewer_adds_a_processor_and_an_end_product_with_a_rate(
    client_for, sda_reviewer, mn_agency, member_client
):
    food = chicken()
    client = client_for(sda_reviewer)
    data = {"state_agency": mn_agency.pk, "name": "Lakes Processing", "agreement_start": "2019-07-01",
            "agreement_end": "2020-06-30", "accepted_foods": [food.pk], "latitude": "45", "longitude": "-93"}  # fmt: skip
    assert client.post(reverse("usda_foods:processor-create"), data).status_code == 302
    proc = Processor.objects.get(name="Lakes Processing")
    assert member_client.get(reverse("usda_foods:processor-create")).status_code == 403
    response = client.post(reverse("usda_foods:end-product-create", args=[proc.pk]), {
        "processor": proc.pk, "code": "NUG-1", "name": "Chicken nuggets", "case_pack": "4/5 lb", "net_weight_lb": "20",
        "pass_through_methods": ["noi", "refund"], "value_per_case": "30.00", "fee_per_case": "12.00"})  # fmt: skip
    assert response.status_code == 302
    product = EndProduct.objects.get(code="NUG-1")
    assert product.pass_through_methods == ["noi", "refund"]
    client.post(
        reverse("usda_foods:end-product-rate", args=[product.pk]),
        {"food": food.pk, "pounds_per_case": "14.2"},
    )
    assert product.foods.get().pounds_per_case == D("14.2")


@time_machine.travel(DURING, tick=False)
def test_district_page_shows_months_on_hand_and_records_a_purchase(
    member_client, setup, district, readonly_client
):
    url = reverse("usda_foods:district-processor", args=[setup["proc"].pk, district.pk])
    page = member_client.get(url).content.decode()
    assert "2,000.00" in page and "no usage yet" in page and "Over 6 months" in page
    response = member_client.post(url, {"end_product": setup["product"].pk, "purchased_on": "2019-09-03", "cases": "40",
                                        "pass_through": "noi", "value_credited": "1800.00", "distributor": "Upper Lakes Foods"})  # fmt: skip
    assert response.status_code == 302
    # 40 x 22.5 = 900 lb drawn over 4 months = 225 lb/month; 1,100 lb on hand = 4.9 months; 45% vs 40%: on pace
    page = member_client.get(url).content.decode()
    assert "1,100.00" in page and "225.0" in page and "4.9" in page and "Over 6 months" not in page
    assert "On pace" in page
    refused = member_client.post(url, {"end_product": setup["product"].pk, "purchased_on": "2019-09-04", "cases": "49",
                                       "pass_through": "noi", "value_credited": "0"})  # fmt: skip
    assert refused.status_code == 400 and "need 1,102.50 lb" in refused.content.decode()
    assert EndProductPurchase.objects.count() == 1
    # A viewer sees the page but no form, and cannot post one.
    assert "Record the purchase" not in readonly_client.get(url).content.decode()
    assert readonly_client.post(url, {"cases": "1"}).status_code == 403


@time_machine.travel(DURING, tick=False)
def test_state_table_sorts_flags_and_exports(client_for, sda_reviewer, setup, district, mn_agency):
    other = DistrictFactory(state_agency=mn_agency, name="Aardvark Schools")
    credit(other, setup["proc"], setup["food"], 1)
    client = client_for(sda_reviewer)
    url = reverse("usda_foods:state-inventory", args=["MN"])
    page = client.get(url).content.decode()
    assert page.index("Aardvark Schools") < page.index("Alpha Public Schools")
    assert "2 of 2 rows flagged" in page
    page = client.get(url + "?sort=-on_hand").content.decode()
    assert page.index("Alpha Public Schools") < page.index("Aardvark Schools")
    csv = b"".join(client.get(url + "?format=csv").streaming_content).decode("utf-8-sig")
    assert csv.splitlines()[0].startswith("District (SFA),Processor,USDA Food")
    assert (
        'Alpha Public Schools,North Star Poultry,"Chicken, chilled, bulk",2019-20,2000.00,0,0.0,,True,behind,0.0,40.0'
        in csv
    )  # nothing drawn by month 4: behind
    xlsx = client.get(url + "?format=xlsx")
    assert xlsx.status_code == 200 and xlsx["Content-Type"].startswith("application/vnd.openxml")


@time_machine.travel(DURING, tick=False)
def test_state_table_pages_while_sort_and_export_cover_every_row(
    client_for, sda_reviewer, setup, mn_agency, monkeypatch
):
    from usda_foods.processing.views import inventory

    monkeypatch.setattr(inventory, "STATE_PAGE_SIZE", 2)
    for n, cases in enumerate((5, 40, 1, 20)):  # with Alpha's 50: five rows, three pages of two
        credit(
            DistrictFactory(state_agency=mn_agency, name=f"District {n}"), setup["proc"], setup["food"], cases
        )
    client = client_for(sda_reviewer)
    url = reverse("usda_foods:state-inventory", args=["MN"])

    def names(query: str) -> list[str]:
        page = client.get(url + query)
        return [r.district_name for r in page.context["rows"]]

    # Most on hand first, over all five rows: 50 (Alpha), 40, 20 | 5 | 1 cases.
    assert names("?sort=-on_hand") == ["Alpha Public Schools", "District 1"]
    assert names("?sort=-on_hand&page=2") == ["District 3", "District 0"]
    assert names("?sort=-on_hand&page=3") == ["District 2"]
    page = client.get(url + "?sort=-on_hand&page=2").content.decode()
    assert "Page 2 of 3 · 5 in all" in page and "sort=-on_hand&page=3" in page
    csv = b"".join(client.get(url + "?sort=-on_hand&format=csv").streaming_content).decode("utf-8-sig")
    assert [line.split(",")[0] for line in csv.splitlines()[1:]] == [
        "Alpha Public Schools", "District 1", "District 3", "District 0", "District 2"]  # fmt: skip


def test_state_table_is_404_for_districts_and_other_states(client_for, member_client, setup, wi_agency):
    url = reverse("usda_foods:state-inventory", args=["MN"])
    assert member_client.get(url).status_code == 404
    assert member_client.get(url + "?format=csv").status_code == 404
    wi = client_for(member(Role.SDA_REVIEWER, wi_agency, email="r@wi.example"))
    assert wi.get(url).status_code == 404 and wi.get(url + "?format=xlsx").status_code == 404


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_state_table_and_processor_list_run_constant_queries(client_for, sda_reviewer, setup, mn_agency):
    client = client_for(sda_reviewer)
    table, processors = (
        reverse("usda_foods:state-inventory", args=["MN"]),
        reverse("usda_foods:processor-list"),
    )
    small = (_count(client, table), _count(client, processors))
    for n in range(6):
        d = DistrictFactory(state_agency=mn_agency)
        p = processor(mn_agency, setup["food"], name=f"Processor {n}")
        credit(d, p, setup["food"], 3)
        credit(d, setup["proc"], setup["food"], 2)
    assert ProcessorInventory.objects.count() == 13
    assert (_count(client, table), _count(client, processors)) == small


def test_reviewer_approves_a_transfer(client_for, sda_reviewer, setup, district, mn_agency, member_client):
    other = DistrictFactory(state_agency=mn_agency, name="Charlie Schools")
    url = reverse("usda_foods:transfer-create", args=[setup["proc"].pk])
    assert member_client.get(url).status_code == 403
    client = client_for(sda_reviewer)
    assert client.get(url).status_code == 200
    data = {"food": setup["food"].pk, "from_district": district.pk, "to_district": other.pk, "pounds": "500",
            "transferred_on": "2019-10-01", "memo": "Charlie is short"}  # fmt: skip
    assert client.post(url, data).status_code == 302
    assert InventoryTransfer.objects.get().pounds == D("500")
    too_much = client.post(url, {**data, "pounds": "1500.01"})
    assert too_much.status_code == 400 and "has only 1,500.00 lb" in too_much.content.decode()
