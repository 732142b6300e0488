"""The workflows against PostgreSQL: consensus per rule, freezing, revising restarts endorsement,
the local clause, commitments and pooled totals, emails to the lab."""

from decimal import Decimal

import pytest
from django.core import mail

from focus_lab.errors import DomainError
from purchasing.priority_items.models import ConsensusRule, Endorsement, SpecVersion, VersionStatus
from purchasing.priority_items.selectors import pooled_demand
from purchasing.priority_items.services import (
    consensus_rule_set,
    endorsement_record,
    item_create,
    item_update,
    lab_emails,
    version_close_count,
    version_propose,
    version_revise,
    version_update,
    version_withdraw,
)
from tests.purchasing.fixtures import DRUMSTICK_SPEC, adopt, build_lab, commit, propose_drumsticks

pytestmark = pytest.mark.django_db


@pytest.fixture
def lab(district, manager):
    return build_lab(district, manager)


def test_partner_proposes_three_endorse_one_objects_revised_all_endorse_adopted(
    lab, partner_user, collaborative, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        item, v1 = propose_drumsticks(partner_user, collaborative)
    assert v1.status == VersionStatus.PROPOSED
    assert len(mail.outbox) == 1 and "proposed" in mail.outbox[0].subject
    assert set(mail.outbox[0].to) == set(lab_emails(collaborative.pk))
    assert {"staff@partner.example", "manager@alpha.example"} <= set(mail.outbox[0].to)
    for district, manager in lab[:3]:
        _, verdict = endorsement_record(user=manager, version_id=v1.pk, district=district, stance="endorse")
    assert verdict.outcome == "wait"
    district, manager = lab[3]
    with pytest.raises(DomainError, match="reason"):
        endorsement_record(user=manager, version_id=v1.pk, district=district, stance="object")
    _, verdict = endorsement_record(user=manager, version_id=v1.pk, district=district, stance="object",
                                    comment="We need a 3.5-4.5 oz piece for our ovens.")  # fmt: skip
    assert verdict.outcome == "blocked"
    v1.refresh_from_db()
    assert v1.status == VersionStatus.PROPOSED  # blocked: the lab revises

    v2 = version_revise(user=partner_user, item_id=item.pk, change_note="Piece size set")
    v1.refresh_from_db()
    assert (v2.number, v2.status, v1.status) == (2, VersionStatus.DRAFT, VersionStatus.SUPERSEDED)
    assert v1.endorsements.count() == 4  # the history of who said what on version 1 is kept
    version_update(user=partner_user, version_id=v2.pk, grade="USDA Grade A, 3.5-4.5 oz pieces")
    with django_capture_on_commit_callbacks(execute=True):
        version_propose(user=partner_user, version_id=v2.pk)
    assert v2.endorsements.count() == 0  # endorsement restarts
    with django_capture_on_commit_callbacks(execute=True):
        adopt(v2, lab)
    assert v2.status == VersionStatus.ADOPTED
    assert "adopted" in mail.outbox[-1].subject


def test_adoption_freezes_the_version(lab, manager, collaborative):
    item, version = propose_drumsticks(manager, collaborative)
    with pytest.raises(DomainError, match="frozen"):  # proposed is frozen too
        version_update(user=manager, version_id=version.pk, grade="B")
    adopt(version, lab)
    with pytest.raises(DomainError, match="frozen"):
        version_update(user=manager, version_id=version.pk, grade="B")
    with pytest.raises(DomainError, match="takes no answers"):
        endorsement_record(
            user=manager, version_id=version.pk, district=lab[0][0], stance="object", comment="late"
        )
    assert SpecVersion.objects.get(pk=version.pk).grade == "USDA Grade A"
    # A change makes a new version; the adopted one stays in force until the new one is adopted.
    v2 = version_revise(user=manager, item_id=item.pk)
    version_propose(user=manager, version_id=v2.pk)
    version.refresh_from_db()
    assert version.status == VersionStatus.ADOPTED
    adopt(v2, lab)
    version.refresh_from_db()
    assert (version.status, v2.status) == (VersionStatus.SUPERSEDED, VersionStatus.ADOPTED)


def test_quorum_rule_adopts_as_soon_as_met(lab, manager, collab_admin, collaborative):
    consensus_rule_set(user=collab_admin, collaborative=collaborative, kind="quorum", quorum_percent=Decimal(50),
                       threshold_percent=Decimal(66), objection_blocks=False)  # fmt: skip
    _, version = propose_drumsticks(manager, collaborative)
    (d0, m0), (d1, m1), (d2, m2), _ = lab
    # 4 districts, quorum 50% = 2 answers; 1 endorse + 1 object = 50% < 66%: waits.
    endorsement_record(user=m0, version_id=version.pk, district=d0, stance="endorse")
    _, verdict = endorsement_record(
        user=m1, version_id=version.pk, district=d1, stance="object", comment="Price"
    )
    assert verdict.outcome == "wait"
    # A third answer: 2 of 3 = 66.7% >= 66%: adopted with one district not answering.
    _, verdict = endorsement_record(user=m2, version_id=version.pk, district=d2, stance="conditions",
                                    comment="If delivered weekly")  # fmt: skip
    assert verdict.outcome == "adopt"
    version.refresh_from_db()
    assert version.status == VersionStatus.ADOPTED


def test_quorum_rule_with_objection_blocks(lab, manager, collab_admin, collaborative):
    consensus_rule_set(user=collab_admin, collaborative=collaborative, kind="quorum", quorum_percent=Decimal(50),
                       threshold_percent=Decimal(50), objection_blocks=True)  # fmt: skip
    _, version = propose_drumsticks(manager, collaborative)
    for (district, mgr), stance in zip(lab, ["endorse", "object"], strict=False):
        _, verdict = endorsement_record(
            user=mgr, version_id=version.pk, district=district, stance=stance, comment="x"
        )
    # 2 of 4 answered (50% quorum), 1 of 2 endorse (50% threshold): met, but the objection blocks.
    assert verdict.outcome == "blocked"


def test_admin_closes_the_count(lab, manager, collab_admin, collaborative):
    _, version = propose_drumsticks(manager, collaborative)
    endorsement_record(user=lab[1][1], version_id=version.pk, district=lab[1][0], stance="endorse")
    with pytest.raises(DomainError):
        version_close_count(user=manager, version_id=version.pk)
    verdict = version_close_count(user=collab_admin, version_id=version.pk)
    assert verdict.outcome == "adopt"  # unanimity of the one district that answered


def test_only_a_districts_manager_answers_for_it(
    lab, manager, viewer, partner_user, collaborative, other_district
):
    _, version = propose_drumsticks(manager, collaborative)
    with pytest.raises(DomainError, match="managers"):
        endorsement_record(user=manager, version_id=version.pk, district=lab[1][0], stance="endorse")
    with pytest.raises(DomainError):
        endorsement_record(user=partner_user, version_id=version.pk, district=lab[0][0], stance="endorse")
    with pytest.raises(DomainError, match="not in this item's learning lab"):
        endorsement_record(user=manager, version_id=version.pk, district=other_district, stance="endorse")
    endorsement_record(user=manager, version_id=version.pk, district=lab[0][0], stance="abstain")
    endorsement_record(user=manager, version_id=version.pk, district=lab[0][0], stance="endorse")
    assert Endorsement.objects.get(version=version).stance == "endorse"  # changed while proposed


def test_local_clause_refused_on_a_processed_item(manager, collaborative):
    with pytest.raises(DomainError, match="unprocessed or minimally processed") as exc:
        item_create(user=manager, collaborative=collaborative, name="Breaded chicken patties", unit="lb",
                    spec={**DRUMSTICK_SPEC, "processing": "processed", "local_clause": "specification"})  # fmt: skip
    assert exc.value.field == "local_clause"
    item = item_create(user=manager, collaborative=collaborative, name="Breaded chicken patties", unit="lb",
                       spec={**DRUMSTICK_SPEC, "processing": "processed", "local_clause": "preference"})  # fmt: skip
    with pytest.raises(DomainError, match="2024"):
        version_update(user=manager, version_id=item.versions.get().pk, local_clause="both")


def test_outsiders_and_viewers_cannot_propose(outsider, viewer, collaborative, sda_reviewer):
    for user in (outsider, viewer, sda_reviewer):
        with pytest.raises(DomainError):
            item_create(
                user=user, collaborative=collaborative, name="X", unit="lb", spec={"product_form": "x"}
            )


def test_withdraw(manager, collaborative):
    _, version = propose_drumsticks(manager, collaborative)
    version_withdraw(user=manager, version_id=version.pk)
    with pytest.raises(DomainError):
        version_withdraw(user=manager, version_id=version.pk)


def test_commitments_and_pooled_totals(lab, manager, collaborative):
    item, version = propose_drumsticks(manager, collaborative)
    with pytest.raises(DomainError, match="adopted"):
        commit(item, *lab[0])
    adopt(version, lab)
    first = commit(item, *lab[0])  # 2 x 9 x 1,200 x 4 oz = 5,400 lb
    assert first.annual_volume == Decimal(5400)
    commit(
        item, *lab[1], times_per_month=Decimal(1), servings_per_day=800, months=[9, 10]
    )  # 1x2x800x4/16 = 400
    with pytest.raises(DomainError, match="why"):
        commit(item, *lab[2], override_volume=Decimal(1000))
    commit(
        item,
        *lab[2],
        override_volume=Decimal(1000),
        override_reason="Last year's invoices",
        months=[1, 2, 3, 4],
    )
    with pytest.raises(DomainError, match="managers"):
        commit(item, lab[3][0], manager)
    demand = pooled_demand(type(item).objects.filter(pk=item.pk))[0]
    assert demand.total == Decimal(6800)  # 5,400 + 400 + 1,000
    assert demand.value == Decimal(6800) * Decimal("2.15") == Decimal("14620.00")
    # Sites: alpha's kitchen (1), then two each for lab districts 1 and 2.
    assert demand.delivery_points == 5
    by_month = dict(demand.by_month)
    assert by_month[9] == Decimal(600) + Decimal(200)  # 5,400/9 + 400/2
    assert by_month[1] == Decimal(600) + Decimal(250)  # + 1,000/4
    assert by_month[7] == 0
    assert sum(by_month.values()) == Decimal(6800)


def test_the_unit_is_fixed_once_districts_commit(lab, manager, collaborative):
    item, version = propose_drumsticks(manager, collaborative)
    item_update(user=manager, item_id=item.pk, unit="case", case_net_weight_lb=Decimal(40))
    item_update(user=manager, item_id=item.pk, unit="lb", case_net_weight_lb=None)
    adopt(version, lab)
    commit(item, *lab[0])
    with pytest.raises(DomainError, match="committed in this unit"):
        item_update(user=manager, item_id=item.pk, unit="each")
    item_update(user=manager, item_id=item.pk, reference_price=Decimal("2.50"))  # other fields still change


def test_commitment_saved_unchanged_changes_nothing(lab, manager, collaborative):
    item, version = propose_drumsticks(manager, collaborative)
    adopt(version, lab)
    first = commit(item, *lab[0])
    again = commit(item, *lab[0])
    assert again.updated_at == first.updated_at


def test_rule_is_the_admins(collab_admin, manager, collaborative):
    with pytest.raises(DomainError):
        consensus_rule_set(user=manager, collaborative=collaborative, kind="quorum")
    consensus_rule_set(user=collab_admin, collaborative=collaborative, local_definition="MN, WI, IA, IL")
    assert ConsensusRule.objects.get().local_definition == "MN, WI, IA, IL"
