"""Rights follow the field (issue 8, item 1): each role changes only the district, site and co-op
fields it owns, and every other field is shown read-only and ignored, through the page and the
API alike. The expected rights are written out here, not read back from districts/rights.py."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import Membership, Role
from districts import access
from districts.models import Coop, District, Site
from tests.conftest import ROLE_FIXTURES
from tests.factories import CollaborativeFactory, CoopFactory, DistrictFactory, SiteFactory, member
from tests.field_rights import post_page_unchanged, post_page_with, stored
from tests.html_forms import form_posting_to

pytestmark = pytest.mark.django_db

CONTACTS = {"contact_name", "contact_email", "contact_phone"}
DISTRICT_FIELDS = {
    "name",
    "state_agency",
    "agency_code",
    "enrollment",
    "is_commodity_school",
    "collaborative",
} | CONTACTS
SITE_FIELDS = {"district", "name", "kind", "street", "city", "state", "postal_code", "latitude", "longitude",
               "receives_deliveries"}  # fmt: skip
COOP_FIELDS = {"name", "lead_district", "receiving_site", "members"}

# What each role may change on "our" district, its site and the co-op it leads.
RIGHTS = {
    "district": {
        "manager": CONTACTS | {"enrollment"},
        "viewer": set(),
        "partner_user": set(),
        "sda_reviewer": {"agency_code", "is_commodity_school"},
        "collab_admin": CONTACTS | {"name", "enrollment", "collaborative"},
    },
    "site": {
        "manager": SITE_FIELDS - {"district"},
        "viewer": set(),
        "partner_user": set(),
        "sda_reviewer": set(),
        "collab_admin": SITE_FIELDS - {"district"},
    },
    "coop": {
        "manager": COOP_FIELDS - {"lead_district"},
        "viewer": set(),
        "partner_user": set(),
        "sda_reviewer": set(),
        "collab_admin": COOP_FIELDS - {"lead_district"},
    },
}
ALL_FIELDS = {"district": DISTRICT_FIELDS, "site": SITE_FIELDS, "coop": COOP_FIELDS}
URLS = {"district": ("districts:district-update", "/api/v1/districts/{}/"),
        "site": ("districts:site-update", "/api/v1/sites/{}/"),
        "coop": ("districts:coop-update", "/api/v1/coops/{}/")}  # fmt: skip


@pytest.fixture
def world(district, other_district, site, mn_agency, wi_agency, collaborative, collab_admin):
    """Our district, site and co-op (with a member in another lab), and for every field a value
    different from the stored one that a role might try to set."""
    district.contact_name, district.contact_email = "Dana Doe", "dana@alpha.example"
    district.save()
    sibling = DistrictFactory(name="Sibling Schools", collaborative=collaborative, state_agency=mn_agency)
    sibling_site = SiteFactory(district=sibling)
    second_site = SiteFactory(district=district, name="Alpha Kitchen")
    coop = CoopFactory(
        name="North Co-op", lead_district=district, receiving_site=site, members=[other_district]
    )
    second_lab = CollaborativeFactory(name="Second Lab")  # the lab admin's too: theirs to pick
    Membership.objects.create(user=collab_admin, role=Role.COLLABORATIVE_ADMIN, collaborative=second_lab)
    changes = {
        "district": {"name": "Renamed", "state_agency": wi_agency.pk, "agency_code": "ZZ-9", "enrollment": 777,
                     "is_commodity_school": True, "collaborative": second_lab.pk, "contact_name": "Eve",
                     "contact_email": "eve@example.org", "contact_phone": "555"},
        "site": {"district": sibling.pk, "name": "Renamed", "kind": "warehouse", "street": "2 Elm", "city": "Duluth",
                 "state": "WI", "postal_code": "55802", "latitude": "46.786700", "longitude": "-92.100500",
                 "receives_deliveries": False},
        "coop": {"name": "Renamed", "lead_district": sibling.pk, "receiving_site": second_site.pk, "members": []},
    }  # fmt: skip
    return {"objects": {"district": district, "site": site, "coop": coop}, "changes": changes,
            "sibling_site": sibling_site}  # fmt: skip


def form_value(value: object) -> str | list[str]:
    if isinstance(value, bool):
        return "on" if value else ""
    if isinstance(value, list):
        return [str(v) for v in value]
    return str(value)


def test_collaborative_admin_also_administers_the_sibling(collab_admin, world):
    """The fixtures are what the cases below assume: the lab admin may write the sibling district,
    so moving the site or the co-op lead there is refused by the field rule, not by tenancy."""
    sibling = District.objects.get(name="Sibling Schools")
    assert access.can_write(collab_admin, sibling)


@pytest.mark.parametrize("kind", ["district", "site", "coop"])
@pytest.mark.parametrize("role", ROLE_FIXTURES)
def test_writable_fields_are_the_roles_own(request, role, kind, world):
    obj = world["objects"][kind]
    user = request.getfixturevalue(role)
    assert access.writable_fields(user, obj, type(obj)) == RIGHTS[kind][role]


@pytest.mark.parametrize("kind", ["district", "site", "coop"])
@pytest.mark.parametrize("role", ROLE_FIXTURES)
def test_forbidden_fields_are_ignored_through_page_and_api(request, client_for, api_for, role, kind, world):
    user = request.getfixturevalue(role)
    obj = world["objects"][kind]
    page_name, api_url = URLS[kind]
    page_url, api_url = reverse(page_name, args=[obj.pk]), api_url.format(obj.pk)
    client, api = client_for(user), api_for(user)
    forbidden = ALL_FIELDS[kind] - RIGHTS[kind][role]
    for name in sorted(forbidden):
        value = world["changes"][kind][name]
        before = stored(obj, name)
        assert post_page_with(client, page_url, name, form_value(value)) in (200, 302, 403, 404), name
        assert stored(obj, name) == before, f"{role} changed {kind}.{name} through the page"
        response = api.patch(api_url, {name: value}, format="json")
        assert response.status_code in (200, 403, 404), (name, response.content)
        assert stored(obj, name) == before, f"{role} changed {kind}.{name} through the API"


@pytest.mark.parametrize("kind", ["district", "site", "coop"])
@pytest.mark.parametrize("role", ["manager", "sda_reviewer", "collab_admin"])
def test_owned_fields_can_be_changed_through_page_and_api(request, client_for, api_for, role, kind, world):
    """The other half: the rights are not so tight that a role cannot do its job."""
    user = request.getfixturevalue(role)
    obj = world["objects"][kind]
    page_name, api_url = URLS[kind]
    for name in sorted(RIGHTS[kind][role]):
        value = world["changes"][kind][name]
        before = stored(obj, name)
        status = post_page_with(client_for(user), reverse(page_name, args=[obj.pk]), name, form_value(value))
        assert status == 302 and stored(obj, name) != before, (
            f"{role} could not change {kind}.{name} on the page"
        )
        type(obj)._default_manager.filter(pk=obj.pk).update(**{obj._meta.get_field(name).attname: before}) \
            if not obj._meta.get_field(name).many_to_many else getattr(obj, name).set(before)  # fmt: skip
        response = api_for(user).patch(api_url.format(obj.pk), {name: value}, format="json")
        assert response.status_code == 200 and stored(obj, name) != before, (name, response.content)


def test_manager_cannot_move_the_district_to_another_state_through_the_api(member_api, district, wi_agency):
    """The issue's case: the PATCH answered 200 and re-routed the district's orders."""
    response = member_api.patch(
        f"/api/v1/districts/{district.pk}/", {"state_agency": wi_agency.pk}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["state"] == "MN"
    district.refresh_from_db()
    assert district.state_agency.state == "MN"


def test_manager_saving_the_district_form_unchanged_keeps_the_lab(member_client, district, collaborative):
    """The issue's case: the manager's form offered no collaborative, so saving it cleared it."""
    url = reverse("districts:district-update", args=[district.pk])
    form = form_posting_to(member_client.get(url).content.decode(), url)
    assert {
        "collaborative",
        "state_agency",
        "agency_code",
        "is_commodity_school",
        "name",
    } <= form.disabled_names
    assert post_page_unchanged(member_client, url) == 302
    district.refresh_from_db()
    assert district.collaborative == collaborative


def test_manager_edits_contacts_and_enrollment(member_client, district):
    url = reverse("districts:district-update", args=[district.pk])
    data = {"enrollment": "15500", "contact_name": "Sam Lee", "contact_email": "sam@alpha.example",
            "contact_phone": "612-555-0101", "name": "Hijacked", "collaborative": ""}  # fmt: skip
    assert member_client.post(url, data).status_code == 302
    district.refresh_from_db()
    assert (district.enrollment, district.contact_name, district.contact_email, district.contact_phone) == (
        15500, "Sam Lee", "sam@alpha.example", "612-555-0101")  # fmt: skip
    assert district.name == "Alpha Public Schools" and district.collaborative_id is not None
    assert "Sam Lee" in member_client.get(district.get_absolute_url()).content.decode()


def test_sda_reviewer_opens_the_district_page_and_sets_the_states_fields(
    client_for, api_for, sda_reviewer, district
):
    """Not a writer of the district (its sites and orders stay the district's), yet the agency code
    and commodity-school status are the state's."""
    assert not access.can_write(sda_reviewer, district)
    client = client_for(sda_reviewer)
    assert 'href="{}"'.format(reverse("districts:district-update", args=[district.pk])) in client.get(
        district.get_absolute_url()).content.decode()  # fmt: skip
    url = reverse("districts:district-update", args=[district.pk])
    assert post_page_with(client, url, "agency_code", "MN-0042") == 302
    response = api_for(sda_reviewer).patch(f"/api/v1/districts/{district.pk}/",
                                           {"is_commodity_school": True, "enrollment": 1}, format="json")  # fmt: skip
    assert response.status_code == 200
    district.refresh_from_db()
    assert (district.agency_code, district.is_commodity_school, district.enrollment) == (
        "MN-0042",
        True,
        12_000,
    )


def test_sda_reviewer_of_another_state_gets_404(client_for, api_for, other_district, sda_reviewer):
    assert (
        client_for(sda_reviewer)
        .get(reverse("districts:district-update", args=[other_district.pk]))
        .status_code
        == 404
    )
    assert api_for(sda_reviewer).patch(f"/api/v1/districts/{other_district.pk}/", {"agency_code": "X"},
                                       format="json").status_code == 404  # fmt: skip


def test_sda_reviewer_duplicate_agency_code_is_a_400_not_a_500(api_for, sda_reviewer, district, mn_agency):
    taken = DistrictFactory(state_agency=mn_agency, agency_code="TAKEN")
    response = api_for(sda_reviewer).patch(f"/api/v1/districts/{district.pk}/", {"agency_code": taken.agency_code},
                                           format="json")  # fmt: skip
    assert response.status_code == 400


def test_lab_admin_moves_a_district_only_between_labs_they_administer_and_never_out(
    client_for, api_for, collab_admin, district, collaborative
):
    second = CollaborativeFactory(name="Another Lab")
    Membership.objects.create(user=collab_admin, role=Role.COLLABORATIVE_ADMIN, collaborative=second)
    foreign = CollaborativeFactory(name="Foreign Lab")
    url, api_url = (
        reverse("districts:district-update", args=[district.pk]),
        f"/api/v1/districts/{district.pk}/",
    )
    client, api = client_for(collab_admin), api_for(collab_admin)
    assert post_page_with(client, url, "collaborative", "") == 200  # refused: required
    assert post_page_with(client, url, "collaborative", str(foreign.pk)) == 200  # refused: not theirs
    assert api.patch(api_url, {"collaborative": None}, format="json").status_code == 400
    assert api.patch(api_url, {"collaborative": foreign.pk}, format="json").status_code == 400
    assert stored(district, "collaborative") == collaborative.pk
    assert post_page_with(client, url, "collaborative", str(second.pk)) == 302
    assert stored(district, "collaborative") == second.pk


def test_lab_admin_creates_a_district_only_inside_a_lab(api_for, collab_admin, mn_agency):
    payload = {"name": "Orphan", "state_agency": mn_agency.pk, "agency_code": "O-1", "enrollment": 10}
    response = api_for(collab_admin).post("/api/v1/districts/", payload, format="json")
    assert response.status_code == 400 and "collaborative" in response.json()
    assert not District.objects.filter(name="Orphan").exists()


def test_superuser_may_move_a_district_to_another_state(api_for, district, wi_agency):
    from tests.factories import UserFactory

    root = UserFactory(is_superuser=True)
    response = api_for(root).patch(
        f"/api/v1/districts/{district.pk}/", {"state_agency": wi_agency.pk}, format="json"
    )
    assert response.status_code == 200
    assert stored(district, "state_agency") == wi_agency.pk


def test_a_site_never_moves_district(client_for, api_for, district, site, mn_agency):
    """Even a manager of both districts cannot move it: its orders and deliveries are the first's."""
    second = DistrictFactory(state_agency=mn_agency, collaborative=district.collaborative)
    user = member(Role.DISTRICT_MANAGER, district)
    Membership.objects.create(user=user, role=Role.DISTRICT_MANAGER, district=second)
    url = reverse("districts:site-update", args=[site.pk])
    assert post_page_with(client_for(user), url, "district", str(second.pk)) == 302
    assert (
        api_for(user).patch(f"/api/v1/sites/{site.pk}/", {"district": second.pk}, format="json").status_code
        == 200
    )
    assert stored(site, "district") == district.pk


def test_sites_are_still_created_in_the_managers_district(member_api, district):
    site = {"district": district.pk, "name": "New Kitchen", "kind": "kitchen", "street": "1 A St", "city": "X",
            "state": "MN", "postal_code": "55401", "latitude": "45.000000", "longitude": "-93.000000"}  # fmt: skip
    assert member_api.post("/api/v1/sites/", site, format="json").status_code == 201
    assert Site.objects.get(name="New Kitchen").district == district


def test_coop_save_keeps_the_members_the_user_cannot_see(
    client_for, api_for, manager, district, other_district, world
):
    """The issue's case: the co-op page listed only the manager's districts, so saving dropped the
    others. The manager decides about the districts they see; the rest stays."""
    coop = world["objects"]["coop"]
    url = reverse("districts:coop-update", args=[coop.pk])
    client = client_for(manager)
    html = client.get(url).content.decode()
    assert other_district.name not in html  # still not shown to them
    assert post_page_unchanged(client, url) == 302
    assert stored(coop, "members") == {district.pk, other_district.pk}
    assert post_page_with(client, url, "members", []) == 302  # untick their own district
    assert stored(coop, "members") == {other_district.pk}
    response = api_for(manager).patch(f"/api/v1/coops/{coop.pk}/", {"members": [district.pk]}, format="json")
    assert response.status_code == 200
    assert stored(coop, "members") == {district.pk, other_district.pk}
    stranger = DistrictFactory(name="Stranger Schools")
    response = api_for(manager).patch(f"/api/v1/coops/{coop.pk}/", {"members": [stranger.pk]}, format="json")
    assert response.status_code == 400  # a district they cannot see is not theirs to add
    assert stored(coop, "members") == {district.pk, other_district.pk}


def test_coop_lead_is_fixed_once_created(client_for, collab_admin, world):
    coop = world["objects"]["coop"]
    sibling = District.objects.get(name="Sibling Schools")
    url = reverse("districts:coop-update", args=[coop.pk])
    assert post_page_with(client_for(collab_admin), url, "lead_district", str(sibling.pk)) in (200, 302)
    assert Coop.objects.get(pk=coop.pk).lead_district_id == coop.lead_district_id


@pytest.mark.parametrize("role", ["manager", "sda_reviewer", "collab_admin"])
@pytest.mark.parametrize("kind", ["district", "site", "coop"])
def test_api_put_of_the_unchanged_body_changes_nothing(request, api_for, role, kind, world):
    """The API's round trip: GET, then PUT the same body back, as every role that may write."""
    obj = world["objects"][kind]
    url = URLS[kind][1].format(obj.pk)
    api = api_for(request.getfixturevalue(role))
    body = api.get(url).json()
    before = {name: stored(obj, name) for name in ALL_FIELDS[kind]}
    response = api.put(url, body, format="json")
    assert response.status_code in (200, 403), response.content
    assert {name: stored(obj, name) for name in ALL_FIELDS[kind]} == before


def test_a_body_that_is_not_an_object_is_a_400(member_api, district):
    for body in ([{"state_agency": 1}], "text", 7):
        response = member_api.patch(f"/api/v1/districts/{district.pk}/", body, format="json")
        assert response.status_code == 400, body
