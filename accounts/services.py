"""Bringing people in and managing their memberships. Views and the API call these; each checks
who may do it (accounts/access.py) and writes its history with who did it (pghistory context).

An invitation's link carries a random token; only its SHA-256 is stored. The email goes out after
the transaction commits, through the Celery email task, so a rolled-back invitation sends nothing.
"""

from __future__ import annotations

import secrets

import pghistory
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model
from django.template import loader
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from accounts import access
from accounts.models import (
    INVITATION_VALID_FOR,
    ROLE_TARGET,
    TARGET_FIELDS,
    Invitation,
    InvitationStatus,
    Membership,
    Role,
    User,
    token_digest,
)
from focus_lab.errors import DomainError

# What an invitee reads when the link no longer works, by the invitation's status.
LINK_REFUSED = {
    InvitationStatus.ACCEPTED: "This invitation has already been used. Log in with the email address "
    "it was sent to; if you have forgotten your password, reset it from the log-in page.",
    InvitationStatus.REVOKED: "This invitation was withdrawn by the person who sent it. Ask them for "
    "a new one if you still need access.",
    InvitationStatus.EXPIRED: "This invitation has expired. Ask the person who invited you to send it "
    "again: the new email has a fresh link.",
}
UNKNOWN_LINK = "This invitation link is not valid. Check that you opened the whole link from the email."
ADMIN_ROLES = (Role.COLLABORATIVE_ADMIN, Role.SDA_REVIEWER)
LAST_ADMIN = {
    Role.COLLABORATIVE_ADMIN: "You are the last admin of {target}: ask a superuser to appoint another admin "
    "before you leave, or nobody could manage the lab's people.",
    Role.SDA_REVIEWER: "You are the last reviewer of {target}: invite another reviewer before you leave, "
    "or nobody could review the state's orders or manage its reviewers.",
}


def _history(user: User | None, action: str) -> pghistory.context:
    return pghistory.context(user=user.pk if user else None, action=action)


def _targets(role: str, target: Model | None) -> dict[str, Model | None]:
    """The four target keys for ``role`` in ``target``: the one the role belongs to, others None."""
    field = ROLE_TARGET[Role(role)]
    return {name: (target if name == field else None) for name in TARGET_FIELDS}


def _where(role: str, target: Model | None) -> str:
    label = Role(role).label
    return f"{label} of {target}" if target is not None else label


def _new_token() -> tuple[str, str]:
    token = secrets.token_urlsafe(32)
    return token, token_digest(token)


def _send(invitation: Invitation, token: str, base_url: str) -> None:
    """Email the link once the transaction commits. The message id names this link, so the task's
    de-duplication lets a resend (a new link) through."""
    from focus_lab.tasks import send_email

    context = {
        "invitation": invitation,
        "where": _where(invitation.role, invitation.target),
        "inviter": invitation.invited_by,
        "url": base_url.rstrip("/") + reverse("invitation-accept", args=[token]),
    }
    subject = "".join(loader.render_to_string("accounts/email/invitation_subject.txt", context).splitlines())
    body = loader.render_to_string("accounts/email/invitation.txt", context)
    message_id = f"invitation:{invitation.pk}:{invitation.token_hash[:16]}"
    to = [invitation.email]
    transaction.on_commit(lambda: send_email.delay(message_id, subject, body, to))


def _check_grant(by: User, role: str, target: Model | None) -> None:
    if not access.may_invite(by, role, target):
        where = _where(role, target)
        raise DomainError(f"You cannot give people the role {where}: it is not an organisation you administer.",
                          field="role")  # fmt: skip


def _existing_membership_refusal(email: str, role: str, target: Model | None) -> str | None:
    """Why inviting ``email`` to ``role`` in ``target`` would add nothing, or None."""
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        return None
    # The one-target rule makes every membership of that organisation one of the same kind of role.
    held = Membership.objects.filter(user=user, **_targets(role, target))
    for membership in held:
        if membership.role == role:
            return f"{email} already is {_where(role, target)}."
        return (f"{email} already is {_where(membership.role, target)}: change their role on the People "
                "page instead of inviting them again.")  # fmt: skip
    return None


@transaction.atomic
def invitation_create(*, by: User, email: str, role: str, target: Model | None, base_url: str) -> Invitation:
    """Invite ``email`` to ``role`` in ``target`` (None for a national role) and email the link.
    Refused when ``by`` may not grant it, when the person already holds it, and while an earlier
    invitation to the same role is still waiting (resend that one instead). The returned
    invitation carries the raw ``token`` (not stored) for the caller that needs the link."""
    email = User.objects.normalize_email(email).strip().lower()
    if role not in Role.values:
        raise DomainError("Choose a role.", field="role")
    _check_grant(by, role, target)
    refusal = _existing_membership_refusal(email, role, target)
    if refusal:
        raise DomainError(refusal, field="email")
    if Invitation.objects.pending().filter(email=email, role=role, **_targets(role, target)).exists():
        raise DomainError(f"{email} has already been invited as {_where(role, target)} and has not answered "
                          "yet: resend that invitation from the People page.", field="email")  # fmt: skip
    token, digest = _new_token()
    now = timezone.now()
    invitation = Invitation(email=email, role=role, invited_by=by, sent_at=now,
                            expires_at=now + INVITATION_VALID_FOR, token_hash=digest, **_targets(role, target))  # fmt: skip
    try:
        invitation.full_clean(exclude=["token_hash"])
    except ValidationError as error:
        raise DomainError("; ".join(error.messages), field="email") from None
    with _history(by, "invitation_create"):
        invitation.save()
    _send(invitation, token, base_url)
    invitation.token = token  # type: ignore[attr-defined]
    return invitation


def _refuse_unless_pending(invitation: Invitation, verb: str) -> None:
    status = invitation.status
    if status == InvitationStatus.ACCEPTED:
        raise DomainError(f"This invitation was accepted on {date_format(timezone.localtime(invitation.accepted_at))}: "
                          f"there is nothing to {verb}.")  # fmt: skip
    if status == InvitationStatus.REVOKED:
        raise DomainError(f"This invitation was already revoked: there is nothing to {verb}.")


@transaction.atomic
def invitation_resend(*, by: User, invitation: Invitation, base_url: str) -> Invitation:
    """Send a fresh link (the old one stops working) valid for another 14 days; an expired
    invitation comes back to life this way. The caller has checked ``by`` may see it."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    _refuse_unless_pending(invitation, "resend")
    _check_grant(by, invitation.role, invitation.target)
    token, invitation.token_hash = _new_token()
    invitation.sent_at = timezone.now()
    invitation.expires_at = invitation.sent_at + INVITATION_VALID_FOR
    with _history(by, "invitation_resend"):
        invitation.save(update_fields=["token_hash", "sent_at", "expires_at"])
    _send(invitation, token, base_url)
    invitation.token = token  # type: ignore[attr-defined]
    return invitation


@transaction.atomic
def invitation_revoke(*, by: User, invitation: Invitation) -> Invitation:
    """Withdraw an invitation: its link stops working. Revoking an expired one is allowed (it
    then no longer shows as waiting)."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    _refuse_unless_pending(invitation, "revoke")
    if not Invitation.objects.for_user(by, write=True).filter(pk=invitation.pk).exists():
        raise DomainError("You cannot revoke an invitation to an organisation you do not administer.")
    invitation.revoked_at = timezone.now()
    with _history(by, "invitation_revoke"):
        invitation.save(update_fields=["revoked_at"])
    return invitation


def invitation_for_token(token: str) -> Invitation:
    """The invitation a link points at, whatever its status; DomainError for a made-up link."""
    invitation = (
        Invitation.objects.filter(token_hash=token_digest(token))
        .select_related("district", "partner", "state_agency", "collaborative", "invited_by")
        .first()
    )
    if invitation is None:
        raise DomainError(UNKNOWN_LINK)
    return invitation


def invitation_check(invitation: Invitation) -> None:
    """DomainError with what the invitee should do when the link no longer works."""
    status = invitation.status
    if status != InvitationStatus.PENDING:
        raise DomainError(LINK_REFUSED[status])


@transaction.atomic
def invitation_accept(
    *,
    token: str,
    user: User | None = None,
    password: str | None = None,
    first_name: str = "",
    last_name: str = "",
) -> Membership:
    """Use an invitation, once: add its membership to ``user`` (an existing account, already
    authenticated by the caller, whose email must be the invited one) or, with ``password``, create
    the account for the invited email. Refused for a used, revoked, expired or unknown link."""
    digest = token_digest(token)
    invitation = Invitation.objects.select_for_update().filter(token_hash=digest).first()
    if invitation is None:
        raise DomainError(UNKNOWN_LINK)
    invitation_check(invitation)
    if invitation.partner is not None and invitation.partner.removed_on is not None:
        raise DomainError(f"{invitation.partner} has left the learning lab since you were invited, so this "
                          "invitation no longer applies.")  # fmt: skip
    if user is None:
        if User.objects.filter(email__iexact=invitation.email).exists():
            raise DomainError(f"An account for {invitation.email} exists already: log in to accept.")
        if not password:
            raise DomainError("Choose a password.", field="password")
        user = User(email=invitation.email, first_name=first_name, last_name=last_name)
        try:
            validate_password(password, user)
        except ValidationError as error:
            raise DomainError(" ".join(error.messages), field="password") from None
        user.set_password(password)
        user.save()
    elif user.email.lower() != invitation.email.lower():
        raise DomainError(f"This invitation is for {invitation.email}, not for {user.email}.")
    with _history(user, "invitation_accept"):
        membership, _ = Membership.objects.get_or_create(
            user=user, role=invitation.role, **_targets(invitation.role, invitation.target)
        )
        invitation.accepted_at = timezone.now()
        invitation.accepted_by = user
        invitation.save(update_fields=["accepted_at", "accepted_by"])
    return membership


def role_choices_for(by: User, membership: Membership) -> list[Role]:
    """The roles ``membership`` may be changed to by ``by``: those of the same organisation kind
    that ``by`` may grant there (a district's manager and viewer; the other kinds have one role)."""
    field = ROLE_TARGET[Role(membership.role)]
    same_kind = [role for role, kind in ROLE_TARGET.items() if kind == field]
    return [
        role
        for role in same_kind
        if role == membership.role or access.may_invite(by, role, membership.target)
    ]


def _managed_membership(by: User, membership: Membership) -> Membership:
    """The membership, locked, if ``by`` may change it (the views and API check first, with 404
    and 403; this keeps any other caller to the same rule)."""
    found = access.people_memberships(by, write=True).select_for_update(of=("self",)).filter(pk=membership.pk)
    locked = found.select_related("district", "partner", "state_agency", "collaborative", "user").first()
    if locked is None:
        raise DomainError("You cannot change this membership: it is not in an organisation you administer.")
    return locked


@transaction.atomic
def membership_change_role(*, by: User, membership: Membership, role: str) -> Membership:
    """Change the role within the same organisation (a district manager becomes a viewer...).
    ``by`` must be able to change the membership, and to grant the new role there. The same role
    changes nothing."""
    membership = _managed_membership(by, membership)
    if role == membership.role:
        return membership
    if role not in role_choices_for(by, membership):
        label = Role(role).label if role in Role.values else role
        raise DomainError(f"You cannot make {membership.user} {label} of {membership.target}.", field="role")
    if Membership.objects.filter(
        user=membership.user_id, role=role, **_targets(role, membership.target)
    ).exists():
        raise DomainError(f"{membership.user} already is {_where(role, membership.target)}: end this "
                          "membership instead.", field="role")  # fmt: skip
    membership.role = role
    with _history(by, "membership_change_role"):
        membership.save(update_fields=["role"])
    return membership


@transaction.atomic
def membership_end(*, by: User, membership: Membership) -> None:
    """End (delete) a membership; the history keeps it and who ended it. Nobody ends their own
    admin membership when it is the organisation's last: the lab (or state) would be left with
    nobody to manage its people."""
    membership = _managed_membership(by, membership)
    if membership.user_id == by.pk and membership.role in ADMIN_ROLES:
        # The organisation's row is the lock: two admins leaving at the same moment take turns, and
        # the second sees that the first has gone.
        target = membership.target
        list(type(target).objects.select_for_update().filter(pk=target.pk).values_list("pk", flat=True))
        admins = Membership.objects.filter(role=membership.role, **_targets(membership.role, target))
        if not admins.exclude(pk=membership.pk).exists():
            raise DomainError(LAST_ADMIN[membership.role].format(target=membership.target))
    with _history(by, "membership_end"):
        membership.delete()
