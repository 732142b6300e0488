"""Shipment-plan pages through the real services: a window's plans and the run form, the plan page
(progress partial, figures, map, trucks, adjustments accepted and overridden), re-run, the CSV and
the PDF, and a district's own drops. Outsiders get 404 everywhere; district users never see another
district's drops."""

from __future__ import annotations

import csv
import io
import re
import time
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pypdf import PdfReader

from accounts.models import Role
from focus_lab.jobs.models import JobStatus
from tests.exports import XLSX, csv_body, xlsx_rows
from tests.factories import CoopFactory, member
from tests.usda_foods.ordering_fixtures import open_window
from tests.usda_foods.shipping_fixtures import approve, build_lab, manager_of, run_plan, stored_plan
from usda_foods.models import (
    AdjustmentStatus,
    OrderLine,
    PlanAdjustment,
    PlanStop,
    ShipmentPlan,
)
from usda_foods.shipping.export import CSV_HEADER
from usda_foods.shipping.tasks import shipment_plan_run

pytestmark = pytest.mark.django_db


@pytest.fixture
def lab(mn_agency, sda_reviewer):
    return build_lab(mn_agency)


@pytest.fixture
def wi_reviewer(wi_agency):
    """An SDA reviewer of another state: an outsider to every MN plan."""
    return member(Role.SDA_REVIEWER, wi_agency, email="reviewer@wi.example")


def url(name: str, *args: object) -> str:
    return reverse(f"usda_foods:{name}", args=args)


def text(response) -> str:
    return response.content.decode()


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


# --- A window's plans -------------------------------------------------------------------------------


def test_window_plans_lists_plans_newest_first_with_figures(lab, sda_reviewer, client_for):
    approve(lab, sda_reviewer, [20, 80])
    first = run_plan(lab["window"], sda_reviewer)
    second = run_plan(lab["window"], sda_reviewer, max_stops=2)
    response = client_for(sda_reviewer).get(url("window-plans", lab["window"].pk))
    assert response.status_code == 200
    html = text(response)
    assert html.index(f"#{second.pk}<") < html.index(f"#{first.pk}<")
    assert "≤ 2 stops" in html and "Done" in html
    assert "Run a shipment plan" in html and 'name="max_stops" value="3"' in html
    assert 'name="min_drop" value="0.25"' in html


def test_reviewer_runs_a_plan_from_the_window_page(lab, sda_reviewer, client_for,
                                                   django_capture_on_commit_callbacks):  # fmt: skip
    approve(lab, sda_reviewer, [50, 25, 25])
    client = client_for(sda_reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("window-plans", lab["window"].pk), {"max_stops": "3", "min_drop": "0.25"})
    plan = ShipmentPlan.objects.get(window=lab["window"])
    assert response.status_code == 302 and response["Location"] == plan.get_absolute_url()
    assert (plan.status, plan.created_by, plan.max_stops, plan.min_drop) == (
        JobStatus.DONE,
        sda_reviewer,
        3,
        Decimal("0.250"),
    )
    assert plan.trucks == 1


def test_run_form_refuses_bad_rules(lab, sda_reviewer, client_for):
    response = client_for(sda_reviewer).post(url("window-plans", lab["window"].pk),
                                             {"max_stops": "0", "min_drop": "1.5"})  # fmt: skip
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"max_stops", "min_drop"}
    assert "No plan was started" in " ".join(messages_of(response))
    assert not ShipmentPlan.objects.exists()


def test_district_users_see_the_plans_but_cannot_run_one(lab, sda_reviewer, client_for):
    approve(lab, sda_reviewer, [50, 50])
    plan = run_plan(lab["window"], sda_reviewer)
    client = client_for(manager_of(lab, 0))
    response = client.get(url("window-plans", lab["window"].pk))
    assert response.status_code == 200 and f"#{plan.pk}" in text(response)
    assert "Run a shipment plan" not in text(response)
    assert (
        client.post(url("window-plans", lab["window"].pk), {"max_stops": 3, "min_drop": "0.25"}).status_code
        == 403
    )
    assert ShipmentPlan.objects.count() == 1


# --- The plan page ----------------------------------------------------------------------------------


def test_reviewer_sees_figures_map_trucks_and_adjustments(lab, sda_reviewer, client_for):
    approve(lab, sda_reviewer, [20, 80])
    plan = run_plan(lab["window"], sda_reviewer)
    response = client_for(sda_reviewer).get(plan.get_absolute_url())
    assert response.status_code == 200
    html = text(response)
    assert 'data-testid="adjusted-cases">10<' in html and "lower bound 10" in html
    assert 'data-testid="trucks">1<' in html
    assert "optimal for this objective" in html
    # The map: one split truck (a polyline through both sites), one circle per site, tooltips.
    svg = re.search(r"<svg.*?</svg>", html, re.S).group(0)
    assert svg.count("<polyline") == 1 and svg.count("<circle") == 2
    assert "<title>Kitchen 0 (District 0): 25 cases on truck 1</title>" in svg
    assert "http" not in svg.replace('xmlns="http://www.w3.org/2000/svg"', "")  # no tiles, no scripts
    # The trucks table and the adjustments, with the reviewer's controls.
    assert "25</strong> cases · Kitchen 0" in html and "75</strong> cases · Kitchen 1" in html
    assert html.count('name="adjustment"') == 2 and "Send selected to the districts" in html
    assert "Save overrides for Beans, green, canned" in html
    assert "Stops (CSV)" in html and "Carrier manifest (PDF)" in html and "Re-run" in html


def test_plan_figures_speak_plainly_in_miles_with_the_bounds_in_details(lab, sda_reviewer, client_for):
    approve(lab, sda_reviewer, [20, 80])
    plan = run_plan(lab["window"], sda_reviewer)
    html = text(client_for(sda_reviewer).get(plan.get_absolute_url()))
    figures = re.search(r'data-testid="figures".*?</details>', html, re.S).group(0)
    before_details = figures.split("<details")[0]
    assert "10 cases of 100 requested change so that every truck is full." in before_details
    assert "No plan within the truck rules can change fewer." in before_details
    assert "1 full truck. None fewer can carry these cases." in before_details
    assert " miles<" in before_details or " mile<" in before_details
    assert "lower bound" not in before_details and "optimal for this objective" not in before_details
    assert "lower bound 10" in figures.split("<details")[1]
    assert "Route miles" in text(client_for(sda_reviewer).get(url("window-plans", lab["window"].pk)))
    assert plan.message == "1 truck for 100 cases; 10 cases changed from the orders, the fewest any plan can."


def test_a_plan_above_its_bound_does_not_claim_optimality(lab, sda_reviewer, client_for):
    approve(lab, sda_reviewer, [50, 50])
    plan = run_plan(lab["window"], sda_reviewer)
    ShipmentPlan.objects.filter(pk=plan.pk).update(adjusted_cases_bound=0, adjusted_cases=5, trucks_bound=0)
    html = text(client_for(sda_reviewer).get(plan.get_absolute_url()))
    assert "optimal for this objective" not in html


def test_district_user_sees_only_their_own_drops(lab, sda_reviewer, client_for):
    approve(lab, sda_reviewer, [50, 25, 25])
    plan = run_plan(lab["window"], sda_reviewer)
    for partial in ("", "?partial=1"):
        response = client_for(manager_of(lab, 1)).get(plan.get_absolute_url() + partial)
        assert response.status_code == 200
        html = text(response)
        assert "Kitchen 1" in html and 'data-testid="trucks">1<' in html
        for other in (
            "Kitchen 0",
            "Kitchen 2",
            "District 0",
            "District 2",
            "<svg",
            "plan.csv",
            "Send selected to the districts",
        ):
            assert other not in html, other
        assert [d.site.name for d in response.context["drops"]] == ["Kitchen 1"]


def test_progress_partial_while_running_then_the_plan(lab, sda_reviewer, client_for):
    plan = ShipmentPlan.objects.create(window=lab["window"], created_by=sda_reviewer, status=JobStatus.RUNNING,
                                       progress=1, total=3)  # fmt: skip
    client = client_for(sda_reviewer)
    page = text(client.get(plan.get_absolute_url()))
    assert "<html" in page and 'hx-trigger="every 1s"' in page and "Planning the trucks" in page
    partial = text(client.get(plan.get_absolute_url() + "?partial=1"))
    assert "<html" not in partial and partial.startswith('<div id="plan-body"')
    assert 'hx-trigger="every 1s"' in partial and 'hx-swap="outerHTML"' in partial
    assert 'aria-valuenow="33"' in partial and "Food 1 of 3 planned" in partial
    # The worker finishes: the next poll gets the plan itself, and polling stops.
    approve(lab, sda_reviewer, [50, 50])
    ShipmentPlan.objects.filter(pk=plan.pk).update(status=JobStatus.QUEUED)
    shipment_plan_run.delay(plan.pk)
    partial = text(client.get(plan.get_absolute_url() + "?partial=1"))
    assert "hx-trigger" not in partial and 'data-testid="trucks-table"' in partial and "<svg" in partial


def test_a_failed_plan_shows_its_message(lab, sda_reviewer, client_for):
    plan = ShipmentPlan.objects.create(window=lab["window"], status=JobStatus.FAILED,
                                       message="The plan for beans breaks a rule: truck 0")  # fmt: skip
    html = text(client_for(sda_reviewer).get(plan.get_absolute_url()))
    assert "The plan failed." in html and "breaks a rule: truck 0" in html and "hx-trigger" not in html


def test_send_selected_proposes_the_adjustments_to_the_districts(lab, sda_reviewer, client_for):
    small, big = approve(lab, sda_reviewer, [20, 80])
    plan = run_plan(lab["window"], sda_reviewer)
    ids = [str(pk) for pk in plan.adjustments.values_list("pk", flat=True)]
    response = client_for(sda_reviewer).post(
        url("shipment-plan-accept", plan.pk), {"adjustment": ids}, follow=True
    )
    assert "2 proposals sent to the districts" in " ".join(messages_of(response))
    assert set(plan.adjustments.values_list("status", flat=True)) == {AdjustmentStatus.OFFERED}
    assert OrderLine.objects.get(order=small).cases == 20 and OrderLine.objects.get(order=big).cases == 80
    html = text(response)
    assert "Send selected" not in html and 'name="adjustment"' not in html  # nothing left to send


def test_override_within_the_rules_through_the_page(lab, sda_reviewer, client_for):
    approve(lab, sda_reviewer, [20, 80])
    plan = run_plan(lab["window"], sda_reviewer)
    plus, minus = plan.adjustments.get(cases=5), plan.adjustments.get(cases=-5)
    response = client_for(sda_reviewer).post(
        url("shipment-plan-override", plan.pk),
        {"food": lab["beans"].pk, f"cases-{plus.pk}": "-20", f"cases-{minus.pk}": "+20"},
        follow=True,
    )
    assert "Overridden for Beans, green, canned: -20 at Kitchen 0, +20 at Kitchen 1." in messages_of(response)
    assert {(a.cases, a.status, a.proposed_cases) for a in plan.adjustments.all()} == {
        (-20, AdjustmentStatus.OVERRIDDEN, 5),
        (20, AdjustmentStatus.OVERRIDDEN, -5),
    }
    assert "Overridden by hand" in text(response)


def test_override_only_sends_what_changed(lab, sda_reviewer, client_for):
    approve(lab, sda_reviewer, [20, 80])
    plan = run_plan(lab["window"], sda_reviewer)
    plus, minus = plan.adjustments.get(cases=5), plan.adjustments.get(cases=-5)
    response = client_for(sda_reviewer).post(url("shipment-plan-override", plan.pk),
                                             {f"cases-{plus.pk}": "5", f"cases-{minus.pk}": "-5"}, follow=True)  # fmt: skip
    assert "Nothing changed" in " ".join(messages_of(response))
    assert set(plan.adjustments.values_list("status", flat=True)) == {AdjustmentStatus.PROPOSED}


def test_override_refusal_shows_the_message_and_keeps_the_numbers(lab, sda_reviewer, client_for):
    approve(lab, sda_reviewer, [20, 80])
    plan = run_plan(lab["window"], sda_reviewer)
    plus = plan.adjustments.get(cases=5)
    response = client_for(sda_reviewer).post(url("shipment-plan-override", plan.pk),
                                             {"food": lab["beans"].pk, f"cases-{plus.pk}": "2"})  # fmt: skip
    assert response.status_code == 200
    html = text(response)
    assert "cannot ship in full trucks within the rules" in html
    assert 'data-testid="override-error"' in html
    assert f'name="cases-{plus.pk}" value="2"' in html  # as typed
    assert any(m.startswith("Not overridden:") for m in messages_of(response))
    assert PlanAdjustment.objects.get(pk=plus.pk).cases == 5


def test_override_refuses_text(lab, sda_reviewer, client_for):
    approve(lab, sda_reviewer, [20, 80])
    plan = run_plan(lab["window"], sda_reviewer)
    plus = plan.adjustments.get(cases=5)
    response = client_for(sda_reviewer).post(url("shipment-plan-override", plan.pk),
                                             {"food": lab["beans"].pk, f"cases-{plus.pk}": "five"})  # fmt: skip
    assert response.status_code == 200 and "Enter a whole number of cases" in text(response)


def test_district_users_cannot_accept_override_or_rerun(lab, sda_reviewer, client_for):
    approve(lab, sda_reviewer, [20, 80])
    plan = run_plan(lab["window"], sda_reviewer)
    plus = plan.adjustments.get(cases=5)
    client = client_for(manager_of(lab, 0))
    assert client.post(url("shipment-plan-accept", plan.pk), {"adjustment": [plus.pk]}).status_code == 403
    assert client.post(url("shipment-plan-override", plan.pk), {f"cases-{plus.pk}": "-20"}).status_code == 403
    assert client.post(url("shipment-plan-rerun", plan.pk)).status_code == 403
    assert PlanAdjustment.objects.get(pk=plus.pk).status == AdjustmentStatus.PROPOSED
    assert ShipmentPlan.objects.count() == 1


def test_rerun_starts_a_new_plan_with_the_same_rules(lab, sda_reviewer, client_for,
                                                     django_capture_on_commit_callbacks):  # fmt: skip
    approve(lab, sda_reviewer, [60, 40])
    plan = run_plan(lab["window"], sda_reviewer, max_stops=2, min_drop=Decimal("0.4"))
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(sda_reviewer).post(url("shipment-plan-rerun", plan.pk))
    new = ShipmentPlan.objects.exclude(pk=plan.pk).get()
    assert response["Location"] == new.get_absolute_url()
    assert (new.max_stops, new.min_drop, new.status) == (2, Decimal("0.400"), JobStatus.DONE)
    assert new.input_fingerprint == plan.input_fingerprint


# --- Exports ----------------------------------------------------------------------------------------


def test_csv_has_one_row_per_stop(lab, sda_reviewer, client_for):
    approve(lab, sda_reviewer, [50, 25, 125])
    plan = run_plan(lab["window"], sda_reviewer)
    response = client_for(sda_reviewer).get(url("shipment-plan-csv", plan.pk))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert f'filename="shipment-plan-{plan.pk}.csv"' in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(csv_body(response))))
    assert list(rows[0]) == CSV_HEADER
    assert len(rows) == PlanStop.objects.filter(truck__plan=plan).count()
    assert sum(int(r["cases"]) for r in rows) == 200 and {r["truck"] for r in rows} == {"1", "2"}
    direct = next(r for r in rows if r["cases"] == "100")
    assert direct == {**direct, "food": "Beans, green, canned", "material_code": "100117", "site": "Kitchen 2",
                      "district": "District 2", "street": "200 Main St", "city": "Minneapolis", "state": "MN",
                      "zip": "55401", "lat": "45.100000", "lon": "-93.400000", "stop_sequence": "1",
                      "truck_km": "0.0"}  # fmt: skip
    split = [r for r in rows if r["truck"] != direct["truck"]]
    assert [r["stop_sequence"] for r in split] == ["1", "2", "3"]

    workbook = client_for(sda_reviewer).get(url("shipment-plan-csv", plan.pk), {"format": "xlsx"})
    assert workbook["Content-Type"] == XLSX
    assert f'filename="shipment-plan-{plan.pk}.xlsx"' in workbook["Content-Disposition"]
    sheet = xlsx_rows(workbook)
    assert sheet[0] == CSV_HEADER and len(sheet) == len(rows) + 1
    assert sum(row[CSV_HEADER.index("cases")] for row in sheet[1:]) == 200
    assert date.fromisoformat(split[0]["delivery_date"]) >= lab["window"].delivery_start


def test_pdf_manifest_is_a_real_pdf_with_the_trucks_and_sites(lab, sda_reviewer, client_for):
    approve(lab, sda_reviewer, [50, 25, 125])
    plan = run_plan(lab["window"], sda_reviewer)
    started = time.perf_counter()
    response = client_for(sda_reviewer).get(url("shipment-plan-pdf", plan.pk))
    elapsed = time.perf_counter() - started
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    pages = PdfReader(io.BytesIO(response.content)).pages
    content = " ".join(page.extract_text() for page in pages)
    for needle in ("Shipment plan", "Truck 1", "Truck 2", "Kitchen 0", "Kitchen 1", "Kitchen 2", "District 2",
                   "200 Main St", "Beans, green, canned"):  # fmt: skip
        assert needle in content, needle
    assert elapsed < 10, f"PDF took {elapsed:.2f} s"


def test_pdf_fetcher_serves_static_files_only():
    from usda_foods.shipping.export import _BASE_URL, _static_only_fetcher

    fetcher = _static_only_fetcher()
    assert fetcher.fetch(f"{_BASE_URL}static/css/app.css").read().startswith(b"/* FOCUS Lab")
    for refused in ("https://example.org/x.css", "file:///etc/passwd", f"{_BASE_URL}static/../settings.py",
                    f"{_BASE_URL}media/x.png", f"{_BASE_URL}static/nope.css"):  # fmt: skip
        with pytest.raises(ValueError):
            fetcher.fetch(refused)


def test_exports_are_for_reviewers_only(lab, sda_reviewer, client_for):
    approve(lab, sda_reviewer, [50, 50])
    plan = run_plan(lab["window"], sda_reviewer)
    client = client_for(manager_of(lab, 0))
    assert client.get(url("shipment-plan-csv", plan.pk)).status_code == 403
    assert client.get(url("shipment-plan-pdf", plan.pk)).status_code == 403


def test_exports_wait_for_the_plan(lab, sda_reviewer, client_for):
    plan = ShipmentPlan.objects.create(window=lab["window"], status=JobStatus.RUNNING)
    response = client_for(sda_reviewer).get(url("shipment-plan-pdf", plan.pk))
    assert response.status_code == 302 and response["Location"] == plan.get_absolute_url()


# --- Outsiders ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["wi_reviewer", "outsider"])
def test_outsiders_get_404_on_every_plan_page(who, lab, sda_reviewer, client_for, request):
    approve(lab, sda_reviewer, [20, 80])
    plan = run_plan(lab["window"], sda_reviewer)
    plus = plan.adjustments.get(cases=5)
    client = client_for(request.getfixturevalue(who))
    for path in (url("window-plans", lab["window"].pk), plan.get_absolute_url(),
                 plan.get_absolute_url() + "?partial=1", url("shipment-plan-csv", plan.pk),
                 url("shipment-plan-pdf", plan.pk)):  # fmt: skip
        assert client.get(path).status_code == 404, path
    for path, data in ((url("window-plans", lab["window"].pk), {"max_stops": 3, "min_drop": "0.25"}),
                       (url("shipment-plan-accept", plan.pk), {"adjustment": [plus.pk]}),
                       (url("shipment-plan-override", plan.pk), {f"cases-{plus.pk}": "-20"}),
                       (url("shipment-plan-rerun", plan.pk), {})):  # fmt: skip
        assert client.post(path, data).status_code == 404, path
    assert PlanAdjustment.objects.get(pk=plus.pk).status == AdjustmentStatus.PROPOSED
    html = text(client.get(url("my-deliveries")))
    assert "Kitchen" not in html and 'data-testid="no-plans"' in html


# --- My deliveries ------------------------------------------------------------------------------------


def test_my_deliveries_lists_own_drops_of_the_latest_done_plan(lab, sda_reviewer, client_for, mn_agency):
    approve(lab, sda_reviewer, [50, 25, 25])
    run_plan(lab["window"], sda_reviewer)
    latest = run_plan(lab["window"], sda_reviewer)
    ShipmentPlan.objects.create(window=lab["window"], status=JobStatus.RUNNING)  # newer, not done
    winter = open_window(mn_agency, [lab["beans"]], name="Winter window")
    response = client_for(manager_of(lab, 2)).get(url("my-deliveries"))
    assert response.status_code == 200
    [entry] = response.context["windows"]  # the winter window has no plan
    assert entry["plan"] == latest and winter.name not in text(response)
    assert [(d.site.name, d.cases) for d in entry["drops"]] == [("Kitchen 2", 25)]
    html = text(response)
    assert "Kitchen 2" in html and "shared truck" in html and "Oct" in html
    for other in ("Kitchen 0", "Kitchen 1", "District 0", "District 1"):
        assert other not in html, other


def test_coop_members_see_their_receiving_sites_drops(lab, sda_reviewer, client_for):
    lead, _ = lab["districts"][0]
    member_district, member_manager = lab["districts"][3]
    CoopFactory(lead_district=lead, receiving_site=lead.sites.get(), members=[member_district])
    approve(lab, sda_reviewer, [100, 50, 50])
    run_plan(lab["window"], sda_reviewer)
    html = text(client_for(member_manager).get(url("my-deliveries")))
    assert "Kitchen 0" in html and "full truck" in html
    assert "Kitchen 1" not in html and "Kitchen 2" not in html


# --- Query budgets ------------------------------------------------------------------------------------


def _queries(client, path: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(path).status_code == 200
    return len(ctx.captured_queries)


def test_plan_page_costs_the_same_for_5_or_50_trucks(lab, sda_reviewer, client_for):
    client = client_for(sda_reviewer)
    small = stored_plan(lab, sda_reviewer, 5)
    big = stored_plan(lab, sda_reviewer, 50)
    # session, user, the plan (scoped), can_write, the user's roles (navigation), trucks + food,
    # their stops + sites + districts, adjustments + food + site + district; the carry-over (waiting,
    # carried in), the warehouse's stops with the fee schedules, and the plan's remainder offers to
    # other states with their joint plans.
    assert _queries(client, small.get_absolute_url()) == _queries(client, big.get_absolute_url()) == 13
    html = text(client.get(big.get_absolute_url()))
    assert html.count("<polyline") == 50 and "Trucks (50)" in html
    # A district user: session, user, the plan, can_write, roles, their drops.
    district_client = client_for(manager_of(lab, 0))
    small_count = _queries(district_client, small.get_absolute_url())
    assert small_count == _queries(district_client, big.get_absolute_url()) == 6


def test_my_deliveries_costs_the_same_for_one_or_three_windows(lab, sda_reviewer, client_for, mn_agency):
    client = client_for(manager_of(lab, 0))
    stored_plan(lab, sda_reviewer, 5)
    one = _queries(client, url("my-deliveries"))
    for name in ("Winter window", "Spring window"):
        lab["window"] = open_window(mn_agency, [lab["beans"]], name=name)
        stored_plan(lab, sda_reviewer, 5)
    # session, user, the latest done plan of each window, every drop of those plans, roles.
    assert _queries(client, url("my-deliveries")) == one == 5


def test_map_projects_north_up_west_left_inside_the_box():
    from types import SimpleNamespace

    from usda_foods.shipping.export import plan_map

    def stop(site_id, lat, lon, cases):
        site = SimpleNamespace(name=f"S{site_id}", latitude=Decimal(lat), longitude=Decimal(lon),
                               district=SimpleNamespace(name="D"))  # fmt: skip
        return SimpleNamespace(site_id=site_id, site=site, cases=cases)

    def truck(number, *stops):
        return SimpleNamespace(number=number, food=SimpleNamespace(description="Beans"), cases=100,
                               stops=SimpleNamespace(all=lambda: list(stops)))  # fmt: skip

    nw, se = stop(1, "45.0", "-94.0", 50), stop(2, "44.0", "-93.0", 50)
    drawn = plan_map(
        [truck(1, nw, se), truck(2, stop(2, "44.0", "-93.0", 100))], width=800, height=460, pad=28
    )
    by_name = {s.name: s for s in drawn.sites}
    assert by_name["S1"].x < by_name["S2"].x and by_name["S1"].y < by_name["S2"].y
    assert all(28 <= s.x <= 772 and 28 <= s.y <= 432 for s in drawn.sites)
    assert by_name["S1"].y == 28 and by_name["S2"].y == 432  # the taller side fills the box
    assert [r.points for r in drawn.routes] == [f"{by_name['S1'].x},28.0 {by_name['S2'].x},432.0"]
    assert by_name["S2"].title == "S2 (D): 150 cases on trucks 1, 2"
    [alone] = plan_map([truck(1, stop(3, "44.5", "-93.5", 100))]).sites
    assert (alone.x, alone.y) == (400.0, 230.0)
