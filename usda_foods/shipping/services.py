"""Shipment plans for a window's approved orders: gather the demand per food and delivery site,
run the pure planner (``usda_foods.shipping``), store trucks, stops and proposed adjustments, and
apply accepted adjustments to the orders (lines, drawdowns, history and emails)."""

from __future__ import annotations

import hashlib
import json
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Q, QuerySet, Sum
from django.utils import timezone

from districts import access
from districts.models import Site
from districts.services import district_email_later
from focus_lab.errors import DomainError
from focus_lab.jobs import services as jobs
from focus_lab.jobs.models import BackgroundJob, JobStatus
from focus_lab.tasks import enqueue
from usda_foods.ordering.models import (
    CatalogItem,
    OrderLine,
    OrderStatus,
    OrderWindow,
)
from usda_foods.shipping import carryover, placement
from usda_foods.shipping import planner as shipping
from usda_foods.shipping.models import (
    AdjustmentStatus,
    CarryOver,
    PlanAdjustment,
    PlanStop,
    PlanTruck,
    ShipmentPlan,
    StateWarehouse,
)

if TYPE_CHECKING:
    from accounts.models import User

PLANNING_SECONDS_PER_FOOD = 2.0


@dataclass(frozen=True)
class WindowDemand:
    food: CatalogItem
    locations: tuple[shipping.Location, ...]


def site_key(site_id: int) -> str:
    return f"site-{site_id}"


def processor_key(processor_id: int) -> str:
    """A processor as a delivery location: order lines of bulk foods diverted to it ship there."""
    return f"proc-{processor_id}"


def _site_id(key: str) -> int:
    return int(key.removeprefix("site-"))


def _place(key: str) -> dict[str, int]:
    """The stored place of a location key: ``{"site_id": ...}``, ``{"processor_id": ...}`` or,
    for the state warehouse's stop, ``{"warehouse_id": ...}``."""
    if key.startswith("proc-"):
        return {"processor_id": int(key.removeprefix("proc-"))}
    if key.startswith("wh-"):
        return {"warehouse_id": int(key.removeprefix("wh-"))}
    return {"site_id": _site_id(key)}


def _processor_model():
    # Processors are named through the order line's field: processing builds on shipping.
    return OrderLine._meta.get_field("diverted_to").related_model


def _place_names(keys: Iterable[str]) -> dict[str, str]:
    """Readable names of location keys (sites and processors), two queries at most."""
    places = [_place(k) for k in keys]
    sites = {p["site_id"] for p in places if "site_id" in p}
    procs = {p["processor_id"] for p in places if "processor_id" in p}
    names = (
        {site_key(pk): name for pk, name in Site.objects.filter(pk__in=sites).values_list("pk", "name")}
        if sites
        else {}
    )
    if procs:
        names.update({processor_key(pk): name for pk, name in
                      _processor_model().objects.filter(pk__in=procs).values_list("pk", "name")})  # fmt: skip
    if whs := {p["warehouse_id"] for p in places if "warehouse_id" in p}:
        names.update({placement.warehouse_key(pk): name for pk, name in
                      StateWarehouse.objects.filter(pk__in=whs).values_list("pk", "name")})  # fmt: skip
    return names


def _location_order(item: tuple[str, int]) -> tuple[bool, int]:
    """Sites by id (the order plans have always used), then processors by id."""
    kind, _, pk = item[0].partition("-")
    return kind == "proc", int(pk)


def _key_of(row: PlanAdjustment | PlanStop) -> str:
    if getattr(row, "warehouse_id", None):
        return placement.warehouse_key(row.warehouse_id)
    return processor_key(row.processor_id) if row.processor_id else site_key(row.site_id)


def window_demands(window: OrderWindow) -> list[WindowDemand]:
    """Cases of each food asked for at each delivery location in the window's approved orders (a
    co-op's receiving site sums its members' lines; lines diverted to a processor ship to the
    processor). Three queries at most, whatever the number of lines. A location asking more than
    a truck plan can hold (``shipping.bounds``) is a ``DomainError``."""
    try:
        return _window_demands(window)
    except shipping.PlanningInputError as exc:
        raise DomainError(_site_names(str(exc))) from exc


def _window_demands(window: OrderWindow) -> list[WindowDemand]:
    rows = (
        OrderLine.objects.filter(order__window=window, order__status=OrderStatus.APPROVED)
        .values("catalog_item_id", "delivery_site_id", "diverted_to_id")
        .annotate(cases=Sum("cases"))
        .order_by("catalog_item_id", "delivery_site_id", "diverted_to_id")
    )
    by_food: dict[int, dict[str, int]] = defaultdict(dict)
    for row in rows:
        key = (
            processor_key(row["diverted_to_id"])
            if row["diverted_to_id"]
            else site_key(row["delivery_site_id"])
        )
        by_food[row["catalog_item_id"]][key] = by_food[row["catalog_item_id"]].get(key, 0) + row["cases"]
    # Cases sent back to carry-over or on a binding joint truck leave; those carried from earlier windows join.
    for food_id, key, cases in carryover.held_elsewhere(window):
        by_food[food_id][key] = by_food[food_id].get(key, 0) - cases
    for row in carryover.carried_into(window):
        by_food[row.food_id][_carry_key(row)] = by_food[row.food_id].get(_carry_key(row), 0) + row.cases
    by_food = {f: {k: n for k, n in cases.items() if n > 0} for f, cases in by_food.items()}
    by_food = {f: cases for f, cases in by_food.items() if cases}
    keys = [_place(k) for cases in by_food.values() for k in cases]
    coords = {site_key(pk): (lat, lon) for pk, lat, lon in
              Site.objects.filter(pk__in={p["site_id"] for p in keys if "site_id" in p})
              .values_list("pk", "latitude", "longitude")}  # fmt: skip
    if procs := {p["processor_id"] for p in keys if "processor_id" in p}:
        coords.update({processor_key(pk): (lat, lon) for pk, lat, lon in
                       _processor_model().objects.filter(pk__in=procs).values_list("pk", "latitude", "longitude")})  # fmt: skip
    foods = CatalogItem.objects.in_bulk(by_food.keys())
    demands = []
    for food_id in sorted(by_food):
        locations = tuple(
            shipping.Location(name=key, lat=float(coords[key][0]), lon=float(coords[key][1]), cases=cases)
            for key, cases in sorted(by_food[food_id].items(), key=_location_order)
        )
        demands.append(WindowDemand(food=foods[food_id], locations=locations))
    return demands


def _carry_key(row: CarryOver) -> str:
    return processor_key(row.processor_id) if row.processor_id else site_key(row.site_id)


def carried_cases(window: OrderWindow) -> dict[int, dict[str, int]]:
    """Cases carried into the window from earlier ones, per food and location key."""
    carried: dict[int, dict[str, int]] = defaultdict(dict)
    for row in carryover.carried_into(window):
        carried[row.food_id][_carry_key(row)] = carried[row.food_id].get(_carry_key(row), 0) + row.cases
    return carried


def fingerprint(demands: Iterable[WindowDemand], *, max_stops: int, min_drop: Decimal) -> str:
    """A digest of the planner's whole input: equal digests mean the plan must come out equal."""
    payload = [[d.food.pk, d.food.cases_per_truckload, [[loc.name, loc.lat, loc.lon, loc.cases] for loc in d.locations]]
               for d in demands]  # fmt: skip
    blob = json.dumps({"demands": payload, "max_stops": max_stops, "min_drop": str(min_drop)}, sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()


def shipment_plan_start(
    *, window: OrderWindow, user: User | None, max_stops: int = 3, min_drop: Decimal = Decimal("0.25")
) -> ShipmentPlan:
    """Queue a plan of the window's approved lines (an SDA reviewer's request, or the window's
    close when ``user`` is None). The Celery task does the work and reports progress."""
    if user is not None and not OrderWindow.objects.for_user(user, write=True).filter(pk=window.pk).exists():
        raise DomainError("Only the state agency's reviewers plan its shipments.")
    if not 1 <= max_stops <= 10:
        raise DomainError("A truck makes between 1 and 10 stops.", field="max_stops")
    if not Decimal("0") <= min_drop <= Decimal("1"):
        raise DomainError("The minimum drop is a share of a truck, between 0 and 1.", field="min_drop")
    plan = ShipmentPlan.objects.create(window=window, created_by=user, max_stops=max_stops, min_drop=min_drop)
    enqueue("usda_foods.shipping.tasks.shipment_plan_run", plan.pk)
    return plan


def _delivery_dates(window: OrderWindow, count: int) -> list[date]:
    """Spread trucks over the window's delivery period, weekdays only, in truck order."""
    days = []
    day = window.delivery_start
    while day <= window.delivery_end:
        if day.weekday() < 5:
            days.append(day)
        day += timedelta(days=1)
    days = days or [window.delivery_start]
    return [days[i * len(days) // max(count, 1)] for i in range(count)]


def shipment_plan_compute(
    *, plan_id: int, progress: Callable[[int, int], None] | None = None
) -> ShipmentPlan:
    """Plan every food of the window and store the result, replacing any earlier rows of this
    plan (so a retried task writes the same plan again, not a second copy). Each food goes
    through splits, then the state's alternatives (``placement``), and what none places is
    proposed to the districts."""
    plan = ShipmentPlan.objects.select_related("window").get(pk=plan_id)
    demands = window_demands(plan.window)
    carried = carried_cases(plan.window)
    context = placement.PlacementContext(
        later_window=carryover.later_window_exists(plan.window), time_limit_s=PLANNING_SECONDS_PER_FOOD,
        warehouse=StateWarehouse.objects.filter(state_agency_id=plan.window.state_agency_id, active=True)
        .order_by("pk").first(), state_agency_id=plan.window.state_agency_id, window_id=plan.window_id,
    )  # fmt: skip
    steps = placement.steps_for(plan.window.state_agency_id)
    placed: list[tuple[WindowDemand, placement.FoodPlacement]] = []
    for index, demand in enumerate(demands, start=1):
        try:  # a food or an order beyond what a truck plan can be (shipping.bounds) fails the plan
            rules = shipping.PlanRules(capacity=demand.food.cases_per_truckload, max_stops=plan.max_stops,
                                       min_drop=plan.min_drop)  # fmt: skip
            food = placement.FoodPlacement(
                food=str(demand.food.pk), rules=rules, context=context,
                coords={loc.name: (loc.lat, loc.lon) for loc in demand.locations},
                locations={loc.name: loc.cases for loc in demand.locations},
                carried=dict(carried.get(demand.food.pk, {})),
            )  # fmt: skip
            placement.place_food(food, steps)
        except shipping.PlanningInputError as exc:
            problem = _site_names(str(exc).removeprefix(f"{demand.food.pk}: "))
            raise DomainError(f"{demand.food}: {problem}") from exc
        if food.plan is not None:
            problems = shipping.validate_plan(plan=food.plan, locations=food.planned, rules=rules)
            if problems:  # never store a plan that breaks a rule
                raise DomainError(f"The plan for {demand.food} breaks a rule: {problems[0]}")
        placed.append((demand, food))
        if progress:
            progress(index, len(demands))
    plans = [(d, f.plan) for d, f in placed if f.plan is not None]
    dates = _delivery_dates(plan.window, sum(len(p.trucks) for _, p in plans))
    with transaction.atomic():
        plan = ShipmentPlan.objects.select_for_update().get(pk=plan_id)
        plan.plan_trucks.all().delete()
        plan.adjustments.all().delete()
        number, stops, delivered = 0, [], defaultdict(lambda: defaultdict(int))
        for demand, result in plans:
            first = number
            for truck in result.trucks:
                row = PlanTruck.objects.create(plan=plan, food=demand.food, number=number + 1, cases=truck.cases,
                                               distance_km=Decimal(str(round(truck.distance_km, 1))),
                                               delivery_date=dates[number])  # fmt: skip
                number += 1
                stops.extend(PlanStop(truck=row, **_place(s.location), sequence=i, cases=s.cases)
                             for i, s in enumerate(truck.stops, start=1))  # fmt: skip
                for stop in truck.stops:
                    delivered[demand.food.pk][stop.location] += stop.cases
            requested = {loc.name: loc.cases for loc in demand.locations}
            PlanAdjustment.objects.bulk_create([
                PlanAdjustment(plan=plan, food=demand.food, **_place(a.location),
                               requested_cases=requested[a.location], proposed_cases=a.cases, cases=a.cases,
                               reason=a.reason, trucks=_trucks_at(result, a.location, first))
                for a in result.adjustments if a.cases and not a.warehouse
            ])  # fmt: skip
        PlanStop.objects.bulk_create(stops)
        carryover.carry_overs_record(plan=plan, waiting={d.food.pk: f.waiting for d, f in placed if f.waiting},
                                     delivered=delivered, place=_place)  # fmt: skip
        placement.steps_stored(plan, {d.food.pk: f for d, f in placed})
        summaries = [p.summary for _, p in plans]
        plan.input_fingerprint = fingerprint(demands, max_stops=plan.max_stops, min_drop=plan.min_drop)
        plan.requested_cases = sum(sum(f.locations.values()) for _, f in placed)
        plan.adjusted_cases = sum(s.adjusted_cases for s in summaries)
        plan.adjusted_cases_bound = sum(p.lower_bounds.adjusted_cases for _, p in plans)
        plan.trucks = sum(s.trucks for s in summaries)
        plan.trucks_bound = sum(p.lower_bounds.trucks for _, p in plans)
        plan.total_km = Decimal(str(round(sum(s.total_km for s in summaries), 1)))
        plan.solve_seconds = Decimal(str(round(sum(s.solve_seconds for s in summaries), 2)))
        plan.result = _named_json([p for _, p in plans], {d.food.pk: d.food for d in demands})
        plan.result["placement"] = placement.result_json({d.food.pk: f for d, f in placed})
        plan.status, plan.finished_at = JobStatus.DONE, timezone.now()
        plan.progress = plan.total = len(demands)
        plan.message = plan_message(plan) if demands else "No approved lines to ship."
        plan.save()
    return plan


def _trucks_at(result: shipping.Plan, location: str, first: int) -> list[int]:
    """The plan's numbers of the trucks stopping at ``location``: those an adjustment there completes."""
    return [
        first + i
        for i, t in enumerate(result.trucks, start=1)
        if any(s.location == location for s in t.stops)
    ]


def _site_names(message: str) -> str:
    """A planner message with its ``site-<id>`` and ``proc-<id>`` keys replaced by the names."""
    keys = set(re.findall(r"(?:site|proc)-\d+", message))
    names = _place_names(keys) if keys else {}
    return re.sub(r"(?:site|proc)-\d+", lambda m: names.get(m.group(0), m.group(0)), message)


# --- Preview jobs --------------------------------------------------------------------------------

PREVIEW_JOB = "shipment-preview"


def shipment_preview_start(*, demands: Sequence[shipping.FoodDemand], user: User) -> BackgroundJob:
    """Queue a preview too big to plan inside a request (the API decides). The job keeps the
    checked demands; the task plans them food by food and stores the preview's JSON as the
    job's result, for its creator only."""
    params = {"demands": [_demand_json(d) for d in demands]}
    return jobs.job_create(
        kind=PREVIEW_JOB, user=user, params=params, task="usda_foods.shipping.tasks.shipment_preview_run"
    )


def shipment_preview_compute(
    *, params: dict[str, Any], progress: Callable[[int, int], None] | None = None
) -> dict[str, Any]:
    """Plan a preview job's demands (checked again: the planner's own input rules) and return
    the JSON the synchronous preview answers."""
    try:
        demands = [_demand_from_json(d) for d in params["demands"]]
    except (KeyError, TypeError, ValueError) as exc:  # PlanningInputError is a ValueError
        raise DomainError(f"This preview cannot be planned: {exc}") from exc
    plans = []
    for index, demand in enumerate(demands, start=1):
        try:
            plans.append(shipping.plan_food(food=demand.food, locations=demand.locations, rules=demand.rules))
        except shipping.PlanningInputError as exc:
            raise DomainError(str(exc)) from exc
        if progress:
            progress(index, len(demands))
    return shipping.plan_to_json(plans)


def _demand_json(demand: shipping.FoodDemand) -> dict[str, Any]:
    rules = demand.rules
    return {"food": demand.food, "capacity": rules.capacity, "max_stops": rules.max_stops,
            "min_drop": str(rules.min_drop),
            "locations": [[loc.name, loc.lat, loc.lon, loc.cases, loc.warehouse] for loc in demand.locations]}  # fmt: skip


def _demand_from_json(data: dict[str, Any]) -> shipping.FoodDemand:
    rules = shipping.PlanRules(capacity=data["capacity"], max_stops=data["max_stops"],
                               min_drop=Decimal(data["min_drop"]))  # fmt: skip
    locations = tuple(
        shipping.Location(name=name, lat=lat, lon=lon, cases=cases, warehouse=warehouse)
        for name, lat, lon, cases, warehouse in data["locations"]
    )
    return shipping.FoodDemand(food=data["food"], locations=locations, rules=rules)


def plan_message(plan: ShipmentPlan) -> str:
    """One line on a finished plan, in plain words ("2 trucks for 200 cases; 10 cases changed,
    the fewest any plan can"), with the cases waiting or offered to another state (``placement``)."""
    words = shipping.words
    placed = plan.result.get("placement", {}).values()
    waiting, held = sum(f["waiting"] for f in placed), sum(f.get("held", 0) for f in placed)
    changed = f"{words.count(plan.adjusted_cases, 'case')} changed from the orders"
    if plan.adjusted_cases == plan.adjusted_cases_bound:
        changed += ", the fewest any plan can" if plan.adjusted_cases else ""
    else:
        changed += f" (any plan must change at least {plan.adjusted_cases_bound:,})"
    wait = f"; {words.count(waiting, 'case')} wait for a full truck" if waiting else ""
    wait += f"; {words.count(held, 'case')} offered to another state" if held else ""
    return f"{words.count(plan.trucks, 'truck')} for {words.count(plan.requested_cases, 'case')}; {changed}{wait}."


def _named_json(plans: list[shipping.Plan], foods: dict[int, CatalogItem]) -> dict:
    """The command's JSON, with site and food names a carrier can read."""
    data = shipping.plan_to_json(plans)
    names = _place_names({s["location"] for t in data["trucks"] for s in t["stops"]} |
                         {a["location"] for a in data["adjustments"]})  # fmt: skip
    for truck in data["trucks"]:
        truck["food"] = str(foods[int(truck["food"])])
        for stop in truck["stops"]:
            stop["location"] = names[stop["location"]]
    for adjustment in data["adjustments"]:
        adjustment["food"] = str(foods[int(adjustment["food"])])
        adjustment["location"] = names[adjustment["location"]]
    return data


def shipment_adjustments_override(
    *, plan: ShipmentPlan, cases_by_adjustment: dict[int, int], user: User
) -> list[PlanAdjustment]:
    """Set adjustments of one food by hand. They must stay within the rules: with the food's other
    adjustments as they stand, the planner must ship the resulting quantities with nothing left to
    adjust. All or nothing."""
    if not ShipmentPlan.objects.for_user(user, write=True).filter(pk=plan.pk).exists():
        raise DomainError("Only the state agency's reviewers change shipment adjustments.")
    chosen = list(
        PlanAdjustment.objects.filter(plan=plan, pk__in=list(cases_by_adjustment)).select_related("food")
    )
    if not chosen or len(chosen) != len(cases_by_adjustment) or len({a.food_id for a in chosen}) != 1:
        raise DomainError("Choose adjustments of one food of this plan.")
    food = chosen[0].food
    for adjustment in chosen:
        if adjustment.status in (AdjustmentStatus.ACCEPTED, AdjustmentStatus.SUPERSEDED):
            raise DomainError(f"This adjustment is {adjustment.get_status_display().lower()}: nothing to change.")  # fmt: skip
        if adjustment.requested_cases + cases_by_adjustment[adjustment.pk] < 0:
            raise DomainError(f"{adjustment.place_name} cannot receive fewer than zero cases.", field="cases")
    demand = next((d for d in window_demands(plan.window) if d.food.pk == food.pk), None)
    if demand is None:
        raise DomainError("The orders have changed since this plan: run it again.")
    deltas = {_key_of(a): a.cases for a in PlanAdjustment.objects.filter(plan=plan, food=food)}
    deltas.update({_key_of(a): cases_by_adjustment[a.pk] for a in chosen})
    try:
        final = tuple(
            shipping.Location(
                name=loc.name, lat=loc.lat, lon=loc.lon, cases=loc.cases + deltas.get(loc.name, 0)
            )
            for loc in demand.locations
        )
        rules = shipping.PlanRules(
            capacity=food.cases_per_truckload, max_stops=plan.max_stops, min_drop=plan.min_drop
        )
        check = shipping.plan_food(
            food=str(food.pk), locations=final, rules=rules, time_limit_s=PLANNING_SECONDS_PER_FOOD
        )
    except shipping.PlanningInputError as exc:  # beyond what a truck plan can be (shipping.bounds)
        raise DomainError(_site_names(str(exc).removeprefix(f"{food.pk}: ")), field="cases") from exc
    still = [a for a in check.adjustments if a.cases]
    if still:
        names = _place_names(a.location for a in still)
        needed = ", ".join(f"{a.cases:+d} at {names[a.location]}" for a in still)
        raise DomainError(f"Those quantities cannot ship in full trucks within the rules; they would still need {needed}.",
                          field="cases")  # fmt: skip
    now = timezone.now()
    with transaction.atomic():
        for adjustment in chosen:
            adjustment.cases, adjustment.status = (
                cases_by_adjustment[adjustment.pk],
                AdjustmentStatus.OVERRIDDEN,
            )
            adjustment.decided_by, adjustment.decided_at = user, now
            adjustment.save(update_fields=["cases", "status", "decided_by", "decided_at"])
    return chosen


def shipment_adjustments_accept(*, plan: ShipmentPlan, adjustment_ids: Iterable[int], user: User) -> int:
    """Send the selected adjustments to their districts as proposals (the state's reviewers): the
    district accepts (applied to its order) or declines. Nothing changes an approved order here.
    Proposals already decided are skipped; a declined one the state changed goes out again."""
    if not ShipmentPlan.objects.for_user(user, write=True).filter(pk=plan.pk).exists():
        raise DomainError("Only the state agency's reviewers send shipment adjustments to the districts.")
    with transaction.atomic():
        adjustments = list(PlanAdjustment.objects.select_for_update(of=("self",))
                           .filter(plan=plan, pk__in=list(adjustment_ids),
                                   status__in=[AdjustmentStatus.PROPOSED, AdjustmentStatus.OVERRIDDEN])
                           .select_related("food", "site", "processor"))  # fmt: skip
        for adjustment in adjustments:
            adjustment.status, adjustment.decided_by, adjustment.decided_at = (
                AdjustmentStatus.OFFERED,
                user,
                timezone.now(),
            )
            adjustment.save(update_fields=["status", "decided_by", "decided_at"])
        for site in {a.site for a in adjustments if a.site_id}:
            mine = [a for a in adjustments if a.site_id == site.pk]
            body = "\n".join(
                f"{a.cases:+,d} cases of {a.food.description} at {site.name} ({a.reason})" for a in mine
            )
            district_email_later(district_id=site.district_id, subject=f"USDA Foods: {len(mine)} proposed change"
                                 f"{'s' if len(mine) != 1 else ''} to decide ({plan.window.name})",
                                 body=body + "\n\nAccept or decline each on your proposals page.")  # fmt: skip
    return len(adjustments)


def drop_sites(user: User) -> QuerySet:
    """The sites whose drops a user sees in a plan, as a subquery: their districts' sites and the
    receiving sites of the co-ops their districts belong to."""
    visible = access.district_ids_for(user)
    return Site.objects.filter(Q(district_id__in=visible) | Q(coops_receiving__members__in=visible)).values(
        "pk"
    )


def district_drops(*, user: User, plan: ShipmentPlan):
    """The stops of a plan at the user's drop sites, with the truck, food and delivery date."""
    sites = drop_sites(user)
    return (PlanStop.objects.filter(truck__plan=plan, site__in=sites)
            .select_related("truck", "truck__food", "site", "site__district")
            .order_by("truck__delivery_date", "truck__number", "sequence"))  # fmt: skip
