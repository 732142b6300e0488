"""Issue 18: alternatives before adjustments, on PostgreSQL. A remainder that cannot fill a truck
waits for the next window (drawing nothing until it ships) and is planned first there; the state
warehouse tops a truck up, with its fee from the fee schedule; adjustments are proposals each
district accepts or declines, and nothing is added to an approved order without its consent."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from districts.models import StateAgency
from focus_lab.errors import DomainError
from tests.usda_foods.ordering_fixtures import open_window
from tests.usda_foods.shipping_fixtures import approve, build_lab, manager_of, run_plan
from usda_foods.deliveries.models import DeliveryLine, ExpectedDelivery, FeeSchedule
from usda_foods.deliveries.selectors import warehouse_fees
from usda_foods.deliveries.services import deliveries_release
from usda_foods.models import AdjustmentStatus, Entitlement, OrderLine
from usda_foods.ordering.services.orders import order_approve, order_create, order_line_set, order_submit
from usda_foods.shipping.models import (
    CarryOver,
    CarryOverSource,
    CarryOverStatus,
    PlacementSettings,
    StateWarehouse,
)
from usda_foods.shipping.proposals import proposal_decide
from usda_foods.shipping.services import shipment_adjustments_accept
from usda_foods.todos import district_todos, reviewer_todos

pytestmark = pytest.mark.django_db


@pytest.fixture
def lab(mn_agency, sda_reviewer):
    return build_lab(mn_agency)


def drawn(order) -> Decimal:
    return Entitlement.objects.get(pk=order.entitlement_id).drawn


def later_window(lab, name="Spring window", opens_in=timedelta(days=8)):
    return open_window(lab["window"].state_agency, [lab["beans"]], opens_in=opens_in,
                       closes_in=opens_in + timedelta(days=7), name=name)  # fmt: skip


def order_in(window, lab, n: int, cases: int, reviewer):
    """District ``n`` orders ``cases`` of beans in ``window`` (while it is open) and is approved."""
    district, manager = lab["districts"][n]
    when = window.opens_at + timedelta(hours=1)
    order = order_create(district=district, window=window, user=manager, now=when)
    order_line_set(order_id=order.pk, catalog_item=lab["beans"], cases=cases, delivery_site=district.sites.get(),
                   user=manager, now=when)  # fmt: skip
    order_submit(order_id=order.pk, user=manager, now=when)
    return order_approve(order_id=order.pk, user=reviewer)


def test_a_remainder_waits_for_the_next_window_and_draws_nothing(lab, sda_reviewer, client_for):
    later_window(lab)
    small, other = approve(lab, sda_reviewer, [30, 40])  # 70 of a 100-case truck
    assert drawn(small) == Decimal("300.00")  # approval draws the order's value...
    plan = run_plan(lab["window"], sda_reviewer)
    assert plan.status == "done" and plan.trucks == 0 and plan.adjusted_cases == 0
    assert not plan.adjustments.exists()
    rows = CarryOver.objects.filter(plan=plan)
    assert sorted(rows.values_list("cases", flat=True)) == [30, 40]
    assert set(rows.values_list("status", flat=True)) == {CarryOverStatus.WAITING}
    assert drawn(small) == Decimal("0.00") and drawn(other) == Decimal(
        "0.00"
    )  # ...waiting cases draw nothing
    assert OrderLine.objects.get(order=small).cases == 30  # the order is not cut
    html = client_for(manager_of(lab, 0)).get(small.get_absolute_url()).content.decode()
    assert "Waiting for a full truck" in html
    assert "The state has 70 of 100 cases for the next full truck; 30 cases still needed" in html
    assert 'data-testid="held">$0.00' in html and "drawn when they ship" in html
    # Planning the window again replaces its carry-over, it does not add a second one.
    run_plan(lab["window"], sda_reviewer)
    assert CarryOver.objects.filter(window=lab["window"], status=CarryOverStatus.WAITING).count() == 2
    assert drawn(small) == Decimal("0.00")


def test_the_next_window_plans_carried_cases_first_and_they_draw_when_they_ship(lab, sda_reviewer):
    spring = later_window(lab)
    later_window(lab, name="Summer window", opens_in=timedelta(days=20))
    small, other = approve(lab, sda_reviewer, [30, 40])
    run_plan(lab["window"], sda_reviewer)
    new = order_in(spring, lab, 2, 60, sda_reviewer)  # 70 carried + 60 new = 130: 30 must wait again
    plan = run_plan(spring, sda_reviewer)
    assert plan.status == "done" and plan.trucks == 1 and plan.adjusted_cases == 0
    carried = CarryOver.objects.filter(window=lab["window"])
    assert set(carried.values_list("status", flat=True)) == {CarryOverStatus.PLANNED}
    assert set(carried.values_list("planned_in", flat=True)) == {plan.pk}
    # What waits now is the new window's own cases, never the carried ones.
    again = CarryOver.objects.get(window=spring)
    assert (again.order_line.order_id, again.cases) == (new.pk, 30)
    stops = dict(plan.plan_trucks.get().stops.values_list("site__district__name", "cases"))
    assert stops == {"District 0": 30, "District 1": 40, "District 2": 30}
    assert drawn(small) == Decimal("0.00")  # planned is not shipped
    assert drawn(new) == Decimal("300.00")  # 60 ordered, 30 of them waiting
    made = deliveries_release(plan=plan, user=sda_reviewer)
    assert made == 3
    assert set(carried.values_list("status", flat=True)) == {CarryOverStatus.SHIPPED}
    assert drawn(small) == Decimal("300.00") and drawn(other) == Decimal("400.00")
    line = DeliveryLine.objects.get(delivery__site__district__name="District 0")
    assert line.order_line.order_id == small.pk and line.cases == 30


def test_the_warehouse_tops_the_last_truck_up_with_its_fee(lab, sda_reviewer, client_for):
    warehouse = StateWarehouse.objects.create(state_agency=lab["window"].state_agency, name="MN State Warehouse",
                                              latitude=Decimal("44.90"), longitude=Decimal("-93.10"))  # fmt: skip
    FeeSchedule.objects.create(state_agency=lab["window"].state_agency, effective_from=date(2019, 7, 1),
                               delivery_fee_per_case=Decimal("0.50"), storage_fee_per_case_month=Decimal("0.25"),
                               storage_free_days=90)  # fmt: skip
    approve(lab, sda_reviewer, [30, 40])  # no later window: carry-over cannot wait
    plan = run_plan(lab["window"], sda_reviewer)
    assert plan.status == "done" and (plan.trucks, plan.adjusted_cases) == (1, 0)
    assert not plan.adjustments.exists() and not CarryOver.objects.exists()
    stop = plan.plan_trucks.get().stops.get(warehouse=warehouse)
    assert stop.cases == 30 and stop.place_name == "MN State Warehouse"
    (fee,) = warehouse_fees(plan)
    # Delivered Tue Oct 1, 2019; storage to June 30, 2020 = 273 days, 90 free: 7 started months.
    assert (fee.cases, fee.delivery, fee.storage, fee.total) == (30, Decimal("15.00"), Decimal("52.50"),
                                                                 Decimal("67.50"))  # fmt: skip
    html = client_for(sda_reviewer).get(plan.get_absolute_url()).content.decode()
    assert 'data-testid="warehouse-fees"' in html and "$52.50" in html and "$67.50" in html
    # The warehouse's stop is the state's stock: no district receipts it.
    assert deliveries_release(plan=plan, user=sda_reviewer) == 2
    assert not ExpectedDelivery.objects.filter(site__isnull=True, processor__isnull=True).exists()


def without_alternatives(lab):
    PlacementSettings.objects.create(state_agency=lab["window"].state_agency, steps=[])


def test_nothing_is_added_to_an_approved_order_without_the_districts_consent(lab, sda_reviewer, client_for):
    without_alternatives(lab)
    small, big = approve(lab, sda_reviewer, [20, 80])
    plan = run_plan(lab["window"], sda_reviewer)
    plus = plan.adjustments.get(cases=5)
    assert plus.trucks == [1] and plus.value == Decimal("50.00")
    assert shipment_adjustments_accept(plan=plan, adjustment_ids=[plus.pk], user=sda_reviewer) == 1
    plus.refresh_from_db()
    assert plus.status == AdjustmentStatus.OFFERED
    assert OrderLine.objects.get(order=small).cases == 20 and drawn(small) == Decimal("200.00")
    with pytest.raises(DomainError, match="Only the managers of the district"):  # not the state's to decide
        proposal_decide(adjustment_id=plus.pk, user=sda_reviewer, accept=True)
    with pytest.raises(DomainError, match="Only the managers of the district"):  # nor another district's
        proposal_decide(adjustment_id=plus.pk, user=manager_of(lab, 1), accept=True)
    assert OrderLine.objects.get(order=small).cases == 20
    html = client_for(manager_of(lab, 0)).get(plus.get_absolute_url()).content.decode()
    assert "Cost to your entitlement" in html and "$50.00" in html and "truck 1" in html
    response = client_for(manager_of(lab, 0)).post(plus.get_absolute_url(), {"action": "accept"}, follow=True)
    assert "Accepted" in response.content.decode()
    assert OrderLine.objects.get(order=small).cases == 25 and drawn(small) == Decimal("250.00")
    plus.refresh_from_db()
    assert plus.status == AdjustmentStatus.ACCEPTED and plus.decided_by == manager_of(lab, 0)
    with pytest.raises(DomainError, match="nothing to decide"):
        proposal_decide(adjustment_id=plus.pk, user=manager_of(lab, 0), accept=False)


def test_a_declined_increase_goes_back_to_carry_over(lab, sda_reviewer, api_for):
    without_alternatives(lab)
    small, big = approve(lab, sda_reviewer, [20, 80])
    plan = run_plan(lab["window"], sda_reviewer)
    plus, minus = plan.adjustments.get(cases=5), plan.adjustments.get(cases=-5)
    shipment_adjustments_accept(plan=plan, adjustment_ids=[plus.pk, minus.pk], user=sda_reviewer)
    api = api_for(manager_of(lab, 0))
    listed = api.get("/api/v1/shipment-proposals/").json()
    assert [p["id"] for p in listed["results"]] == [plus.pk]
    response = api.post(f"/api/v1/shipment-proposals/{plus.pk}/decline/", {"note": "No room"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "declined"
    row = CarryOver.objects.get()
    assert (row.order_line.order_id, row.cases, row.source) == (small.pk, 20, CarryOverSource.DECLINED)
    assert OrderLine.objects.get(order=small).cases == 20 and drawn(small) == Decimal("0.00")
    # A declined cut stays on the plan as an open problem for the state.
    proposal_decide(adjustment_id=minus.pk, user=manager_of(lab, 1), accept=False)
    assert OrderLine.objects.get(order=big).cases == 80
    todos = reviewer_todos(
        user=sda_reviewer, states=StateAgency.objects.filter(pk=lab["window"].state_agency_id)
    )
    assert any("1 adjustment to send to the districts or override" in text for text, _, _ in todos)
    # The declined increase waits across re-plans: the window's plan leaves it out.
    again = run_plan(lab["window"], sda_reviewer)
    assert again.requested_cases == 80 and CarryOver.objects.get().status == CarryOverStatus.WAITING


def test_district_todo_lists_proposals_to_decide(lab, sda_reviewer):
    without_alternatives(lab)
    approve(lab, sda_reviewer, [20, 80])
    plan = run_plan(lab["window"], sda_reviewer)
    district = lab["districts"][0][0]
    qs = type(district).objects.filter(pk=district.pk)
    assert not any("proposes" in t for t, _, _ in district_todos(districts=qs, can_act=True))
    shipment_adjustments_accept(plan=plan, adjustment_ids=plan.adjustments.values_list("pk", flat=True),
                                user=sda_reviewer)  # fmt: skip
    todos = [t for t in district_todos(districts=qs, can_act=True) if "proposes" in t[0]]
    assert todos == [("The state proposes 1 change to your approved orders to fill trucks: accept or decline it.",
                      reverse("usda_foods:proposal-list"), "warning")]  # fmt: skip


def test_district_a_cannot_see_or_decide_district_bs_proposal(lab, sda_reviewer, client_for, api_for):
    without_alternatives(lab)
    approve(lab, sda_reviewer, [20, 80])
    plan = run_plan(lab["window"], sda_reviewer)
    plus = plan.adjustments.get(cases=5)  # District 0's
    shipment_adjustments_accept(plan=plan, adjustment_ids=[plus.pk], user=sda_reviewer)
    other = manager_of(lab, 1)
    client, api = client_for(other), api_for(other)
    assert client.get(plus.get_absolute_url()).status_code == 404
    assert client.post(plus.get_absolute_url(), {"action": "accept"}).status_code == 404
    assert plus.site.name not in client.get(reverse("usda_foods:proposal-list")).content.decode()
    assert api.get(f"/api/v1/shipment-proposals/{plus.pk}/").status_code == 404
    assert api.post(f"/api/v1/shipment-proposals/{plus.pk}/accept/", {}, format="json").status_code == 404
    assert api.get("/api/v1/shipment-proposals/").json()["results"] == []
    plus.refresh_from_db()
    assert plus.status == AdjustmentStatus.OFFERED and OrderLine.objects.filter(cases=20).exists()


def test_the_state_configures_its_alternatives(lab, sda_reviewer, client_for):
    state = lab["window"].state_agency
    url = reverse("usda_foods:placement-settings", args=[state.pk])
    assert client_for(manager_of(lab, 0)).post(url, {}).status_code == 403
    response = client_for(sda_reviewer).post(url, {
        "use_warehouse": "on", "order_warehouse": 1, "order_carry_over": 2, "order_another_state": 3,
        "warehouse_name": "MN State Warehouse", "warehouse_latitude": "44.9", "warehouse_longitude": "-93.1",
    }, follow=True)  # fmt: skip
    assert response.status_code == 200 and "saved" in response.content.decode()
    assert PlacementSettings.objects.get(state_agency=state).steps == ["warehouse"]
    assert StateWarehouse.objects.get(state_agency=state, active=True).name == "MN State Warehouse"
    later_window(lab)
    approve(lab, sda_reviewer, [30, 40])
    plan = run_plan(lab["window"], sda_reviewer)  # carry-over is off: the warehouse takes the remainder
    assert (
        not CarryOver.objects.exists()
        and plan.plan_trucks.get().stops.filter(warehouse__isnull=False).exists()
    )
