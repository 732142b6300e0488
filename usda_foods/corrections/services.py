"""Corrections to the state's data about a district: its reimbursable lunch counts and its
commodity-school status. Both set the district's entitlement, and both are the state agency's,
so a district's manager proposes a correction with a reason and a reviewer of the district's state
accepts it (which applies it and recomputes the entitlements that use it) or rejects it. The
district hears of the decision by email, after commit."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pghistory
from django.db import IntegrityError, transaction
from django.utils import timezone

from districts.models import District
from districts.services import district_email_later
from focus_lab.errors import DomainError
from usda_foods.corrections.models import CorrectionKind, CorrectionStatus, DataCorrection
from usda_foods.entitlements import rules as entitlements
from usda_foods.entitlements.access import correction_districts
from usda_foods.entitlements.models import LunchCount
from usda_foods.entitlements.services.entitlements import district_entitlements_recompute
from usda_foods.entitlements.services.lunch_counts import lunch_count_save
from usda_foods.ordering.access import reviews_state

if TYPE_CHECKING:
    from accounts.models import User

# The largest count PostgreSQL's integer columns hold; the total becomes the next year's
# ``prior_year_lunches``, so it is bounded too.
MAX_LUNCHES = 2_147_483_647
LUNCH_FIELDS = ("free", "reduced", "paid")

NOT_MANAGER = "Only the district's managers propose corrections to its data."
ALREADY_PENDING = (
    "Correction #{pk} to the same data is already waiting for {state}'s decision: "
    "wait for it, or ask the state to reject it first."
)
NOT_REVIEWER = "Only {state}'s reviewers decide corrections to its SFAs' data."
ALREADY_DECIDED = "This correction was already {status} on {date:%B %d, %Y}."
REASON_REQUIRED = "Say why the state's figures are wrong: the reviewer decides on it."
NOTE_REQUIRED = "Say why the correction is rejected: the district sees this note."


def _history(user: User, action: str) -> pghistory.context:
    """Label the audit rows written inside with who did what."""
    return pghistory.context(user=user.pk, action=action)


def correction_propose(
    *,
    district: District,
    kind: str,
    reason: str,
    user: User,
    school_year: str = "",
    free: int | None = None,
    reduced: int | None = None,
    paid: int | None = None,
    is_commodity_school: bool | None = None,
) -> DataCorrection:
    """A district manager proposes new lunch counts for a year (``free``, ``reduced``, ``paid``)
    or a new commodity-school status, with the reason. Nothing changes until the state accepts.
    One proposal per district, subject (and year) waits at a time."""
    if not correction_districts(user).filter(pk=district.pk).exists():
        raise DomainError(NOT_MANAGER, field="district")
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(REASON_REQUIRED, field="reason")
    if kind == CorrectionKind.LUNCH_COUNTS:
        correction = _lunch_count_correction(district, school_year, free, reduced, paid)
    elif kind == CorrectionKind.COMMODITY_SCHOOL:
        correction = _commodity_school_correction(district, is_commodity_school)
    else:
        raise DomainError("Choose what to correct: lunch counts or commodity-school status.", field="kind")
    correction.reason, correction.created_by = reason, user
    pending = DataCorrection.objects.filter(
        district=district, kind=correction.kind, school_year=correction.school_year,
        status=CorrectionStatus.PENDING,
    ).first()  # fmt: skip
    if pending is not None:
        raise DomainError(ALREADY_PENDING.format(pk=pending.pk, state=district.state_agency.name))
    try:
        with transaction.atomic(), _history(user, "correction_propose"):
            correction.save()
    except IntegrityError:  # a simultaneous proposal won the one-pending constraint
        raise DomainError(ALREADY_PENDING.format(pk="", state=district.state_agency.name)) from None
    return correction


def _lunch_count_correction(
    district: District, school_year: str, free: int | None, reduced: int | None, paid: int | None
) -> DataCorrection:
    try:
        school_year = str(entitlements.parse_school_year((school_year or "").strip()))
    except entitlements.EntitlementInputError as exc:
        raise DomainError(str(exc), field="school_year") from exc
    counts = {"free": free, "reduced": reduced, "paid": paid}
    for name, value in counts.items():
        if value is None:
            raise DomainError("Give the free, reduced-price and paid lunches.", field=name)
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise DomainError("A lunch count is a whole number, zero or more.", field=name)
        if value > MAX_LUNCHES:
            raise DomainError(f"A lunch count cannot be more than {MAX_LUNCHES:,}.", field=name)
    if sum(counts.values()) > MAX_LUNCHES:  # type: ignore[arg-type]
        raise DomainError(f"The lunches cannot total more than {MAX_LUNCHES:,}.", field="paid")
    current = LunchCount.objects.filter(district=district, school_year=school_year).first()
    if current is not None and (current.free, current.reduced, current.paid) == (free, reduced, paid):
        raise DomainError(f"These are the SY{school_year} counts the state already records.", field="free")
    return DataCorrection(district=district, kind=CorrectionKind.LUNCH_COUNTS, school_year=school_year,
                          free=free, reduced=reduced, paid=paid)  # fmt: skip


def _commodity_school_correction(district: District, is_commodity_school: bool | None) -> DataCorrection:
    if not isinstance(is_commodity_school, bool):
        raise DomainError("Say whether the district is a commodity school.", field="is_commodity_school")
    if is_commodity_school == district.is_commodity_school:
        status = "is" if district.is_commodity_school else "is not"
        raise DomainError(
            f"The state already records that {district} {status} a commodity school.",
            field="is_commodity_school",
        )
    return DataCorrection(
        district=district, kind=CorrectionKind.COMMODITY_SCHOOL, is_commodity_school=is_commodity_school
    )


def _lock_pending(correction_id: int, user: User) -> DataCorrection:
    """The correction, row-locked (only its own row: no join in the locking query), if it is still
    pending and the user reviews its district's state."""
    correction = DataCorrection.objects.select_for_update().filter(pk=correction_id).first()
    if correction is None:
        raise DomainError("No such correction.")
    district = District.objects.select_related("state_agency").get(pk=correction.district_id)
    correction.district = district
    if not reviews_state(user, district.state_agency_id):
        raise DomainError(NOT_REVIEWER.format(state=district.state_agency.name))
    if correction.status != CorrectionStatus.PENDING:
        raise DomainError(ALREADY_DECIDED.format(status=correction.get_status_display().lower(),
                                                 date=timezone.localtime(correction.decided_at)))  # fmt: skip
    return correction


def correction_accept(*, correction_id: int, user: User, note: str = "") -> DataCorrection:
    """A reviewer of the district's state accepts: the lunch counts are saved through
    ``lunch_count_save`` (which recomputes this and next year's entitlements), or the
    commodity-school status is set and every entitlement of the district is recomputed."""
    with transaction.atomic(), _history(user, "correction_accept"):
        correction = _lock_pending(correction_id, user)
        district = correction.district
        if correction.kind == CorrectionKind.LUNCH_COUNTS:
            lunch_count_save(district=district, school_year=correction.school_year, free=correction.free,
                             reduced=correction.reduced, paid=correction.paid, user=user)  # type: ignore[arg-type]  # fmt: skip
        else:
            locked = District.objects.select_for_update().get(pk=district.pk)
            locked.is_commodity_school = bool(correction.is_commodity_school)
            locked.save(update_fields=["is_commodity_school"])
            district_entitlements_recompute(district=locked, user=user)
        _decide(correction, CorrectionStatus.ACCEPTED, user, note)
    return correction


def correction_reject(*, correction_id: int, user: User, note: str) -> DataCorrection:
    """A reviewer of the district's state rejects, saying why; the state's data stays as it is."""
    note = (note or "").strip()
    if not note:
        raise DomainError(NOTE_REQUIRED, field="note")
    with transaction.atomic(), _history(user, "correction_reject"):
        correction = _lock_pending(correction_id, user)
        _decide(correction, CorrectionStatus.REJECTED, user, note)
    return correction


def _decide(correction: DataCorrection, status: str, user: User, note: str) -> None:
    correction.status, correction.decided_by, correction.decided_at = status, user, timezone.now()
    correction.decision_note = note.strip()
    correction.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    _email_district_later(correction)


def _email_district_later(correction: DataCorrection) -> None:
    verdict = correction.get_status_display().lower()
    subject = f"{correction} {verdict}"
    body = f"{correction.district.state_agency.name} {verdict} correction #{correction.pk} to the data about " \
           f"{correction.district.name}."  # fmt: skip
    if correction.status == CorrectionStatus.ACCEPTED:
        body += " It now applies, and the entitlements that use it were recomputed."
    if correction.decision_note:
        body += f"\n\nNote: {correction.decision_note}"
    district_id = correction.district_id
    district_email_later(district_id=district_id, subject=subject, body=body)
