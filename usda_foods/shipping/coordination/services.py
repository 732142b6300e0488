"""Writes of cross-state coordination: offer a food's remainder to other states' agencies, decline
an offer or plan it jointly (the planner over both states' remainders, with the offering plan's
rules), and accept or decline a joint plan. Each runs in one transaction and checks everything
first; a joint plan binds once both agencies accept it, and one decline refuses it."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from districts import access
from districts.models import Site, StateAgency
from focus_lab.errors import DomainError
from usda_foods.ordering.models import CatalogItem, OrderWindow
from usda_foods.shipping import planner
from usda_foods.shipping.coordination.rules import crosses_state_line, remainder
from usda_foods.shipping.models import (
    AdjustmentStatus,
    JointPlan,
    JointStatus,
    JointStop,
    JointTruck,
    OfferStatus,
    PlanAdjustment,
    RemainderOffer,
    ShipmentPlan,
)
from usda_foods.shipping.services import PLANNING_SECONDS_PER_FOOD, window_demands

if TYPE_CHECKING:
    from accounts.models import User

#: Proposals not yet decided by a district: a binding joint plan supersedes them.
OPEN_ADJUSTMENTS = (AdjustmentStatus.PROPOSED, AdjustmentStatus.OVERRIDDEN, AdjustmentStatus.OFFERED)


def _reviews(user: User, agency_id: int) -> bool:
    return access.reviewed_states(user).filter(state_agency_id=agency_id).exists()


def remainder_locations(window: OrderWindow, food: CatalogItem) -> tuple[planner.Location, ...]:
    """The food's remainders at the window's sites: each site's approved cases beyond its own
    full trucks (diverted lines ship to processors and stay with the state's plan)."""
    demand = next((d for d in window_demands(window) if d.food.pk == food.pk), None)
    if demand is None:
        return ()
    return tuple(
        planner.Location(name=loc.name, lat=loc.lat, lon=loc.lon, cases=rest)
        for loc in demand.locations
        if loc.name.startswith("site-") and (rest := remainder(loc.cases, food.cases_per_truckload))
    )


def remainder_offer(*, plan: ShipmentPlan, food: CatalogItem, agencies: Iterable[StateAgency], user: User,
                    note: str = "") -> list[RemainderOffer]:  # fmt: skip
    """Offer the food's remainder in ``plan`` to each of ``agencies`` (an SDA reviewer of the
    plan's state). Refused for a plan not done, a food without remainder, the plan's own state,
    or a state already offered this food from this plan."""
    if not ShipmentPlan.objects.for_user(user, write=True).filter(pk=plan.pk).exists():
        raise PermissionDenied("Only the state agency's reviewers offer its remainders.")
    if plan.status != "done":
        raise DomainError("Offer a remainder from a finished plan.")
    agencies = list(agencies)
    if not agencies:
        raise DomainError("Choose at least one state agency to offer the remainder to.", field="agencies")
    own = plan.window.state_agency_id
    if any(a.pk == own for a in agencies):
        raise DomainError("Offer the remainder to another state's agency.", field="agencies")
    cases = sum(loc.cases for loc in remainder_locations(plan.window, food))
    if not cases:
        raise DomainError(
            f"{food.description} fills its trucks in this plan: there is no remainder to offer."
        )
    already = set(RemainderOffer.objects.filter(plan=plan, food=food, to_agency__in=agencies)
                  .values_list("to_agency__state", flat=True))  # fmt: skip
    if already:
        raise DomainError(f"Already offered to {', '.join(sorted(already))}.", field="agencies")
    with transaction.atomic():
        return RemainderOffer.objects.bulk_create(
            RemainderOffer(plan=plan, food=food, from_agency_id=own, to_agency=agency, cases=cases,
                           note=note[:300], created_by=user)
            for agency in agencies
        )  # fmt: skip


def partner_windows(offer: RemainderOffer):
    """The receiving agency's windows of the same school year that offer the food."""
    return OrderWindow.objects.filter(state_agency_id=offer.to_agency_id, school_year=offer.plan.window.school_year,
                                      offered_items=offer.food).order_by("delivery_start", "pk")  # fmt: skip


def remainder_offer_decline(*, offer: RemainderOffer, user: User) -> RemainderOffer:
    """The receiving agency's reviewer declines an offer."""
    with transaction.atomic():
        offer = _lock_offer(offer, user)
        offer.status, offer.decided_by, offer.decided_at = OfferStatus.DECLINED, user, timezone.now()
        offer.save(update_fields=["status", "decided_by", "decided_at"])
    return offer


def _lock_offer(offer: RemainderOffer, user: User) -> RemainderOffer:
    offer = RemainderOffer.objects.select_for_update().select_related("plan__window", "food").get(pk=offer.pk)
    if not _reviews(user, offer.to_agency_id):
        raise PermissionDenied("Only the receiving agency's reviewers answer an offer.")
    if offer.status != OfferStatus.OFFERED:
        raise DomainError(f"This offer is already {offer.get_status_display().lower()}.")
    return offer


def joint_plan_create(*, offer: RemainderOffer, user: User, window: OrderWindow | None = None) -> JointPlan:
    """The receiving agency takes up an offer: plan the food over both states' remainders (the
    offering window's and ``window``'s, by default the receiving agency's first window of the
    year offering the food) with the offering plan's rules. The joint plan waits for both
    agencies to accept it; the receiving reviewer's acceptance is not implied."""
    with transaction.atomic():
        offer = _lock_offer(offer, user)
        windows = partner_windows(offer)
        window = windows.filter(pk=window.pk).first() if window else windows.first()
        if window is None:
            raise DomainError(f"Choose one of {offer.to_agency.name}'s windows offering {offer.food.description}.",
                              field="window")  # fmt: skip
        plan, food = offer.plan, offer.food
        locations = remainder_locations(plan.window, food) + remainder_locations(window, food)
        if not locations:
            raise DomainError("Neither state has a remainder of this food any more.")
        rules = planner.PlanRules(
            capacity=food.cases_per_truckload, max_stops=plan.max_stops, min_drop=plan.min_drop
        )
        try:
            result = planner.plan_food(food=str(food.pk), locations=locations, rules=rules,
                                       time_limit_s=PLANNING_SECONDS_PER_FOOD)  # fmt: skip
        except planner.PlanningInputError as exc:
            raise DomainError(f"The joint plan cannot be made: {exc}") from exc
        if problems := planner.validate_plan(plan=result, locations=locations, rules=rules):
            raise DomainError(f"The joint plan breaks a rule: {problems[0]}")
        offer.status, offer.decided_by, offer.decided_at = OfferStatus.PLANNED, user, timezone.now()
        offer.save(update_fields=["status", "decided_by", "decided_at"])
        return _store(offer, window, result)


def _store(offer: RemainderOffer, window: OrderWindow, result: planner.Plan) -> JointPlan:
    site_ids = {int(s.location.removeprefix("site-")) for t in result.trucks for s in t.stops}
    agency_of = dict(Site.objects.filter(pk__in=site_ids).values_list("pk", "district__state_agency_id"))
    state_of = dict(StateAgency.objects.filter(pk__in=set(agency_of.values())).values_list("pk", "state"))
    joint = JointPlan.objects.create(
        offer=offer, food=offer.food, partner_window=window, requested_cases=result.summary.requested_cases,
        adjusted_cases=result.summary.adjusted_cases, trucks=len(result.trucks),
        total_km=Decimal(str(round(result.summary.total_km, 1))), result=planner.plan_to_json([result]),
    )  # fmt: skip
    dates = _delivery_dates(offer.plan.window, len(result.trucks))
    stops, crossing = [], 0
    for number, truck in enumerate(result.trucks, start=1):
        agencies = [agency_of[int(s.location.removeprefix("site-"))] for s in truck.stops]
        crosses = crosses_state_line(state_of[a] for a in agencies)
        crossing += crosses
        row = JointTruck.objects.create(joint_plan=joint, number=number, cases=truck.cases, crosses_state_line=crosses,
                                        distance_km=Decimal(str(round(truck.distance_km, 1))),
                                        delivery_date=dates[number - 1])  # fmt: skip
        stops.extend(JointStop(truck=row, site_id=int(s.location.removeprefix("site-")), state_agency_id=agency,
                               sequence=i, cases=s.cases)
                     for i, (s, agency) in enumerate(zip(truck.stops, agencies, strict=True), start=1))  # fmt: skip
    JointStop.objects.bulk_create(stops)
    joint.cross_state_trucks = crossing
    joint.save(update_fields=["cross_state_trucks"])
    return joint


def _delivery_dates(window: OrderWindow, count: int) -> list[date]:
    """Weekdays of the offering window's delivery period, spread over the trucks in order."""
    days = [
        window.delivery_start + timedelta(days=n)
        for n in range((window.delivery_end - window.delivery_start).days + 1)
    ]
    days = [d for d in days if d.weekday() < 5] or [window.delivery_start]
    return [days[i * len(days) // max(count, 1)] for i in range(count)]  # fmt: skip


def _lock_joint(joint: JointPlan, user: User) -> tuple[JointPlan, set[str]]:
    joint = JointPlan.objects.select_for_update(of=("self",)).select_related("offer").get(pk=joint.pk)
    sides = set()
    if _reviews(user, joint.offer.from_agency_id):
        sides.add("offerer")
    if _reviews(user, joint.offer.to_agency_id):
        sides.add("partner")
    if not sides:
        raise PermissionDenied("Only the two agencies' reviewers answer a joint plan.")
    if joint.status != JointStatus.PROPOSED:
        raise DomainError(f"This joint plan is already {joint.get_status_display().lower()}.")
    return joint, sides


def joint_plan_accept(*, joint: JointPlan, user: User) -> JointPlan:
    """Accept the joint plan for the user's agency; it binds when both have accepted."""
    now = timezone.now()
    with transaction.atomic():
        joint, sides = _lock_joint(joint, user)
        for side in sides:
            setattr(joint, f"{side}_accepted_by", user)
            setattr(joint, f"{side}_accepted_at", now)
        if joint.offerer_accepted_at and joint.partner_accepted_at:
            joint.status, joint.decided_at = JointStatus.BINDING, now
            _supersede_adjustments(joint, user, now)
        joint.save()
    return joint


def _supersede_adjustments(joint: JointPlan, user: User, now) -> int:
    """The joint plan binds: each state's plans of its window no longer propose adjustments of the
    food at the sites the joint trucks serve (kept, marked superseded with the reason; districts
    no longer see them to decide). Decided proposals stay as they are."""
    offer = RemainderOffer.objects.select_related("plan", "from_agency", "to_agency").get(pk=joint.offer_id)
    count = 0
    for window_id, agency, partner in ((offer.plan.window_id, offer.from_agency, offer.to_agency),
                                       (joint.partner_window_id, offer.to_agency, offer.from_agency)):  # fmt: skip
        sites = JointStop.objects.filter(truck__joint_plan=joint, state_agency=agency).values("site_id")
        count += PlanAdjustment.objects.filter(
            plan__window_id=window_id, food_id=joint.food_id, site_id__in=sites, status__in=OPEN_ADJUSTMENTS
        ).update(status=AdjustmentStatus.SUPERSEDED, decided_by=user, decided_at=now,
                 decision_note=f"Joint plan #{joint.pk} with {partner.state} carries these cases.")  # fmt: skip
    return count


def joint_plan_decline(*, joint: JointPlan, user: User) -> JointPlan:
    """Either agency declines: the joint plan is refused, and binds nobody."""
    with transaction.atomic():
        joint, _ = _lock_joint(joint, user)
        joint.status, joint.declined_by, joint.decided_at = JointStatus.REFUSED, user, timezone.now()
        joint.save(update_fields=["status", "declined_by", "decided_at"])
    return joint
