"""Partners (issue 8, items 1 and 4): staff describe their own organisation, the lab decides which
lab it belongs to and keeps the partnerships; only the lab's admins remove a partner, and removal
ends its partnerships instead of deleting the record of who served whom."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Membership, Role
from districts import access
from partners.models import PartnerOrganisation, Partnership
from partners.services import partner_remove
from tests.conftest import ROLE_FIXTURES
from tests.factories import (
    CollaborativeFactory,
    DistrictFactory,
    PartnerFactory,
    PartnershipFactory,
    UserFactory,
)
from tests.field_rights import post_page_unchanged, post_page_with, stored

pytestmark = pytest.mark.django_db

OWN = {"name", "kind", "city", "state", "website", "email", "description"}
PARTNER_FIELDS = OWN | {"collaborative"}
PARTNERSHIP_FIELDS = {"partner", "district", "start_date", "end_date", "focus", "notes"}
RIGHTS = {
    "partner": {"manager": set(), "viewer": set(), "partner_user": OWN, "sda_reviewer": set(),
                "collab_admin": PARTNER_FIELDS},
    "partnership": {"manager": set(), "viewer": set(), "partner_user": set(), "sda_reviewer": set(),
                    "collab_admin": PARTNERSHIP_FIELDS},
}  # fmt: skip
ALL_FIELDS = {"partner": PARTNER_FIELDS, "partnership": PARTNERSHIP_FIELDS}
URLS = {"partner": ("partners:partner-update", "/api/v1/partners/{}/"),
        "partnership": ("partners:partnership-update", "/api/v1/partnerships/{}/")}  # fmt: skip


@pytest.fixture
def world(partner, district, collaborative, mn_agency):
    partner.city, partner.description = "Viroqua", "Orchards"
    partner.save()
    other_lab = CollaborativeFactory(name="Far Lab")
    rival = PartnerFactory(name="Rival Partner", collaborative=collaborative)
    sibling = DistrictFactory(name="Sibling Schools", collaborative=collaborative, state_agency=mn_agency)
    changes = {
        "partner": {"name": "Renamed", "kind": "food_hub", "city": "Madison", "state": "MN",
                    "website": "https://renamed.example", "email": "new@renamed.example", "description": "Changed",
                    "collaborative": other_lab.pk},
        "partnership": {"partner": rival.pk, "district": sibling.pk, "start_date": "2025-09-01",
                        "end_date": "2026-06-30", "focus": "dairy", "notes": "changed"},
    }  # fmt: skip
    return {"objects": {"partner": partner, "partnership": Partnership.objects.get(partner=partner)},
            "changes": changes}  # fmt: skip


@pytest.mark.parametrize("kind", ["partner", "partnership"])
@pytest.mark.parametrize("role", ROLE_FIXTURES)
def test_writable_fields_are_the_roles_own(request, role, kind, world):
    obj = world["objects"][kind]
    assert access.writable_fields(request.getfixturevalue(role), obj, type(obj)) == RIGHTS[kind][role]


@pytest.mark.parametrize("kind", ["partner", "partnership"])
@pytest.mark.parametrize("role", ROLE_FIXTURES)
def test_forbidden_fields_are_ignored_through_page_and_api(request, client_for, api_for, role, kind, world):
    user = request.getfixturevalue(role)
    obj = world["objects"][kind]
    page_name, api_url = URLS[kind]
    client, api = client_for(user), api_for(user)
    for name in sorted(ALL_FIELDS[kind] - RIGHTS[kind][role]):
        value = world["changes"][kind][name]
        before = stored(obj, name)
        assert post_page_with(client, reverse(page_name, args=[obj.pk]), name, str(value)) in (
            200,
            302,
            403,
            404,
        )
        assert stored(obj, name) == before, f"{role} changed {kind}.{name} through the page"
        response = api.patch(api_url.format(obj.pk), {name: value}, format="json")
        assert response.status_code in (200, 400, 403, 404), (name, response.content)
        assert stored(obj, name) == before, f"{role} changed {kind}.{name} through the API"


def test_partner_staff_edit_their_description_not_their_lab(
    client_for, api_for, partner_user, partner, collaborative
):
    """The issue's case: the partner form offered staff no lab, so saving it detached the partner."""
    url = reverse("partners:partner-update", args=[partner.pk])
    client = client_for(partner_user)
    assert post_page_unchanged(client, url) == 302
    assert stored(partner, "collaborative") == collaborative.pk
    assert post_page_with(client, url, "description", "Now with a cider press") == 302
    response = api_for(partner_user).patch(f"/api/v1/partners/{partner.pk}/",
                                           {"collaborative": None, "city": "La Crosse"}, format="json")  # fmt: skip
    assert response.status_code == 200
    partner.refresh_from_db()
    assert (partner.description, partner.city, partner.collaborative) == (
        "Now with a cider press", "La Crosse", collaborative)  # fmt: skip


def test_lab_admin_sets_the_lab_only_to_one_they_administer(
    client_for, api_for, collab_admin, partner, collaborative
):
    url = reverse("partners:partner-update", args=[partner.pk])
    other = CollaborativeFactory(name="Other Lab")
    client, api = client_for(collab_admin), api_for(collab_admin)
    assert post_page_with(client, url, "collaborative", str(other.pk)) == 200
    assert post_page_with(client, url, "collaborative", "") == 200
    assert (
        api.patch(f"/api/v1/partners/{partner.pk}/", {"collaborative": None}, format="json").status_code
        == 400
    )
    assert stored(partner, "collaborative") == collaborative.pk
    Membership.objects.create(user=collab_admin, role=Role.COLLABORATIVE_ADMIN, collaborative=other)
    assert post_page_with(client, url, "collaborative", str(other.pk)) == 302
    assert stored(partner, "collaborative") == other.pk


# --- Removal (item 4) ---------------------------------------------------------------------------


def test_partner_staff_cannot_delete_their_own_partner(api_for, partner_user, partner):
    """The issue's case: DELETE answered 204 and took the lab's partnerships and every membership."""
    response = api_for(partner_user).delete(f"/api/v1/partners/{partner.pk}/")
    assert response.status_code == 403
    partner.refresh_from_db()
    assert partner.removed_on is None
    assert Partnership.objects.filter(partner=partner, end_date__isnull=True).count() == 1
    assert Membership.objects.filter(partner=partner).count() == 1


@pytest.mark.parametrize("role", ["manager", "viewer", "sda_reviewer"])
def test_other_roles_cannot_remove_a_partner(request, api_for, client_for, role, partner):
    user = request.getfixturevalue(role)
    assert api_for(user).delete(f"/api/v1/partners/{partner.pk}/").status_code in (403, 404)
    assert client_for(user).post(reverse("partners:partner-remove", args=[partner.pk])).status_code in (
        403,
        404,
    )
    assert PartnerOrganisation.objects.get(pk=partner.pk).removed_on is None


def test_outsider_gets_404(outsider_client, outsider, api_for, partner):
    assert api_for(outsider).delete(f"/api/v1/partners/{partner.pk}/").status_code == 404
    assert outsider_client.get(reverse("partners:partner-remove", args=[partner.pk])).status_code == 404


def test_lab_admin_removal_ends_partnerships_and_keeps_history(
    api_for, collab_admin, partner, partner_user, district
):
    today = timezone.localdate()
    ended = PartnershipFactory(partner=partner, district=DistrictFactory(collaborative=partner.collaborative),
                               start_date=date(2020, 1, 1), end_date=date(2021, 6, 30))  # fmt: skip
    later = PartnershipFactory(partner=partner, district=DistrictFactory(collaborative=partner.collaborative),
                               start_date=date(2024, 1, 1), end_date=today + timedelta(days=90))  # fmt: skip
    planned = PartnershipFactory(partner=partner, district=DistrictFactory(collaborative=partner.collaborative),
                                 start_date=today + timedelta(days=30))  # fmt: skip
    running = Partnership.objects.get(partner=partner, district=district)

    response = api_for(collab_admin).delete(f"/api/v1/partners/{partner.pk}/")

    assert response.status_code == 204
    partner.refresh_from_db()
    assert partner.removed_on == today
    ends = dict(Partnership.objects.filter(partner=partner).values_list("pk", "end_date"))
    assert ends == {running.pk: today, later.pk: today, ended.pk: date(2021, 6, 30), planned.pk: today}
    assert Partnership.objects.get(pk=running.pk).start_date == running.start_date  # history kept as it was
    assert Membership.objects.filter(partner=partner, user=partner_user).exists()
    body = api_for(collab_admin).get(f"/api/v1/partners/{partner.pk}/").json()
    assert body["removed_on"] == today.isoformat()
    # Again: nothing moves, still 204.
    assert api_for(collab_admin).delete(f"/api/v1/partners/{partner.pk}/").status_code == 204
    assert dict(Partnership.objects.filter(partner=partner).values_list("pk", "end_date")) == ends


def test_partner_staff_lose_the_districts_after_the_end_date(partner_user, partner, collab_admin, district):
    partner_remove(partner=partner, by=collab_admin)
    assert district in type(district).objects.for_user(partner_user)  # through the end date, today
    Partnership.objects.filter(partner=partner).update(
        start_date=timezone.localdate() - timedelta(days=10),
        end_date=timezone.localdate() - timedelta(days=1),
    )
    assert not type(district).objects.for_user(partner_user).exists()


def test_removal_through_the_page_asks_first(client_for, collab_admin, partner_user, partner):
    detail = partner.get_absolute_url()
    remove_url = reverse("partners:partner-remove", args=[partner.pk])
    admin = client_for(collab_admin)
    assert remove_url in admin.get(detail).content.decode()
    assert remove_url not in client_for(partner_user).get(detail).content.decode()
    assert client_for(partner_user).get(remove_url).status_code == 403
    confirm = admin.get(remove_url)
    assert confirm.status_code == 200 and "ends today" in confirm.content.decode()
    assert PartnerOrganisation.objects.get(pk=partner.pk).removed_on is None  # asking removes nothing
    response = admin.post(remove_url, follow=True)
    assert response.redirect_chain[-1][0] == detail
    html = response.content.decode()
    assert f"Removed on {date_format(timezone.localdate())}" in html
    assert remove_url not in html


def date_format(day: date) -> str:
    from django.utils.formats import date_format as fmt

    return fmt(day)


def test_lists_hide_removed_partners_unless_asked(client_for, api_for, collab_admin, partner, collaborative):
    kept = PartnerFactory(name="Kept Partner", collaborative=collaborative)
    partner_remove(partner=partner, by=collab_admin)
    client, api = client_for(collab_admin), api_for(collab_admin)
    html = client.get(reverse("partners:partner-list")).content.decode()
    assert kept.name in html and partner.name not in html
    html = client.get(reverse("partners:partner-list"), {"removed": "removed"}).content.decode()
    assert partner.name in html and kept.name not in html
    html = client.get(reverse("partners:partner-list"), {"removed": "all"}).content.decode()
    assert partner.name in html and kept.name in html

    def api_names(**params) -> set[str]:
        return {row["name"] for row in api.get("/api/v1/partners/", params).json()["results"]}

    assert api_names() == {kept.name}
    assert api_names(removed="removed") == {partner.name}
    assert api_names(removed="all") == {partner.name, kept.name}
    assert partner.name not in client.get(collaborative.get_absolute_url()).content.decode()


def test_superuser_removes_a_partner_without_a_lab(api_for):
    orphan = PartnerFactory(collaborative=None)
    root = UserFactory(is_superuser=True)
    assert api_for(root).delete(f"/api/v1/partners/{orphan.pk}/").status_code == 204
    assert PartnerOrganisation.objects.get(pk=orphan.pk).removed_on == timezone.localdate()
