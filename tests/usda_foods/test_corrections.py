"""Corrections to the state's data about a district, through the services: a district's manager
proposes (nothing changes), a reviewer of its state accepts (the data changes and the COV is
recomputed) or rejects with a note (nothing changes); the district is emailed after commit.
SY 2019-20's COV rests on the SY 2018-19 lunches at the seeded 23.75 cents."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core import mail
from django.db import IntegrityError, transaction

from accounts.models import Role
from focus_lab.errors import DomainError
from tests.factories import member
from tests.usda_foods.helpers import COV, PRIOR, YEAR, entitlement
from usda_foods.corrections.services import (
    MAX_LUNCHES,
    correction_accept,
    correction_propose,
    correction_reject,
)
from usda_foods.models import (
    CorrectionKind,
    CorrectionStatus,
    DataCorrection,
    Entitlement,
    LunchCount,
    Section4Payment,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def funded(district):
    """COV = PAL = $237,500.00 from 600,000 free, 100,000 reduced and 300,000 paid SY 2018-19 lunches."""
    return entitlement(district)


def propose(manager, district, **changes):
    values = {"kind": CorrectionKind.LUNCH_COUNTS, "school_year": PRIOR, "free": 600_000, "reduced": 100_000,
              "paid": 400_000, "reason": "The May claim was amended: 100,000 paid lunches were missing."}  # fmt: skip
    values.update(changes)
    return correction_propose(district=district, user=manager, **values)


def _cov(funded: Entitlement) -> Decimal | None:
    funded.refresh_from_db()
    return funded.commodity_offer_value


def test_a_proposal_changes_nothing_until_the_state_decides(manager, district, funded):
    correction = propose(manager, district)
    assert correction.status == CorrectionStatus.PENDING and correction.created_by == manager
    assert LunchCount.objects.get(district=district, school_year=PRIOR).paid == 300_000
    assert _cov(funded) == COV
    event = correction.events.get()  # pghistory, with who did it
    assert event.pgh_context.metadata == {"user": manager.pk, "action": "correction_propose"}


def test_accepting_applies_the_counts_and_recomputes_the_cov(
    manager, sda_reviewer, district, funded, django_capture_on_commit_callbacks
):
    correction = propose(manager, district)
    with django_capture_on_commit_callbacks(execute=True):
        decided = correction_accept(correction_id=correction.pk, user=sda_reviewer, note="Matches the claim")
    assert decided.status == CorrectionStatus.ACCEPTED and decided.decided_by == sda_reviewer
    assert decided.decided_at is not None and decided.decision_note == "Matches the claim"
    assert LunchCount.objects.get(district=district, school_year=PRIOR).total == 1_100_000
    assert _cov(funded) == Decimal("261250.00")  # 23.75 cents x 1,100,000
    assert funded.planned_assistance_level == Decimal("261250.00")
    sent = mail.outbox[-1]
    assert sent.to == [manager.email] and "accepted" in sent.subject and "Matches the claim" in sent.body


def test_accepting_twice_is_refused(manager, sda_reviewer, district, funded):
    correction = propose(manager, district)
    correction_accept(correction_id=correction.pk, user=sda_reviewer)
    with pytest.raises(DomainError, match="already accepted"):
        correction_accept(correction_id=correction.pk, user=sda_reviewer)
    with pytest.raises(DomainError, match="already accepted"):
        correction_reject(correction_id=correction.pk, user=sda_reviewer, note="Changed my mind")
    assert DataCorrection.objects.get().status == CorrectionStatus.ACCEPTED


def test_rejecting_needs_a_note_and_leaves_the_data(
    manager, sda_reviewer, district, funded, django_capture_on_commit_callbacks
):
    correction = propose(manager, district)
    with pytest.raises(DomainError, match="Say why") as refused:
        correction_reject(correction_id=correction.pk, user=sda_reviewer, note="  ")
    assert refused.value.field == "note"
    assert DataCorrection.objects.get().status == CorrectionStatus.PENDING
    with django_capture_on_commit_callbacks(execute=True):
        correction_reject(correction_id=correction.pk, user=sda_reviewer, note="Our claims show 300,000.")
    correction.refresh_from_db()
    assert (
        correction.status == CorrectionStatus.REJECTED
        and correction.decision_note == "Our claims show 300,000."
    )
    assert LunchCount.objects.get(district=district, school_year=PRIOR).paid == 300_000
    assert _cov(funded) == COV
    assert "rejected" in mail.outbox[-1].subject and "Our claims show 300,000." in mail.outbox[-1].body
    with pytest.raises(DomainError, match="already rejected"):
        correction_accept(correction_id=correction.pk, user=sda_reviewer)


@pytest.mark.parametrize("who", ["wi_reviewer", "collab_admin", "manager", "viewer"])
def test_only_reviewers_of_the_districts_state_decide(request, who, manager, wi_agency, district, funded):
    users = {"wi_reviewer": lambda: member(Role.SDA_REVIEWER, wi_agency)}
    user = users[who]() if who in users else request.getfixturevalue(who)
    correction = propose(manager, district)
    with pytest.raises(DomainError, match="Minnesota Department of Education's reviewers"):
        correction_accept(correction_id=correction.pk, user=user)
    with pytest.raises(DomainError, match="reviewers"):
        correction_reject(correction_id=correction.pk, user=user, note="no")
    assert DataCorrection.objects.get().status == CorrectionStatus.PENDING
    assert _cov(funded) == COV


@pytest.mark.parametrize("who", ["viewer", "collab_admin", "sda_reviewer", "outsider", "partner_user"])
def test_only_the_districts_managers_propose(request, who, district, partner):
    with pytest.raises(DomainError, match="Only the district's managers") as refused:
        propose(request.getfixturevalue(who), district)
    assert refused.value.field == "district"
    assert not DataCorrection.objects.exists()


@pytest.mark.parametrize(
    "changes,field,message",
    [
        ({"reason": "   "}, "reason", "Say why"),
        ({"school_year": "2018-2019"}, "school_year", "is not a school year"),
        ({"free": None}, "free", "Give the free, reduced-price and paid lunches"),
        ({"reduced": -1}, "reduced", "zero or more"),
        ({"paid": MAX_LUNCHES + 1}, "paid", "cannot be more than 2,147,483,647"),
        ({"free": MAX_LUNCHES, "paid": 1}, "paid", "cannot total more than"),
        ({"paid": 300_000}, "free", "already records"),  # what the state has
        ({"kind": "enrollment"}, "kind", "Choose what to correct"),
    ],
)
def test_a_bad_proposal_names_the_field_and_writes_nothing(
    manager, district, funded, changes, field, message
):
    with pytest.raises(DomainError, match=message) as refused:
        propose(manager, district, **changes)
    assert refused.value.field == field
    assert not DataCorrection.objects.exists()


def test_one_pending_proposal_per_district_subject_and_year(manager, sda_reviewer, district, funded):
    first = propose(manager, district)
    with pytest.raises(DomainError, match=f"Correction #{first.pk} to the same data is already waiting"):
        propose(manager, district, paid=500_000)
    propose(manager, district, school_year=YEAR)  # another year is another question
    correction_reject(correction_id=first.pk, user=sda_reviewer, note="Send the amended claim.")
    again = propose(manager, district, paid=500_000)  # decided: a new proposal may follow
    assert DataCorrection.objects.filter(status=CorrectionStatus.PENDING).count() == 2
    assert again.status == CorrectionStatus.PENDING


def test_the_database_holds_the_rules_even_past_the_service(manager, district):
    with pytest.raises(IntegrityError), transaction.atomic():  # lunch counts without the counts
        DataCorrection.objects.create(district=district, kind=CorrectionKind.LUNCH_COUNTS, school_year=PRIOR,
                                      reason="x")  # fmt: skip
    with pytest.raises(IntegrityError), transaction.atomic():  # commodity status with counts
        DataCorrection.objects.create(district=district, kind=CorrectionKind.COMMODITY_SCHOOL, free=1,
                                      is_commodity_school=True, reason="x")  # fmt: skip
    with pytest.raises(IntegrityError), transaction.atomic():  # no reason
        DataCorrection.objects.create(district=district, kind=CorrectionKind.COMMODITY_SCHOOL,
                                      is_commodity_school=True, reason="")  # fmt: skip
    with pytest.raises(IntegrityError), transaction.atomic():  # decided without a date
        DataCorrection.objects.create(district=district, kind=CorrectionKind.COMMODITY_SCHOOL,
                                      is_commodity_school=True, reason="x", status=CorrectionStatus.ACCEPTED)  # fmt: skip
    DataCorrection.objects.create(district=district, kind=CorrectionKind.COMMODITY_SCHOOL, is_commodity_school=True,
                                  reason="x")  # fmt: skip
    with pytest.raises(IntegrityError), transaction.atomic():  # a second pending one
        DataCorrection.objects.create(district=district, kind=CorrectionKind.COMMODITY_SCHOOL,
                                      is_commodity_school=True, reason="y")  # fmt: skip


def test_commodity_school_correction_recomputes_the_entitlements(
    manager, sda_reviewer, district, funded, django_capture_on_commit_callbacks
):
    Section4Payment.objects.create(school_year=YEAR, cents=Decimal("9.00"), citation="Test notice")
    with pytest.raises(
        DomainError, match="already records that Alpha Public Schools is not a commodity school"
    ):
        correction_propose(district=district, user=manager, kind=CorrectionKind.COMMODITY_SCHOOL,
                                    is_commodity_school=False, reason="x")  # fmt: skip
    correction = correction_propose(
        district=district, user=manager, kind=CorrectionKind.COMMODITY_SCHOOL, is_commodity_school=True,
        reason="We elected to receive Section 4 as USDA Foods this year.",
    )  # fmt: skip
    district.refresh_from_db()
    assert not district.is_commodity_school and _cov(funded) == COV  # not yet
    with django_capture_on_commit_callbacks(execute=True):
        correction_accept(correction_id=correction.pk, user=sda_reviewer)
    district.refresh_from_db()
    assert district.is_commodity_school
    assert _cov(funded) == Decimal("327500.00")  # (23.75 + 9.00) cents x 1,000,000
    assert funded.section4_cents == Decimal("9.00")
    assert "accepted" in mail.outbox[-1].subject


def test_the_correction_list_is_scoped(manager, viewer, sda_reviewer, collab_admin, outsider, partner_user,
                                      district, other_district):  # fmt: skip
    ours = propose(manager, district)
    theirs = propose(outsider, other_district)
    assert set(DataCorrection.objects.for_user(manager)) == {ours}
    assert set(DataCorrection.objects.for_user(viewer)) == {ours}
    assert set(DataCorrection.objects.for_user(sda_reviewer)) == {ours}
    assert set(DataCorrection.objects.for_user(collab_admin)) == {ours}
    assert set(DataCorrection.objects.for_user(outsider)) == {theirs}
    assert not DataCorrection.objects.for_user(partner_user).exists()
    for user in (manager, sda_reviewer, collab_admin):  # only the services write
        assert not DataCorrection.objects.for_user(user, write=True).exists()
