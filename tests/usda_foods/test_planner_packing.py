"""Exact packing where it exists, small requests packed before they are rounded, the bounds that
count stops, neighbour lists from a grid, and the planner's words (issue 18, items 4 and 6)."""

from __future__ import annotations

import math
import random
import time

import pytest

from usda_foods.shipping.planner import (
    Location,
    PlanRules,
    explain,
    families,
    plan_food,
    validate_plan,
    words,
)
from usda_foods.shipping.planner.exact import exact_optimum
from usda_foods.shipping.planner.geo import nearest
from usda_foods.shipping.planner.groups import first_fit_decreasing_plan, packing_bound
from usda_foods.shipping.planner.partition import patterns, search

Q1000 = PlanRules(capacity=1000)  # minimum drop 250 cases


def plan_ok(locations, rules=Q1000, **kwargs):
    plan = plan_food(food="f", locations=locations, rules=rules, **kwargs)
    assert validate_plan(plan=plan, locations=locations, rules=rules) == []
    return plan


def exact(locations, plan, rules=Q1000, seconds=20.0):
    """CP-SAT's exact model on the whole instance, seeded with the plan (a hint, not a bound)."""
    index = {loc.name: i for i, loc in enumerate(locations)}
    return exact_optimum(
        requests=[loc.cases for loc in locations],
        capacity=rules.capacity,
        min_drop=rules.min_drop_cases,
        max_stops=rules.max_stops,
        cost_upper=plan.summary.adjusted_cases,
        deterministic_s=seconds,
        hint=[[(index[st.location], st.cases) for st in t.stops] for t in plan.trucks],
    )


def agrees(locations, plan, seconds=3.0):
    """The plan's adjusted cases are the exact model's optimum where CP-SAT proves it, and never
    worse than the best it finds otherwise."""
    optimum = exact(locations, plan, seconds=seconds)
    assert plan.summary.adjusted_cases >= optimum.adjusted_cases_bound
    if optimum.proven:
        assert plan.summary.adjusted_cases == optimum.adjusted_cases
    else:
        assert plan.summary.adjusted_cases <= optimum.adjusted_cases
    return optimum


# --- exact-fill instances: every request 1/4 to 1/2 truck, three drops fill each truck -----------


@pytest.mark.parametrize("n", [60, 120, 249])
def test_exact_fill_instances_are_planned_with_no_adjustment(n):
    locations = families.exact_fill(n=n, seed=n)
    assert all(250 <= loc.cases <= 500 for loc in locations)
    started = time.perf_counter()
    plan = plan_ok(locations)
    assert time.perf_counter() - started < 60  # generous for a busy CI machine; the bench shows real times
    assert plan.summary.adjusted_cases == 0 == plan.lower_bounds.adjusted_cases
    assert plan.summary.trucks == sum(loc.cases for loc in locations) // 1000 == plan.lower_bounds.trucks
    assert plan.adjustments == ()
    assert all(len(t.stops) >= 2 for t in plan.trucks)


def test_exact_fill_plans_are_deterministic():
    locations = families.exact_fill(n=60, seed=7)
    one, two = plan_ok(locations), plan_ok(locations)
    assert one.trucks == two.trucks


@pytest.mark.parametrize("seed", range(2))
def test_exact_fill_of_up_to_thirty_requests_agrees_with_the_exact_model(seed):
    for n in range(6, 31, 3):
        locations = families.exact_fill(n=n, seed=seed * 100 + n)
        plan = plan_ok(locations)
        assert plan.summary.adjusted_cases == 0
        assert agrees(locations, plan).proven


@pytest.mark.parametrize("seed", range(4))
def test_perturbed_exact_fill_agrees_with_the_exact_model(seed):
    # One request a few cases off: no plan without adjustment exists any more. The planner meets
    # the delivery DP's bound (one location takes the last cases, the rest fill trucks exactly),
    # which the exact model confirms.
    rng = random.Random(seed)
    for n in (9, 15, 21, 30):
        locations = families.exact_fill(n=n, seed=seed * 10 + n)
        j = rng.randrange(n)
        old = locations[j]
        locations[j] = Location(
            name=old.name, lat=old.lat, lon=old.lon, cases=old.cases + rng.choice([-7, -3, 4, 9])
        )
        plan = plan_ok(locations)
        assert plan.summary.adjusted_cases == plan.lower_bounds.adjusted_cases, (n, seed)
        agrees(locations, plan)


def test_perturbed_exact_fill_at_249_requests_meets_its_bound():
    locations = families.exact_fill(n=249, seed=5)
    old = locations[17]
    locations[17] = Location(name=old.name, lat=old.lat, lon=old.lon, cases=old.cases + 6)
    plan = plan_ok(locations)
    assert plan.summary.adjusted_cases == 6 == plan.lower_bounds.adjusted_cases


@pytest.mark.parametrize("share", [1.0, 0.7])
def test_small_families_of_a_dozen_agree_with_the_exact_model(share):
    for seed in range(3):
        locations = families.small(n=12, seed=seed, small_share=share)
        plan = plan_ok(locations)
        optimum = agrees(locations, plan, seconds=10.0)
        assert plan.lower_bounds.adjusted_cases <= optimum.adjusted_cases_bound


def test_a_set_that_cannot_fill_trucks_exactly_is_proved_so():
    # Two trucks of three: a truck with a 450 needs two drops making 550, and none do.
    sizes = [255, 265, 275, 305, 450, 450]
    assert patterns(sizes, cap=1000, s=3, deterministic_s=2.0) is None
    assert search(sizes, cap=1000, s=3) is None
    assert search([300, 300, 400, 300, 350, 350], cap=1000, s=3) is not None
    locations = [Location(name=f"s{i}", lat=44.9 + i / 100, lon=-93.2, cases=c) for i, c in enumerate(sizes)]
    plan = plan_ok(locations)
    assert plan.summary.adjusted_cases > 0


# --- small requests: packed before they are rounded ----------------------------------------------


def test_six_small_requests_fill_two_trucks_and_the_bound_sees_it():
    # Six requests of 200 cases (a truck is 1,000, a drop at least 250): rounding each to 0 or 250
    # first says 600 (four at 250, two at 0); but trucks of three 250s are 750, not a truck. Two
    # trucks of three, each raised by 400, adjust 800, and the stop-counting bound proves it.
    locations = [Location(name=f"s{i}", lat=44.9 + i / 100, lon=-93.2, cases=200) for i in range(6)]
    plan = plan_ok(locations)
    assert plan.summary.adjusted_cases == 800 == plan.lower_bounds.adjusted_cases
    assert plan.summary.trucks == 2 == plan.lower_bounds.trucks
    assert packing_bound([200] * 6, cap=1000, s=3) == 800
    assert exact(locations, plan).adjusted_cases == 800


@pytest.mark.parametrize(
    ("family", "n"),
    [("small", 30), ("small", 90), ("seventy", 30), ("seventy", 90), ("exact", 60), ("mixed", 60)],
)
def test_never_loses_to_first_fit_decreasing(family, n):
    for seed in range(3):
        if family == "small":
            locations = families.small(n=n, seed=seed)
        elif family == "seventy":
            locations = families.small(n=n, seed=seed, small_share=0.7)
        elif family == "exact":
            locations = families.exact_fill(n=n, seed=seed)
        else:
            locations = families.small(n=n, seed=seed, small_share=0.3)
        qs = [loc.cases for loc in locations]
        plan = plan_ok(locations)
        ffd = first_fit_decreasing_plan(qs, cap=1000, m=250, s=3)
        assert (plan.summary.adjusted_cases, plan.summary.trucks) <= ffd, (family, n, seed)
        assert plan.summary.adjusted_cases >= plan.lower_bounds.adjusted_cases


def test_all_small_plans_meet_the_packing_bound():
    for seed in range(3):
        locations = families.small(n=120, seed=seed)
        plan = plan_ok(locations)
        assert plan.summary.adjusted_cases == plan.lower_bounds.adjusted_cases
        assert plan.summary.trucks == plan.lower_bounds.trucks


@pytest.mark.parametrize("seed", range(20))
def test_the_packing_bound_never_exceeds_the_optimum(seed):
    rng = random.Random(seed)
    qs = [rng.randint(0, 300) for _ in range(rng.randint(1, 6))]
    locations = [Location(name=f"s{i}", lat=44.9, lon=-93.2 + i / 100, cases=q) for i, q in enumerate(qs)]
    plan = plan_ok(locations)
    optimum = exact(locations, plan, seconds=5.0)
    assert packing_bound(qs, cap=1000, s=3) <= optimum.adjusted_cases_bound
    assert plan.lower_bounds.adjusted_cases <= optimum.adjusted_cases_bound


# --- neighbour lists ------------------------------------------------------------------------------


@pytest.mark.parametrize(("n", "k"), [(1, 3), (2, 3), (50, 6), (400, 6), (300, 40)])
def test_grid_neighbours_match_sorting_everything(n, k):
    rng = random.Random(n)
    xy = [(rng.uniform(0, 500), rng.uniform(0, 300)) for _ in range(n)]
    xy += xy[:3]  # duplicate points tie on distance: broken by index
    got = nearest(xy, k)
    for i, (x, y) in enumerate(xy):
        brute = sorted((j for j in range(len(xy)) if j != i), key=lambda j: (math.dist(xy[j], (x, y)), j))
        assert got[i] == brute[:k]


# --- words ----------------------------------------------------------------------------------------


def test_words_count_and_distances():
    assert words.count(1, "truck") == "1 truck"
    assert words.count(2, "truck") == "2 trucks"
    assert words.count(12500, "case") == "12,500 cases"
    assert words.distance(1.609344) == "1 mile"
    assert words.distance(2000.0) == "1,242.7 miles"
    assert words.distance(2000.0, unit="km") == "2,000 km"
    with pytest.raises(ValueError):
        words.distance(1.0, unit="furlong")


def test_plan_explanation_is_plain_and_details_keep_the_terms():
    locations = [Location(name=f"s{i}", lat=44.9 + i / 100, lon=-93.2, cases=200) for i in range(6)]
    plan = plan_ok(locations)
    text = " ".join(explain(plan))
    assert (
        "800 cases of 1,200 requested change" in text
        and "No plan within the truck rules can change fewer" in text
    )
    assert "2 full trucks." in text and "miles" in text and "lower bound" not in text
    one = plan_ok([Location(name="a", lat=44.9, lon=-93.2, cases=1000)])
    assert explain(one)[:2] == [
        "Every request ships as asked: 1,000 cases in full trucks.",
        "1 full truck. None fewer can carry these cases.",
    ]
    details = words.bound_details(adjusted=5, adjusted_bound=5, trucks=3, trucks_bound=2)
    assert "lower bound 5 (met: optimal for this objective)" in details[0] and "optimal" not in details[1]
