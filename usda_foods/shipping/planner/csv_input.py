"""Demand rows for the shipment planner, from CSV text or already-parsed rows (pure, no Django).

Columns: ``location``, ``lat``, ``lon``, ``cases`` (required); ``warehouse`` (true/false),
``food`` and ``capacity`` (cases per truck of that food) are optional. Without a ``food`` column
every row is one food (``default_food``); where a row has no capacity the ``capacity`` argument
applies. Every problem is reported as :class:`DemandRowError` naming the line (the header is line
1, so the first row is line 2; for rows that did not come from a file, pass ``first_line=1`` to
number them from 1).
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable, Mapping
from decimal import Decimal
from fractions import Fraction

from usda_foods import bounds

from .model import FoodDemand, Location, PlanningInputError, PlanRules

REQUIRED_COLUMNS = ("location", "lat", "lon", "cases")
OPTIONAL_COLUMNS = ("warehouse", "food", "capacity")
# Every food's locations (``bounds.MAX_LOCATIONS_PER_FOOD``) for a few foods in one file; a window
# with more foods is planned by the task, food by food.
MAX_ROWS = 5 * bounds.MAX_LOCATIONS_PER_FOOD
_TRUE = {"true", "yes", "y", "1", "t"}
_FALSE = {"false", "no", "n", "0", "f", ""}


class DemandRowError(PlanningInputError):
    """A bad demand row (or header); ``line`` is its line number, ``None`` for a problem with an
    option rather than a row."""

    def __init__(self, message: str, *, line: int | None) -> None:
        self.line = line
        super().__init__(f"line {line}: {message}" if line is not None else message)


def read_demands_csv(
    text: str,
    *,
    capacity: int | None = None,
    max_stops: int = 3,
    min_drop: Decimal | Fraction = Decimal("0.25"),
    default_food: str = "food",
    known_foods: Mapping[str, int] | None = None,
) -> list[FoodDemand]:
    """Parse CSV ``text`` (header on line 1) into one :class:`FoodDemand` per food."""
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    try:
        header = next(reader)
    except StopIteration:
        raise DemandRowError(
            "the file is empty (expected a header: location,lat,lon,cases)", line=1
        ) from None
    except csv.Error as exc:  # a cell over the csv module's field limit (128 KiB)
        raise DemandRowError(f"cannot read the header ({exc})", line=1) from None
    names = [h.strip().lower() for h in header]
    missing = [c for c in REQUIRED_COLUMNS if c not in names]
    if missing:
        raise DemandRowError(
            f"missing column(s): {', '.join(missing)} (header has: {', '.join(names)})", line=1
        )
    dupes = sorted({n for n in names if n and names.count(n) > 1})
    if dupes:
        raise DemandRowError(f"column(s) listed twice: {', '.join(dupes)}", line=1)
    rows: list[dict[str, str]] = []
    try:
        for cells in reader:
            line = reader.line_num
            if not any(c.strip() for c in cells):
                rows.append({})  # a blank line: keep the numbering, skip it later
                continue
            if len(cells) > len(names):
                raise DemandRowError(
                    f"{len(cells)} cells, but the header has {len(names)} columns", line=line
                )
            if len(rows) >= MAX_ROWS:
                raise DemandRowError(f"more than {MAX_ROWS:,} rows", line=line)
            rows.append({n: (cells[i] if i < len(cells) else "") for i, n in enumerate(names)})
    except csv.Error as exc:  # a cell over the csv module's field limit (128 KiB)
        raise DemandRowError(f"cannot read the row ({exc})", line=reader.line_num) from None
    return parse_demand_rows(
        rows,
        capacity=capacity,
        max_stops=max_stops,
        min_drop=min_drop,
        default_food=default_food,
        known_foods=known_foods,
        first_line=2,
    )


def parse_demand_rows(
    rows: Iterable[Mapping[str, object]],
    *,
    capacity: int | None = None,
    max_stops: int = 3,
    min_drop: Decimal | Fraction = Decimal("0.25"),
    default_food: str = "food",
    known_foods: Mapping[str, int] | None = None,
    first_line: int = 2,
) -> list[FoodDemand]:
    """Rows (column name -> value, as strings or already-typed JSON values) into one
    :class:`FoodDemand` per food, in the order foods first appear. An empty mapping is a blank
    line and is skipped. ``known_foods`` (food -> cases per truck), if given, is the catalogue:
    a food not in it is an error, and its capacity applies where a row gives none."""
    if capacity is not None and (problem := bounds.truckload_problem(capacity)):
        raise DemandRowError(f"capacity: {problem}", line=None)
    try:
        PlanRules(capacity=bounds.MIN_CASES_PER_TRUCKLOAD, max_stops=max_stops, min_drop=min_drop)
    except PlanningInputError as exc:
        raise DemandRowError(str(exc), line=None) from exc
    foods: dict[str, list[tuple[int, Location]]] = {}
    capacities: dict[str, tuple[int, int]] = {}  # food -> (capacity, line that set it)
    first_seen: dict[str, int] = {}
    warehouses: dict[str, int] = {}
    names: dict[tuple[str, str], int] = {}
    count = 0
    for offset, row in enumerate(rows):
        line = first_line + offset
        if not row:
            continue
        count += 1
        if count > MAX_ROWS:
            raise DemandRowError(f"more than {MAX_ROWS:,} rows", line=line)
        food = _text(row.get("food"), default=default_food)
        if not food:
            raise DemandRowError("food is empty", line=line)
        if known_foods is not None and food not in known_foods:
            raise DemandRowError(f"unknown food {food!r}", line=line)
        name = _text(row.get("location"), default="")
        if not name:
            raise DemandRowError("location is empty", line=line)
        lat = _coordinate(row.get("lat"), label="lat", bound=90.0, line=line)
        lon = _coordinate(row.get("lon"), label="lon", bound=180.0, line=line)
        cases = _whole(row.get("cases"), label="cases", line=line, minimum=0)
        if problem := bounds.request_problem(cases):
            raise DemandRowError(problem, line=line)
        warehouse = _flag(row.get("warehouse"), line=line)
        row_capacity = row.get("capacity")
        if row_capacity is not None and _text(row_capacity, default="") != "":
            cap = _whole(row_capacity, label="capacity", line=line, minimum=1)
            if problem := bounds.truckload_problem(cap):
                raise DemandRowError(problem, line=line)
            if food in capacities and capacities[food][0] != cap:
                prev_cap, prev_line = capacities[food]
                raise DemandRowError(
                    f"capacity {cap} for {food!r} differs from {prev_cap} on line {prev_line}", line=line
                )
            capacities.setdefault(food, (cap, line))
        if (food, name) in names:
            raise DemandRowError(
                f"location {name!r} is listed twice for {food!r} (also line {names[(food, name)]})", line=line
            )
        names[(food, name)] = line
        if warehouse:
            if food in warehouses:
                raise DemandRowError(
                    f"a second warehouse for {food!r} (the first is on line {warehouses[food]})", line=line
                )
            warehouses[food] = line
        first_seen.setdefault(food, line)
        foods.setdefault(food, []).append(
            (line, Location(name=name, lat=lat, lon=lon, cases=cases, warehouse=warehouse))
        )
    if not count:
        raise DemandRowError("no demand rows", line=first_line)
    demands = []
    for food, located in foods.items():
        if food in capacities:
            cap = capacities[food][0]
        elif known_foods is not None:
            cap = known_foods[food]
        elif capacity is not None:
            cap = capacity
        else:
            raise DemandRowError(
                f"unknown food {food!r}: no truckload capacity (give a capacity column or --capacity)",
                line=first_seen[food],
            )
        if problem := bounds.truckload_problem(cap):
            raise DemandRowError(f"{food!r}: {problem}", line=first_seen[food])
        for line, loc in located:
            if problem := bounds.request_problem(loc.cases, capacity=cap):
                raise DemandRowError(f"{food!r}: {problem}", line=line)
        total = sum(loc.cases for _, loc in located)
        if problem := bounds.food_problem(locations=len(located), cases=total, capacity=cap):
            raise DemandRowError(f"{food!r}: {problem}", line=first_seen[food])
        rules = PlanRules(capacity=cap, max_stops=max_stops, min_drop=min_drop)
        demands.append(FoodDemand(food=food, locations=tuple(loc for _, loc in located), rules=rules))
    return demands


def _text(value: object, *, default: str) -> str:
    if value is None:
        return default
    return str(value).strip()


def _whole(value: object, *, label: str, line: int, minimum: int) -> int:
    if isinstance(value, bool):
        raise DemandRowError(f"{label} must be a whole number, not {value!r}", line=line)
    if isinstance(value, int):
        number = value
    else:
        text = _text(value, default="")
        if not text:
            raise DemandRowError(f"{label} is empty", line=line)
        try:
            number = int(text)
        except ValueError:
            raise DemandRowError(f"{label} must be a whole number, not {text!r}", line=line) from None
    if number < minimum:
        raise DemandRowError(f"{label} must be >= {minimum}, not {number}", line=line)
    return number


def _coordinate(value: object, *, label: str, bound: float, line: int) -> float:
    if isinstance(value, bool):
        raise DemandRowError(f"{label} must be a number, not {value!r}", line=line)
    if isinstance(value, int | float | Decimal):
        number = float(value)
    else:
        text = _text(value, default="")
        if not text:
            raise DemandRowError(f"{label} is empty", line=line)
        try:
            number = float(text)
        except ValueError:
            raise DemandRowError(f"{label} must be a number, not {text!r}", line=line) from None
    if not math.isfinite(number) or abs(number) > bound:
        raise DemandRowError(f"{label} {number} is outside -{bound:g}..{bound:g}", line=line)
    return number


def _flag(value: object, *, line: int) -> bool:
    if isinstance(value, bool):
        return value
    text = _text(value, default="").lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise DemandRowError(f"warehouse must be true or false, not {text!r}", line=line)
