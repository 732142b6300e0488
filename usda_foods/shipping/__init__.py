"""Split-shipment planning for USDA Foods: pure functions, no ORM (see ``planner`` for the method)."""

from .planner import (
    Adjustment,
    FoodDemand,
    Location,
    LowerBounds,
    Plan,
    PlanningInputError,
    PlanRules,
    PlanSummary,
    Stop,
    Truck,
    plan_food,
    plan_many,
    plan_to_json,
    validate_plan,
)

__all__ = [
    "Adjustment",
    "FoodDemand",
    "Location",
    "LowerBounds",
    "Plan",
    "PlanRules",
    "PlanSummary",
    "PlanningInputError",
    "Stop",
    "Truck",
    "plan_food",
    "plan_many",
    "plan_to_json",
    "validate_plan",
]
