"""``manage.py plan_shipments``: CSV in, JSON plan out; bad input is a CommandError naming the
line. No database."""

from __future__ import annotations

import io
import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from usda_foods.shipping.planner.csv_input import DemandRowError, parse_demand_rows, read_demands_csv


def run(path: Path, *args: str) -> dict:
    out = io.StringIO()
    call_command("plan_shipments", "--input", str(path), *args, stdout=out)
    return json.loads(out.getvalue())


def write(tmp_path: Path, text: str, name: str = "demands.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_one_food_with_capacity_option(tmp_path):
    path = write(
        tmp_path,
        "location,lat,lon,cases\n"
        "Alpha High,44.98,-93.27,50\n"
        "Bravo Elementary,44.95,-93.20,25\n"
        "Charlie Middle,45.01,-93.30,25\n",
    )
    data = run(path, "--capacity", "100")
    assert set(data) == {"trucks", "adjustments", "lower_bounds", "summary"}
    (truck,) = data["trucks"]
    assert truck["food"] == "demands"  # the file name, without a food column
    assert truck["cases"] == 100
    assert sorted((s["location"], s["cases"]) for s in truck["stops"]) == [
        ("Alpha High", 50),
        ("Bravo Elementary", 25),
        ("Charlie Middle", 25),
    ]
    assert truck["distance_km"] > 0
    assert data["adjustments"] == []
    assert data["lower_bounds"] == {"adjusted_cases": 0, "trucks": 1}
    assert data["summary"]["requested_cases"] == 100
    assert data["summary"]["trucks"] == 1


def test_several_foods_with_their_own_truckloads_and_a_warehouse(tmp_path):
    path = write(
        tmp_path,
        "food,capacity,location,lat,lon,cases,warehouse\n"
        "peaches,100,A,44.98,-93.27,20,false\n"
        "peaches,,B,44.95,-93.20,80,\n"
        "chicken,40,A,44.98,-93.27,10,no\n"
        "chicken,40,B,44.95,-93.20,10,\n"
        "chicken,40,C,45.01,-93.30,10,\n"
        "chicken,40,State warehouse,44.95,-93.09,0,TRUE\n",
    )
    data = run(path)
    foods = {f["food"]: f for f in data["summary"]["per_food"]}
    assert foods["peaches"]["capacity"] == 100 and foods["chicken"]["capacity"] == 40
    assert foods["chicken"]["warehouse"] == "State warehouse"
    # peaches: 20 -> 25 and 80 -> 75 (10 cases); chicken: the warehouse fills the truck, free.
    assert foods["peaches"]["adjusted_cases"] == 10
    assert foods["chicken"]["adjusted_cases"] == 0
    chicken = [t for t in data["trucks"] if t["food"] == "chicken"]
    assert all(t["cases"] == 40 and len(t["stops"]) <= 3 for t in chicken)
    assert all(s["cases"] >= 10 for t in chicken for s in t["stops"])  # 1/4 of 40
    got = {}
    for truck in chicken:
        for stop in truck["stops"]:
            got[stop["location"]] = got.get(stop["location"], 0) + stop["cases"]
    assert {k: got[k] for k in "ABC"} == {"A": 10, "B": 10, "C": 10}
    absorbed = [a for a in data["adjustments"] if a["food"] == "chicken"]
    assert [(a["location"], a["cases"]) for a in absorbed] == [("State warehouse", got["State warehouse"])]
    assert data["summary"]["adjusted_cases"] == 10


def test_rules_options_are_applied(tmp_path):
    path = write(
        tmp_path, "location,lat,lon,cases\nA,44,-93,25\nB,44.1,-93,25\nC,44.2,-93,25\nD,44.3,-93,25\n"
    )
    assert run(path, "--capacity", "100", "--max-stops", "4")["summary"]["adjusted_cases"] == 0
    assert run(path, "--capacity", "100")["summary"]["adjusted_cases"] == 50
    # A 30-case minimum drop makes 25-case drops impossible.
    assert (
        run(path, "--capacity", "100", "--max-stops", "4", "--min-drop", "0.3")["summary"]["adjusted_cases"]
        > 0
    )


@pytest.mark.parametrize(
    ("csv_text", "args", "message"),
    [
        ("location,lat,cases\nA,44,10\n", ["--capacity", "100"], r"line 1: missing column\(s\): lon"),
        (
            "location,lat,lon,cases\nA,44,-93,10\nB,44,-93,-5\n",
            ["--capacity", "100"],
            r"line 3: cases must be >= 0",
        ),
        (
            "location,lat,lon,cases\nA,44,-93,10\nB,44,-93,2.5\n",
            ["--capacity", "100"],
            r"line 3: cases must be a whole",
        ),
        ("location,lat,lon,cases\nA,44,-93,ten\n", ["--capacity", "100"], r"line 2: cases must be a whole"),
        ("location,lat,lon,cases\nA,44,-93,\n", ["--capacity", "100"], r"line 2: cases is empty"),
        ("location,lat,lon,cases\nA,north,-93,10\n", ["--capacity", "100"], r"line 2: lat must be a number"),
        ("location,lat,lon,cases\nA,44,-93,10\nB,95,-93,10\n", ["--capacity", "100"], r"line 3: lat 95"),
        ("location,lat,lon,cases\nA,44,-193,10\n", ["--capacity", "100"], r"line 2: lon -193"),
        ("location,lat,lon,cases\n,44,-93,10\n", ["--capacity", "100"], r"line 2: location is empty"),
        (
            "location,lat,lon,cases\nA,44,-93,10\nA,44,-93,10\n",
            ["--capacity", "100"],
            r"line 3: location 'A' is listed twice",
        ),
        (
            "location,lat,lon,cases,warehouse\nW1,44,-93,0,true\nW2,44,-93,0,yes\n",
            ["--capacity", "100"],
            r"line 3: a second warehouse",
        ),
        (
            "location,lat,lon,cases,warehouse\nA,44,-93,10,maybe\n",
            ["--capacity", "100"],
            r"line 2: warehouse must be",
        ),
        (
            "food,location,lat,lon,cases\npeaches,A,44,-93,10\n",
            [],
            r"line 2: unknown food 'peaches': no truckload capacity",
        ),
        ("location,lat,lon,cases\nA,44,-93,10\n", [], r"line 2: unknown food 'demands'"),
        (
            "food,capacity,location,lat,lon,cases\npeaches,100,A,44,-93,10\npeaches,0,B,44,-93,10\n",
            [],
            r"line 3: capacity must be >= 1",
        ),
        (
            "food,capacity,location,lat,lon,cases\npeaches,100,A,44,-93,10\npeaches,120,B,44,-93,10\n",
            [],
            r"line 3: capacity 120 for 'peaches' differs from 100 on line 2",
        ),
        ("food,location,lat,lon,cases\n,A,44,-93,10\n", ["--capacity", "100"], r"line 2: food is empty"),
        ("location,lat,lon,cases\nA,44,-93,10,extra\n", ["--capacity", "100"], r"line 2: 5 cells"),
        ("location,lat,lon,cases\n", ["--capacity", "100"], r"line 2: no demand rows"),
        ("", ["--capacity", "100"], r"line 1: the file is empty"),
        (
            "location,lat,lon,cases\nA,44,-93,10\n",
            ["--capacity", "0"],
            r"--capacity: cases per truckload must be between 10 and 5,000",
        ),
        (
            "location,lat,lon,cases\nA,44,-93,10\n",
            ["--capacity", "100", "--min-drop", "a lot"],
            r"--min-drop",
        ),
        ("location,lat,lon,cases\nA,44,-93,10\n", ["--capacity", "100", "--min-drop", "2"], r"min_drop"),
        ("location,lat,lon,cases\nA,44,-93,10\n", ["--capacity", "100", "--max-stops", "0"], r"max_stops"),
    ],
)
def test_bad_input_is_a_command_error_naming_the_line(tmp_path, csv_text, args, message):
    path = write(tmp_path, csv_text)
    with pytest.raises(CommandError, match=message):
        run(path, *args)


def test_blank_lines_keep_the_line_numbers(tmp_path):
    path = write(tmp_path, "location,lat,lon,cases\nA,44,-93,10\n\nB,44,-93,-1\n")
    with pytest.raises(CommandError, match="line 4: cases"):
        run(path, "--capacity", "100")


def test_missing_file(tmp_path):
    with pytest.raises(CommandError, match="no such file"):
        run(tmp_path / "nope.csv", "--capacity", "100")


def test_rows_from_json_for_an_api():
    # The same parser takes already-typed rows (e.g. a JSON body), numbered from 1.
    rows = [
        {"location": "A", "lat": 44.98, "lon": -93.27, "cases": 50},
        {"location": "B", "lat": 44.95, "lon": -93.2, "cases": 50, "warehouse": False},
    ]
    (demand,) = parse_demand_rows(rows, capacity=100, first_line=1, default_food="peaches")
    assert demand.food == "peaches" and demand.rules.capacity == 100
    assert [(loc.name, loc.cases) for loc in demand.locations] == [("A", 50), ("B", 50)]
    with pytest.raises(DemandRowError, match="line 2: cases must be >= 0") as caught:
        parse_demand_rows(rows[:1] + [rows[1] | {"cases": -3}], capacity=100, first_line=1)
    assert caught.value.line == 2
    with pytest.raises(DemandRowError, match="line 1: unknown food 'beans'"):
        parse_demand_rows([rows[0] | {"food": "beans"}], first_line=1, known_foods={"peaches": 100})
    (known,) = parse_demand_rows([rows[0] | {"food": "peaches"}], first_line=1, known_foods={"peaches": 1330})
    assert known.rules.capacity == 1330


def test_csv_parser_reads_rules():
    (demand,) = read_demands_csv(
        "\ufefflocation, LAT ,lon,cases\nA,44,-93,7\n", capacity=40, max_stops=2, min_drop=Decimal("0.5")
    )
    assert demand.rules.max_stops == 2 and demand.rules.min_drop_cases == 20
    assert demand.locations[0].lat == 44.0
