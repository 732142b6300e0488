"""Reads of cross-state coordination: the offers and joint plans a reviewer sees, the stops of a
joint plan as each agency may see them, and what a plan could offer."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Prefetch, Q, QuerySet, Sum

from districts import access
from districts.models import StateAgency
from usda_foods.ordering.models import OrderLine
from usda_foods.ordering.selectors import COUNTED_STATUSES
from usda_foods.ordering.truckload import TruckloadContext
from usda_foods.shipping.coordination.rules import neighbours
from usda_foods.shipping.models import (
    AdjustmentStatus,
    JointPlan,
    JointStatus,
    JointStop,
    JointTruck,
    PlanAdjustment,
    RemainderOffer,
    ShipmentPlan,
)

if TYPE_CHECKING:
    from accounts.models import User


def offers_for(user: User) -> QuerySet[RemainderOffer]:
    """Offers to or from the agencies the user reviews, newest first (one query)."""
    return (
        RemainderOffer.objects.for_user(user)
        .select_related("food", "from_agency", "to_agency", "plan__window", "joint_plan")
        .order_by("-created_at", "-id")
    )


def joint_plans_for(user: User) -> QuerySet[JointPlan]:
    return (
        JointPlan.objects.for_user(user)
        .select_related("food", "offer__from_agency", "offer__to_agency", "offer__plan__window", "partner_window")
        .order_by("-created_at", "-id")
    )  # fmt: skip


def own_agencies(user: User, joint: JointPlan) -> set[int]:
    """Of the joint plan's two agencies, those the user reviews."""
    sides = {joint.offer.from_agency_id, joint.offer.to_agency_id}
    return sides & set(access.reviewed_states(user).values_list("state_agency_id", flat=True))


@dataclass(frozen=True)
class VisibleStop:
    """A joint stop as one agency sees it: its own stops in full, the partner's by site name only
    (``cases``, ``district`` and ``address`` are None)."""

    sequence: int
    site: str
    state: str
    own: bool
    cases: int | None
    district: str | None
    address: str | None


@dataclass(frozen=True)
class VisibleTruck:
    number: int
    cases: int
    distance_km: float
    delivery_date: object
    crosses_state_line: bool
    stops: tuple[VisibleStop, ...]


def visible_trucks(joint: JointPlan, own: set[int]) -> list[VisibleTruck]:
    """The joint plan's trucks as agencies ``own`` see them. Two queries, whatever the trucks."""
    stops = JointStop.objects.select_related("site", "site__district", "state_agency").order_by("sequence")
    trucks = JointTruck.objects.filter(joint_plan=joint).prefetch_related(Prefetch("stops", queryset=stops))
    result = []
    for truck in trucks.order_by("number"):
        shown = []
        for stop in truck.stops.all():
            mine = stop.state_agency_id in own
            site = stop.site
            shown.append(VisibleStop(
                sequence=stop.sequence, site=site.name, state=stop.state_agency.state, own=mine,
                cases=stop.cases if mine else None, district=site.district.name if mine else None,
                address=f"{site.street}, {site.city}, {site.state} {site.postal_code}" if mine else None,
            ))  # fmt: skip
        result.append(VisibleTruck(number=truck.number, cases=truck.cases, distance_km=float(truck.distance_km),
                                   delivery_date=truck.delivery_date, crosses_state_line=truck.crosses_state_line,
                                   stops=tuple(shown)))  # fmt: skip
    return result


def offerable_foods(plan: ShipmentPlan) -> list[dict]:
    """The foods of a plan with open adjustments (cases the state could not fit in full trucks),
    with the cases adjusted. One query."""
    rows = (
        PlanAdjustment.objects.filter(plan=plan, site__isnull=False)
        .exclude(status=AdjustmentStatus.ACCEPTED)
        .values("food_id", "food__description", "food__material_code", "food__cases_per_truckload")
        .annotate(cases=Sum("cases"))
        .order_by("food__description", "food_id")
    )
    return list(rows)


def agencies_to_offer(agency: StateAgency) -> list[tuple[StateAgency, bool]]:
    """Every other state agency, neighbours first, with whether it is a neighbour. One query."""
    near = neighbours(agency.state)
    others = StateAgency.objects.exclude(pk=agency.pk)
    return sorted(((a, a.state in near) for a in others), key=lambda pair: (not pair[1], pair[0].state))


# --- Demand against truckloads (issue 18 item 5) -----------------------------------------------


def carryover_by_food(window) -> dict[int, int]:
    """HOOK for carry-over (issue 18 item 1, built on another branch): cases of each food waiting
    from earlier windows of the school year for a full truck. No carry-over model exists on this
    branch, so nothing is held; the demand page shows the column and says so."""
    return {}


CARRYOVER_AVAILABLE = False


def window_truckloads(window) -> list[dict]:
    """Per food offered in the window: cases requested (every order but rejected ones), full
    trucks, the remainder and what the next truck still needs, the districts that asked for it
    (who could top it up, most cases first) and carry-over. Three queries, whatever the foods."""
    foods = list(window.offered_items.order_by("description", "pk"))
    rows = (OrderLine.objects.filter(order__window=window, order__status__in=COUNTED_STATUSES)
            .values("catalog_item_id", "order__district_id", "order__district__name")
            .annotate(cases=Sum("cases")).order_by("catalog_item_id", "-cases", "order__district__name"))  # fmt: skip
    by_food: dict[int, list[dict]] = {}
    for row in rows:
        by_food.setdefault(row["catalog_item_id"], []).append(
            {"district": row["order__district__name"], "cases": row["cases"]}
        )
    carry = carryover_by_food(window)
    result = []
    for food in foods:
        districts = by_food.get(food.pk, [])
        cases = sum(d["cases"] for d in districts)
        ctx = TruckloadContext(capacity=food.cases_per_truckload, cases=0, state_cases=cases)
        result.append({"food": food, "cases": cases, "full_trucks": ctx.full_trucks, "remainder": ctx.toward_next,
                       "still_needed": ctx.still_needed, "districts": districts, "carryover": carry.get(food.pk, 0),
                       "context": ctx})  # fmt: skip
    return result


def binding_joint_trucks(window, user: User) -> list[tuple[JointPlan, list[VisibleTruck]]]:
    """The binding joint plans of a window (as the offering or the partner window) that the user
    sees, each with its trucks as the user's agency sees them. Two queries a joint plan, and a
    window has one per food offered at most."""
    joints = (JointPlan.objects.for_user(user).filter(status=JointStatus.BINDING)
              .filter(Q(offer__plan__window=window) | Q(partner_window=window))
              .select_related("food", "offer").order_by("pk"))  # fmt: skip
    reviewed = set(access.reviewed_states(user).values_list("state_agency_id", flat=True))
    result = []
    for joint in joints:
        own = reviewed & {joint.offer.from_agency_id, joint.offer.to_agency_id}
        result.append((joint, visible_trucks(joint, own)))
    return result
