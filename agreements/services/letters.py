"""Letters: issue, send, view, sign, countersign, decline, withdraw, remind, expire, renew.

Every step locks the letter row, asks ``rules.next_state`` whether the step is allowed from the
state it is in, and appends an event to the evidence trail in the same transaction."""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import User
from agreements import access, emails
from agreements.content import letter_content
from agreements.models import (
    EventKind,
    Letter,
    LetterEvent,
    PartyKind,
    Signature,
    SignatureRole,
    TemplateVersion,
)
from agreements.rules import (
    AWAITING_PARTY,
    CONSENT_TEXT,
    LIVE,
    Action,
    State,
    next_state,
    refusal,
    reminder_due,
    school_year_label,
    sha256_text,
)
from districts.models import District
from focus_lab.errors import DomainError
from partners.models import PartnerOrganisation

NOT_ADMIN = "Only the learning lab's admins issue, send, withdraw and countersign its letters."
NOT_SIGNATORY = (
    "Only the party's own signatories (a manager of the district, staff of the partner) sign or decline."
)
NOT_IN_LAB = "{party} is not part of {lab}."
ALREADY_LIVE = "{party} already has a letter for {year}."
CONSENT_NEEDED = "Tick the consent statement to sign electronically."
NAME_NEEDED = "Type your full name and your title to sign."
STALE_TEXT = "The letter changed since you opened it: read it again before signing."
REASON_NEEDED = "Say why you decline, so the lab can follow up."
SIGNED_TEXT_FIXED = "A signed letter's text never changes: withdraw it and issue a new letter instead."


@dataclass(frozen=True)
class ClientInfo:
    """Where a request came from, for the evidence trail."""

    ip: str | None = None
    user_agent: str = ""


NO_CLIENT = ClientInfo()


@dataclass
class IssueResult:
    issued: list[Letter] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def _event(letter: Letter, kind: str, *, user: User | None = None, client: ClientInfo = NO_CLIENT,
           step: int | None = None, **detail: object) -> LetterEvent:  # fmt: skip
    return LetterEvent.objects.create(
        letter=letter, kind=kind, at=timezone.now(), actor=user, actor_email=getattr(user, "email", "") or "",
        ip_address=client.ip, user_agent=client.user_agent[:1000], step=step, detail=detail,
    )  # fmt: skip


def _locked(letter: Letter) -> Letter:
    return Letter.objects.select_for_update().select_related("version", "collaborative").get(pk=letter.pk)


def _step(letter: Letter, action: Action) -> State:
    new = next_state(letter.state, action)
    if new is None:
        raise DomainError(refusal(letter.state, action))
    return new


def _require_admin(user: User, letter: Letter) -> None:
    if not access.can_administer(user, letter):
        raise PermissionDenied(NOT_ADMIN)


def _require_signatory(user: User, letter: Letter) -> None:
    if not access.can_sign(user, letter):
        raise PermissionDenied(NOT_SIGNATORY)


# --- Issue ------------------------------------------------------------------------------------


def letter_issue(*, version: TemplateVersion, party: District | PartnerOrganisation, school_year: int, user: User,
                 send: bool = False, renewed_from: Letter | None = None, client: ClientInfo = NO_CLIENT) -> Letter:  # fmt: skip
    """A draft letter to ``party`` from ``version`` (sent at once with ``send``)."""
    lab = version.template.collaborative
    if not access.administers_lab(user, lab.pk):
        raise PermissionDenied(NOT_ADMIN)
    if party.collaborative_id != lab.pk or getattr(party, "removed_on", None):
        raise DomainError(NOT_IN_LAB.format(party=party, lab=lab))
    content = letter_content(version=version, party=party, lab=lab.name, school_year=school_year)
    text = content.text()
    kind = PartyKind.DISTRICT if isinstance(party, District) else PartyKind.PARTNER
    try:
        with transaction.atomic():
            letter = Letter.objects.create(
                collaborative=lab, version=version, party_kind=kind, school_year=school_year, text=text,
                text_sha256=sha256_text(text), issued_by=user, renewed_from=renewed_from,
                district=party if kind == PartyKind.DISTRICT else None,
                partner=party if kind == PartyKind.PARTNER else None,
            )  # fmt: skip
    except IntegrityError:
        raise DomainError(ALREADY_LIVE.format(party=party, year=school_year_label(school_year))) from None
    _event(letter, EventKind.ISSUED, user=user, client=client, version=version.number,
           text_sha256=letter.text_sha256, renewed_from=renewed_from.pk if renewed_from else None)  # fmt: skip
    if send:
        letter = letter_send(letter=letter, user=user, client=client)
    return letter


def _live_parties(lab_id: int, school_year: int) -> tuple[set[int], set[int]]:
    rows = Letter.objects.filter(collaborative_id=lab_id, school_year=school_year, state__in=sorted(LIVE))
    return (set(rows.exclude(district=None).values_list("district_id", flat=True)),
            set(rows.exclude(partner=None).values_list("partner_id", flat=True)))  # fmt: skip


def letters_issue(*, version: TemplateVersion, school_year: int, user: User,
                  districts: Iterable[District] = (), partners: Iterable[PartnerOrganisation] = (),
                  send: bool = False, progress: object = None) -> IssueResult:  # fmt: skip
    """Issue to each chosen party that has no live letter for the year yet; the others are skipped
    (so running it twice issues nothing new)."""
    lab_id = version.template.collaborative_id
    have_d, have_p = _live_parties(lab_id, school_year)
    result = IssueResult()
    parties = [*districts, *partners]
    for done, party in enumerate(parties, 1):
        taken = have_d if isinstance(party, District) else have_p
        if party.pk in taken:
            result.skipped.append(party.name)
        else:
            with transaction.atomic():
                result.issued.append(letter_issue(version=version, party=party, school_year=school_year, user=user,
                                                  send=send))  # fmt: skip
        if callable(progress):
            progress(done, len(parties))
    return result


def lab_parties(lab_id: int) -> tuple[list[District], list[PartnerOrganisation]]:
    """Every district of the lab and every partner it has not removed."""
    return (list(District.objects.filter(collaborative_id=lab_id).order_by("name")),
            list(PartnerOrganisation.objects.filter(collaborative_id=lab_id, removed_on__isnull=True).order_by("name")))  # fmt: skip


def letters_renew(
    *, from_year: int, to_year: int, lab_id: int, user: User, send: bool = False
) -> IssueResult:
    """Next school year: issue the same parties' letters again, from their template's current
    version. Letters completed in ``from_year`` are renewed; parties already holding a live letter
    for ``to_year`` are skipped."""
    if to_year <= from_year:
        raise DomainError("Renew into a later school year.", field="to_year")
    previous = (Letter.objects.filter(collaborative_id=lab_id, school_year=from_year, state=State.COUNTERSIGNED)
                .select_related("version__template", "district", "partner"))  # fmt: skip
    have_d, have_p = _live_parties(lab_id, to_year)
    result = IssueResult()
    for old in previous:
        taken = have_d if old.party_kind == PartyKind.DISTRICT else have_p
        party = old.party
        if party.pk in taken or party.collaborative_id != lab_id or getattr(party, "removed_on", None):
            result.skipped.append(party.name)
            continue
        with transaction.atomic():
            result.issued.append(letter_issue(version=old.version.template.current, party=party, school_year=to_year,
                                              user=user, send=send, renewed_from=old))  # fmt: skip
    return result


@transaction.atomic
def letter_update(*, letter: Letter, version: TemplateVersion, user: User) -> Letter:
    """Move a draft to another version of its template (its text and hash are rebuilt). Once sent
    the text is what the party reads; once signed it never changes."""
    letter = _locked(letter)
    _require_admin(user, letter)
    if letter.state != State.DRAFT:
        raise DomainError(SIGNED_TEXT_FIXED if letter.state in {State.SIGNED, State.COUNTERSIGNED}
                          else "Only a draft's text can change: withdraw this letter and issue a new one.")  # fmt: skip
    if version.template_id != letter.version.template_id:
        raise DomainError("Pick a version of the same template.", field="version")
    content = letter_content(version=version, party=letter.party, lab=letter.collaborative.name,
                             school_year=letter.school_year)  # fmt: skip
    letter.version, letter.text = version, content.text()
    letter.text_sha256 = sha256_text(letter.text)
    letter.save(update_fields=["version", "text", "text_sha256"])
    _event(
        letter,
        EventKind.ISSUED,
        user=user,
        version=version.number,
        text_sha256=letter.text_sha256,
        edited=True,
    )
    return letter


# --- Steps ------------------------------------------------------------------------------------


@transaction.atomic
def letter_send(*, letter: Letter, user: User, client: ClientInfo = NO_CLIENT) -> Letter:
    letter = _locked(letter)
    _require_admin(user, letter)
    letter.state = _step(letter, Action.SEND)
    letter.sent_at = timezone.now()
    letter.expires_at = letter.sent_at + timedelta(days=letter.version.expire_after_days)
    letter.save(update_fields=["state", "sent_at", "expires_at"])
    recipients = emails.signatory_emails(letter)
    emails.letter_sent(letter=letter, recipients=recipients)
    _event(letter, EventKind.EMAILED, user=user, client=client, recipients=recipients, purpose="sent")
    return letter


def letter_view(*, letter: Letter, user: User, client: ClientInfo = NO_CLIENT) -> Letter:
    """The party opened its letter: the first time, a sent letter becomes viewed."""
    if letter.state != State.SENT or not access.is_party_member(user, letter):
        return letter
    with transaction.atomic():
        updated = Letter.objects.filter(pk=letter.pk, state=State.SENT).update(state=State.VIEWED,
                                                                              viewed_at=timezone.now())  # fmt: skip
        if updated:
            _event(letter, EventKind.VIEWED, user=user, client=client)
    letter.refresh_from_db()
    return letter


def _sign(letter: Letter, *, role: str, user: User, typed_name: str, title: str, consent: bool, letter_sha256: str,
          tz: str, client: ClientInfo) -> Signature:  # fmt: skip
    typed_name, title = " ".join(typed_name.split()), " ".join(title.split())
    if not consent:
        raise DomainError(CONSENT_NEEDED, field="consent")
    if len(typed_name) < 2 or not title:
        raise DomainError(NAME_NEEDED, field="typed_name" if len(typed_name) < 2 else "title")
    if letter_sha256 != letter.text_sha256:
        raise DomainError(STALE_TEXT)
    try:
        zone = zoneinfo.ZoneInfo(tz)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        zone, tz = zoneinfo.ZoneInfo(settings.TIME_ZONE), settings.TIME_ZONE
    now = timezone.now()
    try:
        with transaction.atomic():
            return Signature.objects.create(
                letter=letter, role=role, user=user, user_email=user.email, typed_name=typed_name, title=title,
                signed_at=now, timezone=tz, local_time=now.astimezone(zone).isoformat(timespec="seconds"),
                ip_address=client.ip, user_agent=client.user_agent[:1000], consent_text=CONSENT_TEXT,
                consent_sha256=sha256_text(CONSENT_TEXT), letter_sha256=letter.text_sha256,
            )  # fmt: skip
    except IntegrityError:
        raise DomainError(refusal(State.SIGNED, Action.SIGN)) from None


@transaction.atomic
def letter_sign(*, letter: Letter, user: User, typed_name: str, title: str, consent: bool, letter_sha256: str,
                tz: str = "", client: ClientInfo = NO_CLIENT) -> Signature:  # fmt: skip
    """The party's signatory signs by typing name and title after consenting to sign electronically."""
    letter = _locked(letter)
    _require_signatory(user, letter)
    new = _step(letter, Action.SIGN)
    signature = _sign(letter, role=SignatureRole.PARTY, user=user, typed_name=typed_name, title=title,
                      consent=consent, letter_sha256=letter_sha256, tz=tz, client=client)  # fmt: skip
    letter.state, letter.signed_at = new, signature.signed_at
    letter.save(update_fields=["state", "signed_at"])
    _event(letter, EventKind.SIGNED, user=user, client=client, **_evidence(signature))
    emails.letter_signed(letter=letter)
    return signature


@transaction.atomic
def letter_countersign(*, letter: Letter, user: User, typed_name: str, title: str, consent: bool,
                       letter_sha256: str, tz: str = "", client: ClientInfo = NO_CLIENT) -> Signature:  # fmt: skip
    """The lab's admin countersigns: the letter is complete, and its final PDF is rendered and
    stored, once."""
    from agreements.pdf import letter_seal

    letter = _locked(letter)
    _require_admin(user, letter)
    new = _step(letter, Action.COUNTERSIGN)
    if letter.signatures.filter(role=SignatureRole.PARTY, user=user).exists():
        raise DomainError("The party's signer cannot also countersign for the lab.")
    signature = _sign(letter, role=SignatureRole.LAB, user=user, typed_name=typed_name, title=title,
                      consent=consent, letter_sha256=letter_sha256, tz=tz, client=client)  # fmt: skip
    letter.state, letter.completed_at = new, signature.signed_at
    letter.save(update_fields=["state", "completed_at"])
    _event(letter, EventKind.COUNTERSIGNED, user=user, client=client, **_evidence(signature))
    letter_seal(letter=letter)
    emails.letter_completed(letter=letter)
    return signature


def _evidence(signature: Signature) -> dict[str, object]:
    return {"typed_name": signature.typed_name, "title": signature.title, "timezone": signature.timezone,
            "local_time": signature.local_time, "consent_sha256": signature.consent_sha256,
            "letter_sha256": signature.letter_sha256}  # fmt: skip


@transaction.atomic
def letter_decline(*, letter: Letter, user: User, reason: str, client: ClientInfo = NO_CLIENT) -> Letter:
    letter = _locked(letter)
    _require_signatory(user, letter)
    letter.state = _step(letter, Action.DECLINE)
    reason = reason.strip()
    if len(reason) < 3:
        raise DomainError(REASON_NEEDED, field="reason")
    letter.decline_reason, letter.closed_at = reason, timezone.now()
    letter.save(update_fields=["state", "decline_reason", "closed_at"])
    _event(letter, EventKind.DECLINED, user=user, client=client, reason=reason)
    emails.letter_declined(letter=letter)
    return letter


@transaction.atomic
def letter_withdraw(
    *, letter: Letter, user: User, reason: str = "", client: ClientInfo = NO_CLIENT
) -> Letter:
    letter = _locked(letter)
    _require_admin(user, letter)
    letter.state = _step(letter, Action.WITHDRAW)
    letter.withdraw_reason, letter.closed_at = reason.strip(), timezone.now()
    letter.save(update_fields=["state", "withdraw_reason", "closed_at"])
    _event(letter, EventKind.WITHDRAWN, user=user, client=client, reason=letter.withdraw_reason)
    return letter


# --- Beat: reminders and expiry ---------------------------------------------------------------


def letter_remind(*, letter: Letter, now: datetime) -> bool:
    """Send the reminder due now, once: the step is claimed with a compare-and-set on the letter's
    count (and the event's unique step), so a second tick or a second beat sends nothing."""
    if letter.sent_at is None:
        return False
    step = reminder_due(sent_at=letter.sent_at, now=now, every_days=letter.version.remind_every_days,
                        sent_so_far=letter.reminders_sent)  # fmt: skip
    if step is None or (letter.expires_at and letter.expires_at <= now):
        return False
    with transaction.atomic():
        claimed = Letter.objects.filter(pk=letter.pk, reminders_sent=letter.reminders_sent,
                                        state__in=sorted(AWAITING_PARTY)).update(reminders_sent=step)  # fmt: skip
        if not claimed:
            return False
        recipients = emails.signatory_emails(letter)
        _event(letter, EventKind.REMINDED, step=step, recipients=recipients)
        emails.letter_reminder(letter=letter, recipients=recipients, step=step)
    return True


def letters_remind_due(*, now: datetime | None = None) -> int:
    now = now or timezone.now()
    letters = (Letter.objects.filter(state__in=sorted(AWAITING_PARTY), sent_at__isnull=False)
               .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
               .select_related("version", "collaborative", "district", "partner"))  # fmt: skip
    return sum(letter_remind(letter=letter, now=now) for letter in letters.iterator(chunk_size=500))


def letters_expire_due(*, now: datetime | None = None) -> int:
    """Unsigned letters past their expiry become expired, each once (compare-and-set)."""
    now = now or timezone.now()
    expired = 0
    due = Letter.objects.filter(state__in=sorted(AWAITING_PARTY), expires_at__lte=now)
    for letter in due.iterator(chunk_size=500):
        with transaction.atomic():
            if Letter.objects.filter(pk=letter.pk, state=letter.state).update(
                state=State.EXPIRED, closed_at=now
            ):
                _event(letter, EventKind.EXPIRED, expires_at=letter.expires_at.isoformat())
                expired += 1
    return expired
