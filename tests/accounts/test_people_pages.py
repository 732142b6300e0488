"""The People pages and the public accept page: each role sees what it administers, outsiders get
404, the invite form offers only what the user may grant, a link works once."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts import services
from accounts.models import Invitation, Membership, Role, User
from tests.accounts.conftest import BASE_URL, last_link
from tests.factories import PASSWORD, DistrictFactory, UserFactory, member

pytestmark = pytest.mark.django_db

PASSWORD_NEW = "a long new password 42"


def invite(by, email, role, target, capture):
    with capture(execute=True):
        return services.invitation_create(by=by, email=email, role=role, target=target, base_url=BASE_URL)


# --- People page by role --------------------------------------------------------------------------


def test_lab_admin_sees_their_labs_people_and_not_others(client_for, collab_admin, manager, viewer, partner_user,
                                                        outsider, sda_reviewer):  # fmt: skip
    html = client_for(collab_admin).get(reverse("people")).content.decode()
    for user in (manager, viewer, partner_user, collab_admin):
        assert user.email in html
    assert outsider.email not in html and sda_reviewer.email not in html


def test_reviewer_sees_their_states_reviewers(client_for, sda_reviewer, manager, mn_agency, wi_agency):
    colleague = member(Role.SDA_REVIEWER, mn_agency, email="colleague@mn.example")
    elsewhere = member(Role.SDA_REVIEWER, wi_agency, email="reviewer@wi.example")
    html = client_for(sda_reviewer).get(reverse("people")).content.decode()
    assert colleague.email in html and sda_reviewer.email in html
    assert elsewhere.email not in html and manager.email not in html


@pytest.mark.parametrize("role_fixture", ["manager", "viewer", "partner_user", "reference_editor"])
def test_people_pages_are_forbidden_to_those_who_administer_nothing(request, client_for, role_fixture):
    client = client_for(request.getfixturevalue(role_fixture))
    for name in ("people", "people-invite"):
        response = client.get(reverse(name))
        assert response.status_code == 403
        assert "manage people" in response.content.decode()


def test_anonymous_is_sent_to_log_in(client, manager):
    assert client.get(reverse("people")).status_code == 302
    membership = manager.memberships.get()
    assert client.get(reverse("people-membership-update", args=[membership.pk])).status_code == 302


def test_superuser_sees_everyone(client_for, superuser, manager, outsider):
    html = client_for(superuser).get(reverse("people")).content.decode()
    assert manager.email in html and outsider.email in html


def test_people_page_query_count_does_not_grow_with_rows(client_for, collab_admin, district,
                                                         django_assert_num_queries, django_capture_on_commit_callbacks):  # fmt: skip
    client = client_for(collab_admin)

    def add(count: int, start: int) -> None:
        for n in range(start, start + count):
            member(
                Role.DISTRICT_VIEWER,
                DistrictFactory(collaborative=district.collaborative, state_agency=district.state_agency),
            )
            invite(collab_admin, f"person{n}@alpha.example", Role.DISTRICT_VIEWER, district,
                   django_capture_on_commit_callbacks)  # fmt: skip

    add(5, 0)
    client.get(reverse("people"))  # warm the session
    # session, user, roles (navigation and the People check share them), the memberships count, the
    # page of memberships with their users and organisations, the invitations with theirs
    with django_assert_num_queries(6):
        assert client.get(reverse("people")).status_code == 200
    add(45, 5)
    with django_assert_num_queries(6):
        response = client.get(reverse("people"))
    assert len(response.context["memberships"]) == 50 and len(response.context["invitations"]) == 50


# --- The invite form ------------------------------------------------------------------------------


def _choices(response, name):
    field = response.context["form"].fields[name]
    flat = []
    for value, label in field.choices:
        flat += [v for v, _ in label] if isinstance(label, list | tuple) else [value]
    return flat


def test_the_form_offers_what_the_user_may_grant(client_for, collab_admin, sda_reviewer, district, other_district,
                                                 partner, mn_agency):  # fmt: skip
    page = client_for(collab_admin).get(reverse("people-invite"))
    assert _choices(page, "role") == [Role.DISTRICT_MANAGER, Role.DISTRICT_VIEWER, Role.PARTNER_STAFF]
    organisations = _choices(page, "organisation")
    assert f"district:{district.pk}" in organisations and f"partner:{partner.pk}" in organisations
    assert (
        f"district:{other_district.pk}" not in organisations
        and "Choose an organisation" in page.content.decode()
    )
    page = client_for(sda_reviewer).get(reverse("people-invite"))
    assert _choices(page, "role") == [Role.SDA_REVIEWER]
    assert _choices(page, "organisation") == ["", f"state_agency:{mn_agency.pk}"]


def test_inviting_to_another_labs_district_is_refused(client_for, collab_admin, other_district):
    response = client_for(collab_admin).post(reverse("people-invite"), {
        "email": "x@bravo.example", "role": Role.DISTRICT_MANAGER, "organisation": f"district:{other_district.pk}"})  # fmt: skip
    assert response.status_code == 200 and "organisation" in response.context["form"].errors
    assert not Invitation.objects.exists() and mail.outbox == []


def test_a_role_and_organisation_of_different_kinds_are_refused(client_for, collab_admin, partner):
    response = client_for(collab_admin).post(reverse("people-invite"), {
        "email": "x@alpha.example", "role": Role.DISTRICT_MANAGER, "organisation": f"partner:{partner.pk}"})  # fmt: skip
    assert "one of the districts" in str(response.context["form"].errors["organisation"])
    assert not Invitation.objects.exists()


def test_the_service_refusal_shows_on_the_form(client_for, collab_admin, manager, district):
    response = client_for(collab_admin).post(reverse("people-invite"), {
        "email": manager.email, "role": Role.DISTRICT_MANAGER, "organisation": f"district:{district.pk}"})  # fmt: skip
    assert "already is District manager" in str(response.context["form"].errors["email"])


# --- The whole cycle through the pages ------------------------------------------------------------


def test_new_person_joins_through_the_link_once(client_for, collab_admin, district, sent_through_task,
                                                django_capture_on_commit_callbacks):  # fmt: skip
    admin = client_for(collab_admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(reverse("people-invite"), {
            "email": "dana@alpha.example", "role": Role.DISTRICT_MANAGER, "organisation": f"district:{district.pk}"})  # fmt: skip
    assert response.status_code == 302 and response.url == reverse("people")
    assert len(sent_through_task) == 1 and len(mail.outbox) == 1
    assert "dana@alpha.example" in admin.get(reverse("people")).content.decode()
    path, _ = last_link()

    invitee = Client()
    page = invitee.get(path)
    assert page.status_code == 200 and "Choose a password" in page.content.decode()
    answer = invitee.post(path, {"first_name": "Dana", "last_name": "Doe", "password1": PASSWORD_NEW,
                                 "password2": PASSWORD_NEW})  # fmt: skip
    assert answer.status_code == 302 and answer.url == reverse("dashboard")
    dashboard = invitee.get(reverse("dashboard")).content.decode()
    assert "Welcome: you are now District manager of Alpha Public Schools" in dashboard
    dana = User.objects.get(email="dana@alpha.example")
    assert dana.get_full_name() == "Dana Doe" and Membership.objects.get(user=dana).district == district

    again = Client().get(path)
    assert again.status_code == 410 and "already been used" in again.content.decode()
    refused = Client().post(path, {"password1": PASSWORD_NEW, "password2": PASSWORD_NEW})
    assert refused.status_code == 410 and User.objects.filter(email="dana@alpha.example").count() == 1


def test_mismatched_passwords_create_nothing(
    client, collab_admin, district, django_capture_on_commit_callbacks
):
    invite(
        collab_admin,
        "dana@alpha.example",
        Role.DISTRICT_MANAGER,
        district,
        django_capture_on_commit_callbacks,
    )
    path, _ = last_link()
    response = client.post(path, {"password1": PASSWORD_NEW, "password2": PASSWORD_NEW + "x"})
    assert response.status_code == 200 and "differ" in response.content.decode()
    assert not User.objects.filter(email="dana@alpha.example").exists()


def test_expired_revoked_and_made_up_links_get_friendly_pages(client, collab_admin, district,
                                                              django_capture_on_commit_callbacks):  # fmt: skip
    invite(
        collab_admin, "a@alpha.example", Role.DISTRICT_VIEWER, district, django_capture_on_commit_callbacks
    )
    expiring, _ = last_link()
    revoked = invite(
        collab_admin, "b@alpha.example", Role.DISTRICT_VIEWER, district, django_capture_on_commit_callbacks
    )
    revoked_path, _ = last_link()
    response = client_for_admin = Client()
    client_for_admin.force_login(collab_admin)
    response = client_for_admin.post(reverse("people-invitation-revoke", args=[revoked.pk]))
    assert response.status_code == 302 and Invitation.objects.get(pk=revoked.pk).revoked_at
    page = client.get(revoked_path)
    assert page.status_code == 410 and "withdrawn" in page.content.decode()
    with time_machine.travel(timezone.now() + timedelta(days=15)):
        page = client.get(expiring)
        assert page.status_code == 410 and "has expired" in page.content.decode()
        post = client.post(expiring, {"password1": PASSWORD_NEW, "password2": PASSWORD_NEW})
        assert post.status_code == 410
    page = client.get(reverse("invitation-accept", args=["not-a-real-token"]))
    assert page.status_code == 404 and "not valid" in page.content.decode()
    assert not User.objects.filter(email__in=["a@alpha.example", "b@alpha.example"]).exists()


def test_existing_person_accepts_with_their_password(client, collab_admin, district, nobody,
                                                     django_capture_on_commit_callbacks):  # fmt: skip
    invite(collab_admin, nobody.email, Role.DISTRICT_VIEWER, district, django_capture_on_commit_callbacks)
    path, _ = last_link()
    assert "already has a FOCUS Lab account" in client.get(path).content.decode()
    wrong = client.post(path, {"password": "not it"})
    assert wrong.status_code == 200 and "not the password" in wrong.content.decode()
    assert not nobody.memberships.exists()
    right = client.post(path, {"password": PASSWORD})
    assert right.status_code == 302 and nobody.memberships.get().role == Role.DISTRICT_VIEWER
    assert client.get(reverse("districts:district-detail", args=[district.pk])).status_code == 200


def test_logged_in_invitee_accepts_with_one_click(client_for, collab_admin, district, nobody,
                                                  django_capture_on_commit_callbacks):  # fmt: skip
    invite(collab_admin, nobody.email, Role.DISTRICT_VIEWER, district, django_capture_on_commit_callbacks)
    path, _ = last_link()
    client = client_for(nobody)
    assert "Accept the invitation" in client.get(path).content.decode()
    assert client.post(path, {}).status_code == 302
    assert nobody.memberships.get().district == district


def test_someone_else_logged_in_is_warned_and_nothing_goes_to_them(client_for, collab_admin, district, manager,
                                                                   django_capture_on_commit_callbacks):  # fmt: skip
    invite(
        collab_admin, "dana@alpha.example", Role.DISTRICT_VIEWER, district, django_capture_on_commit_callbacks
    )
    path, _ = last_link()
    client = client_for(manager)
    assert f"You are logged in as {manager.email}" in client.get(path).content.decode()
    client.post(path, {"password1": PASSWORD_NEW, "password2": PASSWORD_NEW})
    assert manager.memberships.count() == 1
    assert User.objects.get(email="dana@alpha.example").memberships.get().role == Role.DISTRICT_VIEWER


# --- Resend, revoke, change role, end ------------------------------------------------------------


def test_resend_mails_a_new_link(client_for, collab_admin, district, django_capture_on_commit_callbacks):
    invitation = invite(collab_admin, "a@alpha.example", Role.DISTRICT_VIEWER, district,
                        django_capture_on_commit_callbacks)  # fmt: skip
    old, _ = last_link()
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(collab_admin).post(reverse("people-invitation-resend", args=[invitation.pk]))
    assert response.status_code == 302 and len(mail.outbox) == 2
    new, _ = last_link()
    assert new != old and Client().get(old).status_code == 404 and Client().get(new).status_code == 200


def test_other_labs_admin_gets_404_on_our_invitations_and_memberships(client_for, other_admin, collab_admin, manager,
                                                                      district, django_capture_on_commit_callbacks):  # fmt: skip
    invitation = invite(collab_admin, "a@alpha.example", Role.DISTRICT_VIEWER, district,
                        django_capture_on_commit_callbacks)  # fmt: skip
    client = client_for(other_admin)
    membership = manager.memberships.get()
    assert client.post(reverse("people-invitation-revoke", args=[invitation.pk])).status_code == 404
    assert client.post(reverse("people-invitation-resend", args=[invitation.pk])).status_code == 404
    assert client.get(reverse("people-membership-update", args=[membership.pk])).status_code == 404
    assert client.post(reverse("people-membership-end", args=[membership.pk])).status_code == 404
    assert (
        Invitation.objects.get().revoked_at is None and Membership.objects.filter(pk=membership.pk).exists()
    )


def test_admin_changes_a_managers_role(client_for, collab_admin, manager, district):
    membership = manager.memberships.get()
    client = client_for(collab_admin)
    url = reverse("people-membership-update", args=[membership.pk])
    page = client.get(url)
    assert page.status_code == 200 and [c for c, _ in page.context["form"].fields["role"].choices] == [
        Role.DISTRICT_MANAGER, Role.DISTRICT_VIEWER]  # fmt: skip
    assert client.post(url, {"role": Role.DISTRICT_VIEWER}).status_code == 302
    assert Membership.objects.get(pk=membership.pk).role == Role.DISTRICT_VIEWER
    # The manager lost the right to change the district.
    assert client_for(manager).get(reverse("districts:district-update", args=[district.pk])).status_code in (
        403,
        404,
    )


def test_admin_ends_a_membership_after_confirming(client_for, collab_admin, manager, district):
    membership = manager.memberships.get()
    client = client_for(collab_admin)
    url = reverse("people-membership-end", args=[membership.pk])
    assert "End the membership" in client.get(url).content.decode()
    assert Membership.objects.filter(pk=membership.pk).exists()  # the GET only asks
    assert client.post(url).status_code == 302
    assert not Membership.objects.filter(pk=membership.pk).exists()
    assert (
        client_for(manager).get(reverse("districts:district-detail", args=[district.pk])).status_code == 404
    )


def test_a_fellow_admin_is_listed_but_not_changed(client_for, collab_admin, collaborative):
    fellow = member(Role.COLLABORATIVE_ADMIN, collaborative, email="fellow@lab.example")
    membership = fellow.memberships.get()
    client = client_for(collab_admin)
    assert fellow.email in client.get(reverse("people")).content.decode()
    assert client.get(reverse("people-membership-end", args=[membership.pk])).status_code == 403
    assert client.post(reverse("people-membership-end", args=[membership.pk])).status_code == 403
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_the_last_admin_is_told_why_they_cannot_leave(client_for, collab_admin):
    own = collab_admin.memberships.get()
    client = client_for(collab_admin)
    response = client.post(reverse("people-membership-end", args=[own.pk]), follow=True)
    assert "You are the last admin" in response.content.decode()
    assert Membership.objects.filter(pk=own.pk).exists()


def test_no_membership_dashboard_says_to_ask_for_an_invitation(client_for, nobody):
    html = client_for(nobody).get(reverse("dashboard")).content.decode()
    assert "People join through an invitation" in html and nobody.email in html
    assert "Ask your collaborative admin to add you" not in html


def test_admins_dashboards_link_to_people(client_for, collab_admin, sda_reviewer):
    for user in (collab_admin, sda_reviewer):
        assert reverse("people") in client_for(user).get(reverse("dashboard")).content.decode()


def test_reviewer_invites_a_colleague(
    client_for, sda_reviewer, mn_agency, wi_agency, django_capture_on_commit_callbacks
):
    client = client_for(sda_reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("people-invite"), {"email": "new@mn.example", "role": Role.SDA_REVIEWER,
                                                   "organisation": f"state_agency:{mn_agency.pk}"})  # fmt: skip
        refused = client.post(reverse("people-invite"), {"email": "new@wi.example", "role": Role.SDA_REVIEWER,
                                                             "organisation": f"state_agency:{wi_agency.pk}"})  # fmt: skip
    assert refused.status_code == 200 and refused.context["form"].errors
    assert list(Invitation.objects.values_list("email", "state_agency")) == [("new@mn.example", mn_agency.pk)]
    assert len(mail.outbox) == 1


def test_superuser_invites_a_lab_admin(
    client_for, superuser, collaborative, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(superuser).post(reverse("people-invite"), {
            "email": "admin2@lab.example", "role": Role.COLLABORATIVE_ADMIN,
            "organisation": f"collaborative:{collaborative.pk}"})  # fmt: skip
    assert response.status_code == 302
    path, _ = last_link()
    Client().post(path, {"password1": PASSWORD_NEW, "password2": PASSWORD_NEW})
    assert (
        UserFactory._meta.model.objects.get(email="admin2@lab.example").memberships.get().collaborative
        == collaborative
    )


def test_templates_know_who_manages_people(client_for, collab_admin, sda_reviewer, manager, superuser):
    for user, expected in [(collab_admin, True), (sda_reviewer, True), (superuser, True), (manager, False)]:
        assert client_for(user).get(reverse("profile")).context["user_manages_people"] is expected
