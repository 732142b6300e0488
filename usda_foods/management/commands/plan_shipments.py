"""``manage.py plan_shipments --input demands.csv``: plan full USDA Foods trucks from a CSV.

Prints the plan as JSON (trucks, adjustments, lower bounds, summary; see
``usda_foods.shipping.plan_to_json``). Touches no database.
"""

from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from usda_foods.shipping import (
    DEFAULT_TIME_LIMIT_S,
    PlanningInputError,
    plan_many,
    plan_to_json,
    validate_plan,
)
from usda_foods.shipping.csv_input import read_demands_csv


class Command(BaseCommand):
    help = (
        "Plan split shipments of USDA Foods (full trucks, at most --max-stops stops, drops of at least "
        "--min-drop of a truck) from a CSV with columns location,lat,lon,cases and optionally "
        "warehouse,food,capacity. Prints the plan as JSON."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--input", required=True, help="CSV file of demands (header on line 1)")
        parser.add_argument(
            "--capacity", type=int, help="cases per truck, for rows without a capacity column"
        )
        parser.add_argument("--max-stops", type=int, default=3, help="stops allowed on one truck (default 3)")
        parser.add_argument(
            "--min-drop",
            default="0.25",
            help="smallest drop on a split truck, as a share of a truck (default 0.25)",
        )
        parser.add_argument(
            "--food", help="food name when the CSV has no food column (default: the file name)"
        )
        parser.add_argument(
            "--time-limit",
            type=float,
            default=DEFAULT_TIME_LIMIT_S,
            help=f"CP-SAT budget per food, deterministic seconds (default {DEFAULT_TIME_LIMIT_S})",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["input"])
        try:
            min_drop = Decimal(options["min_drop"])
        except InvalidOperation:
            raise CommandError(
                f"--min-drop must be a number such as 0.25, not {options['min_drop']!r}"
            ) from None
        if options["capacity"] is not None and options["capacity"] <= 0:
            raise CommandError(f"--capacity (cases per truck) must be > 0, not {options['capacity']}")
        if options["time_limit"] < 0:
            raise CommandError("--time-limit must be >= 0")
        try:
            text = path.read_text(encoding="utf-8-sig")
        except FileNotFoundError:
            raise CommandError(f"{path}: no such file") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"{path}: cannot read it as UTF-8 text ({exc})") from None
        try:
            demands = read_demands_csv(
                text,
                capacity=options["capacity"],
                max_stops=options["max_stops"],
                min_drop=min_drop,
                default_food=options["food"] or path.stem,
            )
            plans = plan_many(demands=demands, time_limit_s=options["time_limit"])
        except PlanningInputError as exc:
            raise CommandError(f"{path}: {exc}") from None
        for demand, plan in zip(demands, plans, strict=True):
            problems = validate_plan(plan=plan, locations=demand.locations, rules=demand.rules)
            if problems:  # pragma: no cover - the planner never returns a plan that breaks a rule
                raise CommandError(f"the plan for {demand.food} breaks a rule: {problems[0]}")
        self.stdout.write(json.dumps(plan_to_json(plans), indent=2))
