"""/api/v1/ for request-driven ordering: catalog items, surveys and their answers, order windows
and orders, with every action, each refusal's message, tenancy 404s and query budgets."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Role
from tests.factories import CoopFactory, DistrictFactory, SiteFactory, member
from tests.usda_foods.ordering_fixtures import DURING_SY, SY, catalog_item, fund, open_window
from usda_foods.models import (
    CatalogItem,
    Order,
    OrderLine,
    OrderStatus,
    OrderTransition,
    OrderWindow,
    Survey,
    SurveyResponse,
)
from usda_foods.ordering.services.orders import order_create, order_line_set, order_submit
from usda_foods.ordering.services.surveys import survey_open, survey_respond

pytestmark = pytest.mark.django_db

HEADER = (
    "school_year,material_code,description,category,pack_description,net_case_weight_lb,"
    "cases_per_truckload,unit_price,is_bulk_for_processing\n"
)
GOOD_CSV = HEADER + (
    "2019-20,100117,Beans green canned,vegetable,6/#10 cans,40.5,1400,23.10,false\n"
    "2019-20,100101,Chicken bulk,meat,40 lb box,40,1000,85.00,true\n"
)


@pytest.fixture
def wi_reviewer(wi_agency):
    """An SDA reviewer of another state: sees none of Minnesota's surveys, windows or orders."""
    return member(Role.SDA_REVIEWER, wi_agency, email="reviewer@wi.example")


@pytest.fixture
def foods():
    return {"beans": catalog_item("100117", "25.00"), "apples": catalog_item("100220", "30.00"),
            "cheese": catalog_item("100036", "50.00", category="dairy", is_bulk_for_processing=True)}  # fmt: skip


@pytest.fixture
def window(mn_agency, foods):
    return open_window(mn_agency, [foods["beans"], foods["apples"]])


@pytest.fixture
def order(district, site, manager, window):
    fund(district)  # $23,750.00
    return order_create(district=district, window=window, user=manager)


def _item(code: str, school_year: str, **extra) -> CatalogItem:
    """A food on another year's list (``catalog_item`` makes SY2019-20 ones)."""
    values = {"description": f"Food {code}", "category": "fruit", "pack_description": "6/#10 cans",
              "net_case_weight_lb": 40, "cases_per_truckload": 1000, "unit_price": 20, **extra}  # fmt: skip
    return CatalogItem.objects.create(school_year=school_year, material_code=code, **values)


def _add(api, order, item, cases, site) -> object:
    return api.post(f"/api/v1/orders/{order.pk}/lines/",
                    {"catalog_item": item.pk, "cases": cases, "delivery_site": site.pk}, format="json")  # fmt: skip


def _submitted(order, manager, item, site, cases=10) -> Order:
    order_line_set(order_id=order.pk, catalog_item=item, cases=cases, delivery_site=site, user=manager)
    return order_submit(order_id=order.pk, user=manager)


# --- Catalog items --------------------------------------------------------------------------------


def test_catalog_filters_and_search(api_for, manager, foods):
    _item("200001", "2020-21", description="Peaches")
    api = api_for(manager)

    def codes(**params) -> set[str]:
        return {r["material_code"] for r in api.get("/api/v1/catalog-items/", params).json()["results"]}

    assert codes(school_year=SY) == {"100117", "100220", "100036"}
    assert codes(category="dairy") == {"100036"}
    assert codes(is_bulk_for_processing="true") == {"100036"}
    assert codes(search="Peach") == {"200001"}
    assert codes(search="100220") == {"100220"}
    row = api.get(f"/api/v1/catalog-items/{foods['beans'].pk}/").json()
    assert (row["unit_price"], row["net_case_weight_lb"], row["cases_per_truckload"]) == (
        "25.00",
        "40.00",
        1000,
    )


@pytest.mark.parametrize("refused", ["manager", "sda_reviewer", "collab_admin"])
def test_catalog_create_and_update_are_for_reference_editors(request, api_for, reference_editor, refused):
    payload = {"school_year": SY, "material_code": "110500", "description": "Cheese cheddar", "category": "dairy",
               "pack_description": "4/5 lb", "net_case_weight_lb": "20", "cases_per_truckload": 1600,
               "unit_price": "61.5"}  # fmt: skip
    created = api_for(reference_editor).post("/api/v1/catalog-items/", payload, format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["unit_price"] == "61.50"
    url = f"/api/v1/catalog-items/{created.json()['id']}/"
    assert (
        api_for(reference_editor).patch(url, {"unit_price": "62.00"}, format="json").json()["unit_price"]
        == "62.00"
    )
    # The list is national: a lab's admins, a state's reviewers and districts only read it.
    other = api_for(request.getfixturevalue(refused))
    assert (
        other.post("/api/v1/catalog-items/", {**payload, "material_code": "1"}, format="json").status_code
        == 403
    )
    assert other.patch(url, {"unit_price": "1.00"}, format="json").status_code == 403
    assert other.put(url, {**payload, "unit_price": "1.00"}, format="json").status_code == 403
    assert CatalogItem.objects.get(material_code="110500").unit_price == 62
    assert not CatalogItem.objects.filter(material_code="1").exists()


def test_catalog_import_multipart_then_text_csv(api_for, reference_editor):
    from django.core.files.uploadedfile import SimpleUploadedFile

    api = api_for(reference_editor)
    upload = SimpleUploadedFile("catalog.csv", GOOD_CSV.encode(), content_type="text/csv")
    first = api.post("/api/v1/catalog-items/import/", {"file": upload}, format="multipart")
    assert first.status_code == 200, first.json()
    run = first.json()["import_id"]
    assert first.json() == {"created": 2, "updated": 0, "unchanged": 0, "import_id": run, "status": "done"}
    same_file = api.generic(
        "POST", "/api/v1/catalog-items/import/", GOOD_CSV.encode(), content_type="text/csv"
    )
    assert same_file.status_code == 400 and f"import #{run}" in same_file.json()["errors"][0]["message"]
    again = api.generic(
        "POST", "/api/v1/catalog-items/import/", GOOD_CSV.encode() + b"\n", content_type="text/csv"
    )
    assert {k: again.json()[k] for k in ("created", "updated", "unchanged")} == {"created": 0, "updated": 0,
                                                                               "unchanged": 2}  # fmt: skip
    changed = GOOD_CSV.replace("85.00", "86.00")
    assert (
        api.generic("POST", "/api/v1/catalog-items/import/", changed, content_type="text/csv").json()[
            "updated"
        ]
        == 1
    )


def test_catalog_import_reports_each_bad_cell_and_writes_nothing(api_for, reference_editor):
    bad = (
        HEADER
        + "2019-20,100117,Beans,vegetable,6/#10,40,1400,24.00,false\n2019-20,,Peas,legume,x,1,10,1.234,no\n"
    )
    response = api_for(reference_editor).generic(
        "POST", "/api/v1/catalog-items/import/", bad, content_type="text/csv"
    )
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert {(e["line"], e["column"]) for e in errors} == {
        (3, "material_code"),
        (3, "category"),
        (3, "unit_price"),
    }
    assert "more than two decimal places" in next(e["message"] for e in errors if e["column"] == "unit_price")
    assert not CatalogItem.objects.exists()


@pytest.mark.parametrize("refused", ["manager", "sda_reviewer", "collab_admin"])
def test_catalog_import_refusals(request, api_for, reference_editor, refused):
    url = "/api/v1/catalog-items/import/"
    response = api_for(request.getfixturevalue(refused)).generic(
        "POST", url, GOOD_CSV, content_type="text/csv"
    )
    assert response.status_code == 403 and "reference-data editors" in response.json()["detail"]
    assert not CatalogItem.objects.exists()
    empty = api_for(reference_editor).post(url, {}, format="multipart")
    assert empty.status_code == 400
    [error] = empty.json()["errors"]  # the documented shape, the request's problem as line 0
    assert (error["line"], error["column"]) == (0, "file") and "text/csv body" in error["message"]


# --- Surveys --------------------------------------------------------------------------------------


def _survey(mn_agency, sda_reviewer, **extra) -> Survey:
    now = timezone.now()
    values = {"opens_at": now - timedelta(days=1), "closes_at": now + timedelta(days=10), **extra}
    return survey_open(state_agency=mn_agency, school_year=SY, title="SY2019-20 preferences",
                                user=sda_reviewer, **values)  # fmt: skip


def test_reviewer_opens_a_survey_for_their_state_only(
    api_for, sda_reviewer, manager, mn_agency, wi_agency, foods
):
    now = timezone.now()
    payload = {"state_agency": mn_agency.pk, "school_year": SY, "title": "Preferences",
               "opens_at": now.isoformat(), "closes_at": (now + timedelta(days=14)).isoformat()}  # fmt: skip
    api = api_for(sda_reviewer)
    created = api.post("/api/v1/surveys/", payload, format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["is_open"] is True and created.json()["offered_items"] == []
    other_state = api.post("/api/v1/surveys/", {**payload, "state_agency": wi_agency.pk}, format="json")
    assert other_state.status_code == 400 and "state_agency" in other_state.json()
    no_catalog = api.post("/api/v1/surveys/", {**payload, "school_year": "2024-25"}, format="json")
    assert no_catalog.status_code == 400
    assert no_catalog.json()["school_year"] == [
        "Load the SY2024-25 USDA Foods available list before opening a survey."
    ]
    assert api_for(manager).post("/api/v1/surveys/", payload, format="json").status_code == 403


def test_survey_results_offer_remind_and_non_respondents(
    api_for, sda_reviewer, manager, district, mn_agency, foods, django_capture_on_commit_callbacks
):
    from django.core import mail

    quiet = DistrictFactory(state_agency=mn_agency, name="Quiet Schools")
    member(Role.DISTRICT_VIEWER, quiet, email="staff@quiet.example")
    survey = _survey(mn_agency, sda_reviewer)
    survey_respond(survey=survey, district=district, lines=[(foods["beans"], 120)], user=manager)
    api, url = api_for(sda_reviewer), f"/api/v1/surveys/{survey.pk}"
    rows = api.get(f"{url}/results/").json()
    assert rows[0] == {"catalog_item": foods["beans"].pk, "material_code": "100117", "description": "Food 100117",
                       "category": "vegetable", "sfa_count": 1, "total_cases": 120, "offered": False}  # fmt: skip
    assert len(rows) == 3
    assert api.get(f"{url}/non_respondents/").json() == [
        {"id": quiet.pk, "name": "Quiet Schools", "agency_code": quiet.agency_code}
    ]
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert api.post(f"{url}/remind/").json() == {"reminded": 1}
    assert [m.to for m in mail.outbox] == [["staff@quiet.example"]]
    offered = api.post(f"{url}/offer/", {"items": [foods["beans"].pk, foods["apples"].pk]}, format="json")
    assert offered.status_code == 200 and sorted(offered.json()["offered_items"]) == sorted(
        [foods["beans"].pk, foods["apples"].pk]
    )
    assert {r["catalog_item"] for r in api.get(f"{url}/results/").json() if r["offered"]} == {
        foods["beans"].pk,
        foods["apples"].pk,
    }
    peaches = _item("200001", "2020-21")
    wrong_year = api.post(f"{url}/offer/", {"items": [peaches.pk]}, format="json")
    assert (
        wrong_year.status_code == 400
        and "is not on the SY2019-20 available list" in wrong_year.json()["items"][0]
    )


def test_survey_actions_are_for_the_states_reviewers(
    api_for, sda_reviewer, manager, wi_reviewer, outsider, mn_agency, foods
):
    survey = _survey(mn_agency, sda_reviewer)
    url = f"/api/v1/surveys/{survey.pk}"
    assert api_for(manager).get(f"{url}/").status_code == 200  # district users see their state's survey
    assert api_for(manager).get(f"{url}/results/").status_code == 403
    assert api_for(manager).post(f"{url}/remind/").status_code == 403
    for user in (wi_reviewer, outsider):
        api = api_for(user)
        assert api.get("/api/v1/surveys/").json()["count"] == 0
        for path in ("/", "/results/", "/non_respondents/"):
            assert api.get(f"{url}{path}").status_code == 404
        assert api.post(f"{url}/offer/", {"items": []}, format="json").status_code == 404


# --- Survey responses -----------------------------------------------------------------------------


def test_district_answers_and_replaces_its_answer(
    api_for, manager, viewer, sda_reviewer, district, other_district, mn_agency, wi_agency, foods
):
    survey = _survey(mn_agency, sda_reviewer)
    api = api_for(manager)
    payload = {"survey": survey.pk, "district": district.pk,
               "lines": [{"catalog_item": foods["beans"].pk, "estimated_cases": 120},
                         {"catalog_item": foods["apples"].pk, "estimated_cases": 0}]}  # fmt: skip
    created = api.post("/api/v1/survey-responses/", payload, format="json")
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["lines"] == [
        {"catalog_item": foods["beans"].pk, "description": "Food 100117", "estimated_cases": 120}
    ]
    assert body["submitted_by"] == manager.email and body["district_name"] == district.name
    payload["lines"] = [{"catalog_item": foods["apples"].pk, "estimated_cases": 30}]
    replaced = api.post("/api/v1/survey-responses/", payload, format="json")
    assert replaced.json()["id"] == body["id"] and [
        ln["estimated_cases"] for ln in replaced.json()["lines"]
    ] == [30]
    assert SurveyResponse.objects.count() == 1
    listed = api_for(sda_reviewer).get("/api/v1/survey-responses/", {"survey": survey.pk}).json()
    assert [r["id"] for r in listed["results"]] == [body["id"]]
    other = api.post("/api/v1/survey-responses/", {**payload, "district": other_district.pk}, format="json")
    assert other.status_code == 400 and "district" in other.json()
    dup = {**payload, "lines": payload["lines"] * 2}
    assert api.post("/api/v1/survey-responses/", dup, format="json").json() == {
        "lines": ["Name each food once."]
    }
    assert api_for(viewer).post("/api/v1/survey-responses/", payload, format="json").status_code == 403


def test_survey_answers_refused_when_closed_or_out_of_scope(
    api_for, manager, outsider, sda_reviewer, district, other_district, mn_agency, wi_agency, foods
):
    now = timezone.now()
    closed = _survey(
        mn_agency, sda_reviewer, opens_at=now - timedelta(days=20), closes_at=now - timedelta(days=1)
    )
    payload = {"survey": closed.pk, "district": district.pk,
               "lines": [{"catalog_item": foods["beans"].pk, "estimated_cases": 5}]}  # fmt: skip
    refused = api_for(manager).post("/api/v1/survey-responses/", payload, format="json")
    assert refused.status_code == 400
    assert refused.json()["detail"] == [
        "This survey is not open: answers are taken between its opening and closing dates."
    ]
    wi_survey = Survey.objects.create(state_agency=wi_agency, school_year=SY, title="WI", opens_at=now - timedelta(days=1),
                                      closes_at=now + timedelta(days=1))  # fmt: skip
    foreign = api_for(manager).post(
        "/api/v1/survey-responses/", {**payload, "survey": wi_survey.pk}, format="json"
    )
    assert foreign.status_code == 400 and "survey" in foreign.json()
    answer = survey_respond(survey=wi_survey, district=other_district, lines=[],
                                     user=outsider)  # fmt: skip
    assert api_for(manager).get(f"/api/v1/survey-responses/{answer.pk}/").status_code == 404
    assert api_for(manager).get("/api/v1/survey-responses/").json()["count"] == 0


# --- Order windows --------------------------------------------------------------------------------


@time_machine.travel(DURING_SY, tick=True)
def test_reviewer_creates_a_window_with_a_derived_state(
    api_for, sda_reviewer, manager, mn_agency, wi_agency, foods
):
    now = timezone.now()
    payload = {"state_agency": mn_agency.pk, "school_year": SY, "name": "Winter window",
               "opens_at": (now + timedelta(days=2)).isoformat(), "closes_at": (now + timedelta(days=9)).isoformat(),
               "delivery_start": "2020-01-06", "delivery_end": "2020-01-31",
               "offered_items": [foods["beans"].pk, foods["cheese"].pk]}  # fmt: skip
    api = api_for(sda_reviewer)
    created = api.post("/api/v1/order-windows/", payload, format="json")
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["state"] == "upcoming" and body["reminder_days_before"] == 3
    assert sorted(body["offered_items"]) == sorted([foods["beans"].pk, foods["cheese"].pk])
    assert body["opened_notice_sent_at"] is None
    open_now = open_window(mn_agency, [foods["apples"]], name="Fall window")
    listed = api_for(manager).get("/api/v1/order-windows/", {"state": "open"}).json()["results"]
    assert [(w["id"], w["state"]) for w in listed] == [(open_now.pk, "open")]
    other_state = api.post("/api/v1/order-windows/", {**payload, "state_agency": wi_agency.pk}, format="json")
    assert other_state.status_code == 400 and "state_agency" in other_state.json()
    empty = api.post("/api/v1/order-windows/", {**payload, "offered_items": []}, format="json")
    assert empty.json() == {"offered_items": ["Offer at least one food in the window."]}
    backwards = api.post("/api/v1/order-windows/", {**payload, "delivery_end": "2019-12-01"}, format="json")
    assert backwards.json() == {"detail": ["The delivery period must end on or after its first day."]}
    assert api_for(manager).post("/api/v1/order-windows/", payload, format="json").status_code == 403


def test_outsiders_get_404_for_windows(api_for, outsider, wi_reviewer, window):
    for user in (outsider, wi_reviewer):
        api = api_for(user)
        assert api.get("/api/v1/order-windows/").json()["count"] == 0
        assert api.get(f"/api/v1/order-windows/{window.pk}/").status_code == 404


# --- Orders ---------------------------------------------------------------------------------------


def test_order_lifecycle_through_the_api(api_for, manager, sda_reviewer, district, site, window, foods):
    fund(district)
    api = api_for(manager)
    created = api.post("/api/v1/orders/", {"window": window.pk, "district": district.pk}, format="json")
    assert created.status_code == 201, created.json()
    order_id = created.json()["id"]
    again = api.post("/api/v1/orders/", {"window": window.pk, "district": district.pk}, format="json")
    assert again.status_code == 200 and again.json()["id"] == order_id
    order = Order.objects.get(pk=order_id)
    _add(api, order, foods["beans"], 10, site)
    body = _add(api, order, foods["apples"], 3, site).json()
    assert body["value"] == "340.00" and body["status"] == "draft" and body["is_editable"] is True
    assert body["lines"][0] == {"id": body["lines"][0]["id"], "catalog_item": foods["beans"].pk, "description": "Food 100117",
                                "cases": 10, "delivery_site": site.pk, "unit_price": "25.00", "value": "250.00"}  # fmt: skip
    body = _add(api, order, foods["beans"], 0, site).json()  # 0 cases removes the line
    assert [ln["catalog_item"] for ln in body["lines"]] == [foods["apples"].pk] and body["value"] == "90.00"
    submitted = api.post(f"/api/v1/orders/{order_id}/submit/")
    assert submitted.status_code == 200 and submitted.json()["status"] == "submitted"
    approved = api_for(sda_reviewer).post(
        f"/api/v1/orders/{order_id}/approve/", {"comment": "OK"}, format="json"
    )
    assert approved.status_code == 200
    body = approved.json()
    assert body["status"] == "approved" and body["decided_at"] is not None
    assert [(t["from_status"], t["to_status"], t["user"]) for t in body["transitions"]] == [
        ("", "draft", manager.email),
        ("draft", "submitted", manager.email),
        ("submitted", "approved", sda_reviewer.email),
    ]
    assert body["transitions"][-1]["comment"] == "OK"


def test_double_approval_is_refused(api_for, manager, sda_reviewer, order, site, foods):
    _submitted(order, manager, foods["beans"], site)
    api = api_for(sda_reviewer)
    assert api.post(f"/api/v1/orders/{order.pk}/approve/").status_code == 200
    second = api.post(f"/api/v1/orders/{order.pk}/approve/")
    assert second.status_code == 400
    assert second.json() == {"detail": ["Only a submitted order can be approved; this one is approved."]}


def test_return_needs_a_comment_then_allows_resubmission(api_for, manager, sda_reviewer, order, site, foods):
    _submitted(order, manager, foods["beans"], site)
    api, url = api_for(sda_reviewer), f"/api/v1/orders/{order.pk}"
    assert api.post(f"{url}/return/", {}, format="json").json() == {"comment": ["This field is required."]}
    blank = api.post(f"{url}/return/", {"comment": "  "}, format="json")
    assert blank.json() == {"comment": ["Say what needs to change: the district sees this comment."]}
    returned = api.post(f"{url}/return/", {"comment": "Use 8 cases"}, format="json")
    assert returned.status_code == 200 and returned.json()["status"] == "returned"
    assert returned.json()["transitions"][-1]["comment"] == "Use 8 cases"
    assert _add(api_for(manager), order, foods["beans"], 8, site).json()["value"] == "200.00"
    assert api_for(manager).post(f"{url}/submit/").json()["status"] == "submitted"


def test_reject_needs_a_comment(api_for, manager, sda_reviewer, order, site, foods):
    _submitted(order, manager, foods["beans"], site)
    api, url = api_for(sda_reviewer), f"/api/v1/orders/{order.pk}"
    blank = api.post(f"{url}/reject/", {"comment": ""}, format="json")
    assert blank.json() == {"comment": ["Say why the order is rejected: the district sees this comment."]}
    rejected = api.post(f"{url}/reject/", {"comment": "Duplicate"}, format="json")
    assert rejected.json()["status"] == "rejected"
    assert Order.objects.get(pk=order.pk).drawdown is None


def test_closed_window_refuses_orders_and_edits(
    api_for, manager, district, site, mn_agency, order, window, foods
):
    api = api_for(manager)
    closed = open_window(mn_agency, [foods["beans"]], opens_in=-timedelta(days=9), closes_in=-timedelta(days=1),
                         name="Summer window")  # fmt: skip
    refused = api.post("/api/v1/orders/", {"window": closed.pk, "district": district.pk}, format="json")
    assert refused.status_code == 400
    assert refused.json() == {
        "detail": [
            "The order window “Summer window” is closed: orders can only be submitted while it is open."
        ]
    }
    _add(api, order, foods["beans"], 5, site)
    OrderWindow.objects.filter(pk=window.pk).update(closes_at=timezone.now() - timedelta(minutes=1))
    assert "is closed" in _add(api, order, foods["beans"], 6, site).json()["detail"][0]
    assert "is closed" in api.post(f"/api/v1/orders/{order.pk}/submit/").json()["detail"][0]


def test_food_not_offered_is_refused(api_for, manager, order, site, foods):
    refused = _add(api_for(manager), order, foods["cheese"], 1, site)
    assert refused.status_code == 400
    assert refused.json() == {
        "catalog_item": ["100036 Food 100036 is not offered in the window “Fall window”."]
    }


def test_over_balance_submission_is_refused(api_for, manager, order, site, foods):
    api = api_for(manager)
    _add(api, order, foods["beans"], 1000, site)  # $25,000 > $23,750
    refused = api.post(f"/api/v1/orders/{order.pk}/submit/")
    assert refused.status_code == 400
    assert refused.json() == {
        "amount": ["This would overdraw the entitlement: $25,000.00 asked, $23,750.00 remaining."]
    }
    assert Order.objects.get(pk=order.pk).status == OrderStatus.DRAFT
    empty_order = api.post(f"/api/v1/orders/{order.pk}/lines/", {"catalog_item": foods["beans"].pk, "cases": 0,
                                                                 "delivery_site": site.pk}, format="json")  # fmt: skip
    assert empty_order.json()["lines"] == []
    assert api.post(f"/api/v1/orders/{order.pk}/submit/").json() == {
        "detail": ["Add at least one line before submitting."]
    }


def test_no_edit_after_submission(api_for, manager, order, site, foods):
    _submitted(order, manager, foods["beans"], site)
    api = api_for(manager)
    refused = _add(api, order, foods["beans"], 20, site)
    assert refused.status_code == 400
    assert refused.json() == {"detail": ["This order is submitted and can no longer be changed."]}
    assert api.post(f"/api/v1/orders/{order.pk}/submit/").json() == {
        "detail": ["This order is submitted and can no longer be changed."]
    }


def test_coop_receiving_site_is_a_delivery_site(
    api_for, manager, district, other_district, other_site, order, foods
):
    refused = _add(api_for(manager), order, foods["beans"], 1, other_site)
    assert refused.status_code == 400
    assert refused.json() == {
        "delivery_site": [f"Site {other_site.pk} is not a delivery site of this district or of its co-op."]
    }
    CoopFactory(lead_district=other_district, receiving_site=other_site, members=[district])
    accepted = _add(api_for(manager), order, foods["beans"], 1, other_site)
    assert accepted.status_code == 200 and accepted.json()["lines"][0]["delivery_site"] == other_site.pk


def test_foreign_keys_outside_scope_are_refused(
    api_for, manager, district, other_district, wi_agency, order, foods
):
    api = api_for(manager)
    window = open_window(wi_agency, [foods["beans"]], name="Wisconsin window")
    foreign_window = api.post(
        "/api/v1/orders/", {"window": window.pk, "district": district.pk}, format="json"
    )
    assert foreign_window.status_code == 400 and set(foreign_window.json()) == {"window"}
    foreign_district = api.post("/api/v1/orders/", {"window": order.window_id, "district": other_district.pk},
                                format="json")  # fmt: skip
    assert foreign_district.status_code == 400 and set(foreign_district.json()) == {"district"}


def test_who_may_edit_and_who_may_review(api_for, manager, viewer, sda_reviewer, order, site, foods):
    url = f"/api/v1/orders/{order.pk}"
    assert api_for(viewer).get(f"{url}/").status_code == 200
    assert _add(api_for(viewer), order, foods["beans"], 1, site).status_code == 403
    assert api_for(viewer).post("/api/v1/orders/", {"window": order.window_id, "district": order.district_id},
                                format="json").status_code == 403  # fmt: skip
    assert _add(api_for(sda_reviewer), order, foods["beans"], 1, site).status_code == 403
    assert api_for(sda_reviewer).post(f"{url}/submit/").status_code == 403
    _submitted(order, manager, foods["beans"], site)
    for action in ("approve", "return", "reject"):
        assert api_for(manager).post(f"{url}/{action}/", {"comment": "x"}, format="json").status_code == 403
    assert Order.objects.get(pk=order.pk).status == OrderStatus.SUBMITTED


def test_outsiders_get_404_for_orders(api_for, manager, outsider, wi_reviewer, order, site, foods):
    _submitted(order, manager, foods["beans"], site)
    url = f"/api/v1/orders/{order.pk}"
    for user in (outsider, wi_reviewer):
        api = api_for(user)
        assert api.get("/api/v1/orders/").json()["count"] == 0
        assert api.get(f"{url}/").status_code == 404
        assert _add(api, order, foods["beans"], 1, site).status_code == 404
        for action in ("submit", "approve", "return", "reject"):
            assert api.post(f"{url}/{action}/", {"comment": "x"}, format="json").status_code == 404
    assert api_for(outsider).get("/api/v1/orders/abc/").status_code == 404
    assert Order.objects.get(pk=order.pk).status == OrderStatus.SUBMITTED


def test_order_filters(api_for, sda_reviewer, manager, order, site, foods):
    _submitted(order, manager, foods["beans"], site)
    api = api_for(sda_reviewer)
    assert api.get("/api/v1/orders/", {"status": "submitted"}).json()["count"] == 1
    assert api.get("/api/v1/orders/", {"status": "draft"}).json()["count"] == 0
    assert api.get("/api/v1/orders/", {"window": order.window_id, "school_year": SY}).json()["count"] == 1


# --- Query budgets --------------------------------------------------------------------------------


def _grow_orders(n: int, mn_agency, window, items, user) -> None:
    """``n`` more MN districts, each with a submitted-looking order of three lines and two transitions."""
    made = DistrictFactory.create_batch(n, state_agency=mn_agency)
    for district in made:
        site = SiteFactory(district=district)
        order = Order.objects.create(district=district, window=window, entitlement=fund(district, lunches=1000),
                                     created_by=user)  # fmt: skip
        OrderLine.objects.bulk_create([OrderLine(order=order, catalog_item=item, cases=2, delivery_site=site,
                                                 unit_price=item.unit_price) for item in items])  # fmt: skip
        OrderTransition.objects.bulk_create([OrderTransition(order=order, to_status="draft", user=user),
                                             OrderTransition(order=order, from_status="draft", to_status="submitted",
                                                             user=user)])  # fmt: skip


def _count(api, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = api.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_order_list_runs_constant_queries(api_for, sda_reviewer, manager, mn_agency, window, foods):
    api = api_for(sda_reviewer)
    items = [foods["beans"], foods["apples"], foods["cheese"]]
    _grow_orders(5, mn_agency, window, items, manager)
    small = _count(api, "/api/v1/orders/?expand=lines")
    small_summaries = _count(api, "/api/v1/orders/")
    _grow_orders(45, mn_agency, window, items, manager)
    assert api.get("/api/v1/orders/").json()["count"] == 50
    # 1 count, 1 orders + district + window, 1 lines + catalog item, 1 transitions + user
    assert small == _count(api, "/api/v1/orders/?expand=lines") == 4
    # Summaries: 1 count, 1 orders + district + window + line count (a subquery)
    assert small_summaries == _count(api, "/api/v1/orders/") == 2


def test_order_list_gives_summaries_and_expands_lines_on_request(api_for, sda_reviewer, manager, mn_agency,
                                                                 window, foods):  # fmt: skip
    items = [foods["beans"], foods["apples"], foods["cheese"]]
    _grow_orders(2, mn_agency, window, items, manager)
    api = api_for(sda_reviewer)

    summaries = api.get("/api/v1/orders/").json()["results"]
    assert {row["line_count"] for row in summaries} == {3}
    assert all("lines" not in row and "transitions" not in row for row in summaries)
    detail = api.get(summaries[0]["url"]).json()
    assert len(detail["lines"]) == 3 and detail["id"] == summaries[0]["id"]

    expanded = api.get("/api/v1/orders/", {"expand": "lines"}).json()["results"]
    assert [len(row["lines"]) for row in expanded] == [3, 3]


def test_other_lists_run_constant_queries(api_for, sda_reviewer, manager, district, mn_agency, foods):
    api = api_for(sda_reviewer)
    urls = [
        "/api/v1/catalog-items/",
        "/api/v1/surveys/",
        "/api/v1/survey-responses/",
        "/api/v1/order-windows/",
    ]

    def grow(n: int, start: int) -> dict[str, int]:
        now = timezone.now()
        for i in range(start, start + n):
            item = catalog_item(f"9{i:05d}")
            open_window(mn_agency, [item, foods["beans"]], name=f"Window {i}")
            year = f"{2000 + i}-{(1 + i) % 100:02d}"
            other_year = _item(f"8{i:05d}", year)
            survey = Survey.objects.create(state_agency=mn_agency, school_year=year, title=f"S{i}",
                                           opens_at=now - timedelta(days=1), closes_at=now + timedelta(days=1))  # fmt: skip
            survey.offered_items.set([item])
            answering = DistrictFactory(state_agency=mn_agency)
            survey_respond(survey=survey, district=answering, lines=[(other_year, 3)], user=manager)
        return {url: _count(api, url) for url in urls}

    small = grow(5, 0)
    large = grow(45, 5)
    # catalog: count + rows; surveys and windows: count + rows + offered items;
    # survey responses: count + rows (+ district, submitted_by) + lines (+ catalog item)
    assert small == large == {urls[0]: 2, urls[1]: 3, urls[2]: 3, urls[3]: 3}


# --- Schema ---------------------------------------------------------------------------------------


def test_schema_documents_the_ordering_api(api_for, manager):
    schema = api_for(manager).get("/api/schema/", {"format": "json"}).json()
    paths = schema["paths"]
    for path in [
        "/api/v1/catalog-items/", "/api/v1/catalog-items/{id}/", "/api/v1/catalog-items/import/",
        "/api/v1/surveys/", "/api/v1/surveys/{id}/results/", "/api/v1/surveys/{id}/offer/",
        "/api/v1/surveys/{id}/remind/", "/api/v1/surveys/{id}/non_respondents/", "/api/v1/survey-responses/",
        "/api/v1/order-windows/", "/api/v1/order-windows/{id}/", "/api/v1/orders/", "/api/v1/orders/{id}/",
        "/api/v1/orders/{id}/lines/", "/api/v1/orders/{id}/submit/", "/api/v1/orders/{id}/approve/",
        "/api/v1/orders/{id}/return/", "/api/v1/orders/{id}/reject/",
    ]:  # fmt: skip
        assert path in paths, path
    assert "text/csv" in paths["/api/v1/catalog-items/import/"]["post"]["requestBody"]["content"]
    reject_body = paths["/api/v1/orders/{id}/reject/"]["post"]["requestBody"]["content"]["application/json"]
    assert reject_body["schema"]["$ref"].endswith("/ReasonRequest")
    order = schema["components"]["schemas"]["Order"]["properties"]
    assert {"lines", "transitions", "value"} <= set(order)


def test_a_long_catalog_file_answers_202_and_goes_on_in_the_background(
    api_for, reference_editor, monkeypatch
):
    monkeypatch.setattr("focus_lab.imports.services.BACKGROUND_ROWS", 0)
    monkeypatch.setattr("focus_lab.jobs.services.enqueue", lambda path, *args: None)
    response = api_for(reference_editor).generic(
        "POST", "/api/v1/catalog-items/import/", GOOD_CSV.encode(), content_type="text/csv"
    )
    assert response.status_code == 202 and response.json()["status"] == "validating"
    assert (
        api_for(reference_editor).get(f"/api/v1/imports/{response.json()['import_id']}/").status_code == 200
    )
