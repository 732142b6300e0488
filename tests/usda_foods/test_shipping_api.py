"""/api/v1/shipment-plans/: stored plans (scoped; district users get their own drops only), the
reviewers' re-run, accept and override actions, and the stateless preview with hand-checked
cases and row-and-field errors. Outsiders get 404; the list costs the same for 1 or 3 plans."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Role
from focus_lab.jobs.models import JobStatus
from tests.factories import member
from tests.usda_foods.shipping_fixtures import approve, build_lab, manager_of, run_plan, stored_plan
from usda_foods.models import AdjustmentStatus, Entitlement, OrderLine, ShipmentPlan

pytestmark = pytest.mark.django_db

PLANS = "/api/v1/shipment-plans/"
PREVIEW = f"{PLANS}preview/"


@pytest.fixture
def lab(mn_agency, sda_reviewer):
    return build_lab(mn_agency)


@pytest.fixture
def wi_reviewer(wi_agency):
    return member(Role.SDA_REVIEWER, wi_agency, email="reviewer@wi.example")


def detail(plan, action: str = "") -> str:
    return f"{PLANS}{plan.pk}/{action + '/' if action else ''}"


# --- Reading plans ------------------------------------------------------------------------------------


def test_reviewer_reads_the_whole_plan(lab, sda_reviewer, api_for):
    approve(lab, sda_reviewer, [20, 80])
    plan = run_plan(lab["window"], sda_reviewer)
    data = api_for(sda_reviewer).get(detail(plan)).json()
    assert {k: data[k] for k in ("id", "window", "status", "progress", "total", "max_stops", "min_drop", "full")} == {
        "id": plan.pk, "window": lab["window"].pk, "status": "done", "progress": 1, "total": 1, "max_stops": 3,
        "min_drop": "0.250", "full": True,
    }  # fmt: skip
    assert data["figures"] == {"requested_cases": 100, "adjusted_cases": 10, "adjusted_cases_bound": 10, "trucks": 1,
                               "trucks_bound": 1, "total_km": f"{plan.total_km:.1f}", "solve_seconds": data["figures"]["solve_seconds"]}  # fmt: skip
    [truck] = data["trucks"]
    sites = {d.sites.get().pk: d.sites.get() for d, _ in lab["districts"]}
    assert truck["cases"] == 100 and truck["food"] == lab["beans"].pk
    assert [(s["sequence"], sites[s["site"]].name, s["site_name"], s["cases"]) for s in truck["stops"]] in (
        [(1, "Kitchen 0", "Kitchen 0", 25), (2, "Kitchen 1", "Kitchen 1", 75)],
        [(1, "Kitchen 1", "Kitchen 1", 75), (2, "Kitchen 0", "Kitchen 0", 25)],
    )
    assert sorted((a["site_name"], a["requested_cases"], a["proposed_cases"], a["cases"], a["status"])
                  for a in data["adjustments"]) == [("Kitchen 0", 20, 5, 5, "proposed"),
                                                    ("Kitchen 1", 80, -5, -5, "proposed")]  # fmt: skip
    assert data["result"]["summary"]["trucks"] == 1


def test_district_user_gets_the_figures_and_their_own_drops_only(lab, sda_reviewer, api_for):
    approve(lab, sda_reviewer, [20, 50, 30])
    plan = run_plan(lab["window"], sda_reviewer)
    client = api_for(manager_of(lab, 1))
    for data in (client.get(detail(plan)).json(), client.get(PLANS).json()["results"][0]):
        assert data["full"] is False and data["result"] is None
        assert data["figures"]["trucks"] == plan.trucks
        stops = [s for t in data["trucks"] for s in t["stops"]]
        assert [s["site_name"] for s in stops] == ["Kitchen 1"]
        assert {a["site_name"] for a in data["adjustments"]} <= {"Kitchen 1"}
        assert "Kitchen 0" not in str(data) and "Kitchen 2" not in str(data)


@pytest.mark.parametrize("who", ["wi_reviewer", "outsider"])
def test_outsiders_get_404(who, lab, sda_reviewer, api_for, request):
    approve(lab, sda_reviewer, [20, 80])
    plan = run_plan(lab["window"], sda_reviewer)
    plus = plan.adjustments.get(cases=5)
    client = api_for(request.getfixturevalue(who))
    assert client.get(PLANS).json()["count"] == 0
    assert client.get(detail(plan)).status_code == 404
    assert client.post(detail(plan, "rerun")).status_code == 404
    assert client.post(detail(plan, "accept"), {"adjustments": [plus.pk]}, format="json").status_code == 404
    override = {"adjustments": [{"adjustment": plus.pk, "cases": -20}]}
    assert client.post(detail(plan, "override"), override, format="json").status_code == 404
    assert ShipmentPlan.objects.count() == 1
    assert plan.adjustments.get(pk=plus.pk).status == AdjustmentStatus.PROPOSED


def test_list_is_read_only(lab, sda_reviewer, api_for):
    client = api_for(sda_reviewer)
    assert client.post(PLANS, {"window": lab["window"].pk}, format="json").status_code == 405
    plan = stored_plan(lab, sda_reviewer, 1)
    assert client.delete(detail(plan)).status_code == 405
    assert client.patch(detail(plan), {"max_stops": 2}, format="json").status_code == 405


def test_list_costs_the_same_for_one_or_three_plans(lab, sda_reviewer, api_for):
    client = api_for(sda_reviewer)
    stored_plan(lab, sda_reviewer, 5)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(PLANS).status_code == 200
        return len(ctx.captured_queries)

    one = count()
    stored_plan(lab, sda_reviewer, 20)
    stored_plan(lab, sda_reviewer, 50)
    # count, the page of plans (with can_change), their trucks + food, the stops + site, adjustments.
    assert count() == one == 5
    data = client.get(PLANS).json()
    assert [len(p["trucks"]) for p in data["results"]] == [50, 20, 5]


# --- Reviewers' actions -------------------------------------------------------------------------------


def test_rerun_returns_the_new_plan_queued(lab, sda_reviewer, api_for, django_capture_on_commit_callbacks):
    approve(lab, sda_reviewer, [60, 40])
    plan = run_plan(lab["window"], sda_reviewer, max_stops=2, min_drop=Decimal("0.4"))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = api_for(sda_reviewer).post(detail(plan, "rerun"))
    assert response.status_code == 202
    new = ShipmentPlan.objects.get(pk=response.json()["id"])
    assert new.pk != plan.pk and response.json()["status"] == "queued"
    assert (new.max_stops, new.min_drop, new.created_by) == (2, Decimal("0.400"), sda_reviewer)
    for callback in callbacks:  # the worker runs it
        callback()
    new.refresh_from_db()
    assert new.status == JobStatus.DONE and new.input_fingerprint == plan.input_fingerprint


def test_district_users_may_not_act(lab, sda_reviewer, api_for):
    approve(lab, sda_reviewer, [20, 80])
    plan = run_plan(lab["window"], sda_reviewer)
    client = api_for(manager_of(lab, 0))
    assert client.post(detail(plan, "rerun")).status_code == 403
    ids = list(plan.adjustments.values_list("pk", flat=True))
    assert client.post(detail(plan, "accept"), {"adjustments": ids}, format="json").status_code == 403


def test_accept_sends_proposals_and_refusals_are_400s(lab, sda_reviewer, api_for):
    small, big = approve(lab, sda_reviewer, [20, 80])
    plan = run_plan(lab["window"], sda_reviewer)
    ids = list(plan.adjustments.values_list("pk", flat=True))
    client = api_for(sda_reviewer)
    assert client.post(detail(plan, "accept"), {"adjustments": []}, format="json").status_code == 400
    response = client.post(detail(plan, "accept"), {"adjustments": ids}, format="json")
    assert response.status_code == 200
    assert {a["status"] for a in response.json()["adjustments"]} == {"offered"}
    # Proposals: the orders change only when each district accepts.
    assert OrderLine.objects.get(order=small).cases == 20 and OrderLine.objects.get(order=big).cases == 80
    Entitlement.objects.filter(pk=small.entitlement_id).update(planned_assistance_level=Decimal("200.00"))
    plus = plan.adjustments.get(cases=5)
    refused = api_for(manager_of(lab, 0)).post(
        f"/api/v1/shipment-proposals/{plus.pk}/accept/", {}, format="json"
    )
    assert refused.status_code == 400 and "would overdraw" in str(refused.json())
    assert OrderLine.objects.get(order=small).cases == 20


def test_override_within_the_rules_and_refused_outside_them(lab, sda_reviewer, api_for):
    approve(lab, sda_reviewer, [20, 80])
    plan = run_plan(lab["window"], sda_reviewer)
    plus, minus = plan.adjustments.get(cases=5), plan.adjustments.get(cases=-5)
    client = api_for(sda_reviewer)
    refused = client.post(detail(plan, "override"), {"adjustments": [{"adjustment": plus.pk, "cases": 2}]},
                          format="json")  # fmt: skip
    assert refused.status_code == 400
    assert "cannot ship in full trucks within the rules" in refused.json()["cases"][0]
    body = {"adjustments": [{"adjustment": plus.pk, "cases": -20}, {"adjustment": minus.pk, "cases": 20}]}
    response = client.post(detail(plan, "override"), body, format="json")
    assert response.status_code == 200
    assert sorted((a["cases"], a["proposed_cases"], a["status"]) for a in response.json()["adjustments"]) == [
        (-20, 5, "overridden"),
        (20, -5, "overridden"),
    ]


# --- Preview ------------------------------------------------------------------------------------------

ROWS3 = [
    {"location": "A", "lat": 44.98, "lon": -93.27, "cases": 50},
    {"location": "B", "lat": 44.95, "lon": -93.09, "cases": 25},
    {"location": "C", "lat": 45.10, "lon": -93.40, "cases": 25},
]


def test_preview_half_and_two_quarters_make_one_truck(manager, api_for):
    response = api_for(manager).post(PREVIEW, {"rows": ROWS3, "capacity": 100}, format="json")
    assert response.status_code == 200
    data = response.json()
    assert len(data["trucks"]) == 1 and data["adjustments"] == []
    [truck] = data["trucks"]
    assert truck["food"] == "food" and truck["cases"] == 100
    assert sorted((s["location"], s["cases"]) for s in truck["stops"]) == [("A", 50), ("B", 25), ("C", 25)]
    assert data["lower_bounds"] == {"adjusted_cases": 0, "trucks": 1}
    assert (
        data["summary"]["requested_cases"] == 100 and data["summary"]["per_food"][0]["min_drop_cases"] == 25
    )
    assert not ShipmentPlan.objects.exists()  # stateless


def test_preview_twenty_and_eighty_adjust_five_each(manager, api_for):
    rows = [{"location": "Small", "lat": 44.98, "lon": -93.27, "cases": 20, "food": "beans", "capacity": 100},
            {"location": "Big", "lat": 44.95, "lon": -93.09, "cases": 80, "food": "beans", "capacity": 100}]  # fmt: skip
    data = (
        api_for(manager)
        .post(PREVIEW, {"rows": rows, "max_stops": 3, "min_drop": "0.25"}, format="json")
        .json()
    )
    assert sorted((a["location"], a["cases"]) for a in data["adjustments"]) == [("Big", -5), ("Small", 5)]
    assert len(data["trucks"]) == 1 and data["summary"]["adjusted_cases"] == 10
    assert data["lower_bounds"]["adjusted_cases"] == 10


def test_preview_foods_and_rules(manager, api_for):
    rows = [*ROWS3, *({**r, "food": "apples", "capacity": 40} for r in ROWS3[:2])]
    rows[3]["cases"], rows[4]["cases"] = 20, 20
    data = (
        api_for(manager).post(PREVIEW, {"rows": rows, "capacity": 100, "max_stops": 2}, format="json").json()
    )
    assert {p["food"]: (p["capacity"], p["max_stops"]) for p in data["summary"]["per_food"]} == {
        "food": (100, 2), "apples": (40, 2)
    }  # fmt: skip
    assert all(len(t["stops"]) <= 2 for t in data["trucks"])


@pytest.mark.parametrize(
    ("body", "row", "field"),
    [
        ({"rows": [{**ROWS3[0], "lat": "north"}], "capacity": 100}, 1, "lat"),
        ({"rows": [ROWS3[0], {**ROWS3[1], "lon": 200}], "capacity": 100}, 2, "lon"),
        ({"rows": [ROWS3[0], {**ROWS3[1], "cases": -1}], "capacity": 100}, 2, "cases"),
        ({"rows": [ROWS3[0], {**ROWS3[1], "cases": 2.5}], "capacity": 100}, 2, "cases"),
        ({"rows": [{k: v for k, v in ROWS3[0].items() if k != "location"}], "capacity": 100}, 1, "location"),
        ({"rows": [ROWS3[0], "B,44.9,-93.1,25"], "capacity": 100}, 2, "non_field_errors"),
        ({"rows": ROWS3}, 1, "capacity"),
        ({"rows": [ROWS3[0], {**ROWS3[1], "capacity": 90}], "capacity": 100}, 2, "capacity"),
        ({"rows": [ROWS3[0], {**ROWS3[1], "location": "A"}], "capacity": 100}, 2, "location"),
        ({"rows": [{**ROWS3[0], "warehouse": True}, {**ROWS3[1], "warehouse": True}], "capacity": 100}, 2,
         "warehouse"),
        ({"rows": ROWS3, "capacity": 0}, None, "capacity"),
        ({"rows": ROWS3, "capacity": 100, "min_drop": "1.5"}, None, "min_drop"),
        ({"rows": ROWS3, "capacity": 100, "max_stops": 0}, None, "max_stops"),
        ({"rows": [], "capacity": 100}, None, "rows"),
        ({"capacity": 100}, None, "rows"),
    ],
)  # fmt: skip
def test_preview_bad_input_names_the_row_and_field(body, row, field, manager, api_for):
    response = api_for(manager).post(PREVIEW, body, format="json")
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert {"row": row, "field": field} in [{"row": e["row"], "field": e["field"]} for e in errors], errors
    assert all(e["message"] for e in errors)


def test_preview_needs_a_login(client):
    assert client.post(
        PREVIEW, {"rows": ROWS3, "capacity": 100}, content_type="application/json"
    ).status_code in (
        401,
        403,
    )


def test_schema_documents_the_actions(sda_reviewer, api_for):
    schema = api_for(sda_reviewer).get("/api/schema/").content.decode()
    for path in ("/api/v1/shipment-plans/preview/", "/api/v1/shipment-plans/{id}/rerun/",
                 "/api/v1/shipment-plans/{id}/accept/", "/api/v1/shipment-plans/{id}/override/"):  # fmt: skip
        assert path in schema, path


def test_preview_is_capped_to_stay_quick(manager, api_for):
    from usda_foods.shipping.api import MAX_PREVIEW_FOODS, MAX_PREVIEW_ROWS

    client = api_for(manager)
    many = [{**ROWS3[0], "location": f"L{n}"} for n in range(MAX_PREVIEW_ROWS + 1)]
    response = client.post(PREVIEW, {"rows": many, "capacity": 100}, format="json")
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "rows"
    foods = [{**ROWS3[0], "food": f"food {n}"} for n in range(MAX_PREVIEW_FOODS + 1)]
    response = client.post(PREVIEW, {"rows": foods, "capacity": 100}, format="json")
    assert response.status_code == 400 and response.json()["errors"] == [
        {"row": None, "field": "rows", "message": f"At most {MAX_PREVIEW_FOODS} foods in one preview."}
    ]
