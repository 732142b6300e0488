"""Every step of a letter and every refusal, the evidence trail, reminders once, expiry, renewal
and template versions."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from agreements import defaults, services
from agreements.models import EventKind, Letter, LetterEvent, Signature, TemplateVersion
from agreements.rules import CONSENT_TEXT, State, sha256_text
from focus_lab.errors import DomainError
from tests.agreements.conftest import countersign, sign
from tests.factories import DistrictFactory, member

pytestmark = pytest.mark.django_db


def kinds(letter: Letter) -> list[str]:
    return list(letter.events.values_list("kind", flat=True))


def test_default_template_covers_the_sample_gives_and_gets(version):
    assert version.number == 1
    assert version.gives_both == defaults.GIVES_BOTH and len(version.gets) == 8
    assert version.gives("district")[-1] == defaults.GIVES_DISTRICTS[0]
    assert version.gives("partner")[-1] == defaults.GIVES_PARTNERS[0]
    assert defaults.GIVES_DISTRICTS[0] not in version.gives("partner")


def test_issue_fills_in_the_party_and_its_commitments(draft, district):
    assert draft.state == State.DRAFT and draft.district == district
    assert district.name in draft.text and "2026–27" in draft.text
    assert defaults.GIVES_DISTRICTS[0] in draft.text and defaults.GIVES_PARTNERS[0] not in draft.text
    assert draft.text_sha256 == sha256_text(draft.text)
    assert kinds(draft) == [EventKind.ISSUED]


def test_send_emails_the_signatories_a_link(sent, manager):
    assert sent.state == State.SENT and sent.expires_at > sent.sent_at
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [manager.email]
    assert f"/agreements/letters/{sent.pk}/" in mail.outbox[0].body
    event = sent.events.get(kind=EventKind.EMAILED)
    assert event.detail["recipients"] == [manager.email]


def test_viewing_by_the_party_marks_it_viewed_once(sent, viewer, collab_admin):
    services.letter_view(letter=sent, user=collab_admin)  # the lab opening it is not the party
    assert Letter.objects.get(pk=sent.pk).state == State.SENT
    services.letter_view(letter=sent, user=viewer, client=services.ClientInfo("203.0.113.9", "Firefox"))
    services.letter_view(letter=sent, user=viewer)
    sent.refresh_from_db()
    assert sent.state == State.VIEWED
    event = sent.events.get(kind=EventKind.VIEWED)
    assert (event.actor, event.ip_address, event.user_agent) == (viewer, "203.0.113.9", "Firefox")


def test_sign_records_the_evidence(sent, manager):
    client = services.ClientInfo("198.51.100.7", "Mozilla/5.0 Test")
    signature = sign(sent, manager, client=client)
    sent.refresh_from_db()
    assert sent.state == State.SIGNED and sent.signed_at == signature.signed_at
    assert (signature.user, signature.user_email, signature.typed_name, signature.title) == (
        manager,
        manager.email,
        "Dana Okafor",
        "Food Service Director",
    )
    assert signature.ip_address == "198.51.100.7" and signature.user_agent == "Mozilla/5.0 Test"
    assert signature.timezone == "America/Chicago" and signature.local_time.endswith(("-05:00", "-06:00"))
    assert signature.consent_text == CONSENT_TEXT and signature.consent_sha256 == sha256_text(CONSENT_TEXT)
    assert signature.letter_sha256 == sent.text_sha256
    event = sent.events.get(kind=EventKind.SIGNED)
    assert event.ip_address == "198.51.100.7" and event.detail["letter_sha256"] == sent.text_sha256


def test_countersign_completes_and_seals_once(complete, collab_admin):
    assert complete.state == State.COUNTERSIGNED and complete.completed_at
    assert complete.pdf and len(complete.pdf_sha256) == 64
    assert kinds(complete) == ["issued", "emailed", "signed", "countersigned", "sealed"]
    from agreements.pdf import letter_seal

    name = complete.pdf.name
    letter_seal(letter=complete)  # a second call renders nothing
    complete.refresh_from_db()
    assert complete.pdf.name == name and complete.events.filter(kind=EventKind.SEALED).count() == 1


def test_decline_needs_a_reason_and_closes(partner_letter, partner_user):
    with pytest.raises(DomainError, match="Say why"):
        services.letter_decline(letter=partner_letter, user=partner_user, reason=" ")
    services.letter_decline(letter=partner_letter, user=partner_user, reason="Our board meets in March.")
    partner_letter.refresh_from_db()
    assert (
        partner_letter.state == State.DECLINED
        and partner_letter.decline_reason == "Our board meets in March."
    )
    assert partner_letter.events.get(kind=EventKind.DECLINED).detail["reason"] == "Our board meets in March."


def test_partner_staff_sign_their_partner_letter(partner_letter, partner_user):
    assert defaults.GIVES_PARTNERS[0] in partner_letter.text
    sign(partner_letter, partner_user)
    assert Letter.objects.get(pk=partner_letter.pk).state == State.SIGNED


@pytest.mark.parametrize("state_from", ["draft", "sent", "signed"])
def test_withdraw_before_completion(request, state_from, collab_admin, manager):
    letter = request.getfixturevalue("draft" if state_from == "draft" else "sent")
    if state_from == "signed":
        sign(letter, manager)
    services.letter_withdraw(letter=letter, user=collab_admin, reason="Wrong year")
    letter.refresh_from_db()
    assert letter.state == State.WITHDRAWN and letter.withdraw_reason == "Wrong year"


# --- Refusals -----------------------------------------------------------------------------------


def test_nobody_signs_another_partys_letter(sent, outsider, partner_user):
    for user in (outsider, partner_user):
        with pytest.raises(PermissionDenied):
            sign(sent, user)
    assert not Signature.objects.exists()


def test_a_viewer_cannot_sign_or_decline(sent, viewer):
    with pytest.raises(PermissionDenied):
        sign(sent, viewer)
    with pytest.raises(PermissionDenied):
        services.letter_decline(letter=sent, user=viewer, reason="No")


def test_the_lab_admin_cannot_sign_for_the_party(sent, collab_admin):
    with pytest.raises(PermissionDenied):
        sign(sent, collab_admin)


def test_nobody_signs_twice(sent, manager, district):
    sign(sent, manager)
    other_manager = member("district_manager", district, email="second@alpha.example")
    for user in (manager, other_manager):
        with pytest.raises(DomainError, match="already signed"):
            sign(sent, user)
    assert Signature.objects.filter(letter=sent).count() == 1


def test_countersigning_twice_is_refused(complete, collab_admin):
    with pytest.raises(DomainError, match="complete"):
        countersign(complete, collab_admin)


def test_signing_a_draft_is_refused(draft, manager):
    with pytest.raises(DomainError, match="draft"):
        sign(draft, manager)


def test_signing_a_withdrawn_letter_is_refused(sent, manager, collab_admin):
    services.letter_withdraw(letter=sent, user=collab_admin)
    with pytest.raises(DomainError, match="withdrawn"):
        sign(sent, manager)


def test_signing_an_expired_letter_is_refused(sent, manager):
    assert services.letters_expire_due(now=sent.expires_at + timedelta(seconds=1)) == 1
    sent.refresh_from_db()
    assert sent.state == State.EXPIRED and kinds(sent)[-1] == EventKind.EXPIRED
    with pytest.raises(DomainError, match="expired"):
        sign(sent, manager)
    assert services.letters_expire_due(now=sent.expires_at + timedelta(days=9)) == 0


def test_signing_needs_consent_name_title_and_the_text_read(sent, manager):
    with pytest.raises(DomainError, match="consent"):
        sign(sent, manager, consent=False)
    with pytest.raises(DomainError, match="full name"):
        sign(sent, manager, typed_name=" ")
    with pytest.raises(DomainError, match="full name"):
        sign(sent, manager, title="")
    with pytest.raises(DomainError, match="changed since you opened it"):
        sign(sent, manager, letter_sha256="0" * 64)
    assert Letter.objects.get(pk=sent.pk).state == State.SENT


def test_countersigning_before_the_party_or_by_a_non_admin_is_refused(sent, manager, collab_admin):
    with pytest.raises(DomainError, match="waiting for the party"):
        countersign(sent, collab_admin)
    sign(sent, manager)
    with pytest.raises(PermissionDenied):
        countersign(sent, manager)


def test_a_signed_letter_text_never_changes(sent, manager, collab_admin, template):
    sign(sent, manager)
    newer = services.template_revise(template=template, user=collab_admin,
                                     content=_content(template.current, title="Revised letter"))  # fmt: skip
    with pytest.raises(DomainError, match="never changes"):
        services.letter_update(letter=sent, version=newer, user=collab_admin)
    sent.refresh_from_db()
    assert (
        sent.version.number == 1 and sent.text_sha256 == sha256_text(sent.text) and "Revised" not in sent.text
    )


def test_a_draft_moves_to_a_new_version(draft, collab_admin, template):
    newer = services.template_revise(template=template, user=collab_admin,
                                     content=_content(template.current, title="Revised letter"))  # fmt: skip
    before = draft.text_sha256
    services.letter_update(letter=draft, version=newer, user=collab_admin)
    draft.refresh_from_db()
    assert draft.version == newer and draft.text.startswith("Revised letter") and draft.text_sha256 != before


def test_send_withdraw_and_issue_are_the_admins(draft, manager, other_district, outsider, version):
    with pytest.raises(PermissionDenied):
        services.letter_send(letter=draft, user=manager)
    with pytest.raises(PermissionDenied):
        services.letter_withdraw(letter=draft, user=manager)
    with pytest.raises(PermissionDenied):
        services.letter_issue(version=version, party=other_district, school_year=2026, user=outsider)


def test_one_live_letter_per_party_and_year(draft, district, collab_admin, version, other_district):
    with pytest.raises(DomainError, match="already has a letter"):
        services.letter_issue(version=version, party=district, school_year=2026, user=collab_admin)
    with pytest.raises(DomainError, match="not part of"):
        services.letter_issue(version=version, party=other_district, school_year=2026, user=collab_admin)
    services.letter_withdraw(letter=draft, user=collab_admin)
    again = services.letter_issue(version=version, party=district, school_year=2026, user=collab_admin)
    assert again.pk != draft.pk


def test_issue_to_everyone_twice_issues_nothing_new(version, district, partner, collab_admin, collaborative):
    DistrictFactory(collaborative=collaborative, state_agency=district.state_agency)
    from agreements.services.letters import lab_parties

    first = services.letters_issue(
        version=version,
        school_year=2026,
        user=collab_admin,
        districts=lab_parties(collaborative.pk)[0],
        partners=lab_parties(collaborative.pk)[1],
    )
    second = services.letters_issue(
        version=version,
        school_year=2026,
        user=collab_admin,
        districts=lab_parties(collaborative.pk)[0],
        partners=lab_parties(collaborative.pk)[1],
    )
    assert (len(first.issued), len(second.issued), len(second.skipped)) == (3, 0, 3)


# --- Reminders and expiry -----------------------------------------------------------------------


def test_a_reminder_is_sent_once_per_step(sent, django_capture_on_commit_callbacks):
    mail.outbox.clear()
    week = sent.sent_at + timedelta(days=7, hours=1)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.letters_remind_due(now=week) == 1
        for _ in range(3):  # beat ticks again, and again
            assert services.letters_remind_due(now=week + timedelta(hours=1)) == 0
    assert len(mail.outbox) == 1 and "Reminder" in mail.outbox[0].subject
    with django_capture_on_commit_callbacks(execute=True):
        assert services.letters_remind_due(now=sent.sent_at + timedelta(days=14, hours=1)) == 1
        assert services.letters_remind_due(now=sent.sent_at + timedelta(days=14, hours=2)) == 0
    assert list(LetterEvent.objects.filter(letter=sent, kind="reminded").values_list("step", flat=True)) == [
        1,
        2,
    ]
    assert len(mail.outbox) == 2


def test_no_reminders_once_signed_or_expired(sent, manager):
    sign(sent, manager)
    assert services.letters_remind_due(now=sent.sent_at + timedelta(days=8)) == 0


def test_the_beat_task_expires_then_reminds(sent):
    from agreements.tasks import letters_tick

    assert letters_tick.delay().get() == {"expired": 0, "reminded": 0}
    Letter.objects.filter(pk=sent.pk).update(sent_at=timezone.now() - timedelta(days=8))
    assert letters_tick.delay().get() == {"expired": 0, "reminded": 1}
    assert letters_tick.delay().get() == {"expired": 0, "reminded": 0}
    Letter.objects.filter(pk=sent.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    assert letters_tick.delay().get() == {"expired": 1, "reminded": 0}


# --- Renewal and templates ----------------------------------------------------------------------


def test_renew_issues_the_completed_letters_again_from_the_current_version(complete, collab_admin, template):
    newer = services.template_revise(template=template, user=collab_admin,
                                     content=_content(template.current, title="2027 letter"))  # fmt: skip
    result = services.letters_renew(
        lab_id=complete.collaborative_id, from_year=2026, to_year=2027, user=collab_admin
    )
    assert len(result.issued) == 1
    renewed = result.issued[0]
    assert (renewed.renewed_from, renewed.version, renewed.school_year, renewed.district) == (
        complete,
        newer,
        2027,
        complete.district,
    )
    again = services.letters_renew(
        lab_id=complete.collaborative_id, from_year=2026, to_year=2027, user=collab_admin
    )
    assert (again.issued, again.skipped) == ([], [complete.district.name])
    with pytest.raises(DomainError):
        services.letters_renew(
            lab_id=complete.collaborative_id, from_year=2027, to_year=2026, user=collab_admin
        )


def _content(version: TemplateVersion, **changes: object) -> dict[str, object]:
    from agreements.services.templates import CONTENT_FIELDS

    return {key: getattr(version, key) for key in CONTENT_FIELDS} | changes


def test_editing_a_template_makes_a_new_version_and_letters_keep_theirs(draft, template, collab_admin):
    assert (
        services.template_revise(template=template, user=collab_admin, content=_content(template.current))
        is None
    )
    newer = services.template_revise(template=template, user=collab_admin,
                                     content=_content(template.current, gets=["Only this"]))  # fmt: skip
    assert newer.number == 2 and template.current == newer
    draft.refresh_from_db()
    assert draft.version.number == 1 and "Only this" not in draft.text


def test_templates_are_the_admins(collaborative, manager, template):
    with pytest.raises(PermissionDenied):
        services.template_revise(template=template, user=manager, content=_content(template.current))
    with pytest.raises(DomainError, match="get"):
        services.template_create(collaborative=collaborative, name="Empty", user=None,
                                 content=_content(template.current, gets=[]))  # fmt: skip


def test_the_demo_has_letters_in_varied_states(db):
    from django.core.management import call_command

    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    states = set(Letter.objects.values_list("state", flat=True))
    assert states == {s.value for s in State}
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115 - idempotent
    assert Letter.objects.count() == 9


def test_the_database_refuses_to_rewrite_signed_text_or_the_evidence(complete):
    from django.db import DatabaseError, transaction

    for attempt in (
        lambda: Letter.objects.filter(pk=complete.pk).update(text="Something else"),
        lambda: Letter.objects.filter(pk=complete.pk).update(pdf_sha256="0" * 64),
        lambda: Signature.objects.filter(letter=complete).update(typed_name="Someone else"),
        lambda: LetterEvent.objects.filter(letter=complete).update(actor_email="x@example.org"),
        lambda: LetterEvent.objects.filter(letter=complete).delete(),
    ):
        with pytest.raises(DatabaseError), transaction.atomic():
            attempt()
    complete.refresh_from_db()
    assert complete.text_sha256 == sha256_text(complete.text)
