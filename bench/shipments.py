"""Benchmark: the USDA Foods split-shipment planner on seeded Upper-Midwest instances.

Run from the repository root (no Django, no database):

    .venv/bin/python bench/shipments.py            # the full table, well under two minutes
    .venv/bin/python bench/shipments.py --quick    # the small instances only

Instances: locations scattered around towns of Minnesota, Wisconsin, Iowa and Illinois (lat 40-48,
lon -97 to -87). "mixed" requests: mostly 10-90 % of a truck, some of one to three trucks and more,
a few tiny orders (2-10 %, below the 1/4-truck minimum drop). "quarter" requests: all 25-50 % of a
truck, the issue's hard case (such drops cannot be cut, so every truck must be an exact triple;
they average 37.5 % of a truck, so cases must be moved). Truckloads are illustrative (800-1,400
cases). Every instance is built from its seed, so runs are comparable.

Columns: cases adjusted by the plan and the lower bound reported with it, trucks and their lower
bound, total route km, solve seconds; for small instances CP-SAT's exact model on the whole
instance: "(adjusted, trucks)*" when proven optimal, else the best it found and its proven lower
bound on adjusted cases. A plan that meets both of its own bounds is already optimal.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from usda_foods.shipping.planner import Location, Plan, PlanRules, plan_food, validate_plan  # noqa: E402
from usda_foods.shipping.planner.exact import exact_optimum  # noqa: E402

#: (lat, lon) of towns the locations cluster around.
TOWNS = (
    (44.98, -93.27),  # Minneapolis
    (46.79, -92.10),  # Duluth
    (44.02, -92.47),  # Rochester MN
    (45.56, -94.16),  # St Cloud
    (47.47, -94.88),  # Bemidji
    (43.07, -89.40),  # Madison
    (44.51, -88.02),  # Green Bay
    (44.81, -91.50),  # Eau Claire
    (43.04, -87.91),  # Milwaukee
    (41.59, -93.62),  # Des Moines
    (42.50, -96.40),  # Sioux City
    (41.98, -91.67),  # Cedar Rapids
    (42.50, -90.66),  # Dubuque
    (41.88, -87.63),  # Chicago
    (40.69, -89.59),  # Peoria
    (42.27, -89.09),  # Rockford
)


@dataclass(frozen=True)
class Case:
    label: str
    n: int
    seed: int
    capacity: int
    warehouse: bool = False
    exact: bool = False
    kind: str = "mixed"
    #: CP-SAT deterministic seconds for the exact solve (when the plan does not prove itself).
    exact_seconds: float = 8.0


CASES = (
    Case("20-a", 20, 1, 1000, exact=True),
    Case("20-b", 20, 2, 800, exact=True),
    Case("20-c", 20, 3, 1200, exact=True),
    Case("20-wh", 20, 4, 1000, warehouse=True),
    Case("100-a", 100, 11, 1000, exact=True),
    Case("100-b", 100, 12, 1400, exact=True),
    Case("500", 500, 21, 1200),
    Case("1000-a", 1000, 31, 1000),
    Case("1000-b", 1000, 32, 1400),
    Case("1000-wh", 1000, 33, 1000, warehouse=True),
    Case("20-q", 20, 41, 1000, exact=True, kind="quarter", exact_seconds=90.0),
    Case("100-q", 100, 42, 1000, kind="quarter"),
    Case("1000-q", 1000, 43, 1000, kind="quarter"),
)


def instance(*, n: int, seed: int, capacity: int, warehouse: bool, kind: str = "mixed") -> list[Location]:
    rng = random.Random(seed)
    locations = []
    for i in range(n):
        lat0, lon0 = rng.choice(TOWNS)
        lat = min(48.0, max(40.0, rng.gauss(lat0, 0.45)))
        lon = min(-87.0, max(-97.0, rng.gauss(lon0, 0.6)))
        u = rng.random()
        if kind == "quarter":
            cases = int(capacity * rng.uniform(0.25, 0.50))
        elif u < 0.78:
            cases = int(capacity * rng.uniform(0.10, 0.90))
        elif u < 0.90:
            cases = rng.randint(1, 3) * capacity + int(capacity * rng.uniform(0.0, 0.99))
        else:
            cases = int(capacity * rng.uniform(0.02, 0.10))
        locations.append(
            Location(name=f"SFA-{seed}-{i:04d}", lat=round(lat, 5), lon=round(lon, 5), cases=cases)
        )
    if warehouse:
        locations.append(
            Location(
                name=f"STATE-WH-{seed}",
                lat=44.95,
                lon=-93.09,
                cases=rng.randint(0, 3 * capacity),
                warehouse=True,
            )
        )
    return locations


def hint_from(plan: Plan, locations: list[Location]) -> list[list[tuple[int, int]]]:
    index = {loc.name: i for i, loc in enumerate(locations)}
    return [[(index[s.location], s.cases) for s in truck.stops] for truck in plan.trucks]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="only the 20- and 100-location instances")
    parser.add_argument(
        "--exact-scale", type=float, default=1.0, help="multiply every exact solve's time budget"
    )
    args = parser.parse_args()
    header = (
        f"{'instance':<9}{'n':>5}{'Q':>6} {'wh':<3}{'requested':>10}{'adjusted':>9}{'adj LB':>8}{'trucks':>7}"
        f"{'trk LB':>7}{'km':>10}{'secs':>6}   optimum"
    )
    print(header)
    print("-" * len(header))
    started = time.perf_counter()
    failures = 0
    for case in CASES:
        if args.quick and case.n > 100:
            continue
        locations = instance(
            n=case.n, seed=case.seed, capacity=case.capacity, warehouse=case.warehouse, kind=case.kind
        )
        rules = PlanRules(capacity=case.capacity)
        plan = plan_food(food="bench", locations=locations, rules=rules)
        problems = validate_plan(plan=plan, locations=locations, rules=rules)
        failures += bool(problems)
        s, lb = plan.summary, plan.lower_bounds
        line = (
            f"{case.label:<9}{case.n:>5}{case.capacity:>6} {'yes' if case.warehouse else 'no':<3}"
            f"{s.requested_cases:>10}{s.adjusted_cases:>9}{lb.adjusted_cases:>8}{s.trucks:>7}{lb.trucks:>7}"
            f"{s.total_km:>10.0f}{s.solve_seconds:>6.2f}"
        )
        optimal = s.adjusted_cases == lb.adjusted_cases and s.trucks == lb.trucks
        if optimal:
            line += "   plan meets both bounds: optimal"
        elif case.exact and not case.warehouse:
            opt = exact_optimum(
                requests=[loc.cases for loc in locations],
                capacity=case.capacity,
                min_drop=rules.min_drop_cases,
                max_stops=rules.max_stops,
                cost_upper=s.adjusted_cases,
                cost_lower=lb.adjusted_cases,
                deterministic_s=case.exact_seconds * args.exact_scale,
                hint=hint_from(plan, locations),
            )
            if opt.proven:
                line += f"   exact: ({opt.adjusted_cases}, {opt.trucks})*  ({opt.seconds:.1f}s)"
            else:
                line += (
                    f"   exact: best ({opt.adjusted_cases}, {opt.trucks}), adjusted >= {opt.adjusted_cases_bound}"
                    f"  ({opt.seconds:.1f}s, not proven)"
                )
        if problems:
            line += f"   INVALID: {problems[:2]}"
        print(line, flush=True)
    print(
        f"\ntotal {time.perf_counter() - started:.1f}s; {'all plans valid' if not failures else f'{failures} invalid'}"
    )
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
