"""Shipment plans of a window's approved orders, end to end on PostgreSQL: planning, storing,
re-running, accepting and overriding adjustments, and the window close that queues it."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone

from focus_lab.errors import DomainError
from tests.factories import CoopFactory
from tests.usda_foods.shipping_fixtures import approve, build_lab, run_plan
from usda_foods.models import (
    AdjustmentStatus,
    Entitlement,
    OrderLine,
    OrderWindow,
    PlanAdjustment,
    PlanTruck,
    ShipmentPlan,
)
from usda_foods.ordering.tasks import ordering_tick
from usda_foods.shipping.proposals import proposal_decide
from usda_foods.shipping.services import (
    district_drops,
    shipment_adjustments_accept,
    shipment_adjustments_override,
    shipment_plan_start,
)
from usda_foods.shipping.tasks import shipment_plan_run

pytestmark = pytest.mark.django_db


@pytest.fixture
def lab(mn_agency, sda_reviewer):
    return build_lab(mn_agency)


def test_half_and_two_quarters_make_one_truck(lab, sda_reviewer):
    approve(lab, sda_reviewer, [50, 25, 25])
    plan = run_plan(lab["window"], sda_reviewer)
    assert plan.status == "done" and (plan.trucks, plan.adjusted_cases, plan.trucks_bound) == (1, 0, 1)
    truck = plan.plan_trucks.get()
    assert sorted(truck.stops.values_list("cases", flat=True)) == [25, 25, 50]
    assert lab["window"].delivery_start <= truck.delivery_date <= lab["window"].delivery_end
    assert plan.result["trucks"][0]["food"].startswith("100117")
    assert {s["location"] for s in plan.result["trucks"][0]["stops"]} == {
        "Kitchen 0",
        "Kitchen 1",
        "Kitchen 2",
    }


def test_twenty_and_eighty_become_twenty_five_and_seventy_five(lab, sda_reviewer):
    approve(lab, sda_reviewer, [20, 80])
    plan = run_plan(lab["window"], sda_reviewer)
    assert (plan.trucks, plan.adjusted_cases) == (1, 10)
    assert sorted(PlanAdjustment.objects.filter(plan=plan).values_list("cases", flat=True)) == [-5, 5]


def test_four_quarters_never_get_a_fourth_stop(lab, sda_reviewer):
    approve(lab, sda_reviewer, [25, 25, 25, 25])
    plan = run_plan(lab["window"], sda_reviewer)
    assert plan.adjusted_cases == 50 and plan.adjusted_cases_bound <= 50
    assert all(t.stops.count() <= 3 for t in PlanTruck.objects.filter(plan=plan))


def test_rerun_on_unchanged_orders_gives_the_same_plan(lab, sda_reviewer):
    approve(lab, sda_reviewer, [60, 45, 70, 30])
    first = run_plan(lab["window"], sda_reviewer)
    second = run_plan(lab["window"], sda_reviewer)
    assert first.input_fingerprint == second.input_fingerprint
    assert first.result["trucks"] == second.result["trucks"]
    assert first.result["adjustments"] == second.result["adjustments"]


def test_task_runs_once(lab, sda_reviewer):
    approve(lab, sda_reviewer, [50, 50])
    plan = run_plan(lab["window"], sda_reviewer)
    trucks = list(PlanTruck.objects.filter(plan=plan).values_list("pk", flat=True))
    shipment_plan_run.delay(plan.pk)  # a redelivered message: nothing changes
    assert list(PlanTruck.objects.filter(plan=plan).values_list("pk", flat=True)) == trucks


def test_sending_adjustments_proposes_them_and_the_districts_acceptance_applies_them(
    lab, sda_reviewer, django_capture_on_commit_callbacks
):
    small, big = approve(lab, sda_reviewer, [20, 80])
    plan = run_plan(lab["window"], sda_reviewer)
    ids = list(plan.adjustments.values_list("pk", flat=True))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert shipment_adjustments_accept(plan=plan, adjustment_ids=ids, user=sda_reviewer) == 2
    assert len(mail.outbox) == 2 and "proposed change" in mail.outbox[0].subject
    assert set(plan.adjustments.values_list("status", flat=True)) == {AdjustmentStatus.OFFERED}
    assert OrderLine.objects.get(order=small).cases == 20  # nothing changes before the district decides
    for adjustment, manager in ((plan.adjustments.get(cases=5), lab["districts"][0][1]),
                                (plan.adjustments.get(cases=-5), lab["districts"][1][1])):  # fmt: skip
        with django_capture_on_commit_callbacks(execute=True):
            proposal_decide(adjustment_id=adjustment.pk, user=manager, accept=True)
    assert OrderLine.objects.get(order=small).cases == 25 and OrderLine.objects.get(order=big).cases == 75
    small.refresh_from_db()
    assert small.value == Decimal("250.00") and small.drawdown.amount == Decimal("250.00")
    assert Entitlement.objects.get(pk=small.entitlement_id).drawn == Decimal("250.00")
    assert "Shipment plan" in small.transitions.last().comment
    assert set(plan.adjustments.values_list("status", flat=True)) == {AdjustmentStatus.ACCEPTED}
    # A re-plan of the adjusted orders needs no adjustment.
    assert run_plan(lab["window"], sda_reviewer).adjusted_cases == 0


def test_accepting_refuses_an_overdraw_and_writes_nothing(lab, sda_reviewer):
    small, _ = approve(lab, sda_reviewer, [20, 80])
    plan = run_plan(lab["window"], sda_reviewer)
    shipment_adjustments_accept(plan=plan, adjustment_ids=plan.adjustments.values_list("pk", flat=True),
                                user=sda_reviewer)  # fmt: skip
    Entitlement.objects.filter(pk=small.entitlement_id).update(planned_assistance_level=Decimal("200.00"))
    with pytest.raises(DomainError, match="would overdraw"):
        proposal_decide(
            adjustment_id=plan.adjustments.get(cases=5).pk, user=lab["districts"][0][1], accept=True
        )
    assert OrderLine.objects.get(order=small).cases == 20
    assert not plan.adjustments.filter(status=AdjustmentStatus.ACCEPTED).exists()


def test_override_within_the_rules(lab, sda_reviewer):
    approve(lab, sda_reviewer, [20, 80])
    plan = run_plan(lab["window"], sda_reviewer)
    plus = plan.adjustments.get(cases=5)  # the 20-case site
    minus = plan.adjustments.get(cases=-5)  # the 80-case site
    with pytest.raises(
        DomainError, match=r"cannot ship in full trucks within the rules; they would still need"
    ):
        shipment_adjustments_override(plan=plan, cases_by_adjustment={plus.pk: 2}, user=sda_reviewer)
    assert PlanAdjustment.objects.get(pk=plus.pk).cases == 5  # nothing written
    # Instead: drop the 20 cases and give the other site a full truck (+20): one truck, within the rules.
    done = shipment_adjustments_override(plan=plan, cases_by_adjustment={plus.pk: -20, minus.pk: 20},
                                                  user=sda_reviewer)  # fmt: skip
    assert {(a.cases, a.status, a.proposed_cases) for a in done} == {
        (-20, "overridden", 5),
        (20, "overridden", -5),
    }
    with pytest.raises(DomainError, match="fewer than zero"):
        shipment_adjustments_override(plan=plan, cases_by_adjustment={plus.pk: -21, minus.pk: 21},
                                               user=sda_reviewer)  # fmt: skip


def test_only_the_states_reviewers_plan(lab, manager, sda_reviewer):
    with pytest.raises(DomainError):
        shipment_plan_start(window=lab["window"], user=lab["districts"][0][1])
    with pytest.raises(DomainError, match="between 1 and 10 stops"):
        shipment_plan_start(window=lab["window"], user=sda_reviewer, max_stops=0)


def test_window_close_locks_orders_and_plans(lab, sda_reviewer, django_capture_on_commit_callbacks):
    approve(lab, sda_reviewer, [50, 50])
    OrderWindow.objects.filter(pk=lab["window"].pk).update(closes_at=timezone.now() - timedelta(minutes=1))
    with django_capture_on_commit_callbacks(execute=True):
        done = ordering_tick.delay().get()
    assert lab["window"].pk in done["close"]
    plan = ShipmentPlan.objects.get(window=lab["window"])
    assert plan.status == "done" and plan.trucks == 1 and plan.created_by is None


def test_districts_see_their_own_drops(lab, sda_reviewer, mn_agency):
    approve(lab, sda_reviewer, [50, 25, 25])
    plan = run_plan(lab["window"], sda_reviewer)
    (district, manager) = lab["districts"][1]
    drops = list(district_drops(user=manager, plan=plan))
    assert [d.site.district for d in drops] == [district]
    assert drops[0].cases == 25 and drops[0].truck.delivery_date


def test_coop_members_see_the_receiving_sites_drops(lab, sda_reviewer):
    lead, _ = lab["districts"][0]
    member_district, member_manager = lab["districts"][3]
    CoopFactory(lead_district=lead, receiving_site=lead.sites.get(), members=[member_district])
    approve(lab, sda_reviewer, [100])
    plan = run_plan(lab["window"], sda_reviewer)
    assert [d.site for d in district_drops(user=member_manager, plan=plan)] == [lead.sites.get()]
