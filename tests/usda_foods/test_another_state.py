"""Issue 18: "another state" as an alternative before adjustments. With the step enabled, a
food's remainders are offered to the neighbouring agencies by the plan itself (not proposed);
declined or not planned, they come back as proposals on the next run; a binding joint plan
supersedes the adjustments for the cases it carries and takes them out of both states' plans.

The fixture (``coordination_fixtures``): MN beans 130 + 45 (100 a truck): one full truck at
Kitchen 0 and remainders 30 + 45; WI (a neighbour, open window) 25 at Hudson; IA has no window."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import DistrictFactory, SiteFactory
from tests.usda_foods.coordination_fixtures import build_two_states
from tests.usda_foods.ordering_fixtures import open_window
from tests.usda_foods.shipping_fixtures import manager_of, run_plan
from usda_foods.shipping.coordination.rules import nearest
from usda_foods.shipping.coordination.services import (
    joint_plan_accept,
    joint_plan_create,
    joint_plan_decline,
    remainder_offer,
    remainder_offer_decline,
)
from usda_foods.shipping.models import (
    AdjustmentStatus,
    JointStatus,
    OfferStatus,
    PlacementSettings,
    PlanAdjustment,
    RemainderOffer,
)
from usda_foods.shipping.placement import STEPS, steps_for
from usda_foods.shipping.proposals import proposals_for
from usda_foods.shipping.services import shipment_adjustments_accept

pytestmark = pytest.mark.django_db


@pytest.fixture
def two(mn_agency, wi_agency, sda_reviewer):
    return build_two_states(mn_agency, wi_agency, sda_reviewer)


def enable(agency, user) -> None:
    PlacementSettings.objects.create(state_agency=agency, steps=["carry_over", "warehouse", "another_state"],
                                     updated_by=user)  # fmt: skip


def beans_adjustments(plan) -> dict[str, int]:
    return {a.place_name: a.cases for a in PlanAdjustment.objects.filter(plan=plan).select_related("site")}


def test_the_step_is_registered_after_the_warehouse_and_enabled_by_the_state(two, mn_agency, sda_reviewer):
    assert list(STEPS)[:3] == ["carry_over", "warehouse", "another_state"]
    assert steps_for(mn_agency.pk) == ["carry_over", "warehouse"]  # not enabled by default
    # The fixture's plan (default steps) proposed adjustments and offered nothing by itself.
    assert beans_adjustments(two["plan"]) and not RemainderOffer.objects.exists()


def test_enabled_the_plan_offers_the_remainder_instead_of_proposing(two, mn_agency, wi_agency, sda_reviewer,
                                                                     client_for):  # fmt: skip
    enable(mn_agency, sda_reviewer)
    plan = run_plan(two["window"], sda_reviewer)
    assert beans_adjustments(plan) == {}
    assert [(t.cases, [s.site.name for s in t.stops.all()]) for t in plan.plan_trucks.all()] == [
        (100, ["Kitchen 0"])
    ]
    (offer,) = RemainderOffer.objects.all()  # WI has an open window offering beans; IA has none
    assert (offer.plan_id, offer.to_agency_id, offer.cases, offer.status) == (plan.pk, wi_agency.pk, 75,
                                                                              OfferStatus.OFFERED)  # fmt: skip
    assert plan.result["placement"][str(two["beans"].pk)]["held"] == 75
    assert "75 cases offered to another state" in plan.message
    page = (
        client_for(sda_reviewer)
        .get(reverse("usda_foods:shipment-plan-detail", args=[plan.pk]))
        .content.decode()
    )
    assert "come back as proposed adjustments on the next run of the plan" in page
    assert "75 cases offered to Wisconsin DPI" in page
    # Run again while the offer is open: held again, not offered twice.
    again = run_plan(two["window"], sda_reviewer)
    assert beans_adjustments(again) == {} and RemainderOffer.objects.count() == 1
    assert "75 cases offered to another state" in again.message


@pytest.mark.parametrize("outcome", ["offer declined", "joint plan refused"])
def test_declined_or_not_planned_the_cases_come_back_as_proposals(two, mn_agency, sda_reviewer, outcome):
    enable(mn_agency, sda_reviewer)
    run_plan(two["window"], sda_reviewer)
    offer = RemainderOffer.objects.get()
    if outcome == "offer declined":
        remainder_offer_decline(offer=offer, user=two["wi_reviewer"])
    else:
        joint = joint_plan_create(offer=offer, user=two["wi_reviewer"])
        joint_plan_decline(joint=joint, user=sda_reviewer)
    plan = run_plan(two["window"], sda_reviewer)
    assert beans_adjustments(plan) == beans_adjustments(two["plan"]) != {}
    assert RemainderOffer.objects.count() == 1  # nobody is offered it again by the plan
    assert "offered to another state" not in plan.message


def test_a_binding_joint_plan_takes_its_cases_out_of_both_states_plans(
    two, mn_agency, wi_agency, sda_reviewer
):
    enable(mn_agency, sda_reviewer)
    run_plan(two["window"], sda_reviewer)
    joint = joint_plan_create(offer=RemainderOffer.objects.get(), user=two["wi_reviewer"])
    joint_plan_accept(joint=joint, user=two["wi_reviewer"])
    assert joint_plan_accept(joint=joint, user=sda_reviewer).status == JointStatus.BINDING
    mn = run_plan(two["window"], sda_reviewer)
    assert beans_adjustments(mn) == {} and mn.requested_cases == 100 and mn.trucks == 1
    assert "offered to another state" not in mn.message and RemainderOffer.objects.count() == 1
    wi = run_plan(two["wi_window"], two["wi_reviewer"])  # Hudson's 25 ride the joint truck
    assert wi.requested_cases == 0 and wi.trucks == 0 and beans_adjustments(wi) == {}


def test_binding_supersedes_the_offering_plans_adjustments(two, mn_agency, wi_agency, sda_reviewer):
    plan = two["plan"]  # default steps: 30 and 45 proposed as adjustments
    before = beans_adjustments(plan)
    sent = PlanAdjustment.objects.filter(plan=plan).first()
    shipment_adjustments_accept(plan=plan, adjustment_ids=[sent.pk], user=sda_reviewer)
    manager = manager_of(two, 0 if sent.site.name == "Kitchen 0" else 1)
    assert list(proposals_for(manager)) == [PlanAdjustment.objects.get(pk=sent.pk)]
    (offer,) = remainder_offer(plan=plan, food=two["beans"], agencies=[wi_agency], user=sda_reviewer)
    joint = joint_plan_create(offer=offer, user=two["wi_reviewer"])
    joint_plan_accept(joint=joint, user=sda_reviewer)
    assert set(PlanAdjustment.objects.filter(plan=plan).values_list("status", flat=True)) != {
        AdjustmentStatus.SUPERSEDED
    }  # not yet: one acceptance binds nobody
    joint_plan_accept(joint=joint, user=two["wi_reviewer"])
    rows = list(PlanAdjustment.objects.filter(plan=plan))
    assert len(rows) == len(before) and {a.status for a in rows} == {AdjustmentStatus.SUPERSEDED}
    assert all(a.decision_note == f"Joint plan #{joint.pk} with WI carries these cases." for a in rows)
    assert all(a.decided_by == two["wi_reviewer"] for a in rows)
    assert list(proposals_for(manager)) == []  # the district has nothing left to decide
    assert shipment_adjustments_accept(plan=plan, adjustment_ids=[a.pk for a in rows], user=sda_reviewer) == 0


def test_with_no_open_window_the_nearest_neighbour_is_offered(two, mn_agency, wi_agency, sda_reviewer):
    past = timezone.now() - timedelta(days=30)
    two["wi_window"].__class__.objects.filter(pk=two["wi_window"].pk).update(opens_at=past,
                                                                              closes_at=past + timedelta(days=7))  # fmt: skip
    ia = two["ia_agency"]
    open_window(
        ia, [two["beans"]], opens_in=-timedelta(days=40), closes_in=-timedelta(days=35), name="IA window"
    )
    SiteFactory(
        district=DistrictFactory(state_agency=ia), latitude=Decimal("41.59"), longitude=Decimal("-93.62")
    )
    enable(mn_agency, sda_reviewer)
    run_plan(two["window"], sda_reviewer)
    assert list(RemainderOffer.objects.values_list("to_agency_id", flat=True)) == [wi_agency.pk]


def test_nearest_is_by_great_circle_distance():
    assert nearest((44.9, -93.2), {1: (41.59, -93.62), 2: (44.97, -92.75)}) == 2
    assert nearest((0.0, 0.0), {}) is None
