"""The API: the whole flow through it, tenancy (another lab's member sees nothing), the documents."""

import io

import openpyxl
import pytest
from pypdf import PdfReader

from purchasing.priority_items.models import SpecVersion
from tests.purchasing.fixtures import DRUMSTICK_SPEC, adopt, build_lab, commit, propose_drumsticks

pytestmark = pytest.mark.django_db
API = "/api/v1/"


@pytest.fixture
def lab(district, manager):
    return build_lab(district, manager)


def test_flow_through_the_api(lab, api_for, partner_user, collaborative):
    partner = api_for(partner_user)
    body = {"collaborative": collaborative.pk, "name": "Whole-grain tortillas", "unit": "each",
            "reference_price": "0.21", "spec": {**DRUMSTICK_SPEC, "processing": "processed",
                                                "local_clause": "specification"}}  # fmt: skip
    refused = partner.post(f"{API}priority-items/", body, format="json")
    assert refused.status_code == 400 and "2024" in str(refused.json())
    body["spec"]["local_clause"] = "neither"
    created = partner.post(f"{API}priority-items/", body, format="json")
    assert created.status_code == 201, created.json()
    item_id, version_id = created.json()["id"], created.json()["open_version"]
    patched = partner.patch(f"{API}spec-versions/{version_id}/", {"grade": "Whole grain-rich"}, format="json")
    assert patched.json()["grade"] == "Whole grain-rich"
    assert partner.post(f"{API}spec-versions/{version_id}/propose/").json()["status"] == "proposed"
    assert (
        partner.patch(f"{API}spec-versions/{version_id}/", {"grade": "x"}, format="json").status_code == 400
    )
    for district, manager in lab:
        answer = api_for(manager).post(f"{API}spec-versions/{version_id}/answer/",
                                       {"district": district.pk, "stance": "endorse"}, format="json")  # fmt: skip
        assert answer.status_code == 200, answer.json()
    assert answer.json() == {"outcome": "adopt", "reason": answer.json()["reason"], "status": "adopted"}
    answers = partner.get(f"{API}endorsements/", {"version": version_id}).json()
    assert answers["count"] == 4
    district, manager = lab[0]
    commitment = api_for(manager).post(f"{API}menu-commitments/", {
        "item": item_id, "district": district.pk, "times_per_month": "4", "months": [9, 10, 11, 12, 1],
        "servings_per_day": 500, "serving_size": "2", "serving_unit": "each",
    }, format="json")  # fmt: skip
    assert commitment.status_code == 201, commitment.json()
    assert commitment.json()["annual_volume"] == "20000.00"  # 4 x 5 x 500 x 2 each
    assert (
        commitment.json()["conversion"][0]
        == "4 times a month × 5 months × 500 servings a day = 10,000 servings"
    )
    demand = partner.get(f"{API}priority-items/{item_id}/demand/").json()
    assert (demand["total"], demand["value"], demand["delivery_points"]) == ("20000.00", "4200.00", 1)
    assert demand["by_month"][2] == {"month": 9, "volume": "4000.00"}
    assert partner.get(f"{API}priority-items/pooled-demand/").json()[0]["total"] == "20000.00"
    sheet = partner.get(f"{API}priority-items/rfp-draft/", {"item": item_id, "kind": "xlsx"})
    assert sheet.status_code == 200
    rows = list(openpyxl.load_workbook(io.BytesIO(sheet.content))["Bid sheet"].iter_rows(values_only=True))
    assert rows[1][:4] == ("Whole-grain tortillas", "version 1", "each", 20000)
    pdf = partner.get(f"{API}spec-versions/{version_id}/spec-sheet/")
    assert pdf["Content-Type"] == "application/pdf"
    assert "Whole grain-rich" in PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()
    revised = partner.post(f"{API}priority-items/{item_id}/revise/")
    assert revised.status_code == 201 and revised.json()["number"] == 2


def test_another_labs_member_sees_nothing_through_the_api(
    lab, partner_user, collaborative, outsider_api, api_for, sda_reviewer
):
    item, version = propose_drumsticks(partner_user, collaborative)
    adopt(version, lab)
    commit(item, *lab[0])
    for client in (outsider_api, api_for(sda_reviewer)):
        for path in ("priority-items/", "spec-versions/", "endorsements/", "menu-commitments/"):
            assert client.get(f"{API}{path}").json()["count"] == 0, path
        assert client.get(f"{API}priority-items/pooled-demand/").json() == []
        for path in (f"priority-items/{item.pk}/", f"priority-items/{item.pk}/demand/", f"spec-versions/{version.pk}/",
                     f"spec-versions/{version.pk}/spec-sheet/"):  # fmt: skip
            assert client.get(f"{API}{path}").status_code == 404, path
        assert client.post(f"{API}spec-versions/{version.pk}/answer/", {}, format="json").status_code == 404
        assert client.post(f"{API}priority-items/{item.pk}/revise/").status_code == 404
        rfp = client.get(f"{API}priority-items/rfp-draft/", {"item": item.pk, "kind": "pdf"})
        assert rfp.status_code == 400


def test_viewer_reads_but_cannot_change(lab, partner_user, collaborative, api_for, viewer, district):
    item, version = propose_drumsticks(partner_user, collaborative)
    client = api_for(viewer)
    assert client.get(f"{API}priority-items/{item.pk}/").status_code == 200
    assert client.post(f"{API}spec-versions/{version.pk}/withdraw/").status_code == 403
    answer = client.post(f"{API}spec-versions/{version.pk}/answer/", {"district": district.pk, "stance": "endorse"},
                         format="json")  # fmt: skip
    assert answer.status_code == 400
    assert SpecVersion.objects.get(pk=version.pk).endorsements.count() == 0
