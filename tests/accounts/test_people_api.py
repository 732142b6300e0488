"""/api/v1/invitations/ and /api/v1/memberships/: the pages' rules through the API."""

from __future__ import annotations

import pytest
from django.core import mail

from accounts.models import Invitation, Membership, Role
from tests.accounts.conftest import last_link
from tests.factories import DistrictFactory, member

pytestmark = pytest.mark.django_db

INVITATIONS = "/api/v1/invitations/"
MEMBERSHIPS = "/api/v1/memberships/"


def create(api, capture, **body):
    with capture(execute=True):
        return api.post(INVITATIONS, body, format="json")


def test_admin_invites_through_the_api(api_for, collab_admin, district, django_capture_on_commit_callbacks):
    response = create(api_for(collab_admin), django_capture_on_commit_callbacks,
                      email="dana@alpha.example", role=Role.DISTRICT_MANAGER, district=district.pk)  # fmt: skip
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (
        body["status"] == "pending" and body["target"] == "Alpha Public Schools" and "token" not in str(body)
    )
    assert len(mail.outbox) == 1 and last_link()
    assert [row["email"] for row in api_for(collab_admin).get(INVITATIONS).json()["results"]] == [
        "dana@alpha.example"
    ]


def test_another_labs_district_is_a_400_and_writes_nothing(api_for, collab_admin, other_district,
                                                           django_capture_on_commit_callbacks):  # fmt: skip
    response = create(api_for(collab_admin), django_capture_on_commit_callbacks,
                      email="x@bravo.example", role=Role.DISTRICT_MANAGER, district=other_district.pk)  # fmt: skip
    assert response.status_code == 400 and "district" in response.json()
    assert not Invitation.objects.exists() and mail.outbox == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"role": Role.DISTRICT_MANAGER}, "district"),  # no organisation
        ({"role": Role.PARTNER_STAFF, "district": "DISTRICT"}, "district"),  # the wrong kind
        ({"role": "owner", "district": "DISTRICT"}, "role"),
        ({"role": Role.DISTRICT_MANAGER, "district": "DISTRICT", "email": "not an email"}, "email"),
    ],
)
def test_bad_bodies_get_a_400_that_names_the_field(api_for, collab_admin, district, body, field,
                                                   django_capture_on_commit_callbacks):  # fmt: skip
    body = {"email": "x@alpha.example", **{k: district.pk if v == "DISTRICT" else v for k, v in body.items()}}
    response = create(api_for(collab_admin), django_capture_on_commit_callbacks, **body)
    assert response.status_code == 400 and field in response.json(), response.json()
    assert not Invitation.objects.exists()


def test_an_existing_membership_is_a_400(
    api_for, collab_admin, manager, district, django_capture_on_commit_callbacks
):
    response = create(api_for(collab_admin), django_capture_on_commit_callbacks,
                      email=manager.email, role=Role.DISTRICT_MANAGER, district=district.pk)  # fmt: skip
    assert response.status_code == 400 and "already is" in str(response.json())


@pytest.mark.parametrize("role_fixture", ["manager", "viewer", "partner_user"])
def test_those_who_administer_nothing_cannot_invite(request, api_for, role_fixture, district,
                                                    django_capture_on_commit_callbacks):  # fmt: skip
    api = api_for(request.getfixturevalue(role_fixture))
    response = create(api, django_capture_on_commit_callbacks, email="x@alpha.example",
                      role=Role.DISTRICT_VIEWER, district=district.pk)  # fmt: skip
    assert response.status_code == 403 and not Invitation.objects.exists()
    assert api.get(INVITATIONS).json()["results"] == [] and api.get(MEMBERSHIPS).json()["results"] == []


def test_reviewer_invites_to_their_state_only(api_for, sda_reviewer, mn_agency, wi_agency,
                                              django_capture_on_commit_callbacks):  # fmt: skip
    api = api_for(sda_reviewer)
    ok = create(api, django_capture_on_commit_callbacks, email="a@mn.example", role=Role.SDA_REVIEWER,
                state_agency=mn_agency.pk)  # fmt: skip
    refused = create(api, django_capture_on_commit_callbacks, email="b@wi.example", role=Role.SDA_REVIEWER,
                     state_agency=wi_agency.pk)  # fmt: skip
    assert ok.status_code == 201 and refused.status_code == 400


def test_revoke_and_resend_actions(
    api_for, collab_admin, other_admin, district, django_capture_on_commit_callbacks
):
    api = api_for(collab_admin)
    pk = create(api, django_capture_on_commit_callbacks, email="a@alpha.example", role=Role.DISTRICT_VIEWER,
                district=district.pk).json()["id"]  # fmt: skip
    outsider = api_for(other_admin)
    assert outsider.get(f"{INVITATIONS}{pk}/").status_code == 404
    assert outsider.post(f"{INVITATIONS}{pk}/revoke/").status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        resent = api.post(f"{INVITATIONS}{pk}/resend/")
    assert resent.status_code == 200 and len(mail.outbox) == 2
    revoked = api.post(f"{INVITATIONS}{pk}/revoke/")
    assert revoked.status_code == 200 and revoked.json()["status"] == "revoked"
    again = api.post(f"{INVITATIONS}{pk}/revoke/")
    assert again.status_code == 400 and "already revoked" in str(again.json())
    assert api.get(INVITATIONS, {"status": "revoked"}).json()["count"] == 1
    assert api.get(INVITATIONS, {"status": "pending"}).json()["count"] == 0


def test_memberships_are_scoped_to_what_the_user_administers(api_for, collab_admin, manager, viewer, partner_user,
                                                             outsider, other_admin):  # fmt: skip
    emails = {row["email"] for row in api_for(collab_admin).get(MEMBERSHIPS).json()["results"]}
    assert emails == {manager.email, viewer.email, partner_user.email, collab_admin.email}
    membership = manager.memberships.get()
    assert api_for(other_admin).get(f"{MEMBERSHIPS}{membership.pk}/").status_code == 404
    assert api_for(other_admin).patch(f"{MEMBERSHIPS}{membership.pk}/", {"role": "district_viewer"},
                                      format="json").status_code == 404  # fmt: skip
    assert api_for(other_admin).delete(f"{MEMBERSHIPS}{membership.pk}/").status_code == 404
    assert Membership.objects.get(pk=membership.pk).role == Role.DISTRICT_MANAGER


def test_patch_changes_the_role_and_delete_ends_the_membership(api_for, collab_admin, manager):
    api = api_for(collab_admin)
    membership = manager.memberships.get()
    url = f"{MEMBERSHIPS}{membership.pk}/"
    response = api.patch(url, {"role": Role.DISTRICT_VIEWER}, format="json")
    assert response.status_code == 200 and response.json()["role"] == Role.DISTRICT_VIEWER
    wrong = api.patch(url, {"role": Role.PARTNER_STAFF}, format="json")
    assert wrong.status_code == 400 and Membership.objects.get(pk=membership.pk).role == Role.DISTRICT_VIEWER
    moved = api.patch(url, {"district": DistrictFactory().pk, "user": collab_admin.pk}, format="json")
    assert moved.status_code == 200  # read-only fields are ignored
    assert Membership.objects.filter(pk=membership.pk, user=manager, district=membership.district).exists()
    assert api.put(url, {"role": Role.DISTRICT_VIEWER}, format="json").status_code == 405
    assert api.delete(url).status_code == 204 and not Membership.objects.filter(pk=membership.pk).exists()


def test_a_fellow_admins_membership_is_visible_but_403(api_for, collab_admin, collaborative):
    fellow = member(Role.COLLABORATIVE_ADMIN, collaborative, email="fellow@lab.example").memberships.get()
    api = api_for(collab_admin)
    assert api.get(f"{MEMBERSHIPS}{fellow.pk}/").status_code == 200
    assert api.delete(f"{MEMBERSHIPS}{fellow.pk}/").status_code == 403
    assert Membership.objects.filter(pk=fellow.pk).exists()


def test_the_last_admin_leaving_is_a_400(api_for, collab_admin):
    own = collab_admin.memberships.get()
    response = api_for(collab_admin).delete(f"{MEMBERSHIPS}{own.pk}/")
    assert response.status_code == 400 and "last admin" in str(response.json())


def test_lists_cost_the_same_queries_for_5_and_50_rows(api_for, collab_admin, district, django_assert_num_queries,
                                                       django_capture_on_commit_callbacks):  # fmt: skip
    api = api_for(collab_admin)

    def add(start, count):
        for n in range(start, start + count):
            member(Role.DISTRICT_VIEWER, district)
            create(api, django_capture_on_commit_callbacks, email=f"p{n}@alpha.example", role=Role.DISTRICT_VIEWER,
                   district=district.pk)  # fmt: skip

    add(0, 5)
    for url in (INVITATIONS, MEMBERSHIPS):
        # the count, then the page of rows with their users and organisations
        with django_assert_num_queries(2):
            assert api.get(url).status_code == 200
    add(5, 45)
    for url in (INVITATIONS, MEMBERSHIPS):
        with django_assert_num_queries(2):
            assert len(api.get(url).json()["results"]) == 50
