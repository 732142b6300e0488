"""Benchmark: the USDA Foods split-shipment planner on seeded Upper-Midwest instances.

Run from the repository root (no Django, no database):

    .venv/bin/python bench/shipments.py            # the full table, well under two minutes
    .venv/bin/python bench/shipments.py --quick    # the small instances only
    .venv/bin/python bench/shipments.py --families # only the packing families (issue 18)

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

Packing families (``usda_foods.shipping.planner.families``, truck 1,000 cases, minimum drop 250):
"exact-fill" (every request 1/4 to 1/2 truck, three drops filling each truck exactly: the plan must
adjust nothing), "all-small" (every request under 1/4 truck) and "70%-small", each beside plain
first-fit decreasing (``groups.first_fit_decreasing_plan``), with time and the process's peak
resident memory so far ("RSS MB", it never goes down: each row's is an upper bound for its run).
"""

from __future__ import annotations

import argparse
import random
import resource
import sys
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from usda_foods.shipping.planner import Location, Plan, PlanRules, families, plan_food, validate_plan  # noqa: E402
from usda_foods.shipping.planner.exact import exact_optimum  # noqa: E402
from usda_foods.shipping.planner.groups import first_fit_decreasing_plan  # noqa: E402


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
        lat, lon = families.place(rng)
        u = rng.random()
        if kind == "quarter":
            cases = int(capacity * rng.uniform(0.25, 0.50))
        elif u < 0.78:
            cases = int(capacity * rng.uniform(0.10, 0.90))
        elif u < 0.90:
            cases = rng.randint(1, 3) * capacity + int(capacity * rng.uniform(0.0, 0.99))
        else:
            cases = int(capacity * rng.uniform(0.02, 0.10))
        locations.append(Location(name=f"SFA-{seed}-{i:04d}", lat=lat, lon=lon, cases=cases))
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


#: (family, requests, seed) of the packing table.
FAMILY_CASES = (
    ("exact-fill", 60, 1),
    ("exact-fill", 120, 2),
    ("exact-fill", 249, 3),
    ("exact-fill", 1000, 4),
    ("all-small", 60, 5),
    ("all-small", 249, 6),
    ("all-small", 1000, 7),
    ("70%-small", 60, 8),
    ("70%-small", 249, 9),
    ("70%-small", 1000, 10),
)


def family_table(*, quick: bool) -> int:
    """The packing families beside first-fit decreasing; returns the number of failures (an
    invalid plan, an exact-fill plan that adjusts, a plan that loses to first-fit decreasing)."""
    header = (
        f"{'family':<11}{'n':>6}{'requested':>10}{'adjusted':>9}{'adj LB':>8}{'trucks':>7}{'trk LB':>7}"
        f"{'FFD adj':>9}{'FFD trk':>8}{'secs':>7}{'RSS MB':>8}"
    )
    print("\n" + header)
    print("-" * len(header))
    rules = PlanRules(capacity=1000)
    failures = 0
    for family, n, seed in FAMILY_CASES:
        if quick and n > 249:
            continue
        if family == "exact-fill":
            locations = families.exact_fill(n=n, seed=seed)
        else:
            locations = families.small(n=n, seed=seed, small_share=1.0 if family == "all-small" else 0.7)
        started = time.perf_counter()
        plan = plan_food(food="bench", locations=locations, rules=rules)
        seconds = time.perf_counter() - started
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
        ffd = first_fit_decreasing_plan(
            [loc.cases for loc in locations], cap=1000, m=rules.min_drop_cases, s=rules.max_stops
        )
        s, lb = plan.summary, plan.lower_bounds
        problems = validate_plan(plan=plan, locations=locations, rules=rules)
        bad = bool(problems) or (s.adjusted_cases, s.trucks) > ffd
        bad = bad or (family == "exact-fill" and s.adjusted_cases != 0)
        failures += bad
        print(
            f"{family:<11}{n:>6}{s.requested_cases:>10,}{s.adjusted_cases:>9,}{lb.adjusted_cases:>8,}{s.trucks:>7}"
            f"{lb.trucks:>7}{ffd[0]:>9,}{ffd[1]:>8}{seconds:>7.2f}{peak:>8.1f}"
            + ("   FAILED" if bad else ""),
            flush=True,
        )
    return failures


def national(*, states: int, districts: int, foods: int, share: float, seed: int = 2026) -> int:
    """A national window without Django: ``states`` states share ``districts`` districts; each
    district orders each of ``foods`` foods with probability ``share`` (mixed sizes); every state
    plans every food (``plan_food``, one process: the Celery task runs the same call per food).
    Prints time, peak memory, adjusted cases and trucks against their bounds."""
    rng = random.Random(seed)
    per_state = districts // states
    totals = dict(plans=0, requests=0, adjusted=0, adjusted_lb=0, trucks=0, trucks_lb=0, invalid=0)
    slowest = 0.0
    started = time.perf_counter()
    for state in range(states):
        for food in range(foods):
            capacity = rng.choice((800, 1000, 1200, 1400))
            n = sum(rng.random() < share for _ in range(per_state))
            locations = instance(
                n=n, seed=rng.randrange(1 << 30), capacity=capacity, warehouse=False, kind="mixed"
            )
            rules = PlanRules(capacity=capacity)
            t0 = time.perf_counter()
            plan = plan_food(food=f"S{state:02d}-F{food:02d}", locations=locations, rules=rules)
            slowest = max(slowest, time.perf_counter() - t0)
            totals["invalid"] += bool(validate_plan(plan=plan, locations=locations, rules=rules))
            totals["plans"] += 1
            totals["requests"] += n
            totals["adjusted"] += plan.summary.adjusted_cases
            totals["adjusted_lb"] += plan.lower_bounds.adjusted_cases
            totals["trucks"] += plan.summary.trucks
            totals["trucks_lb"] += plan.lower_bounds.trucks
        print(f"  state {state + 1}/{states} done, {time.perf_counter() - started:.0f}s", flush=True)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"\nnational: {states} states, {districts:,} districts, {foods} foods: {totals['plans']:,} plans, "
        f"{totals['requests']:,} requests in {time.perf_counter() - started:.0f}s (slowest food "
        f"{slowest:.1f}s), peak RSS {rss:.0f} MB\n  adjusted {totals['adjusted']:,} (bound "
        f"{totals['adjusted_lb']:,}), trucks {totals['trucks']:,} (bound {totals['trucks_lb']:,}), "
        f"{totals['invalid']} invalid"
    )
    return totals["invalid"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="only the 20- and 100-location instances")
    parser.add_argument("--families", action="store_true", help="only the packing families")
    parser.add_argument(
        "--exact-scale", type=float, default=1.0, help="multiply every exact solve's time budget"
    )
    parser.add_argument("--national", action="store_true", help="only the national run (no Django)")
    parser.add_argument("--states", type=int, default=50, help="national run: states (default 50)")
    parser.add_argument("--districts", type=int, default=18_000, help="national run: districts")
    parser.add_argument("--foods", type=int, default=40, help="national run: foods (default 40)")
    parser.add_argument(
        "--share", type=float, default=0.3, help="national run: share of districts ordering a food"
    )
    args = parser.parse_args()
    if args.national:
        return (
            1
            if national(states=args.states, districts=args.districts, foods=args.foods, share=args.share)
            else 0
        )
    if args.families:
        return 1 if family_table(quick=args.quick) else 0
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
    failures += family_table(quick=args.quick)
    print(
        f"\ntotal {time.perf_counter() - started:.1f}s; {'all plans valid' if not failures else f'{failures} failed'}"
    )
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
