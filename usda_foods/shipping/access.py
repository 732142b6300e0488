"""Who sees and changes shipment plans (mechanism: districts/access.py)."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from django.db.models import Q

from accounts.models import Role
from districts import access
from usda_foods.ordering.access import state_activity_q

if TYPE_CHECKING:
    from accounts.models import User


def shipment_plan_q(user: User, *, write: bool) -> Q:
    """Plans belong to a window's state: its reviewers run and change them; district users see
    the plans of their state's windows (the pages then show them only their own drops)."""
    from usda_foods.ordering.models import OrderWindow

    return Q(window_id__in=OrderWindow.objects.filter(state_activity_q(user, write=write)).values("id"))


def drop_q(user: User, *, write: bool, to_plan: str) -> Q:
    """A plan's drops (stops and proposed adjustments): the state's reviewers see and change them
    all; a district sees only those at its own sites, as the plan pages show them."""
    from usda_foods.ordering.models import OrderWindow

    windows = OrderWindow.objects.filter(state_activity_q(user, write=True)).values("id")
    reviewed = Q(**{f"{to_plan}__window_id__in": windows})
    if write:
        return reviewed
    return reviewed | Q(site__district_id__in=access.district_ids_for(user))


def carry_over_q(user: User, *, write: bool) -> Q:
    """Cases waiting for a full truck: the window's state reviewers see and manage them all; a
    district sees its own (never another district's)."""
    from usda_foods.ordering.models import OrderWindow

    reviewed = Q(window_id__in=OrderWindow.objects.filter(state_activity_q(user, write=True)).values("id"))
    if write:
        return reviewed
    return reviewed | Q(district_id__in=access.district_ids_for(user))


def deciding_district_ids(user: User):
    """The districts whose proposals the user decides: those they manage (district managers)."""
    return access.memberships(user, Role.DISTRICT_MANAGER).values("district_id")


def agencies_q(user: User, *, write: bool, fields: tuple[str, ...]) -> Q:
    """Cross-state rows (remainder offers, joint plans and their stops) belong to the two state
    agencies named by ``fields``: the reviewers of either see them and act on their own side;
    district users and a third state see nothing (``write`` changes nothing: only reviewers)."""
    states = access.reviewed_states(user)
    q = Q()
    for field in fields:
        q |= Q(**{f"{field}__in": states})
    return q


OFFER_SIDES = ("from_agency_id", "to_agency_id")
JOINT_SIDES = ("offer__from_agency_id", "offer__to_agency_id")


def register_rules() -> None:
    # Plans are computed by services for a window, never made by a form.
    access.register("usda_foods.ShipmentPlan", shipment_plan_q)
    access.register_child("usda_foods.PlanTruck", parent="usda_foods.ShipmentPlan", via="plan")
    access.register("usda_foods.PlanStop", partial(drop_q, to_plan="truck__plan"))
    access.register("usda_foods.PlanAdjustment", partial(drop_q, to_plan="plan"))
    reviewer = access.holds_role(Role.SDA_REVIEWER)
    access.register("usda_foods.PlacementSettings", state_activity_q, create=reviewer)
    access.register("usda_foods.StateWarehouse", state_activity_q, create=reviewer)
    access.register("usda_foods.CarryOver", carry_over_q)
    access.register("usda_foods.RemainderOffer", partial(agencies_q, fields=OFFER_SIDES),
                    create=lambda user: access.reviewed_states(user).exists())  # fmt: skip
    access.register("usda_foods.JointPlan", partial(agencies_q, fields=JOINT_SIDES))
    access.register_child("usda_foods.JointTruck", parent="usda_foods.JointPlan", via="joint_plan")
    access.register("usda_foods.JointStop",
                    partial(agencies_q, fields=tuple(f"truck__joint_plan__{f}" for f in JOINT_SIDES)))  # fmt: skip
