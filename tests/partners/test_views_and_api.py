from __future__ import annotations

import pytest
from django.urls import reverse

from partners.models import PartnerOrganisation, Partnership
from tests.conftest import ROLE_FIXTURES
from tests.factories import PartnerFactory, PartnershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def other_partner(other_district):
    partner = PartnerFactory(name="Bravo Food Hub", collaborative=other_district.collaborative)
    PartnershipFactory(partner=partner, district=other_district)
    return partner


@pytest.mark.parametrize("role", ROLE_FIXTURES)
def test_partner_pages_render_for_every_role(request, client_for, role, partner, district):
    client = client_for(request.getfixturevalue(role))
    partnership = Partnership.objects.get(partner=partner)
    for url in (reverse("partners:partner-list"), reverse("partners:partnership-list"), partner.get_absolute_url(),
                partnership.get_absolute_url()):  # fmt: skip
        response = client.get(url)
        assert response.status_code == 200, url
        assert partner.name in response.content.decode()


@pytest.mark.parametrize("role", ROLE_FIXTURES)
def test_other_partners_are_404_in_pages_and_api(request, client_for, api_for, role, partner, other_partner):
    user = request.getfixturevalue(role)
    client, api = client_for(user), api_for(user)
    partnership = Partnership.objects.get(partner=other_partner)
    for url in (other_partner.get_absolute_url(), reverse("partners:partner-update", args=[other_partner.pk]),
                partnership.get_absolute_url(), reverse("partners:partnership-update", args=[partnership.pk])):  # fmt: skip
        assert client.get(url).status_code == 404, url
    for url in (f"/api/v1/partners/{other_partner.pk}/", f"/api/v1/partnerships/{partnership.pk}/"):
        assert api.get(url).status_code == 404
        assert api.patch(url, {"notes": "x"}, format="json").status_code == 404
    assert other_partner.name not in client.get(reverse("partners:partner-list")).content.decode()


def test_partner_staff_edit_their_own_organisation(client_for, partner_user, partner):
    url = reverse("partners:partner-update", args=[partner.pk])
    response = client_for(partner_user).post(
        url, {"name": partner.name, "kind": "food_hub", "city": "Viroqua"}
    )
    assert response.status_code == 302
    partner.refresh_from_db()
    assert (partner.kind, partner.city) == ("food_hub", "Viroqua")


def test_partner_staff_cannot_create_partnerships(client_for, api_for, partner_user, partner, district):
    assert client_for(partner_user).get(reverse("partners:partnership-create")).status_code == 403
    payload = {"partner": partner.pk, "district": district.pk, "start_date": "2026-01-01"}
    assert api_for(partner_user).post("/api/v1/partnerships/", payload, format="json").status_code == 403


def test_admin_creates_a_partner_and_partnership_in_pages(client_for, collab_admin, collaborative, district):
    client = client_for(collab_admin)
    assert client.post(reverse("partners:partner-create"),
                       {"name": "Lakes Food Hub", "kind": "food_hub", "collaborative": collaborative.pk}).status_code == 302  # fmt: skip
    new = PartnerOrganisation.objects.get(name="Lakes Food Hub")
    data = {"partner": new.pk, "district": district.pk, "start_date": "2026-01-05", "focus": "apples"}
    assert client.post(reverse("partners:partnership-create"), data).status_code == 302
    assert Partnership.objects.filter(partner=new, district=district).exists()


def test_partnership_dates_are_validated_in_form_and_api(
    client_for, api_for, collab_admin, collaborative, district
):
    partner = PartnerFactory(collaborative=collaborative)
    data = {
        "partner": partner.pk,
        "district": district.pk,
        "start_date": "2026-01-05",
        "end_date": "2025-01-01",
    }
    response = client_for(collab_admin).post(reverse("partners:partnership-create"), data)
    assert "end_date" in response.context["form"].errors
    api_response = api_for(collab_admin).post("/api/v1/partnerships/", data, format="json")
    assert api_response.status_code == 400 and "end_date" in api_response.json()
    assert not Partnership.objects.filter(partner=partner).exists()


def test_partnership_form_offers_only_the_admins_districts(
    client_for, collab_admin, district, other_district
):
    form = client_for(collab_admin).get(reverse("partners:partnership-create")).context["form"]
    assert list(form.fields["district"].queryset) == [district]


def test_admin_api_creates_partner_and_partnership(
    api_for, collab_admin, collaborative, district, other_district
):
    api = api_for(collab_admin)
    partner = api.post("/api/v1/partners/", {"name": "Lakes Hub", "kind": "food_hub", "collaborative": collaborative.pk},
                       format="json")  # fmt: skip
    assert partner.status_code == 201, partner.json()
    pk = partner.json()["id"]
    refused = api.post("/api/v1/partnerships/", {"partner": pk, "district": other_district.pk, "start_date": "2026-01-01"},
                       format="json")  # fmt: skip
    assert refused.status_code == 400 and "district" in refused.json()
    made = api.post("/api/v1/partnerships/", {"partner": pk, "district": district.pk, "start_date": "2026-01-01"},
                    format="json")  # fmt: skip
    assert made.status_code == 201


def test_partnership_filters(client_for, api_for, collab_admin, collaborative, district):
    ended = PartnershipFactory(partner=PartnerFactory(name="Old Friend", collaborative=collaborative), district=district,
                               start_date="2020-01-01", end_date="2021-01-01")  # fmt: skip
    api = api_for(collab_admin)
    active = {r["id"] for r in api.get("/api/v1/partnerships/", {"active": "true"}).json()["results"]}
    assert ended.pk not in active
    inactive = {r["id"] for r in api.get("/api/v1/partnerships/", {"active": "false"}).json()["results"]}
    assert inactive == {ended.pk}


@pytest.mark.parametrize("url", ["/api/v1/partners/", "/api/v1/partnerships/"])
def test_partner_lists_cost_constant_queries(api_for, client_for, collab_admin, collaborative, district, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def measure() -> tuple[int, int]:
        counts = []
        for client, target in ((api_for(collab_admin), url),
                               (client_for(collab_admin), reverse("partners:partner-list" if "partners/" in url else "partners:partnership-list"))):  # fmt: skip
            with CaptureQueriesContext(connection) as ctx:
                assert client.get(target).status_code == 200
            counts.append(len(ctx.captured_queries))
        return tuple(counts)

    PartnershipFactory.create_batch(5, partner__collaborative=collaborative, district=district)
    five = measure()
    PartnershipFactory.create_batch(45, partner__collaborative=collaborative, district=district)
    assert measure() == five
