"""The letters' emails: sent, reminders, and notices to the lab. Each goes through the shared
idempotent ``send_email`` task once the transaction commits, with a message id per letter and
step, so a retried task never mails twice."""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse

from accounts.models import Membership, Role
from agreements.models import Letter, PartyKind
from focus_lab.tasks import send_email


def signatory_emails(letter: Letter) -> list[str]:
    """Who signs for the party: the district's managers or the partner's staff (active users);
    failing those, the organisation's contact address."""
    if letter.party_kind == PartyKind.DISTRICT:
        people = Membership.objects.filter(role=Role.DISTRICT_MANAGER, district_id=letter.district_id)
        fallback = letter.district.contact_email
    else:
        people = Membership.objects.filter(role=Role.PARTNER_STAFF, partner_id=letter.partner_id)
        fallback = letter.partner.email
    found = sorted(set(people.filter(user__is_active=True).values_list("user__email", flat=True)))
    return found or ([fallback] if fallback else [])


def _admin_emails(letter: Letter) -> list[str]:
    rows = Membership.objects.filter(role=Role.COLLABORATIVE_ADMIN, collaborative_id=letter.collaborative_id,
                                     user__is_active=True)  # fmt: skip
    return sorted(set(rows.values_list("user__email", flat=True)))


def _send(letter: Letter, purpose: str, recipients: list[str], template: str, **context: object) -> None:
    if not recipients:
        return
    context |= {"letter": letter, "url": settings.SITE_URL + reverse("agreements:letter-detail", args=[letter.pk]),
                "lab": letter.collaborative.name, "party": letter.party}  # fmt: skip
    subject, _, body = render_to_string(f"agreements/email/{template}.txt", context).strip().partition("\n")
    message_id = f"letter:{letter.pk}:{letter.issued_at.timestamp():.0f}:{purpose}"
    send_email.delay_on_commit(message_id, subject.strip(), body.strip() + "\n", recipients)


def letter_sent(*, letter: Letter, recipients: list[str]) -> None:
    _send(letter, "sent", recipients, "sent")


def letter_reminder(*, letter: Letter, recipients: list[str], step: int) -> None:
    _send(letter, f"reminder-{step}", recipients, "reminder", step=step)


def letter_signed(*, letter: Letter) -> None:
    _send(letter, "signed", _admin_emails(letter), "signed")


def letter_declined(*, letter: Letter) -> None:
    _send(letter, "declined", _admin_emails(letter), "declined")


def letter_completed(*, letter: Letter) -> None:
    _send(letter, "completed", sorted({*signatory_emails(letter), *_admin_emails(letter)}), "completed")
