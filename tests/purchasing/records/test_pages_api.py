"""Pages and API for purchase records, as each user: the list (filters, constant queries, export),
the definition page (save starts re-classification), vendor matches, keyword rules; district A's
user gets 404 for district B's rows in pages, API and exports."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.models import Role
from purchasing.records.models import AliasStatus, KeywordRule, LocalDefinition, PurchaseRecord, VendorAlias
from tests.factories import member
from tests.partners.supplier_fixtures import make_supplier
from tests.purchasing.records.fixtures import lab_definition, line, purchases

pytestmark = pytest.mark.django_db


def _rows(district, n: int, *, vendor: str = "North Star Foods", spend: str = "12.50") -> None:
    PurchaseRecord.objects.bulk_create([
        PurchaseRecord(district=district, invoice_date=date(2026, 9, 1 + i % 28), vendor_name=vendor,
                       product_description=f"Apples {i}", category="fruit", quantity=Decimal(2), unit="case",
                       case_weight_lb=Decimal(40), pounds=Decimal(80), spend=Decimal(spend), origin_text="MN",
                       origin_state="MN", local_class="local")
        for i in range(n)
    ])  # fmt: skip


@pytest.fixture
def two_districts(district, other_district, site, other_site):
    _rows(district, 3)
    _rows(other_district, 2, vendor="Bravo Secret Vendor", spend="99.99")
    return district, other_district


def test_the_list_shows_own_rows_with_the_conversion_and_filters(two_districts, client_for, manager):
    page = client_for(manager).get(reverse("purchasing:record-list"))
    assert page.status_code == 200
    body = page.content.decode()
    assert body.count("Apples ") == 3 and "Bravo Secret Vendor" not in body
    assert "2 case × 40 lb = 80 lb" in body
    filtered = client_for(manager).get(
        reverse("purchasing:record-list"), {"q": "Apples 1", "local_class": "local"}
    )
    shown = filtered.content.decode()
    assert "Apples 0" not in shown and "Apples 2" not in shown and "Apples 1 <span" in shown


def test_the_empty_list_says_how_to_start(district, client_for, manager, viewer):
    body = client_for(manager).get(reverse("purchasing:record-list")).content.decode()
    assert "No purchases yet" in body and reverse("imports:upload", args=["purchases"]) in body
    body = client_for(viewer).get(reverse("purchasing:record-list")).content.decode()
    assert "import the distributors' reports" in body


def test_the_list_runs_constant_queries(district, client_for, manager, django_assert_max_num_queries):
    client = client_for(manager)
    _rows(district, 2)
    client.get(reverse("purchasing:record-list"))  # warm the session
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("purchasing:record-list"))
    _rows(district, 45)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("purchasing:record-list"))


def test_export_is_scoped_to_the_users_rows(two_districts, client_for, manager, outsider):
    response = client_for(manager).get(reverse("purchasing:record-list"), {"format": "csv"})
    text = b"".join(response.streaming_content).decode()
    assert text.count("Apples ") == 3 and "Bravo Secret Vendor" not in text
    assert "2 case × 40 lb = 80 lb" in text
    xlsx = client_for(outsider).get(reverse("purchasing:record-list"), {"format": "xlsx"})
    assert xlsx.status_code == 200
    theirs = b"".join(
        client_for(outsider).get(reverse("purchasing:record-list"), {"format": "csv"}).streaming_content
    )
    assert b"Bravo Secret Vendor" in theirs and b"North Star Foods" not in theirs


def test_api_lists_filters_and_hides_other_districts_rows(two_districts, api_for, manager):
    district, other = two_districts
    api = api_for(manager)
    listed = api.get("/api/v1/purchase-records/", {"local_class": "local", "start": "2026-09-02"}).json()
    assert listed["count"] == 2
    assert listed["results"][0]["conversion"] == "2 case × 40 lb = 80 lb"
    theirs = PurchaseRecord.objects.filter(district=other).first()
    assert api.get(f"/api/v1/purchase-records/{theirs.pk}/").status_code == 404
    assert api.get("/api/v1/purchase-records/", {"district": other.pk}).json().get("count", 0) == 0


def test_definition_page_saves_and_starts_reclassification(
    collaborative, district, client_for, collab_admin, manager
):
    client = client_for(collab_admin)
    assert "No definition yet" in client.get(reverse("purchasing:local-definitions")).content.decode()
    response = client.post(reverse("purchasing:local-definition-create"), {
        "collaborative": collaborative.pk, "name": "Within 150 miles", "local_radius_miles": "150",
        "regional_states": ["MN", "WI"], "local_counties": "", "regional_counties": "WI:Dane",
    })  # fmt: skip
    assert response.status_code == 302 and "/jobs/" in response["Location"]
    definition = LocalDefinition.objects.get()
    assert (definition.local_radius_miles, definition.regional_counties) == (Decimal("150"), ["WI:Dane"])
    # a district manager edits only their district's: the lab's is 403 to change
    edit = client_for(manager).post(
        reverse("purchasing:local-definition-edit", args=[definition.pk]), {"name": "x"}
    )
    assert edit.status_code == 403
    own = client_for(manager).post(reverse("purchasing:local-definition-create"), {
        "district": district.pk, "name": "Our county", "local_counties": "MN:Hennepin",
    })  # fmt: skip
    assert own.status_code == 302
    assert LocalDefinition.objects.get(district=district).collaborative_id == collaborative.pk


def test_definitions_are_404_to_another_lab(collaborative, client_for, api_for, outsider):
    definition = lab_definition(collaborative)
    assert (
        client_for(outsider)
        .get(reverse("purchasing:local-definition-edit", args=[definition.pk]))
        .status_code
        == 404
    )
    assert api_for(outsider).get(f"/api/v1/local-definitions/{definition.pk}/").status_code == 404


def test_api_definition_write_per_role(collaborative, district, api_for, collab_admin, viewer):
    body = {"collaborative": collaborative.pk, "name": "Grown in MN", "local_states": ["MN"]}
    assert api_for(viewer).post("/api/v1/local-definitions/", body, format="json").status_code == 403
    created = api_for(collab_admin).post("/api/v1/local-definitions/", body, format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["reclassify_job"]
    again = api_for(collab_admin).post("/api/v1/local-definitions/", body, format="json")
    assert again.status_code == 400 and "already has a definition" in str(again.json())
    patched = api_for(collab_admin).patch(f"/api/v1/local-definitions/{created.json()['id']}/",
                                          {"local_states": ["MN", "WI"]}, format="json")  # fmt: skip
    assert patched.status_code == 200 and patched.json()["local_states"] == ["MN", "WI"]


def test_vendor_match_confirmed_on_the_page_and_by_api(collaborative, district, site, client_for, api_for, manager,
                                                       collab_admin, outsider):  # fmt: skip
    lab_definition(collaborative)
    hub = make_supplier(collaborative, "North Star Foods Inc", kind="distributor")
    purchases(
        manager, line(vendor="North Star Food Inc"), line(vendor="Northstar Foods Inc", day="09/16/2026")
    )
    first, second = VendorAlias.objects.order_by("name")
    page = client_for(collab_admin).get(reverse("purchasing:vendor-matches")).content.decode()
    assert "north star food inc" in page and "Same supplier" in page
    response = client_for(collab_admin).post(
        reverse("purchasing:vendor-match-decide", args=[first.pk]), {"accept": "yes"}
    )
    assert response.status_code == 302
    assert PurchaseRecord.objects.get(vendor_name="North Star Food Inc").vendor_id == hub.pk
    answer = api_for(collab_admin).post(
        f"/api/v1/vendor-aliases/{second.pk}/decide/", {"accept": False}, format="json"
    )
    assert answer.status_code == 200 and answer.json()["status"] == AliasStatus.REJECTED
    assert (
        api_for(outsider).post(f"/api/v1/vendor-aliases/{second.pk}/decide/", {"accept": True}).status_code
        == 404
    )


def test_keyword_rules_page_and_api(collaborative, district, client_for, api_for, collab_admin, manager):
    from tests.purchasing.fixtures import propose_drumsticks

    item, _ = propose_drumsticks(manager, collaborative)
    assert (
        "No rules yet" in client_for(collab_admin).get(reverse("purchasing:keyword-rules")).content.decode()
    )
    response = client_for(collab_admin).post(reverse("purchasing:keyword-rules"), {
        "collaborative": collaborative.pk, "keyword": "drumstick", "priority_item": item.pk})  # fmt: skip
    assert response.status_code == 302 and KeywordRule.objects.get().keyword == "drumstick"
    assert client_for(manager).post(reverse("purchasing:keyword-rules"), {"keyword": "x"}).status_code == 403
    api = api_for(collab_admin)
    made = api.post("/api/v1/keyword-rules/", {"collaborative": collaborative.pk, "keyword": "Thigh",
                                              "priority_item": item.pk}, format="json")  # fmt: skip
    assert made.status_code == 201 and made.json()["matched"] == 0
    assert api_for(manager).delete(f"/api/v1/keyword-rules/{made.json()['id']}/").status_code == 403
    assert api.delete(f"/api/v1/keyword-rules/{made.json()['id']}/").status_code == 204


def test_the_imports_api_offers_the_purchases_kind_with_its_option(district, api_for, manager):
    kinds = {k["name"]: k for k in api_for(manager).get("/api/v1/imports/kinds/").json()}
    assert [o["name"] for o in kinds["purchases"]["options"]] == ["replace_overlap"]


def test_a_partner_imports_for_the_districts_it_supports(collaborative, district, partner_user):
    lab_definition(collaborative)
    assert purchases(partner_user, line()).ok
    lone = member(Role.PARTNER_STAFF, partner_user.memberships.first().partner)
    assert purchases(lone, line(day="10/01/2026")).ok


def test_the_api_list_runs_constant_queries(district, api_for, manager, django_assert_max_num_queries):
    api = api_for(manager)
    _rows(district, 2)
    api.get("/api/v1/purchase-records/")
    with django_assert_max_num_queries(10) as few:
        api.get("/api/v1/purchase-records/")
    _rows(district, 40)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert api.get("/api/v1/purchase-records/").json()["count"] == 42


def test_the_import_pages_ask_for_the_replace_option_and_remember_the_vendors_columns(
    collaborative, district, site, client_for, manager
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from focus_lab.imports.models import ImportMapping, ImportRun
    from tests.purchasing.records.fixtures import HEADER

    lab_definition(collaborative)
    client = client_for(manager)
    body = (HEADER.replace("Ext Price", "Col J") + line()).encode()
    upload = client.post(reverse("imports:upload", args=["purchases"]),
                         {"file": SimpleUploadedFile("sysco-sept.csv", body), "source": "Sysco Minnesota"})  # fmt: skip
    run = ImportRun.objects.get()
    assert upload.status_code == 302 and "spend" not in run.mapping  # "Col J" names no field
    page = client.get(run.get_absolute_url()).content.decode()
    assert "Replace the overlapping rows" in page and "Col J" in page
    columns = {f"col_{name}": str(index) for name, index in run.mapping.items()}
    columns["col_spend"] = str(run.headers.index("Col J"))
    mapped = client.post(
        reverse("imports:map", args=[run.pk]), {**columns, "remember": "on", "opt_replace_overlap": "on"}
    )
    assert mapped.status_code == 302
    run.refresh_from_db()
    assert run.status == "valid" and run.details["options"] == {"replace_overlap": True}
    assert ImportMapping.objects.get(source="sysco minnesota").columns["Col J"] == "spend"
    client.post(reverse("imports:confirm", args=[run.pk]))
    assert PurchaseRecord.objects.get().spend == Decimal("250.00")
    # the vendor's next report: the columns come back remembered
    again = client.post(reverse("imports:upload", args=["purchases"]),
                        {"file": SimpleUploadedFile("sysco-oct.csv", body + b" "), "source": "Sysco Minnesota"})  # fmt: skip
    assert again.status_code == 302
    assert ImportRun.objects.latest("pk").mapping["spend"] == int(columns["col_spend"])
