"""The supplier and contact-log API: scoped as the pages, search and distance filter, duplicate
check on create, rules applied on save (ZIP centroid, GAP expiry), schema."""

from __future__ import annotations

import pytest

from partners.suppliers.models import Supplier
from tests.partners.supplier_fixtures import make_supplier

pytestmark = pytest.mark.django_db


def test_search_and_distance_through_the_api(api_for, collaborative, district, delivery_site, partner_user):
    make_supplier(collaborative, "North 0.5", origin=("45.5", "-93.0"), products=(("Carrots", "vegetable"),))
    make_supplier(collaborative, "North 1.2", origin=("46.2", "-93.0"), products=(("Carrots", "vegetable"),))
    api = api_for(partner_user)
    body = api.get(f"/api/v1/suppliers/?q=carots&near={district.pk}&within=50").json()
    assert [(s["name"], s["distance_miles"]) for s in body["results"]] == [("North 0.5", 34.55)]
    assert api.get("/api/v1/suppliers/?within=50").status_code == 400  # a distance needs a district
    assert api.get("/api/v1/suppliers/?near=999999").status_code == 400


def test_create_checks_duplicates_then_force(api_for, collaborative, farm, partner_user, manager):
    api = api_for(partner_user)
    response = api.post(
        "/api/v1/suppliers/", {"name": "Hanson Family Orchards", "state": "MN"}, format="json"
    )
    assert response.status_code == 400 and response.json()["duplicates"] == [
        str(farm.pk)
    ]  # ids, as error strings
    response = api.post("/api/v1/suppliers/", {"name": "Hanson Family Orchards", "state": "MN", "force": True},
                        format="json")  # fmt: skip
    assert response.status_code == 201 and Supplier.objects.count() == 2
    assert (
        api_for(manager).post("/api/v1/suppliers/", {"name": "X", "state": "MN"}, format="json").status_code
        == 403
    )


def test_children_apply_their_rules(api_for, farm, partner_user, manager):
    api = api_for(partner_user)
    origin = api.post("/api/v1/supplier-origins/", {"supplier": farm.pk, "state": "MN", "postal_code": "55057"},
                      format="json")  # fmt: skip
    assert origin.status_code == 201 and origin.json()["coordinates_from"] == "zip"
    cert = api.post("/api/v1/supplier-certifications/", {"supplier": farm.pk, "kind": "ghp", "audit_date": "2026-05-04"},
                    format="json")  # fmt: skip
    assert cert.status_code == 201 and cert.json()["expires_on"] == "2027-05-04"
    denied = api_for(manager).post(
        "/api/v1/supplier-people/", {"supplier": farm.pk, "name": "X"}, format="json"
    )
    assert denied.status_code == 403


def test_log_an_interaction_and_follow_up_through_the_api(api_for, farm, district, partner_user, partner_b_user,
                                                          manager):  # fmt: skip
    api = api_for(partner_user)
    note = api.post("/api/v1/interactions/", {"occurred_on": "2026-11-30", "kind": "call", "suppliers": [farm.pk],
                                              "districts": [district.pk], "notes": "Asked about apples"}, format="json")  # fmt: skip
    assert note.status_code == 201, note.json()
    note_id = note.json()["id"]
    follow = api.post("/api/v1/follow-ups/", {"interaction": note_id, "what": "Send spec", "due_on": "2026-12-10",
                                              "owner": partner_b_user.pk}, format="json")  # fmt: skip
    assert follow.status_code == 400  # another organisation's staff
    follow = api.post("/api/v1/follow-ups/", {"interaction": note_id, "what": "Send spec", "due_on": "2026-12-10",
                                              "owner": partner_user.pk}, format="json")  # fmt: skip
    assert follow.status_code == 201
    done = api.patch(f"/api/v1/follow-ups/{follow.json()['id']}/", {"done": True}, format="json")
    assert done.status_code == 200 and done.json()["done_on"] is not None
    assert [n["id"] for n in api_for(manager).get("/api/v1/interactions/").json()["results"]] == [note_id]
    assert api_for(partner_b_user).get(f"/api/v1/interactions/{note_id}/").status_code == 404


def test_merge_through_the_api(api_for, collaborative, farm, collab_admin, partner_user):
    dup = make_supplier(collaborative, "Hansen Orchard", products=(("Cider", "fruit"),))
    assert (
        api_for(partner_user).post(f"/api/v1/suppliers/{dup.pk}/merge/", {"into": farm.pk}).status_code == 403
    )
    response = api_for(collab_admin).post(
        f"/api/v1/suppliers/{dup.pk}/merge/", {"into": farm.pk}, format="json"
    )
    assert response.status_code == 200 and response.json()["id"] == farm.pk
    assert farm.products.count() == 2


def test_schema_documents_the_endpoints(api_for, partner_user):
    schema = api_for(partner_user).get("/api/schema/?format=json").json()
    for path in ("/api/v1/suppliers/", "/api/v1/supplier-origins/", "/api/v1/supplier-people/",
                 "/api/v1/supplier-products/", "/api/v1/supplier-certifications/", "/api/v1/interactions/",
                 "/api/v1/follow-ups/", "/api/v1/suppliers/{id}/merge/"):  # fmt: skip
        assert path in schema["paths"], path
    params = {p["name"] for p in schema["paths"]["/api/v1/suppliers/"]["get"]["parameters"]}
    assert {"q", "near", "within", "certified_on", "category", "practice"} <= params
