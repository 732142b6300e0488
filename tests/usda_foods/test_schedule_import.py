"""Importing a processor's end-product schedule through the shared CSV pipeline: all rows
checked first, problems by line and column, nothing written on any problem, idempotent."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from focus_lab.errors import DomainError
from tests.usda_foods.ordering_fixtures import catalog_item
from tests.usda_foods.processing_fixtures import chicken, processor
from usda_foods.models import EndProduct, EndProductFood
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


def test_import_creates_products_and_rates_and_is_idempotent(proc, sda_reviewer):
    report = end_products_import(processor=proc, data=GOOD, user=sda_reviewer)
    assert report.ok and (report.created, report.updated, report.unchanged) == (2, 0, 0)
    drumsticks = EndProduct.objects.get(code="DS-100")
    assert drumsticks.pass_through_methods == ["noi", "refund"] and drumsticks.fee_per_case == D("18.50")
    assert sorted(EndProductFood.objects.filter(end_product__code="MB-7").values_list("pounds_per_case", flat=True)) == [
        D("6.5"), D("9.25")]  # fmt: skip
    again = end_products_import(processor=proc, data=GOOD, user=sda_reviewer)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    changed = end_products_import(processor=proc, data=GOOD.replace("45.00", "46.00"), user=sda_reviewer)
    assert changed.updated == 1 and EndProduct.objects.get(code="DS-100").value_per_case == D("46.00")


def test_a_bad_row_writes_nothing_and_names_line_and_column(proc, sda_reviewer):
    bad = (
        GOOD.replace("noi;Refund", "noi;barter")
        .replace("100150,6.5", "999999,6.5")
        .replace(
            "MB-7,Chicken and beef meatballs,4/5 lb,20,38.10,,ffs_distributor,100101",
            "MB-7,Meatballs,4/5 lb,20,38.10,,ffs_distributor,100101",
        )
    )
    report = end_products_import(processor=proc, data=bad, user=sda_reviewer)
    found = {(e.line, e.column) for e in report.errors}
    assert (2, "pass_through") in found and (4, "material_code") in found and (4, "code") in found
    assert not EndProduct.objects.exists()


def test_only_the_state_reviewers_import(
    proc, manager, member_client, client_for, sda_reviewer, outsider_client
):
    with pytest.raises(DomainError):
        end_products_import(processor=proc, data=GOOD, user=manager)
    url = reverse("usda_foods:end-product-import", args=[proc.pk])
    upload = lambda: {"file": SimpleUploadedFile("schedule.csv", GOOD.encode(), content_type="text/csv")}  # noqa: E731
    assert member_client.post(url, upload()).status_code == 403
    assert outsider_client.post(url, upload()).status_code == 404
    response = client_for(sda_reviewer).post(url, upload(), follow=True)
    assert "2 new, 0 changed, 0 unchanged" in response.content.decode()
    assert EndProduct.objects.count() == 2


def test_import_through_the_api(proc, api_for, sda_reviewer, member_api):
    url = f"/api/v1/processors/{proc.pk}/import-end-products/"
    api = api_for(sda_reviewer)
    ok = api.post(url, GOOD.encode(), content_type="text/csv")
    assert ok.status_code == 200 and ok.json() == {"created": 2, "updated": 0, "unchanged": 0}
    bad = api.post(url, GOOD.replace("100150", "999999").encode(), content_type="text/csv")
    assert bad.status_code == 400 and bad.json()["errors"][0]["column"] == "material_code"
    assert member_api.post(url, GOOD.encode(), content_type="text/csv").status_code == 403
