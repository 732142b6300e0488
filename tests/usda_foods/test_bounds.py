"""Issue 8, item 5: every planning input is bounded by what is real (``usda_foods.bounds``),
the same in the pure planner, the preview API, ``plan_shipments`` and the catalog; previews bigger
than a small size are queued in Celery (202 and a job to poll); planning tasks have time limits."""

from __future__ import annotations

import io
import math
import time
from decimal import Decimal

import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from focus_lab.jobs.models import BackgroundJob, JobStatus
from tests.usda_foods.shipping_fixtures import approve, build_lab, run_plan
from usda_foods import bounds
from usda_foods.models import ShipmentPlan
from usda_foods.ordering.services.orders import order_create
from usda_foods.shipping import planner as shipping
from usda_foods.shipping import tasks as shipping_tasks
from usda_foods.shipping.api import SYNC_PREVIEW_MAX_ROWS
from usda_foods.shipping.planner import Location, PlanningInputError, PlanRules, plan_food
from usda_foods.shipping.services import PREVIEW_JOB, shipment_preview_start
from usda_foods.shipping.tasks import (
    PLAN_SOFT_TIME_LIMIT_S,
    PLAN_TIME_LIMIT_S,
    PREVIEW_SOFT_TIME_LIMIT_S,
    PREVIEW_TIME_LIMIT_S,
    shipment_plan_run,
    shipment_preview_run,
)

PREVIEW = "/api/v1/shipment-plans/preview/"


def _loc(name: str, cases: int) -> Location:
    return Location(name=name, lat=44.98, lon=-93.27, cases=cases)


# --- The pure planner ---------------------------------------------------------------------------------


@pytest.mark.parametrize("capacity", [1, 9, 5_001, 10**15, 2**31])
def test_plan_rules_refuse_a_truckload_that_is_not_real(capacity):
    with pytest.raises(PlanningInputError, match="cases per truckload must be between 10 and 5,000"):
        PlanRules(capacity=capacity)


@pytest.mark.parametrize("capacity", [bounds.MIN_CASES_PER_TRUCKLOAD, bounds.MAX_CASES_PER_TRUCKLOAD])
def test_plan_rules_take_the_real_extremes(capacity):
    assert PlanRules(capacity=capacity).capacity == capacity


def test_a_location_refuses_1e23_cases():
    with pytest.raises(PlanningInputError, match="at most 500,000"):
        _loc("a", 10**23)


def test_the_planner_refuses_more_than_100_truckloads_at_one_location():
    rules = PlanRules(capacity=100)
    assert plan_food(food="f", locations=[_loc("a", 100 * 100)], rules=rules).summary.trucks == 100
    with pytest.raises(PlanningInputError, match=r"at most 10,000 \(100 truckloads of 100\)"):
        plan_food(food="f", locations=[_loc("a", 100 * 100 + 1)], rules=rules)


def test_the_planner_refuses_too_many_locations_or_truckloads_of_one_food():
    rules = PlanRules(capacity=10)
    many = [_loc(f"s{i}", 1) for i in range(bounds.MAX_LOCATIONS_PER_FOOD + 1)]
    with pytest.raises(PlanningInputError, match="at most 2,000 locations"):
        plan_food(food="f", locations=many, rules=rules)
    heavy = [_loc(f"s{i}", 1_000) for i in range(51)]  # 5,100 truckloads of 10
    with pytest.raises(PlanningInputError, match="at most 5,000 truckloads"):
        plan_food(food="f", locations=heavy, rules=rules)


@pytest.mark.parametrize("seconds", [math.nan, math.inf, -1, 61])
def test_the_planner_refuses_an_unreal_time_limit(seconds):
    with pytest.raises(PlanningInputError, match="time limit"):
        plan_food(food="f", locations=[_loc("a", 10)], rules=PlanRules(capacity=10), time_limit_s=seconds)


# --- plan_shipments -----------------------------------------------------------------------------------


def _command(tmp_path, text: str, *args: str) -> str:
    path = tmp_path / "demands.csv"
    path.write_text(text, encoding="utf-8")
    out = io.StringIO()
    call_command("plan_shipments", "--input", str(path), *args, stdout=out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("text", "args", "message"),
    [
        ("location,lat,lon,cases\nA,44,-93,10\n", ["--capacity", "1e15"], "cases per truckload must be a whole"),
        ("location,lat,lon,cases\nA,44,-93,10\n", ["--capacity", "1000000000000000"], "between 10 and 5,000"),
        ("location,lat,lon,cases\nA,44,-93,10\n", ["--capacity", "1"], "between 10 and 5,000"),
        ("location,lat,lon,cases\nA,44,-93,100000000000000000000000\n", ["--capacity", "100"],
         "line 2: cases must be at most 500,000"),
        ("location,lat,lon,cases\nA,44,-93,10001\n", ["--capacity", "100"],
         r"line 2: 'demands': cases must be at most 10,000 \(100 truckloads of 100\)"),
        ("food,capacity,location,lat,lon,cases\nbeans,1,A,44,-93,10\n", [], "line 2: cases per truckload"),
        ("location,lat,lon,cases\nA,44,-93,10\n", ["--capacity", "100", "--time-limit", "nan"], "time limit"),
        ("location,lat,lon,cases\nA,44,-93,10\n", ["--capacity", "100", "--max-stops", "1000"], "max_stops"),
        ("location,lat,lon,cases\nA," + "4" * 200_000 + ",-93,10\n", ["--capacity", "100"],
         "line 2: cannot read the row"),
    ],
)  # fmt: skip
def test_plan_shipments_refuses_unreal_input_at_once(tmp_path, text, args, message):
    started = time.perf_counter()
    with pytest.raises(CommandError, match=message):
        _command(tmp_path, text, *args)
    assert time.perf_counter() - started < 5  # 1e15 used to plan for minutes


def test_plan_shipments_refuses_unreal_options_given_to_call_command(tmp_path):
    path = tmp_path / "demands.csv"
    path.write_text("location,lat,lon,cases\nA,44,-93,10\n", encoding="utf-8")
    with pytest.raises(CommandError, match="--capacity: cases per truckload"):
        call_command("plan_shipments", input=str(path), capacity=10**15, stdout=io.StringIO())


# --- The preview API: bounds ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_issues_worst_preview_is_a_quick_400(manager, api_for):
    body = {"rows": [{"location": "A", "lat": 44.98, "lon": -93.27, "cases": 1_000_000}], "capacity": 1}
    started = time.perf_counter()
    response = api_for(manager).post(PREVIEW, body, format="json")
    assert time.perf_counter() - started < 2  # it used to plan for 24 s and 900 MB
    assert response.status_code == 400
    fields = {(e["row"], e["field"]) for e in response.json()["errors"]}
    assert fields == {(1, "cases"), (None, "capacity")}
    assert not BackgroundJob.objects.exists()


@pytest.mark.django_db
def test_preview_refuses_more_truckloads_of_a_food_than_a_plan_holds_before_queueing(manager, api_for):
    rows = [{"location": f"L{i}", "lat": 44, "lon": -93, "cases": 10_000} for i in range(51)]  # 5,100 trucks
    response = api_for(manager).post(PREVIEW, {"rows": rows, "capacity": 100}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"row": None, "field": "rows",
         "message": "food: at most 5,000 truckloads of one food (500,000 cases of 100 a truck), not 510,000 cases."}
    ]  # fmt: skip
    assert not BackgroundJob.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "row", "field", "message"),
    [
        ({"rows": [{"location": "A", "lat": 44, "lon": -93, "cases": 10**23}], "capacity": 100}, 1, "cases",
         "less than or equal to 500000"),
        ({"rows": [{"location": "A", "lat": 44, "lon": -93, "cases": 1e23}], "capacity": 100}, 1, "cases",
         "valid integer"),
        ({"rows": [{"location": "A", "lat": 44, "lon": -93, "cases": 10_001}], "capacity": 100}, 1, "cases",
         "at most 10,000 (100 truckloads of 100)"),
        ({"rows": [{"location": "A", "lat": 44, "lon": -93, "cases": 10, "capacity": 2**31}]}, 1, "capacity",
         "less than or equal to 5000"),
        ({"rows": [{"location": "A", "lat": 44, "lon": -93, "cases": 10}], "capacity": 100, "max_stops": 11},
         None, "max_stops", "less than or equal to 10"),
    ],
)  # fmt: skip
def test_preview_refuses_unreal_rows_by_row_and_field(manager, api_for, body, row, field, message):
    response = api_for(manager).post(PREVIEW, body, format="json")
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert any(e["row"] == row and e["field"] == field and message in e["message"] for e in errors), errors


# --- The preview API: big previews run in Celery --------------------------------------------------------


def _rows(n: int, cases: int = 30) -> list[dict]:
    return [{"location": f"L{i}", "lat": 44.9 + i / 100, "lon": -93.2, "cases": cases} for i in range(n)]


@pytest.mark.django_db
def test_a_small_preview_stays_synchronous(manager, api_for):
    response = api_for(manager).post(PREVIEW, {"rows": _rows(4, 25), "capacity": 100}, format="json")
    assert response.status_code == 200 and len(response.json()["trucks"]) == 1
    assert not BackgroundJob.objects.exists()


@pytest.mark.django_db
def test_a_big_preview_is_queued_and_its_job_gives_the_same_json(
    manager, viewer, api_for, django_capture_on_commit_callbacks
):
    body = {"rows": _rows(SYNC_PREVIEW_MAX_ROWS + 1, cases=150), "capacity": 100}
    api = api_for(manager)
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(PREVIEW, body, format="json")
    assert response.status_code == 202
    queued = response.json()
    assert queued["status"] == JobStatus.QUEUED and queued["kind"] == PREVIEW_JOB
    assert response["Location"] == queued["url"] and queued["url"].endswith(f"/api/v1/jobs/{queued['id']}/")
    done = api.get(queued["url"]).json()  # the task ran eagerly on commit
    assert done["status"] == JobStatus.DONE and done["percent"] == 100
    assert (done["progress"], done["total"]) == (1, 1)
    expected = shipping.plan_to_json(
        shipping.plan_many(
            demands=[
                shipping.FoodDemand(
                    food="food",
                    locations=tuple(
                        Location(name=r["location"], lat=r["lat"], lon=r["lon"], cases=r["cases"])
                        for r in body["rows"]
                    ),
                    rules=PlanRules(capacity=100),
                )
            ]
        )
    )
    for data in (done["result"], expected):
        data["summary"].pop("solve_seconds")
        data["summary"]["per_food"][0].pop("solve_seconds")
    assert done["result"] == expected
    # the job is its creator's: anyone else gets 404, and the list leaves out results
    assert api_for(viewer).get(queued["url"]).status_code == 404
    assert "result" not in api.get("/api/v1/jobs/").json()["results"][0]


@pytest.mark.django_db
def test_the_preview_task_runs_once_and_reports_a_bad_job(manager):
    demands = [shipping.FoodDemand(food="f", locations=(_loc("a", 200),), rules=PlanRules(capacity=100))]
    job = shipment_preview_start(demands=demands, user=manager)  # not committed: not yet run
    shipment_preview_run.delay(job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.result["summary"]["trucks"] == 2
    finished = job.finished_at
    shipment_preview_run.delay(job.pk)  # a second delivery of the message does nothing
    job.refresh_from_db()
    assert job.finished_at == finished
    params = {"demands": [{"food": "f", "capacity": 1, "max_stops": 3, "min_drop": "0.25",
                           "locations": [["a", 44.98, -93.27, 150, False]]}]}  # fmt: skip
    bad = BackgroundJob.objects.create(kind=PREVIEW_JOB, created_by=manager, params=params)
    shipment_preview_run.delay(bad.pk)
    bad.refresh_from_db()
    assert bad.status == JobStatus.FAILED and "cases per truckload must be between" in bad.message


@pytest.mark.django_db
def test_a_preview_past_its_soft_time_limit_fails_with_a_message(manager, monkeypatch):
    def too_slow(**kwargs):
        raise SoftTimeLimitExceeded()

    monkeypatch.setattr(shipping_tasks, "shipment_preview_compute", too_slow)
    demands = [shipping.FoodDemand(food="f", locations=(_loc("a", 150),), rules=PlanRules(capacity=100))]
    job = shipment_preview_start(demands=demands, user=manager)
    shipment_preview_run.delay(job.pk)
    job.refresh_from_db()
    assert (
        job.status == JobStatus.FAILED
        and job.message == "Planning took longer than 3 minutes and was stopped."
    )


def test_planning_tasks_have_time_limits_and_workers_a_memory_cap():
    assert (shipment_preview_run.soft_time_limit, shipment_preview_run.time_limit) == (
        PREVIEW_SOFT_TIME_LIMIT_S,
        PREVIEW_TIME_LIMIT_S,
    )
    assert (shipment_plan_run.soft_time_limit, shipment_plan_run.time_limit) == (
        PLAN_SOFT_TIME_LIMIT_S,
        PLAN_TIME_LIMIT_S,
    )
    assert PREVIEW_SOFT_TIME_LIMIT_S < PREVIEW_TIME_LIMIT_S and PLAN_SOFT_TIME_LIMIT_S < PLAN_TIME_LIMIT_S
    assert shipment_preview_run.max_retries == 5 and shipment_preview_run.retry_backoff
    assert settings.CELERY_WORKER_MAX_MEMORY_PER_CHILD == 512 * 1024


# --- Orders and window plans --------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_order_line_of_more_than_100_truckloads_is_refused(mn_agency, sda_reviewer, api_for):
    lab = build_lab(mn_agency)  # beans: 100 cases a truck
    district, manager = lab["districts"][0]
    order = order_create(district=district, window=lab["window"], user=manager)
    line = {"catalog_item": lab["beans"].pk, "cases": 10_001, "delivery_site": district.sites.get().pk}
    response = api_for(manager).post(f"/api/v1/orders/{order.pk}/lines/", line, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "cases": ["Cases must be at most 10,000 (100 truckloads of 100) for one location, not 10,001."]
    }
    huge = api_for(manager).post(f"/api/v1/orders/{order.pk}/lines/", {**line, "cases": 2**31}, format="json")
    assert huge.status_code == 400 and "cases" in huge.json()
    assert not order.lines.exists()


@pytest.mark.django_db
def test_a_window_plan_beyond_the_bounds_fails_with_a_message_naming_the_site(mn_agency, sda_reviewer):
    lab = build_lab(mn_agency)
    approve(lab, sda_reviewer, [60, 40])
    beans = lab["beans"]
    site = lab["districts"][0][0].sites.get()
    # a line written before the bounds: 200 truckloads at one site
    beans.order_lines.filter(delivery_site=site).update(cases=20_000)
    plan = run_plan(lab["window"], sda_reviewer)
    assert plan.status == JobStatus.FAILED
    assert f"{site.name}: cases must be at most 10,000" in plan.message
    assert not ShipmentPlan.objects.filter(status=JobStatus.RUNNING).exists()


@pytest.mark.django_db
def test_the_job_page_sums_up_a_preview_instead_of_listing_its_plan(manager, client_for):
    demands = [shipping.FoodDemand(food="f", locations=(_loc("a", 200),), rules=PlanRules(capacity=100))]
    job = shipment_preview_start(demands=demands, user=manager)
    shipment_preview_run.delay(job.pk)
    html = client_for(manager).get(f"/usda-foods/jobs/{job.pk}/").content.decode()
    assert "2 trucks for 200 cases" in html and "Trucks:" not in html


def test_bounds_are_the_catalogs():
    from usda_foods.models import CatalogItem

    field = CatalogItem._meta.get_field("cases_per_truckload")
    limits = {type(v).__name__: v.limit_value for v in field.validators}
    assert limits["MinValueValidator"] == bounds.MIN_CASES_PER_TRUCKLOAD
    assert limits["MaxValueValidator"] == bounds.MAX_CASES_PER_TRUCKLOAD
    assert Decimal(bounds.MAX_CASES_PER_REQUEST) == 500_000
