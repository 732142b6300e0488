"""Split-shipment planning for USDA Foods: pure functions, no ORM (see ``solve`` for the method)."""

from . import words
from .model import (
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
)
from .output import explain, plan_to_json, validate_plan
from .solve import DEFAULT_TIME_LIMIT_S, plan_food, plan_many

__all__ = [
    "DEFAULT_TIME_LIMIT_S",
    "explain",
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
    "words",
]
