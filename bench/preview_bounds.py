"""Benchmark: what the shipment preview and ``plan_shipments`` cost at the edges of their input.

Run from the repository root with the test settings and your database (the scenarios touch no
table, but Django must start):

    DJANGO_SETTINGS_MODULE=focus_lab.settings.test .venv/bin/python bench/preview_bounds.py
    ... bench/preview_bounds.py worst             # one scenario

Each scenario runs in a fresh process, so its peak RSS (``ru_maxrss``) is its own. Scenarios:

- ``worst``: the issue's input, 1,000,000 cases at a capacity of 1, through the preview's parsing
  and, if it is accepted, the planner (before the bounds: planned in the request);
- ``sync-max``: the slowest preview still planned inside the request found by trying seeds
  (20 rows of 20-34 % of a truck over 2 foods, the planner's hard case);
- ``async-max``: the biggest preview the bounds accept (500 rows, 10 foods, 5,000 truckloads
  each), as the worker plans it;
- ``window``: one food of a big window: 2,000 sites, requests of 0.1-3.5 truckloads;
- ``command-1e15``: ``plan_shipments --capacity 1000000000000000`` on a file asking 1e23 cases.
"""

from __future__ import annotations

import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ("worst", "sync-max", "async-max", "window", "command-1e15")


def _rows(n: int, *, seed: int, capacity: int, food: str, low: float, high: float) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    return [
        {"location": f"{food}-{i}", "lat": round(rng.uniform(40, 48), 4), "lon": round(rng.uniform(-97, -87), 4),
         "cases": int(capacity * rng.uniform(low, high)), "food": food, "capacity": capacity}
        for i in range(n)
    ]  # fmt: skip


def _body(name: str) -> dict[str, Any]:
    if name == "worst":
        return {"rows": [{"location": "A", "lat": 44.98, "lon": -93.27, "cases": 1_000_000}], "capacity": 1}
    if name == "sync-max":
        rows = [
            r for f in range(2) for r in _rows(10, seed=f, capacity=1_000, food=f"f{f}", low=0.2, high=0.34)
        ]
        return {"rows": rows}
    if name == "async-max":
        rows = [
            r for f in range(10) for r in _rows(50, seed=f, capacity=5_000, food=f"f{f}", low=99.2, high=100)
        ]
        return {"rows": rows}
    if name == "window":
        return {"rows": _rows(2_000, seed=7, capacity=1_000, food="beans", low=0.1, high=3.5)}
    raise SystemExit(f"unknown scenario {name}")


def _one(name: str) -> dict[str, Any]:
    """Run one scenario in this process and return its figures."""
    import django

    django.setup()
    from usda_foods.shipping import planner as shipping
    from usda_foods.shipping.api import PreviewInputError, is_small, parse_preview
    from usda_foods.shipping.planner.csv_input import parse_demand_rows

    started = time.perf_counter()
    if name == "command-1e15":
        from django.core.management import CommandError, call_command

        with tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False) as f:
            f.write("location,lat,lon,cases\nA,44.98,-93.27,100000000000000000000000\nB,44.95,-93.2,25\n")
        try:
            call_command(
                "plan_shipments",
                "--input",
                f.name,
                "--capacity",
                "1000000000000000",
                stdout=open(os.devnull, "w"),
            )
            answer = "planned"
        except CommandError as exc:
            answer = f"CommandError: {exc}"
        finally:
            os.unlink(f.name)
    elif name == "window":
        demands = parse_demand_rows(_body(name)["rows"], first_line=1)
        plans = shipping.plan_many(demands=demands)
        answer = (
            f"planned: {plans[0].summary.trucks} trucks, {plans[0].summary.adjusted_cases} cases adjusted"
        )
    else:
        try:
            demands = parse_preview(_body(name))
        except PreviewInputError as exc:
            answer = f"400: {exc.errors[0]['message']}"
        else:
            mode = "200 (in the request)" if is_small(demands) else "202 (worker)"
            plans = shipping.plan_many(demands=demands)
            size = len(json.dumps(shipping.plan_to_json(plans)))
            answer = f"{mode}: {sum(p.summary.trucks for p in plans):,} trucks, JSON {size / 1e6:.1f} MB"
    return {
        "scenario": name,
        "seconds": round(time.perf_counter() - started, 2),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "answer": answer,
    }


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--one":
        print(json.dumps(_one(sys.argv[2])))
        return
    names = sys.argv[1:] or SCENARIOS
    print(f"{'scenario':<14}{'seconds':>9}{'peak MB':>9}  answer")
    for name in names:
        out = subprocess.run([sys.executable, __file__, "--one", name], capture_output=True, text=True, cwd=ROOT,  # noqa: S603
                             timeout=900)  # fmt: skip
        if out.returncode:
            print(f"{name:<14} failed: {out.stderr.strip().splitlines()[-1:]}")
            continue
        row = json.loads(out.stdout.strip().splitlines()[-1])
        print(f"{name:<14}{row['seconds']:>9}{row['peak_rss_mb']:>9}  {row['answer']}")


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
