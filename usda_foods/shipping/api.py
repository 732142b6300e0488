"""The shipment-plan API (FD-125 split shipments): stored plans, read-only and scoped, with the SDA
reviewers' operations on them (re-run, accept and override adjustments), and a stateless preview
that plans rows sent in the request, as the ``plan_shipments`` command does with a CSV file.

Who sees what matches the pages: a plan's state reviewers get it whole; everyone else who sees
the plan (district staff of the state, their partners, collaborative admins) gets its figures
and only the trucks, stops and adjustments at their own sites (their co-op's receiving site
included), and no ``result`` (it names every site). Outsiders get 404.
"""

from __future__ import annotations

import math
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ParseError
from rest_framework.request import Request
from rest_framework.response import Response

from districts import access
from focus_lab.api import ScopedViewSetMixin
from focus_lab.jobs.api import BackgroundJobSerializer
from usda_foods import bounds
from usda_foods.shipping import planner as shipping
from usda_foods.shipping.models import PlanAdjustment, PlanStop, PlanTruck, ShipmentPlan
from usda_foods.shipping.services import (
    drop_sites,
    shipment_adjustments_accept,
    shipment_adjustments_override,
    shipment_plan_start,
    shipment_preview_start,
)

# What a preview may hold at all; within shipping.bounds, which every planning input obeys.
MAX_PREVIEW_ROWS = 500
MAX_PREVIEW_FOODS = 10
# A preview this small plans inside the request; anything bigger is queued (202) and planned by a
# worker, which the client polls (``/api/v1/jobs/<id>/``). The planner's time depends more on the
# shape of the drops than on the size (20 quarter-truck drops can take a few seconds: its repair
# search and CP-SAT budget of 2 s a food), so the request's share is kept to a couple of foods.
SYNC_PREVIEW_MAX_ROWS = 20
SYNC_PREVIEW_MAX_TRUCKLOADS = 20
SYNC_PREVIEW_MAX_FOODS = 2
PREVIEW_FOOD = "food"  # the food of rows that name none


# --- Stored plans -----------------------------------------------------------------------------------


class PlanStopSerializer(serializers.ModelSerializer):
    site_name = serializers.CharField(
        source="place_name", read_only=True, help_text="The site's or processor's name"
    )

    class Meta:
        model = PlanStop
        fields = ["sequence", "site", "processor", "site_name", "cases"]


class PlanTruckSerializer(serializers.ModelSerializer):
    food_description = serializers.CharField(source="food.description", read_only=True)
    stops = PlanStopSerializer(many=True, read_only=True, help_text="In delivery order")

    class Meta:
        model = PlanTruck
        fields = ["number", "food", "food_description", "cases", "distance_km", "delivery_date", "stops"]


class PlanAdjustmentSerializer(serializers.ModelSerializer):
    food_description = serializers.CharField(source="food.description", read_only=True)
    site_name = serializers.CharField(
        source="place_name", read_only=True, help_text="The site's or processor's name"
    )

    class Meta:
        model = PlanAdjustment
        fields = ["id", "food", "food_description", "site", "processor", "site_name", "requested_cases", "proposed_cases",
                  "cases", "reason", "status", "decided_at"]  # fmt: skip
        extra_kwargs = {"proposed_cases": {"help_text": "The planner's figure: + adds cases, - removes them"},
                        "cases": {"help_text": "The adjustment as it stands (a reviewer may override it)"}}  # fmt: skip


class PlanFiguresSerializer(serializers.Serializer):
    requested_cases = serializers.IntegerField()
    adjusted_cases = serializers.IntegerField()
    adjusted_cases_bound = serializers.IntegerField(help_text="No plan within the rules adjusts fewer cases")
    trucks = serializers.IntegerField()
    trucks_bound = serializers.IntegerField(help_text="Fewest trucks a plan adjusting as few cases can use")
    total_km = serializers.DecimalField(max_digits=12, decimal_places=1)
    solve_seconds = serializers.DecimalField(max_digits=8, decimal_places=2)


class ShipmentPlanSerializer(serializers.ModelSerializer):
    figures = PlanFiguresSerializer(source="*", read_only=True)
    full = serializers.BooleanField(source="can_change", read_only=True,
                                    help_text="True for the state's reviewers; otherwise trucks, stops and "
                                              "adjustments are only those at your own sites")  # fmt: skip
    result = serializers.SerializerMethodField(help_text="The planner's JSON (as plan_shipments prints it); "
                                                         "null unless full")  # fmt: skip
    trucks = PlanTruckSerializer(source="plan_trucks", many=True, read_only=True)
    adjustments = PlanAdjustmentSerializer(many=True, read_only=True)

    class Meta:
        model = ShipmentPlan
        fields = ["id", "window", "status", "progress", "total", "message", "max_stops", "min_drop", "figures",
                  "full", "result", "trucks", "adjustments", "created_at", "finished_at"]  # fmt: skip
        read_only_fields = fields

    def get_result(self, plan: ShipmentPlan) -> dict[str, Any] | None:
        return plan.result if plan.can_change else None


class AcceptSerializer(serializers.Serializer):
    adjustments = serializers.ListField(child=serializers.IntegerField(), allow_empty=False,
                                        help_text="Ids of adjustments of this plan")  # fmt: skip


class OverrideItemSerializer(serializers.Serializer):
    adjustment = serializers.IntegerField()
    cases = serializers.IntegerField(help_text="The new adjustment: + adds cases, - removes them")


class OverrideSerializer(serializers.Serializer):
    adjustments = OverrideItemSerializer(many=True, allow_empty=False, help_text="Adjustments of one food")


# --- Preview ----------------------------------------------------------------------------------------


def _finite(value: float) -> float:
    if not math.isfinite(value):
        raise serializers.ValidationError("A valid number is required.")
    return value


class PreviewRowSerializer(serializers.Serializer):
    location = serializers.CharField(max_length=200, help_text="Unique within the food")
    lat = serializers.FloatField(min_value=-90, max_value=90, validators=[_finite])
    lon = serializers.FloatField(min_value=-180, max_value=180, validators=[_finite])
    cases = serializers.IntegerField(min_value=0, max_value=bounds.MAX_CASES_PER_REQUEST,
                                     help_text=f"At most {bounds.MAX_TRUCKLOADS_PER_REQUEST} truckloads")  # fmt: skip
    warehouse = serializers.BooleanField(required=False, default=False,
                                         help_text="The state warehouse: may receive more than it asked for")  # fmt: skip
    food = serializers.CharField(required=False, max_length=200, default=PREVIEW_FOOD)
    capacity = serializers.IntegerField(required=False, min_value=bounds.MIN_CASES_PER_TRUCKLOAD,
                                        max_value=bounds.MAX_CASES_PER_TRUCKLOAD,
                                        help_text="Cases in a full truck of the food")  # fmt: skip


class PreviewSerializer(serializers.Serializer):
    rows = serializers.ListField(child=PreviewRowSerializer(), allow_empty=False, max_length=MAX_PREVIEW_ROWS)
    capacity = serializers.IntegerField(required=False, min_value=bounds.MIN_CASES_PER_TRUCKLOAD,
                                        max_value=bounds.MAX_CASES_PER_TRUCKLOAD,
                                        help_text="Cases in a full truck, for rows that give none")  # fmt: skip
    max_stops = serializers.IntegerField(required=False, default=3, min_value=1, max_value=bounds.MAX_STOPS)
    min_drop = serializers.DecimalField(required=False, default=Decimal("0.25"), max_digits=6, decimal_places=4,
                                        min_value=Decimal("0"), max_value=Decimal("1"),
                                        help_text="Smallest drop on a split truck, a share of the truck")  # fmt: skip


class PreviewErrorSerializer(serializers.Serializer):
    row = serializers.IntegerField(allow_null=True, help_text="1 for the first row; null for the request")
    field = serializers.CharField()
    message = serializers.CharField()


class PreviewErrorsSerializer(serializers.Serializer):
    errors = PreviewErrorSerializer(many=True)


class PreviewInputError(Exception):
    def __init__(self, errors: list[dict[str, Any]]) -> None:
        super().__init__(errors)
        self.errors = errors


def _error(row: int | None, field: str, message: object) -> dict[str, Any]:
    return {"row": row, "field": field, "message": str(message)}


def _flatten(errors: dict[str, Any]) -> list[dict[str, Any]]:
    """DRF's nested errors ({"rows": {1: {"lat": [...]}}}) as a flat list, rows counted from 1."""
    flat = []
    for field, detail in errors.items():
        if field == "rows" and isinstance(detail, dict):
            for index, row_errors in detail.items():
                if isinstance(row_errors, dict):
                    flat.extend(_error(int(index) + 1, name, msgs[0]) for name, msgs in row_errors.items())
                else:
                    flat.append(_error(int(index) + 1, "row", row_errors[0]))
        else:
            flat.extend(_error(None, field, message) for message in detail)
    return flat


def parse_preview(data: Any) -> list[shipping.FoodDemand]:
    """Rows grouped by food (in the order foods first appear), each food with its rules; every
    problem named by row (from 1) and field. The planner's own input rules (a location once per
    food, at most one warehouse, a truck size per food) are checked here too, so a bad request is
    a 400 that says where, never a 500."""
    if not isinstance(data, dict):
        raise PreviewInputError([_error(None, "non_field_errors", 'Send a JSON object with "rows".')])
    top = PreviewSerializer(data=data)
    if not top.is_valid():
        raise PreviewInputError(_flatten(top.errors))
    options = top.validated_data
    by_food: dict[str, list[tuple[int, dict[str, Any]]]] = defaultdict(list)
    for number, row in enumerate(options["rows"], start=1):
        by_food[row["food"]].append((number, row))
    errors: list[dict[str, Any]] = []
    if len(by_food) > MAX_PREVIEW_FOODS:
        errors.append(_error(None, "rows", f"At most {MAX_PREVIEW_FOODS} foods in one preview."))
    demands = []
    for food, rows in by_food.items():
        capacity, problems = _check_food(food, rows, default_capacity=options.get("capacity"))
        errors.extend(problems)
        if errors:
            continue
        rules = shipping.PlanRules(
            capacity=capacity, max_stops=options["max_stops"], min_drop=options["min_drop"]
        )
        locations = tuple(
            shipping.Location(
                name=r["location"], lat=r["lat"], lon=r["lon"], cases=r["cases"], warehouse=r["warehouse"]
            )
            for _, r in rows
        )
        demands.append(shipping.FoodDemand(food=food, locations=locations, rules=rules))
    if errors:
        raise PreviewInputError(errors)
    return demands


def _check_food(
    food: str, rows: list[tuple[int, dict[str, Any]]], *, default_capacity: int | None
) -> tuple[int, list[dict[str, Any]]]:
    """One food's truck size (the same on every row), and its rows' problems: a missing or
    disagreeing truck size, a location listed twice, a second warehouse, a request of more
    truckloads than one location takes (``shipping.bounds``)."""
    capacity: tuple[int, int] | None = None  # (cases, the row that set it)
    locations: dict[str, int] = {}
    warehouse: int | None = None
    errors = []
    for number, row in rows:
        cases = row.get("capacity", default_capacity)
        if cases is None:
            errors.append(
                _error(number, "capacity", "Give the cases in a full truck, on the row or for the request.")
            )
        elif capacity is None:
            capacity = (cases, number)
        elif cases != capacity[0]:
            message = f"{food} trucks carry {capacity[0]} cases (row {capacity[1]}), not {cases}."
            errors.append(_error(number, "capacity", message))
        name = row["location"]
        if name in locations:
            errors.append(_error(number, "location", f"{name} is already row {locations[name]} of {food}."))
        locations.setdefault(name, number)
        if row["warehouse"] and warehouse is not None:
            errors.append(
                _error(number, "warehouse", f"{food} already has its warehouse on row {warehouse}.")
            )
        elif row["warehouse"]:
            warehouse = number
        if capacity and (problem := bounds.request_problem(row["cases"], capacity=capacity[0])):
            errors.append(_error(number, "cases", _sentence(problem)))
    total = sum(row["cases"] for _, row in rows)
    if capacity and (problem := bounds.food_problem(locations=len(rows), cases=total, capacity=capacity[0])):
        errors.append(_error(None, "rows", f"{food}: {problem}."))
    return (capacity[0] if capacity else 0), errors


def _sentence(text: str) -> str:
    return text[0].upper() + text[1:] + "."


def truckloads(demands: list[shipping.FoodDemand]) -> int:
    """Whole truckloads the preview's requests add up to, over every food."""
    return sum(-(-sum(loc.cases for loc in d.locations) // d.rules.capacity) for d in demands)


def is_small(demands: list[shipping.FoodDemand]) -> bool:
    """Small enough to plan inside the request."""
    rows = sum(len(d.locations) for d in demands)
    return (
        len(demands) <= SYNC_PREVIEW_MAX_FOODS
        and rows <= SYNC_PREVIEW_MAX_ROWS
        and truckloads(demands) <= SYNC_PREVIEW_MAX_TRUCKLOADS
    )


PREVIEW_EXAMPLE = {
    "rows": [
        {"location": "Kitchen A", "lat": 44.98, "lon": -93.27, "cases": 50},
        {"location": "Kitchen B", "lat": 44.95, "lon": -93.09, "cases": 25},
        {"location": "Kitchen C", "lat": 45.10, "lon": -93.40, "cases": 25},
    ],
    "capacity": 100,
    "max_stops": 3,
    "min_drop": "0.25",
}


# --- The viewset ----------------------------------------------------------------------------------


class ShipmentPlanViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Shipment plans of the order windows you see, newest first. ``full`` plans (yours to review)
    carry every truck and adjustment; otherwise only those at your own sites. Queries are the same
    for a page of plans whatever their number of trucks."""

    queryset_model = ShipmentPlan
    serializer_class = ShipmentPlanSerializer
    filterset_fields = ["window", "status"]
    ordering_fields = ["created_at"]

    def get_queryset(self) -> QuerySet[ShipmentPlan]:
        user = self.request.user
        writable = ShipmentPlan.objects.for_user(user, write=True).values("pk")
        mine = drop_sites(user)
        stops = PlanStop.objects.filter(Q(truck__plan__in=writable) | Q(site__in=mine)).select_related(
            "site", "processor"
        )
        trucks = (
            PlanTruck.objects.filter(Q(plan__in=writable) | Q(stops__site__in=mine))
            .distinct()
            .select_related("food")
            .prefetch_related(Prefetch("stops", queryset=stops.order_by("sequence")))
        )
        adjustments = PlanAdjustment.objects.filter(Q(plan__in=writable) | Q(site__in=mine)).select_related(
            "food", "site", "processor"
        )
        return (
            super()
            .get_queryset()
            .annotate(can_change=Exists(writable.filter(pk=OuterRef("pk"))))
            .prefetch_related(
                Prefetch("plan_trucks", queryset=trucks.order_by("number")),
                Prefetch("adjustments", queryset=adjustments),
            )
        )

    def _reviewed(self, pk: str | None) -> ShipmentPlan:
        """The plan if the user reviews it: outsiders get 404, users who only see it 403."""
        return access.get_for_user(
            ShipmentPlan.objects.select_related("window"), self.request.user, pk, write=True
        )

    def _respond(self, plan: ShipmentPlan, code: int = status.HTTP_200_OK) -> Response:
        return Response(self.get_serializer(self.get_queryset().get(pk=plan.pk)).data, status=code)

    @extend_schema(request=None, responses={202: ShipmentPlanSerializer})
    @action(detail=True, methods=["post"])
    def rerun(self, request: Request, pk: str | None = None) -> Response:
        """Plan the window's approved orders again, as they stand, with this plan's rules. The new
        plan is queued (202): poll it until ``status`` is done or failed."""
        plan = self._reviewed(pk)
        new = shipment_plan_start(window=plan.window, user=request.user, max_stops=plan.max_stops,
                                           min_drop=plan.min_drop)  # fmt: skip
        return self._respond(new, status.HTTP_202_ACCEPTED)

    @extend_schema(request=AcceptSerializer, responses=ShipmentPlanSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request: Request, pk: str | None = None) -> Response:
        """Send adjustments to their districts as proposals (an email to each district): each
        district accepts (its approved order changes) or declines them, at
        ``/api/v1/shipment-proposals/``. Nothing changes an order here."""
        plan = self._reviewed(pk)
        data = AcceptSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        shipment_adjustments_accept(plan=plan, adjustment_ids=data.validated_data["adjustments"],
                                             user=request.user)  # fmt: skip
        return self._respond(plan)

    @extend_schema(request=OverrideSerializer, responses=ShipmentPlanSerializer)
    @action(detail=True, methods=["post"])
    def override(self, request: Request, pk: str | None = None) -> Response:
        """Set adjustments of one food by hand. With the food's other adjustments as they stand,
        the quantities must ship in full trucks within the plan's rules; otherwise a 400 says
        what they would still need."""
        plan = self._reviewed(pk)
        data = OverrideSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        cases = {item["adjustment"]: item["cases"] for item in data.validated_data["adjustments"]}
        shipment_adjustments_override(plan=plan, cases_by_adjustment=cases, user=request.user)
        return self._respond(plan)

    @extend_schema(
        request=PreviewSerializer,
        responses={200: OpenApiTypes.OBJECT, 202: BackgroundJobSerializer, 400: PreviewErrorsSerializer},
        examples=[OpenApiExample("Half and two quarters of a 100-case truck", value=PREVIEW_EXAMPLE,
                                 request_only=True)],
    )  # fmt: skip
    @action(detail=False, methods=["post"])
    def preview(self, request: Request) -> Response:
        """Plan rows sent in the request, storing nothing: each row is a location's request for a
        food (``food`` defaults to one food; ``capacity`` on the row or for the request). Returns
        the ``plan_shipments`` command's JSON: trucks, adjustments, lower bounds and a summary. A
        bad row is a 400 naming the row (from 1) and the field.

        Up to 20 rows, 20 truckloads and 2 foods are planned at once (200). A bigger preview is queued
        (202, with the job and its ``url`` in ``Location``): poll the job until ``status`` is done
        (its ``result`` is the same JSON) or failed (its ``message`` says why)."""
        try:
            demands = parse_preview(request.data)
            if not is_small(demands):
                job = shipment_preview_start(demands=demands, user=request.user)
                data = BackgroundJobSerializer(job, context=self.get_serializer_context()).data
                return Response(data, status=status.HTTP_202_ACCEPTED, headers={"Location": data["url"]})
            plans = shipping.plan_many(demands=demands)
        except PreviewInputError as exc:
            return Response({"errors": exc.errors}, status=status.HTTP_400_BAD_REQUEST)
        except ParseError as exc:  # a body that is not JSON: the documented shape all the same
            return Response(
                {"errors": [_error(None, "non_field_errors", exc.detail)]}, status=status.HTTP_400_BAD_REQUEST
            )
        except shipping.PlanningInputError as exc:  # a rule parse_preview missed: still the client's input
            return Response({"errors": [_error(None, "rows", exc)]}, status=status.HTTP_400_BAD_REQUEST)
        return Response(shipping.plan_to_json(plans))
