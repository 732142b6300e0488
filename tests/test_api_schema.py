"""The OpenAPI schema tells the truth: every operation documents its error answers with the one
error shape the exception handler gives, and the answers that did not match what they return
(the first transition's blank ``from_status``, survey results and non-respondents, the import's
and the preview's 400s, an order started twice) are checked against real responses."""

from __future__ import annotations

import copy
import json
from datetime import timedelta
from typing import Any

import jsonschema
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from rest_framework.test import APIClient

from tests.factories import UserFactory
from tests.usda_foods.ordering_fixtures import SY, catalog_item, fund, open_window
from usda_foods.ordering.services.orders import order_create
from usda_foods.ordering.services.surveys import survey_open, survey_respond

pytestmark = pytest.mark.django_db

WRITES = {"post", "put", "patch", "delete"}
METHODS = WRITES | {"get"}
ROUTE_ACTIONS = {"list", "retrieve", "create", "update", "partial_update", "destroy"}


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    generated = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(generated))


def _operations(schema: dict[str, Any]):
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            if method in METHODS:
                yield path, method, operation


def _as_jsonschema(node: Any) -> Any:
    """OpenAPI 3.0's ``nullable`` as JSON Schema's null type, so jsonschema validates as clients read."""
    if isinstance(node, list):
        return [_as_jsonschema(n) for n in node]
    if not isinstance(node, dict):
        return node
    node = {k: _as_jsonschema(v) for k, v in node.items()}
    if node.pop("nullable", False):
        node = {
            "anyOf": [
                {k: v for k, v in node.items() if k not in ("readOnly", "description")},
                {"type": "null"},
            ]
        }
    return node


def documented(schema: dict[str, Any], path: str, method: str, code: int) -> dict[str, Any]:
    """The JSON Schema of the documented body of ``method path`` for ``code``, refs resolvable."""
    response = schema["paths"][path][method]["responses"][str(code)]
    body = response["content"]["application/json"]["schema"]
    return {**_as_jsonschema(copy.deepcopy(body)), "components": _as_jsonschema(schema["components"])}


def assert_matches(schema: dict[str, Any], path: str, method: str, response: Any) -> None:
    jsonschema.validate(response.json(), documented(schema, path, method, response.status_code))


def _api(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


# --- Every operation documents its errors --------------------------------------------------------------


def test_every_operation_documents_its_error_answers(schema):
    missing = []
    for path, method, operation in _operations(schema):
        parameters = operation.get("parameters", [])
        expected = {"401"}
        if method in WRITES or any(p["in"] == "query" for p in parameters) or "requestBody" in operation:
            expected.add("400")
        if method in WRITES:
            expected.add("403")
        if "{id}" in path or any(p["name"] == "page" for p in parameters):
            expected.add("404")
        if method == "delete":
            expected.add("409")
        if "requestBody" in operation:
            expected.add("415")
        if gaps := expected - set(operation["responses"]):
            missing.append(f"{method.upper()} {path}: {sorted(gaps)}")
    assert not missing, "\n".join(missing)


def test_custom_actions_document_403(schema):
    """Actions check rights beyond reading (a district user reading a survey's results gets 403)."""
    for path in ("/api/v1/surveys/{id}/results/", "/api/v1/surveys/{id}/non_respondents/"):
        assert "403" in schema["paths"][path]["get"]["responses"], path


def test_error_answers_share_one_component(schema):
    for path, method, operation in _operations(schema):
        for code, response in operation["responses"].items():
            if code in {"401", "403", "404", "409", "415"}:
                body = response["content"]["application/json"]["schema"]
                assert body == {"$ref": "#/components/schemas/Error"}, f"{method} {path} {code}"


def test_real_error_bodies_match_the_error_component(
    schema, manager, viewer, sda_reviewer, district, other_district, site, mn_agency
):
    """Each way the exception handler answers: DRF's own errors, a serializer's field errors
    (nested too), a ValidationError of bare messages, a DomainError with and without a field."""
    apples = catalog_item("100220", "30.00")
    window = open_window(mn_agency, [apples])
    fund(district)
    order = order_create(district=district, window=window, user=manager)
    bodies = {
        401: _api().get("/api/v1/districts/"),
        403: _api(viewer).post(f"/api/v1/orders/{order.pk}/submit/"),
        404: _api(manager).get(f"/api/v1/districts/{other_district.pk}/"),
        "page": _api(manager).get("/api/v1/districts/?page=99"),
        "no route": _api(manager).get("/api/v1/districts/1.5/"),  # never reaches DRF
        "field": _api(manager).post("/api/v1/sites/", {"name": ""}, format="json"),
        "nested": _api(manager).post(
            "/api/v1/survey-responses/",
            {
                "survey": 0,
                "district": district.pk,
                "lines": [{"catalog_item": apples.pk, "estimated_cases": -1}],
            },
            format="json",
        ),
        "bare messages": _api(manager).get("/api/v1/districts/", {"search": "\x00"}),  # DRF's search filter
        "domain": _api(manager).post(f"/api/v1/orders/{order.pk}/submit/"),  # no lines
        "domain field": _api(manager).post(
            f"/api/v1/orders/{order.pk}/lines/",
            {"catalog_item": catalog_item("100300").pk, "cases": 5, "delivery_site": site.pk},
            format="json",
        ),
    }
    error = {"$ref": "#/components/schemas/Error", "components": _as_jsonschema(schema["components"])}
    for name, response in bodies.items():
        assert 400 <= response.status_code < 500, (name, response.status_code, response.content)
        jsonschema.validate(response.json(), error)
    assert isinstance(bodies["domain"].json()["detail"], list)  # DomainError without a field
    assert bodies["bare messages"].json() == {"detail": ["Null characters are not allowed."]}
    assert isinstance(bodies[404].json()["detail"], str)
    assert bodies["no route"].json() == {"detail": "Not found."}


def test_pages_still_get_the_html_404(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404 and response["Content-Type"].startswith("text/html")


# --- The answers that did not match ------------------------------------------------------------------


def test_first_transition_from_status_is_documented(schema, manager, district, mn_agency):
    window = open_window(mn_agency, [catalog_item("100117")])
    fund(district)
    order = order_create(district=district, window=window, user=manager)
    response = _api(manager).get(f"/api/v1/orders/{order.pk}/")
    assert response.json()["transitions"][0]["from_status"] == ""
    assert_matches(schema, "/api/v1/orders/{id}/", "get", response)


def test_starting_an_order_twice_answers_a_documented_200(schema, manager, district, mn_agency):
    window = open_window(mn_agency, [catalog_item("100117")])
    fund(district)
    body = {"district": district.pk, "window": window.pk}
    first = _api(manager).post("/api/v1/orders/", body, format="json")
    again = _api(manager).post("/api/v1/orders/", body, format="json")
    assert (first.status_code, again.status_code) == (201, 200)
    assert_matches(schema, "/api/v1/orders/", "post", again)


@pytest.mark.parametrize("action", ["results", "non_respondents"])
def test_survey_results_and_non_respondents_are_documented_as_lists(
    schema, action, sda_reviewer, manager, district, mn_agency
):
    apples = catalog_item("100220", "30.00")
    now = timezone.now()
    survey = survey_open(state_agency=mn_agency, school_year=SY, title="Preferences",
                                  opens_at=now - timedelta(days=1), closes_at=now + timedelta(days=7),
                                  user=sda_reviewer)  # fmt: skip
    if action == "results":
        survey_respond(survey=survey, district=district, lines=[(apples, 40)], user=manager)
    path = f"/api/v1/surveys/{{id}}/{action}/"
    operation = schema["paths"][path]["get"]
    assert operation["responses"]["200"]["content"]["application/json"]["schema"]["type"] == "array"
    query = [p["name"] for p in operation.get("parameters", []) if p["in"] == "query"]
    assert not query  # the action neither filters nor pages
    response = _api(sda_reviewer).get(f"/api/v1/surveys/{survey.pk}/{action}/")
    assert response.status_code == 200 and len(response.json()) == 1
    assert_matches(schema, path, "get", response)


IMPORT = "/api/v1/catalog-items/import/"
HEADER = "school_year,material_code,description,category,pack_description,net_case_weight_lb,cases_per_truckload,unit_price\n"  # fmt: skip


BAD_IMPORTS = {
    "no file": {"data": {}, "format": "multipart"},
    "bad header": {"data": "a,b\n1,2\n", "content_type": "text/csv"},
    "bad cell": {"data": HEADER + "2019-20,1,Beans,vegetable,cans,x,1,1\n", "content_type": "text/csv"},
    "broken multipart": {"data": b"--x\r\nbroken", "content_type": "multipart/form-data; boundary=x"},
    "empty file": {"data": {"file": SimpleUploadedFile("c.csv", b"")}, "format": "multipart"},
}


@pytest.mark.parametrize("request_kwargs", BAD_IMPORTS.values(), ids=list(BAD_IMPORTS))
def test_catalog_import_400_is_the_documented_shape(schema, request_kwargs):
    national = UserFactory(is_superuser=True, is_staff=True)  # whoever else may load the catalog
    response = _api(national).post(IMPORT, **request_kwargs)
    assert response.status_code == 400, response.content
    assert_matches(schema, IMPORT, "post", response)
    assert response.json()["errors"][0]["message"]


PREVIEW = "/api/v1/shipment-plans/preview/"
ROW = {"location": "Kitchen A", "lat": 44.98, "lon": -93.27, "cases": 50}


BAD_PREVIEWS = {
    "bad row": {"data": {"rows": [{**ROW, "lat": "north"}], "capacity": 100}, "format": "json"},
    "not an object": {"data": [ROW], "format": "json"},
    "not json": {"data": "{not json", "content_type": "application/json"},
    "form": {"data": {"rows": "x"}, "format": "multipart"},
}


@pytest.mark.parametrize("request_kwargs", BAD_PREVIEWS.values(), ids=list(BAD_PREVIEWS))
def test_preview_400_is_the_documented_shape(schema, request_kwargs, manager):
    response = _api(manager).post(PREVIEW, **request_kwargs)
    assert response.status_code == 400, response.content
    assert_matches(schema, PREVIEW, "post", response)
    assert response.json()["errors"][0]["message"]
