"""Importing processors' end-product schedules through the shared import pipeline (the
"end-products" kind): all rows checked first, problems by line and column, nothing written on any
problem, the same file imported once, rows matched (the same rows again change nothing), undo;
from the processor's page, its API action, and the pipeline's own /imports/ pages and API."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from focus_lab.errors import DomainError
from focus_lab.imports.kinds import get_kind
from focus_lab.imports.services import import_data, import_undo
from tests.usda_foods.ordering_fixtures import catalog_item
from tests.usda_foods.processing_fixtures import chicken, processor
from usda_foods.models import EndProduct, EndProductFood, EndProductPurchase
from usda_foods.processing.services.schedule_import import end_products_import

pytestmark = pytest.mark.django_db

GOOD = """code,name,case_pack,net_weight_lb,value_per_case,fee_per_case,pass_through,material_code,pounds_per_case
DS-100,Breaded drumsticks,4/8 lb bags,32,45.00,18.50,noi;Refund,100101,22.5
MB-7,Chicken and beef meatballs,4/5 lb,20,38.10,,ffs_distributor,100101,9.25
MB-7,Chicken and beef meatballs,4/5 lb,20,38.10,,ffs_distributor,100150,6.5
"""


@pytest.fixture
def proc(mn_agency):
    p = processor(mn_agency, chicken())
    p.accepted_foods.add(
        catalog_item("100150", "120.00", description="Beef, bulk", is_bulk_for_processing=True)
    )
    return p


def test_import_creates_products_and_rates_matches_rows_and_refuses_the_same_file(proc, sda_reviewer):
    report = end_products_import(processor=proc, data=GOOD, user=sda_reviewer)
    assert report.ok and (report.created, report.updated, report.unchanged) == (2, 0, 0)
    drumsticks = EndProduct.objects.get(code="DS-100")
    assert drumsticks.pass_through_methods == ["noi", "refund"] and drumsticks.fee_per_case == D("18.50")
    assert sorted(EndProductFood.objects.filter(end_product__code="MB-7").values_list("pounds_per_case", flat=True)) == [
        D("6.5"), D("9.25")]  # fmt: skip
    again = end_products_import(processor=proc, data=GOOD, user=sda_reviewer)  # the pipeline: once per file
    assert not again.ok and "already imported" in again.errors[0].message.lower()
    # The same rows in another file (a trailing blank line) match and change nothing.
    same = end_products_import(processor=proc, data=GOOD + "\n", user=sda_reviewer)
    assert same.ok and (same.created, same.updated, same.unchanged) == (0, 0, 2)
    changed = end_products_import(
        processor=proc, data=GOOD.replace("45.00", "46.00").replace("9.25", "9.5"), user=sda_reviewer
    )
    assert (changed.created, changed.updated, changed.unchanged) == (0, 2, 0)
    assert EndProduct.objects.get(code="DS-100").value_per_case == D("46.00")
    assert EndProductFood.objects.get(
        end_product__code="MB-7", food__material_code="100101"
    ).pounds_per_case == D("9.5")
    # Undo the change: the value and the rate come back.
    import_undo(run=changed.run, user=sda_reviewer)
    assert EndProduct.objects.get(code="DS-100").value_per_case == D("45.00")
    assert EndProductFood.objects.get(
        end_product__code="MB-7", food__material_code="100101"
    ).pounds_per_case == D("9.25")


def test_a_bad_row_writes_nothing_and_names_line_and_column(proc, sda_reviewer):
    bad = (
        GOOD.replace("noi;Refund", "noi;barter")
        .replace("100150,6.5", "999999,6.5")
        .replace(
            "MB-7,Chicken and beef meatballs,4/5 lb,20,38.10,,ffs_distributor,100101",
            "MB-7,Meatballs,4/5 lb,20,38.10,,ffs_distributor,100101",
        )
        .replace("32,45.00", "32.125,45.00")
    )
    report = end_products_import(processor=proc, data=bad, user=sda_reviewer)
    found = {(e.line, e.column) for e in report.errors}
    assert {(2, "pass_through"), (2, "net_weight_lb"), (4, "material_code"), (4, "code")} <= found
    assert not EndProduct.objects.exists()


def test_the_kind_names_the_processor_in_a_multi_processor_file(proc, sda_reviewer, mn_agency, wi_agency):
    food = proc.accepted_foods.get(material_code="100101")
    other = processor(mn_agency, food, name="Lakeside Foods")
    elsewhere = processor(wi_agency, food, name="Badger Foods")
    rows = ("processor,code,name,case_pack,net_weight_lb,value_per_case,material_code,pounds_per_case\n"
            f"{proc.name},A-1,Nuggets,4/5 lb,20,30.00,100101,12\n"
            f"{other.name},B-1,Patties,4/5 lb,20,31.00,100101,13\n")  # fmt: skip
    report = import_data(kind="end-products", data=rows, user=sda_reviewer, filename="state.csv")
    assert report.ok and report.created == 2
    assert set(EndProduct.objects.values_list("processor__name", "code")) == {
        (proc.name, "A-1"),
        (other.name, "B-1"),
    }
    foreign = import_data(kind="end-products", data=rows.replace(other.name, elsewhere.name), user=sda_reviewer,
                          filename="wi.csv")  # fmt: skip
    assert [(e.line, e.column) for e in foreign.errors] == [(3, "processor")]


def test_only_the_state_reviewers_import(
    proc, manager, member_client, client_for, sda_reviewer, outsider_client
):
    with pytest.raises(DomainError):
        end_products_import(processor=proc, data=GOOD, user=manager)
    assert not get_kind("end-products").can_import(manager) and get_kind("end-products").can_import(
        sda_reviewer
    )
    url = reverse("usda_foods:end-product-import", args=[proc.pk])
    upload = lambda: {"file": SimpleUploadedFile("schedule.csv", GOOD.encode(), content_type="text/csv")}  # noqa: E731
    assert member_client.post(url, upload()).status_code == 403
    assert outsider_client.post(url, upload()).status_code == 404
    response = client_for(sda_reviewer).post(url, upload(), follow=True)
    assert "2 new, 0 changed, 0 unchanged" in response.content.decode()
    assert EndProduct.objects.count() == 2


def test_undo_refused_once_purchases_use_the_products(proc, sda_reviewer, district, manager):
    report = end_products_import(processor=proc, data=GOOD, user=sda_reviewer)
    EndProductPurchase.objects.create(district=district, end_product=EndProduct.objects.get(code="DS-100"),
                                      purchased_on="2019-10-01", cases=1, pass_through="noi", value_credited=D("45"))  # fmt: skip
    with pytest.raises(DomainError, match="cannot be undone"):
        import_undo(run=report.run, user=sda_reviewer)
    assert EndProduct.objects.count() == 2


def test_import_through_the_api(proc, api_for, sda_reviewer, member_api):
    url = f"/api/v1/processors/{proc.pk}/import-end-products/"
    api = api_for(sda_reviewer)
    ok = api.post(url, GOOD.encode(), content_type="text/csv")
    assert ok.status_code == 200 and ok.json() == {"created": 2, "updated": 0, "unchanged": 0}
    bad = api.post(url, GOOD.replace("100150", "999999").encode(), content_type="text/csv")
    assert bad.status_code == 400 and bad.json()["errors"][0]["column"] == "material_code"
    assert member_api.post(url, GOOD.encode(), content_type="text/csv").status_code == 403
    # The shared pipeline's API lists the kind for the reviewer and keeps the history.
    assert "end-products" in [k["name"] for k in api.get("/api/v1/imports/kinds/").json()]
    assert "end-products" not in [k["name"] for k in member_api.get("/api/v1/imports/kinds/").json()]
    assert "end-products" in api.get("/api/v1/imports/").content.decode()
