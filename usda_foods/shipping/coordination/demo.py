"""Demo of cross-state coordination (issue 18): after the spring plans, Minnesota's reviewer offers
the beans remainder (Minneapolis 500 + Saint Paul 400 cases, under a 1,400-case truck) to
Wisconsin, whose reviewer plans it jointly with Madison's 500 cases: one full three-stop truck
across the state line, accepted by both agencies. Both spring plans are then run again, and the
beans on the binding joint truck leave them (no carry-over, nothing to adjust for them).
Idempotent: a second run finds the joint plan and does nothing."""

from __future__ import annotations

from accounts.models import Role, User
from districts.models import StateAgency
from usda_foods.ordering.models import CatalogItem
from usda_foods.shipping.coordination.services import joint_plan_accept, joint_plan_create, remainder_offer
from usda_foods.shipping.models import CarryOver, CarryOverStatus, JointPlan, ShipmentPlan
from usda_foods.shipping.services import shipment_plan_compute

BEANS = "100117"


def _reviewer(agency: StateAgency) -> User | None:
    return User.objects.filter(memberships__role=Role.SDA_REVIEWER, memberships__state_agency=agency).first()


def seed_joint_truck(*, school_year: str, window_name: str, out: list[str]) -> None:
    if JointPlan.objects.filter(partner_window__school_year=school_year).exists():
        return
    mn, wi = StateAgency.objects.filter(state="MN").first(), StateAgency.objects.filter(state="WI").first()
    plans = {p.window.state_agency_id: p for p in ShipmentPlan.objects.filter(
        window__school_year=school_year, window__name=window_name, status="done").select_related("window")}  # fmt: skip
    beans = CatalogItem.objects.filter(school_year=school_year, material_code=BEANS).first()
    reviewers = (_reviewer(mn), _reviewer(wi)) if mn and wi else (None, None)
    if not (beans and mn and wi and mn.pk in plans and wi.pk in plans and all(reviewers)):
        out.append("Joint truck: no spring plans or reviewers in Minnesota and Wisconsin; skipped.")
        return
    mn_reviewer, wi_reviewer = reviewers
    (offer,) = remainder_offer(plan=plans[mn.pk], food=beans, agencies=[wi], user=mn_reviewer,
                               note="Madison's beans would fill the truck.")  # fmt: skip
    joint = joint_plan_create(offer=offer, user=wi_reviewer, window=plans[wi.pk].window)
    joint_plan_accept(joint=joint, user=wi_reviewer)
    joint = joint_plan_accept(joint=joint, user=mn_reviewer)
    for plan in (plans[mn.pk], plans[wi.pk]):  # the joint truck's cases leave both states' plans
        shipment_plan_compute(plan_id=plan.pk)
    out.append(f"Joint plan #{joint.pk} ({joint.get_status_display().lower()}): {joint.trucks} truck of "
               f"{beans.description} for {joint.requested_cases:,} cases between Minnesota and Wisconsin, "
               f"{joint.adjusted_cases:,} cases changed; {joint.cross_state_trucks} crosses the state line. With the "
               f"spring plans run again, {_waiting(window_name):,} cases wait for a full truck in later windows.")  # fmt: skip


def _waiting(window_name: str) -> int:
    return sum(CarryOver.objects.filter(window__name=window_name, status=CarryOverStatus.WAITING)
               .values_list("cases", flat=True))  # fmt: skip
