"""Alternatives before adjustments (issue 18, FD-125): for each food of a window, the plan first
splits trucks between the state's SFAs (the planner), then tries the state agency's alternatives
in the order it configured, and only what none of them places becomes a proposed adjustment.

Steps are registered by name (``register_step``) so that other areas add theirs in their place:
``carry_over`` (a remainder that cannot fill a truck waits for a later window of the school year),
``warehouse`` (the state's warehouse takes a stop topping the last truck up) and, from the cross-state
work, ``another_state``. A state's order is ``PlacementSettings.steps``; without a row,
``DEFAULT_PLACEMENT_STEPS``. A step sees the food's working state (``FoodPlacement``) and may
replace its plan; it must leave a plan that breaks no rule (each candidate is a planner result).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db import transaction

from focus_lab.errors import DomainError
from usda_foods.ordering.access import reviews_state
from usda_foods.shipping import planner as shipping
from usda_foods.shipping.models import DEFAULT_PLACEMENT_STEPS, PlacementSettings, StateWarehouse

if TYPE_CHECKING:
    from accounts.models import User
    from districts.models import StateAgency
    from usda_foods.shipping.models import ShipmentPlan


def warehouse_key(warehouse_id: int) -> str:
    return f"wh-{warehouse_id}"


@dataclass(frozen=True)
class PlacementContext:
    """What the steps may use besides the food's own demand."""

    later_window: bool  # a later order window of the school year exists: carry-over can wait for it
    warehouse: StateWarehouse | None
    time_limit_s: float
    state_agency_id: int | None = None  # the plan's state and window (steps that look beyond the food)
    window_id: int | None = None


@dataclass
class FoodPlacement:
    """One food's working state. ``locations``: cases at each location key (carried-over cases
    included); ``carried``: of which carried over from earlier windows (planned first: never
    deferred while this window's own cases can be); ``waiting``: this window's cases deferred by
    the carry-over step; ``held``: cases a step holds elsewhere (offered to another state): neither
    shipped now, carried over nor proposed; ``notes``: what a step leaves for its ``on_store``;
    ``plan``: the current plan of what ships now (None: nothing ships)."""

    food: str
    rules: shipping.PlanRules
    coords: Mapping[str, tuple[float, float]]
    locations: dict[str, int]
    carried: dict[str, int]
    context: PlacementContext
    plan: shipping.Plan | None = None
    planned: tuple[shipping.Location, ...] = ()
    waiting: dict[str, int] = field(default_factory=dict)
    held: dict[str, int] = field(default_factory=dict)
    notes: dict[str, object] = field(default_factory=dict)
    used: list[str] = field(default_factory=list)

    def open_adjustments(self, plan: shipping.Plan | None | object = ...) -> list[shipping.Adjustment]:
        """The adjustments of ``plan`` (default: the current plan) that a district would have to
        accept; none when nothing ships."""
        chosen = self.plan if plan is ... else plan
        return [a for a in chosen.adjustments if a.cases and not a.warehouse] if chosen else []

    def shipping_now(self, deferred: Mapping[str, int] | None = None) -> dict[str, int]:
        deferred = deferred or {}
        deferred = {k: deferred.get(k, 0) + self.held.get(k, 0) for k in self.locations}
        return {k: n - deferred.get(k, 0) for k, n in self.locations.items() if n - deferred.get(k, 0) > 0}

    def solve(self, cases: Mapping[str, int], *, warehouse: StateWarehouse | None = None):
        """Plan ``cases`` (carried-over keys first); with ``warehouse``, a warehouse stop that takes
        any quantity. Returns the plan and the locations it was planned from."""
        order = sorted(cases, key=lambda k: (k not in self.carried, k))
        locations = [shipping.Location(name=k, lat=self.coords[k][0], lon=self.coords[k][1], cases=cases[k])
                     for k in order]  # fmt: skip
        if warehouse is not None:
            locations.append(shipping.Location(name=warehouse_key(warehouse.pk), lat=float(warehouse.latitude),
                                               lon=float(warehouse.longitude), cases=0, warehouse=True))  # fmt: skip
        if not locations:
            return None, ()
        plan = shipping.plan_food(food=self.food, locations=locations, rules=self.rules,
                                  time_limit_s=self.context.time_limit_s)  # fmt: skip
        return plan, tuple(locations)

    def adopt(self, plan: shipping.Plan | None, planned: tuple[shipping.Location, ...], step: str) -> None:
        self.plan, self.planned = plan, planned
        self.used.append(step)


Step = Callable[[FoodPlacement], None]
#: Called inside the plan's storing transaction with the stored plan and each food's placement
#: (by food id), for a step to record what it decided (e.g. the offers to other states).
OnStore = Callable[["ShipmentPlan", Mapping[int, FoodPlacement]], None]


@dataclass(frozen=True)
class StepInfo:
    name: str
    label: str
    help: str
    run: Step
    on_store: OnStore | None = None


STEPS: dict[str, StepInfo] = {}


def register_step(
    name: str, label: str, run: Step, *, help: str = "", on_store: OnStore | None = None
) -> None:  # noqa: A002
    STEPS[name] = StepInfo(name=name, label=label, help=help, run=run, on_store=on_store)


def steps_stored(plan: ShipmentPlan, placed: Mapping[int, FoodPlacement]) -> None:
    """Let each step that placed a food record it with the stored plan."""
    for info in STEPS.values():
        if info.on_store and any(info.name in f.used for f in placed.values()):
            info.on_store(plan, {food: f for food, f in placed.items() if info.name in f.used})


def result_json(placed: Mapping[int, FoodPlacement]) -> dict[str, dict]:
    """The plan's record of each food's steps and the cases waiting or held elsewhere."""
    return {str(food): {"steps": f.used, "waiting": sum(f.waiting.values()), "held": sum(f.held.values())}
            for food, f in placed.items()}  # fmt: skip


def steps_for(state_agency_id: int) -> list[str]:
    """The state's configured order of alternatives (known steps only)."""
    row = PlacementSettings.objects.filter(state_agency_id=state_agency_id).first()
    names = list(DEFAULT_PLACEMENT_STEPS) if row is None else list(row.steps)
    return [n for n in names if n in STEPS]


def place_food(placement: FoodPlacement, steps: list[str]) -> FoodPlacement:
    """Splits first (the planner on everything), then each configured step while adjustments
    remain. What is left open becomes the plan's proposals."""
    plan, planned = placement.solve(placement.shipping_now())
    placement.adopt(plan, planned, "split")
    for name in steps:
        if not placement.open_adjustments():
            break
        STEPS[name].run(placement)
    return placement


def placement_settings_save(*, state_agency: StateAgency, user: User, steps: list[str], warehouse_name: str,
                            warehouse_address: str, warehouse_latitude: Decimal | None,
                            warehouse_longitude: Decimal | None) -> None:  # fmt: skip
    """Save a state's order of alternatives and its warehouse (an empty name retires it)."""
    if not reviews_state(user, state_agency.pk):
        raise DomainError("Only the state agency's reviewers choose its alternatives to adjustments.")
    unknown = [s for s in steps if s not in STEPS]
    if unknown or len(set(steps)) != len(steps):
        raise DomainError(f"Unknown or repeated steps: {', '.join(unknown) or ', '.join(steps)}.")
    with transaction.atomic():  # a form saved unchanged writes nothing
        if steps != steps_for(state_agency.pk):
            PlacementSettings.objects.update_or_create(state_agency=state_agency,
                                                       defaults={"steps": steps, "updated_by": user})  # fmt: skip
        current = StateWarehouse.objects.filter(state_agency=state_agency, active=True).order_by("pk").first()
        wanted = {"name": warehouse_name, "address": warehouse_address, "latitude": warehouse_latitude,
                  "longitude": warehouse_longitude}  # fmt: skip
        if not warehouse_name:
            StateWarehouse.objects.filter(state_agency=state_agency, active=True).update(active=False)
        elif current is None:
            StateWarehouse.objects.create(state_agency=state_agency, **wanted)
        elif any(getattr(current, name) != value for name, value in wanted.items()):
            StateWarehouse.objects.filter(pk=current.pk).update(**wanted)


# --- Carry-over ------------------------------------------------------------------------------------


def _deferrals(p: FoodPlacement) -> list[dict[str, int]]:
    """Candidate sets of this window's cases to defer, smallest first: the planner's own cuts (as
    waits rather than cuts), the food's remainder (total modulo a truck) taken from the smallest
    requests, and, when the whole food is under a truck, all of it."""
    own = {k: n - p.carried.get(k, 0) for k, n in p.locations.items() if n - p.carried.get(k, 0) > 0}
    adjustments = p.open_adjustments()
    candidates = []
    if adjustments and all(a.cases < 0 for a in adjustments):
        cuts = {a.location: min(own.get(a.location, 0), -a.cases) for a in adjustments}
        if all(cuts[a.location] == -a.cases for a in adjustments):
            candidates.append(cuts)
    capacity = p.rules.capacity
    total = sum(p.locations.values())
    left = total % capacity
    if left and total > capacity:
        remainder: dict[str, int] = {}
        for key, cases in sorted(own.items(), key=lambda kv: (kv[1], kv[0])):
            if left == 0:
                break
            take = min(cases, left)
            remainder[key] = take
            left -= take
        if left == 0:
            candidates.append(remainder)
    if total < capacity and own:
        candidates.append(dict(own))
    return candidates


def carry_over(p: FoodPlacement) -> None:
    """A remainder that cannot fill a truck waits for the next window of the school year (when one
    exists): the first deferral after which everything still shipping needs no adjustment."""
    if not p.context.later_window:
        return
    for deferred in _deferrals(p):
        plan, planned = p.solve(p.shipping_now(deferred))
        if not p.open_adjustments(plan):
            p.waiting = {k: n for k, n in deferred.items() if n}
            p.adopt(plan, planned, "carry_over")
            return


def warehouse(p: FoodPlacement) -> None:
    """The state warehouse takes a stop on the last truck, any quantity: the remainder ships now,
    topped up with the state's own stock (its storage and fees from the state's fee schedule)."""
    if p.context.warehouse is None:
        return
    plan, planned = p.solve(p.shipping_now(p.waiting), warehouse=p.context.warehouse)
    if plan is not None and plan.summary.adjusted_cases < (p.plan.summary.adjusted_cases if p.plan else 0):
        p.adopt(plan, planned, "warehouse")


register_step("carry_over", "Carry-over to the next order window", carry_over,
              help="A remainder that cannot fill a truck waits for the next window of the school year; "
                   "nothing is drawn from the entitlement until it ships.")  # fmt: skip
register_step("warehouse", "The state warehouse", warehouse,
              help="The state's warehouse takes a stop on the last truck (any quantity), with its storage "
                   "and fees from the fee schedule.")  # fmt: skip
