"""/api/v1/ for districts, sites, co-ops, state agencies, collaboratives and me: same scoping as the
pages, outsiders get 404, bad input names the field and writes nothing, lists cost constant queries."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from districts.models import Coop, District, Site
from tests.conftest import ROLE_FIXTURES
from tests.factories import CoopFactory, DistrictFactory

pytestmark = pytest.mark.django_db

SITE = {"name": "Westside Kitchen", "kind": "kitchen", "street": "9 Elm St", "city": "Saint Paul", "state": "MN",
        "postal_code": "55104", "latitude": "44.950000", "longitude": "-93.100000"}  # fmt: skip


def ids(response) -> set[int]:
    return {row["id"] for row in response.json()["results"]}


def test_api_requires_authentication(district):
    response = APIClient().get("/api/v1/districts/")
    assert response.status_code in (401, 403)


@pytest.mark.parametrize("role", ROLE_FIXTURES)
def test_every_role_lists_only_what_it_may_see(
    request, api_for, role, district, other_district, site, other_site, partner
):
    api = api_for(request.getfixturevalue(role))
    assert ids(api.get("/api/v1/districts/")) == {district.pk}
    assert ids(api.get("/api/v1/sites/")) == {site.pk}


@pytest.mark.parametrize("role", ROLE_FIXTURES)
def test_other_districts_objects_are_404_in_the_api(request, api_for, role, other_district, other_site):
    coop = CoopFactory(lead_district=other_district, receiving_site=other_site)
    api = api_for(request.getfixturevalue(role))
    for url in (f"/api/v1/districts/{other_district.pk}/", f"/api/v1/sites/{other_site.pk}/", f"/api/v1/coops/{coop.pk}/",
                f"/api/v1/collaboratives/{other_district.collaborative_id}/"):  # fmt: skip
        assert api.get(url).status_code == 404, url
        assert api.patch(url, {"name": "hacked"}, format="json").status_code == 404, url
    assert api.delete(f"/api/v1/sites/{other_site.pk}/").status_code == 404
    assert Site.objects.filter(pk=other_site.pk, name="Bravo Elementary").exists()


def test_manager_creates_a_site(member_api, district):
    response = member_api.post("/api/v1/sites/", {**SITE, "district": district.pk}, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["latitude"] == "44.950000"
    assert Site.objects.get(pk=response.json()["id"]).district == district


def test_site_on_another_district_is_refused(member_api, other_district):
    response = member_api.post("/api/v1/sites/", {**SITE, "district": other_district.pk}, format="json")
    assert response.status_code == 400
    assert "district" in response.json()
    assert not Site.objects.filter(name=SITE["name"]).exists()


@pytest.mark.parametrize(
    ("field", "value"), [("name", None), ("latitude", "ninety"), ("latitude", "95"), ("kind", "barn")]
)
def test_bad_site_input_names_the_field(member_api, district, field, value):
    payload = {**SITE, "district": district.pk}
    if value is None:
        del payload[field]
    else:
        payload[field] = value
    response = member_api.post("/api/v1/sites/", payload, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert Site.objects.count() == 0


def test_viewer_reads_but_cannot_write(api_for, viewer, site):
    api = api_for(viewer)
    assert api.get(f"/api/v1/sites/{site.pk}/").status_code == 200
    assert api.patch(f"/api/v1/sites/{site.pk}/", {"name": "x"}, format="json").status_code == 403
    assert (
        api.post("/api/v1/sites/", {**SITE, "district": site.district_id}, format="json").status_code == 403
    )


def test_admin_creates_and_updates_districts(api_for, collab_admin, collaborative, mn_agency):
    api = api_for(collab_admin)
    payload = {"name": "Gamma Schools", "state_agency": mn_agency.pk, "agency_code": "G-7", "enrollment": 4100,
               "collaborative": collaborative.pk}  # fmt: skip
    response = api.post("/api/v1/districts/", payload, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["state"] == "MN"
    pk = response.json()["id"]
    assert api.patch(f"/api/v1/districts/{pk}/", {"enrollment": 4200}, format="json").status_code == 200
    assert District.objects.get(pk=pk).enrollment == 4200


def test_manager_cannot_create_districts(member_api, mn_agency):
    payload = {"name": "Rogue", "state_agency": mn_agency.pk, "agency_code": "R", "enrollment": 1}
    assert member_api.post("/api/v1/districts/", payload, format="json").status_code == 403


def test_coop_api_adds_the_lead_as_member_and_checks_the_site(member_api, district, site, other_site):
    bad = member_api.post("/api/v1/coops/", {"name": "C1", "lead_district": district.pk, "receiving_site": other_site.pk},
                          format="json")  # fmt: skip
    assert bad.status_code == 400 and "receiving_site" in bad.json()
    ok = member_api.post("/api/v1/coops/", {"name": "C1", "lead_district": district.pk, "receiving_site": site.pk},
                         format="json")  # fmt: skip
    assert ok.status_code == 201
    assert list(Coop.objects.get(pk=ok.json()["id"]).members.all()) == [district]


def test_state_agencies_are_readable_reference_data(member_api, mn_agency, wi_agency):
    assert {row["state"] for row in member_api.get("/api/v1/state-agencies/").json()["results"]} == {
        "MN",
        "WI",
    }
    assert member_api.post("/api/v1/state-agencies/", {"state": "OH", "name": "x"}).status_code == 405


def test_me_lists_memberships(member_api, manager, district):
    body = member_api.get("/api/v1/me/").json()
    assert body["email"] == manager.email
    assert body["memberships"] == [{"id": manager.memberships.get().pk, "role": "district_manager", "district": district.pk,
                                    "partner": None, "state_agency": None, "collaborative": None,
                                    "target": district.name}]  # fmt: skip


def test_token_authentication(manager, district):
    token = Token.objects.create(user=manager)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert ids(api.get("/api/v1/districts/")) == {district.pk}
    api.credentials(HTTP_AUTHORIZATION="Token not-a-token")
    assert api.get("/api/v1/districts/").status_code == 401


def test_token_endpoint_accepts_email_and_password(manager):
    from tests.factories import PASSWORD

    response = APIClient().post("/api/v1/auth/token/", {"username": manager.email, "password": PASSWORD})
    assert response.status_code == 200
    assert response.json()["token"] == Token.objects.get(user=manager).key


def test_filters_and_search(api_for, collab_admin, collaborative, mn_agency, wi_agency):
    DistrictFactory(name="Maple Grove Schools", collaborative=collaborative, state_agency=mn_agency)
    DistrictFactory(
        name="Oak Creek Schools",
        collaborative=collaborative,
        state_agency=wi_agency,
        is_commodity_school=True,
    )
    api = api_for(collab_admin)
    assert [r["name"] for r in api.get("/api/v1/districts/", {"q": "maple"}).json()["results"]] == [
        "Maple Grove Schools"
    ]
    assert [r["name"] for r in api.get("/api/v1/districts/", {"state": "WI"}).json()["results"]] == [
        "Oak Creek Schools"
    ]
    assert [
        r["name"] for r in api.get("/api/v1/districts/", {"is_commodity_school": "true"}).json()["results"]
    ] == ["Oak Creek Schools"]


def _count(api, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert api.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("url", ["/api/v1/districts/", "/api/v1/sites/", "/api/v1/coops/"])
def test_api_lists_cost_constant_queries(api_for, collab_admin, collaborative, url):
    api = api_for(collab_admin)

    def grow(n: int) -> None:
        for _ in range(n):
            coop = CoopFactory(lead_district=DistrictFactory(collaborative=collaborative))
            coop.members.add(DistrictFactory(collaborative=collaborative))

    grow(5)
    with_five = _count(api, url)
    grow(45)
    assert _count(api, url) == with_five


def test_district_api_query_budget(api_for, collab_admin, collaborative, django_assert_num_queries):
    DistrictFactory.create_batch(10, collaborative=collaborative)
    # count for the paginator, then the page of districts joined to their state agencies
    with django_assert_num_queries(2):
        api_for(collab_admin).get("/api/v1/districts/")


def test_schema_and_docs_are_served_locally(member_client):
    schema = member_client.get("/api/schema/")
    assert schema.status_code == 200
    text = schema.content.decode()
    for path in ("/api/v1/districts/", "/api/v1/sites/", "/api/v1/coops/", "/api/v1/state-agencies/",
                 "/api/v1/collaboratives/", "/api/v1/partners/", "/api/v1/partnerships/", "/api/v1/me/"):  # fmt: skip
        assert path in text
    docs = member_client.get("/api/docs/").content.decode()
    assert "/static/drf_spectacular_sidecar/" in docs and "cdn" not in docs.lower()
