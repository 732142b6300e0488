"""``manage.py plan_shipments --input demands.csv``: plan full USDA Foods trucks from a CSV.

Prints the plan as JSON (trucks, adjustments, lower bounds, summary; see
``usda_foods.shipping.plan_to_json``). Touches no database.
"""

from __future__ import annotations

import argparse
import json
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from focus_lab.csv_import import MAX_IMPORT_BYTES
from usda_foods.bounds import (
    MAX_CASES_PER_TRUCKLOAD,
    MAX_STOPS,
    MIN_CASES_PER_TRUCKLOAD,
    time_limit_problem,
    truckload_problem,
)
from usda_foods.shipping.planner import (
    DEFAULT_TIME_LIMIT_S,
    PlanningInputError,
    plan_many,
    plan_to_json,
    validate_plan,
)
from usda_foods.shipping.planner.csv_input import read_demands_csv


def _truckload(text: str) -> int:
    """``--capacity``: a whole number of cases within ``bounds`` (so 1e15 or 0 is refused here,
    before the file is read, with the same message as a capacity cell)."""
    try:
        capacity = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"cases per truckload must be a whole number, not {text!r}"
        ) from None
    if problem := truckload_problem(capacity):
        raise argparse.ArgumentTypeError(problem)
    return capacity


def _stops(text: str) -> int:
    try:
        stops = int(text)
    except ValueError:
        stops = 0
    if not 1 <= stops <= MAX_STOPS:
        raise argparse.ArgumentTypeError(
            f"max_stops must be a whole number from 1 to {MAX_STOPS}, not {text!r}"
        )
    return stops


def _seconds(text: str) -> float:
    try:
        seconds = float(text)
    except ValueError:
        seconds = float("nan")
    if problem := time_limit_problem(seconds):
        raise argparse.ArgumentTypeError(problem)
    return seconds


class Command(BaseCommand):
    help = (
        "Plan split shipments of USDA Foods (full trucks, at most --max-stops stops, drops of at least "
        "--min-drop of a truck) from a CSV with columns location,lat,lon,cases and optionally "
        "warehouse,food,capacity. Prints the plan as JSON."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--input", required=True, help="CSV file of demands (header on line 1)")
        parser.add_argument(
            "--capacity",
            type=_truckload,
            help=f"cases per truck ({MIN_CASES_PER_TRUCKLOAD}-{MAX_CASES_PER_TRUCKLOAD}), "
            "for rows without a capacity column",
        )
        parser.add_argument(
            "--max-stops", type=_stops, default=3, help="stops allowed on one truck (default 3)"
        )
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
            type=_seconds,
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
        # call_command() passes options as given, without the argument types above
        for option, problem in (
            ("--capacity", options["capacity"] is not None and truckload_problem(options["capacity"])),
            ("--time-limit", time_limit_problem(options["time_limit"])),
        ):
            if problem:
                raise CommandError(f"{option}: {problem}")
        try:
            if path.stat().st_size > MAX_IMPORT_BYTES:
                raise CommandError(f"{path}: larger than {MAX_IMPORT_BYTES // (1024 * 1024)} MB")
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
