"""The ``another_state`` placement step (issue 18): when a state enables it, a food's remainders
(each site's cases beyond its own full trucks) that the earlier steps could not place are held
as "offered to another state" instead of being proposed as adjustments, and the stored plan
offers them to the neighbouring agencies with an open window offering the food (or, when none
is open, to the nearest neighbour with a window of the school year offering it).

While an offer is pending the next run holds them again without offering twice; once every
offer is declined (or its joint plan refused), the next run proposes them as adjustments. Cases
on a binding joint plan have already left the window's demand (``carryover.held_elsewhere``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from django.db.models import Avg
from django.utils import timezone

from districts.models import Site, StateAgency
from usda_foods.ordering.models import OrderWindow
from usda_foods.shipping.coordination.rules import nearest, neighbours, remainder
from usda_foods.shipping.models import JointStatus, OfferStatus, RemainderOffer
from usda_foods.shipping.placement import FoodPlacement, register_step

if TYPE_CHECKING:
    from usda_foods.shipping.models import ShipmentPlan

STEP = "another_state"


def offers_state(window_id: int, food_id: int) -> str:
    """Where the window's earlier offers of the food stand: ``none`` (never offered), ``pending``
    (an offer unanswered or a joint plan not yet accepted by both), ``bound`` (a joint plan binds),
    or ``closed`` (every offer declined or its joint plan refused)."""
    offers = list(RemainderOffer.objects.filter(plan__window_id=window_id, food_id=food_id)
                  .values_list("status", "joint_plan__status"))  # fmt: skip
    if not offers:
        return "none"
    if any(joint == JointStatus.BINDING for _, joint in offers):
        return "bound"
    if any(status == OfferStatus.OFFERED or joint == JointStatus.PROPOSED for status, joint in offers):
        return "pending"
    return "closed"


def partner_agencies(window: OrderWindow, food_id: int, near: tuple[float, float]) -> list[int]:
    """The neighbouring agencies to offer to: those with an open window of the school year offering
    the food; when none is open, the nearest neighbour (by its sites' mean position) with one."""
    agency = StateAgency.objects.get(pk=window.state_agency_id)
    windows = list(OrderWindow.objects.filter(state_agency__state__in=neighbours(agency.state),
                                              school_year=window.school_year, offered_items=food_id)
                   .values_list("state_agency_id", "opens_at", "closes_at"))  # fmt: skip
    now = timezone.now()
    open_ = sorted({a for a, opens, closes in windows if opens <= now <= closes})
    if open_ or not windows:
        return open_
    centres = {a: (float(lat), float(lon)) for a, lat, lon in
               Site.objects.filter(district__state_agency_id__in={a for a, _, _ in windows}, latitude__isnull=False)
               .values("district__state_agency_id").annotate(lat=Avg("latitude"), lon=Avg("longitude"))
               .values_list("district__state_agency_id", "lat", "lon")}  # fmt: skip
    best = nearest(near, centres)
    return [best] if best is not None else []


def another_state(p: FoodPlacement) -> None:
    """Hold the food's site remainders as offered to another state (see the module)."""
    ctx = p.context
    if ctx.state_agency_id is None or ctx.window_id is None:
        return
    food_id, capacity = int(p.food), p.rules.capacity
    shipping_now = p.shipping_now(p.waiting)
    held = {k: r for k, n in shipping_now.items() if k.startswith("site-") and (r := remainder(n, capacity))}
    if not held:
        return
    state = offers_state(ctx.window_id, food_id)
    if state in ("bound", "closed"):
        return  # what a joint plan does not carry, or nobody took, comes back as proposals
    if state == "none":
        window = OrderWindow.objects.get(pk=ctx.window_id)
        lats, lons = zip(*(p.coords[k] for k in held), strict=True)
        agencies = partner_agencies(window, food_id, (sum(lats) / len(lats), sum(lons) / len(lons)))
        if not agencies:
            return
        p.notes[STEP] = agencies
    p.held = held
    plan, planned = p.solve(p.shipping_now(p.waiting))
    p.adopt(plan, planned, STEP)


def offers_record(plan: ShipmentPlan, placed: Mapping[int, FoodPlacement]) -> None:
    """With the stored plan: offer each held remainder to the agencies the step chose."""
    RemainderOffer.objects.bulk_create(
        RemainderOffer(plan=plan, food_id=food_id, from_agency_id=plan.window.state_agency_id, to_agency_id=agency,
                       cases=sum(f.held.values()), note="Offered by the plan: no full truck within the state.")
        for food_id, f in placed.items() if f.held
        for agency in f.notes.get(STEP, [])
    )  # fmt: skip


def register() -> None:
    register_step(STEP, "Another state (a joint truck)", another_state, on_store=offers_record,
                  help="A remainder is offered to neighbouring states' agencies for a joint truck instead of "
                       "being proposed as an adjustment; declined or not planned, it comes back as proposals "
                       "on the next run of the plan.")  # fmt: skip
