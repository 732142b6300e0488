"""Who may invite whom to what, and the invitation services: the token is stored hashed, the email
goes through the Celery task after commit, a link works once, expires and can be revoked; roles
change and memberships end with their history kept."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from accounts import access, services
from accounts.models import Invitation, Membership, Role
from focus_lab.errors import DomainError
from tests.accounts.conftest import BASE_URL, last_link
from tests.factories import UserFactory, member

pytestmark = pytest.mark.django_db


def invite(by, email, role, target, capture):
    with capture(execute=True):
        return services.invitation_create(by=by, email=email, role=role, target=target, base_url=BASE_URL)


# --- Who may invite to what ---------------------------------------------------------------------


def test_lab_admin_invites_district_and_partner_people_of_their_lab_only(
    collab_admin, district, other_district, partner, collaborative, mn_agency
):
    assert access.invitable_roles(collab_admin) == [
        Role.DISTRICT_MANAGER,
        Role.DISTRICT_VIEWER,
        Role.PARTNER_STAFF,
    ]
    assert access.may_invite(collab_admin, Role.DISTRICT_MANAGER, district)
    assert access.may_invite(collab_admin, Role.DISTRICT_VIEWER, district)
    assert access.may_invite(collab_admin, Role.PARTNER_STAFF, partner)
    assert not access.may_invite(collab_admin, Role.DISTRICT_MANAGER, other_district)  # lab B's district
    assert not access.may_invite(
        collab_admin, Role.PARTNER_STAFF, district
    )  # the role's kind of organisation
    assert not access.may_invite(collab_admin, Role.SDA_REVIEWER, mn_agency)
    assert not access.may_invite(collab_admin, Role.COLLABORATIVE_ADMIN, collaborative)
    assert not access.may_invite(collab_admin, Role.REFERENCE_DATA, None)


def test_a_removed_partner_takes_no_new_staff(collab_admin, partner):
    partner.removed_on = timezone.localdate()
    partner.save()
    assert not access.may_invite(collab_admin, Role.PARTNER_STAFF, partner)


def test_reviewer_invites_reviewers_of_their_own_state_only(sda_reviewer, mn_agency, wi_agency, district):
    assert access.invitable_roles(sda_reviewer) == [Role.SDA_REVIEWER]
    assert access.may_invite(sda_reviewer, Role.SDA_REVIEWER, mn_agency)
    assert not access.may_invite(sda_reviewer, Role.SDA_REVIEWER, wi_agency)
    assert not access.may_invite(sda_reviewer, Role.DISTRICT_MANAGER, district)


def test_superuser_invites_to_anything(superuser, district, partner, mn_agency, collaborative):
    assert access.invitable_roles(superuser) == list(Role)
    for role, target in [(Role.DISTRICT_MANAGER, district), (Role.PARTNER_STAFF, partner),
                         (Role.SDA_REVIEWER, mn_agency), (Role.COLLABORATIVE_ADMIN, collaborative),
                         (Role.REFERENCE_DATA, None)]:  # fmt: skip
        assert access.may_invite(superuser, role, target), role
    assert not access.may_invite(superuser, Role.REFERENCE_DATA, district)  # a national role


@pytest.mark.parametrize("role_fixture", ["manager", "viewer", "partner_user", "reference_editor"])
def test_district_partner_and_reference_people_invite_nobody(request, role_fixture, district):
    user = request.getfixturevalue(role_fixture)
    assert access.invitable_roles(user) == []
    assert not access.may_invite(user, Role.DISTRICT_VIEWER, district)


def test_refused_invitation_writes_and_sends_nothing(
    collab_admin, other_district, django_capture_on_commit_callbacks
):
    with pytest.raises(DomainError, match="not an organisation you administer"):
        invite(collab_admin, "new@bravo.example", Role.DISTRICT_MANAGER, other_district,
               django_capture_on_commit_callbacks)  # fmt: skip
    assert not Invitation.objects.exists() and mail.outbox == []


def test_an_identical_membership_is_refused(
    collab_admin, manager, district, django_capture_on_commit_callbacks
):
    with pytest.raises(DomainError, match="already is District manager of Alpha"):
        invite(collab_admin, "MANAGER@alpha.example", Role.DISTRICT_MANAGER, district,
               django_capture_on_commit_callbacks)  # fmt: skip
    with pytest.raises(DomainError, match="change their role on the People page"):
        invite(
            collab_admin, manager.email, Role.DISTRICT_VIEWER, district, django_capture_on_commit_callbacks
        )
    assert not Invitation.objects.exists()


def test_a_second_invitation_while_one_waits_is_refused(
    collab_admin, district, django_capture_on_commit_callbacks
):
    invite(
        collab_admin, "dana@alpha.example", Role.DISTRICT_VIEWER, district, django_capture_on_commit_callbacks
    )
    with pytest.raises(DomainError, match="resend that invitation"):
        invite(
            collab_admin,
            "dana@alpha.example",
            Role.DISTRICT_VIEWER,
            district,
            django_capture_on_commit_callbacks,
        )
    assert Invitation.objects.count() == 1


# --- The link -----------------------------------------------------------------------------------


def test_the_token_is_stored_only_as_its_hash_and_mailed_through_the_task(
    collab_admin, district, sent_through_task, django_capture_on_commit_callbacks
):
    invitation = invite(collab_admin, " Dana@Alpha.example ", Role.DISTRICT_VIEWER, district,
                        django_capture_on_commit_callbacks)  # fmt: skip
    path, token = last_link()
    assert token == invitation.token and path.endswith(f"/{token}/")
    stored = Invitation.objects.filter(pk=invitation.pk).values().get()
    assert stored["token_hash"] == hashlib.sha256(token.encode()).hexdigest()
    assert token not in str(stored)
    history = list(invitation.events.values())
    assert history and stored["token_hash"] not in str(history)  # the history keeps no hash either
    assert stored["email"] == "dana@alpha.example" and stored["invited_by_id"] == collab_admin.pk
    assert stored["expires_at"] - stored["created_at"] >= timedelta(days=14) - timedelta(seconds=1)
    (message,) = mail.outbox
    assert message.to == ["dana@alpha.example"]
    assert "District viewer of Alpha Public Schools" in message.subject
    assert sent_through_task == [
        (f"invitation:{invitation.pk}:{stored['token_hash'][:16]}", ["dana@alpha.example"])
    ]


def test_nothing_is_mailed_when_the_transaction_rolls_back(
    collab_admin, district, django_capture_on_commit_callbacks
):
    from django.db import transaction

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            services.invitation_create(by=collab_admin, email="x@alpha.example", role=Role.DISTRICT_VIEWER,
                                       target=district, base_url=BASE_URL)  # fmt: skip
            raise RuntimeError("rolled back")
    assert callbacks == [] and mail.outbox == []


def test_new_person_accepts_once(collab_admin, district, django_capture_on_commit_callbacks):
    invitation = invite(collab_admin, "dana@alpha.example", Role.DISTRICT_MANAGER, district,
                        django_capture_on_commit_callbacks)  # fmt: skip
    membership = services.invitation_accept(token=invitation.token, password="a long new password 42",
                                            first_name="Dana", last_name="Doe")  # fmt: skip
    assert membership.user.email == "dana@alpha.example" and membership.user.check_password(
        "a long new password 42"
    )
    assert (membership.role, membership.district) == (Role.DISTRICT_MANAGER, district)
    invitation.refresh_from_db()
    assert invitation.accepted_at and invitation.accepted_by == membership.user
    with pytest.raises(DomainError, match="already been used"):
        services.invitation_accept(token=invitation.token, password="another long password 43")
    assert Membership.objects.filter(user__email="dana@alpha.example").count() == 1


def test_a_weak_password_creates_nothing(collab_admin, district, django_capture_on_commit_callbacks):
    invitation = invite(collab_admin, "dana@alpha.example", Role.DISTRICT_MANAGER, district,
                        django_capture_on_commit_callbacks)  # fmt: skip
    with pytest.raises(DomainError) as error:
        services.invitation_accept(token=invitation.token, password="123")
    assert error.value.field == "password"
    invitation.refresh_from_db()
    assert (
        invitation.accepted_at is None
        and not Membership.objects.filter(user__email="dana@alpha.example").exists()
    )


def test_expired_and_revoked_links_are_refused(collab_admin, district, django_capture_on_commit_callbacks):
    expiring = invite(
        collab_admin, "a@alpha.example", Role.DISTRICT_VIEWER, district, django_capture_on_commit_callbacks
    )
    revoked = invite(
        collab_admin, "b@alpha.example", Role.DISTRICT_VIEWER, district, django_capture_on_commit_callbacks
    )
    services.invitation_revoke(by=collab_admin, invitation=revoked)
    with pytest.raises(DomainError, match="withdrawn"):
        services.invitation_accept(token=revoked.token, password="a long new password 42")
    with time_machine.travel(timezone.now() + timedelta(days=15)):
        with pytest.raises(DomainError, match="expired"):
            services.invitation_accept(token=expiring.token, password="a long new password 42")
    with pytest.raises(DomainError, match="not valid"):
        services.invitation_accept(token="made-up", password="a long new password 42")
    assert not Membership.objects.filter(role=Role.DISTRICT_VIEWER).exists()


def test_resend_replaces_the_link_and_revives_an_expired_invitation(
    collab_admin, district, django_capture_on_commit_callbacks
):
    invitation = invite(collab_admin, "a@alpha.example", Role.DISTRICT_VIEWER, district,
                        django_capture_on_commit_callbacks)  # fmt: skip
    with time_machine.travel(timezone.now() + timedelta(days=20)):
        with django_capture_on_commit_callbacks(execute=True):
            resent = services.invitation_resend(by=collab_admin, invitation=invitation, base_url=BASE_URL)
        assert len(mail.outbox) == 2 and last_link()[1] == resent.token != invitation.token
        with pytest.raises(DomainError, match="not valid"):
            services.invitation_accept(token=invitation.token, password="a long new password 42")
        assert (
            services.invitation_accept(token=resent.token, password="a long new password 42").district
            == district
        )


def test_existing_person_gets_the_role_added(
    collab_admin, district, nobody, django_capture_on_commit_callbacks
):
    invitation = invite(
        collab_admin, nobody.email, Role.DISTRICT_VIEWER, district, django_capture_on_commit_callbacks
    )
    with pytest.raises(DomainError, match="exists already: log in"):
        services.invitation_accept(token=invitation.token, password="a long new password 42")
    with pytest.raises(DomainError, match="not for"):
        services.invitation_accept(token=invitation.token, user=UserFactory())
    membership = services.invitation_accept(token=invitation.token, user=nobody)
    assert membership.user == nobody and membership.role == Role.DISTRICT_VIEWER


def test_other_labs_admin_cannot_revoke_or_resend(
    collab_admin, other_admin, district, django_capture_on_commit_callbacks
):
    invitation = invite(collab_admin, "a@alpha.example", Role.DISTRICT_VIEWER, district,
                        django_capture_on_commit_callbacks)  # fmt: skip
    assert not Invitation.objects.for_user(other_admin).exists()
    with pytest.raises(DomainError):
        services.invitation_revoke(by=other_admin, invitation=invitation)
    assert Invitation.objects.get().revoked_at is None


# --- Memberships --------------------------------------------------------------------------------


def test_change_role_within_the_district_is_in_the_history(collab_admin, manager, district):
    membership = manager.memberships.get()
    services.membership_change_role(by=collab_admin, membership=membership, role=Role.DISTRICT_VIEWER)
    membership.refresh_from_db()
    assert membership.role == Role.DISTRICT_VIEWER
    event = membership.events.order_by("pgh_id").last()
    assert event.pgh_label == "update" and event.role == Role.DISTRICT_VIEWER
    assert event.pgh_context.metadata == {"user": collab_admin.pk, "action": "membership_change_role"}


def test_change_role_refuses_another_kind_of_role(collab_admin, manager):
    membership = manager.memberships.get()
    with pytest.raises(DomainError):
        services.membership_change_role(by=collab_admin, membership=membership, role=Role.PARTNER_STAFF)
    assert Membership.objects.get(pk=membership.pk).role == Role.DISTRICT_MANAGER


def test_ending_a_membership_keeps_it_in_the_history(collab_admin, manager, district):
    membership = manager.memberships.get()
    services.membership_end(by=collab_admin, membership=membership)
    assert not Membership.objects.filter(pk=membership.pk).exists()
    labels = list(
        Membership.pgh_event_model.objects.filter(pgh_obj_id=membership.pk)
        .values_list("pgh_label", flat=True)
        .order_by("pgh_id")
    )
    assert labels == ["insert", "delete"]
    assert not access.people_memberships(collab_admin).filter(user=manager).exists()


def test_the_last_admin_of_a_lab_cannot_leave_it(collab_admin, collaborative):
    own = collab_admin.memberships.get()
    with pytest.raises(DomainError, match="last admin"):
        services.membership_end(by=collab_admin, membership=own)
    member(Role.COLLABORATIVE_ADMIN, collaborative)
    services.membership_end(by=collab_admin, membership=own)
    assert not collab_admin.memberships.exists()


def test_the_last_reviewer_of_a_state_cannot_leave_it(sda_reviewer, mn_agency):
    with pytest.raises(DomainError, match="last reviewer"):
        services.membership_end(by=sda_reviewer, membership=sda_reviewer.memberships.get())
    assert sda_reviewer.memberships.exists()


def test_who_manages_which_memberships(collab_admin, sda_reviewer, manager, viewer, partner_user, outsider,
                                       other_admin, collaborative, mn_agency, superuser):  # fmt: skip
    fellow = member(Role.COLLABORATIVE_ADMIN, collaborative, email="fellow@lab.example")
    other_reviewer = member(Role.SDA_REVIEWER, mn_agency, email="colleague@mn.example")

    def emails(queryset):
        return set(queryset.values_list("user__email", flat=True))

    ours = {manager.email, viewer.email, partner_user.email}
    assert emails(access.people_memberships(collab_admin)) == ours | {collab_admin.email, fellow.email}
    assert emails(access.people_memberships(collab_admin, write=True)) == ours | {collab_admin.email}
    assert emails(access.people_memberships(sda_reviewer)) == {sda_reviewer.email, other_reviewer.email}
    assert outsider.email not in emails(access.people_memberships(collab_admin))
    assert emails(access.people_memberships(other_admin)) == {outsider.email, other_admin.email}
    assert emails(access.people_memberships(manager)) == set()
    assert access.people_memberships(superuser).count() == Membership.objects.count()


def test_services_refuse_memberships_outside_what_the_user_administers(other_admin, manager):
    membership = manager.memberships.get()
    with pytest.raises(DomainError, match="not in an organisation you administer"):
        services.membership_end(by=other_admin, membership=membership)
    with pytest.raises(DomainError, match="not in an organisation you administer"):
        services.membership_change_role(by=other_admin, membership=membership, role=Role.DISTRICT_VIEWER)
    assert Membership.objects.get(pk=membership.pk).role == Role.DISTRICT_MANAGER


def test_an_invitation_to_a_partner_removed_since_no_longer_applies(
    collab_admin, partner, django_capture_on_commit_callbacks
):
    from partners.services import partner_remove

    invitation = invite(collab_admin, "staff2@partner.example", Role.PARTNER_STAFF, partner,
                        django_capture_on_commit_callbacks)  # fmt: skip
    partner_remove(partner=partner, by=collab_admin)
    with pytest.raises(DomainError, match="has left the learning lab"):
        services.invitation_accept(token=invitation.token, password="a long new password 42")
    services.invitation_revoke(by=collab_admin, invitation=invitation)  # the admin can still withdraw it
    assert Invitation.objects.get().revoked_at is not None
