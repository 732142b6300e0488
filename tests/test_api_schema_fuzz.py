"""Schemathesis against the generated OpenAPI schema, as each role and anonymously.

Every operation of the schema is called through the WSGI app (no server) by each role's token,
with data the schema says is valid and data it says is not, and every answer must be: not a
server error, a documented status code and content type, and a body that matches the schema for
that code. Path ids come from a realistic lab (two states, districts, sites, a co-op, a partner,
catalog, a survey and its answer, orders in every state, a shipment plan) and include other
tenants' objects and a missing id; ids in request bodies are swapped for real ones often enough to
reach the services. Each example runs in a rolled-back savepoint, so every one starts from the
same lab. Bounded and derandomized: the same cases on every run, a couple of minutes on 2 cores.
"""

from __future__ import annotations

import io
import json
import os
from datetime import timedelta
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from django.db.models import Model
from django.urls import resolve
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from rest_framework.authtoken.models import Token
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from accounts.models import Membership, Role
from accounts.services import invitation_create
from districts.models import Collaborative, District, Site, StateAgency
from focus_lab.imports.kinds import get_kind
from focus_lab.imports.services import import_upload
from focus_lab.jobs.models import BackgroundJob
from partners.models import PartnerOrganisation
from purchasing.priority_items.models import PriorityItem, SpecVersion
from tests.factories import (
    CollaborativeFactory,
    CoopFactory,
    DistrictFactory,
    PartnerFactory,
    PartnershipFactory,
    SiteFactory,
    StateAgencyFactory,
    UserFactory,
    member,
)
from tests.purchasing.fixtures import purchasing_world
from tests.usda_foods import processing_fixtures
from tests.usda_foods.ordering_fixtures import SY, catalog_item, fund
from tests.usda_foods.shipping_fixtures import approve, build_lab, stored_plan
from usda_foods.corrections.services import correction_propose
from usda_foods.deliveries.services import deliveries_release
from usda_foods.models import (
    CatalogItem,
    EndProduct,
    OrderWindow,
    PlanAdjustment,
    Processor,
    ShipmentPlan,
    Survey,
)
from usda_foods.ordering.services.orders import order_create, order_line_set, order_submit
from usda_foods.ordering.services.surveys import survey_open, survey_respond

ROLES = ["anonymous", "manager", "viewer", "partner_user", "sda_reviewer", "collab_admin", "reference_data"]

# Operations left out, "METHOD /path" -> why. Empty: every operation runs as every role.
SKIPPED_OPERATIONS: dict[str, str] = {}

# Examples per operation and role: enough to reach each operation's answers, few enough for CI.
# SCHEMA_FUZZ_SCALE=20 runs twenty times as many, for a deeper look before a release.
SCALE = int(os.environ.get("SCHEMA_FUZZ_SCALE", "1"))
# Two valid requests and one invalid an operation and role by default keep the whole suite within
# CI's budget now that the API has over 280 operations (some 2,000 operation-role pairs); the
# deeper run is SCHEMA_FUZZ_SCALE=3 or more.
EXAMPLES = {"positive": 2 * SCALE, "negative": 1 * SCALE}
ANONYMOUS_EXAMPLES = {"positive": 1, "negative": 1}  # every answer is the same 401

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]

# Request-body fields that hold ids, and what they point at: the generated number is replaced by
# a real id (ours, another tenant's, or a missing one) in most examples.
REFERENCES: dict[str, type[Model]] = {
    "district": District,
    "lead_district": District,
    "members": District,
    "state_agency": StateAgency,
    "collaborative": Collaborative,
    "site": Site,
    "receiving_site": Site,
    "delivery_site": Site,
    "partner": PartnerOrganisation,
    "window": OrderWindow,
    "survey": Survey,
    "catalog_item": CatalogItem,
    "items": CatalogItem,
    "offered_items": CatalogItem,
    "food": CatalogItem,
    "adjustment": PlanAdjustment,
    "adjustments": PlanAdjustment,
    "item": PriorityItem,
    "version": SpecVersion,
    "processor": Processor,
    "end_product": EndProduct,
    "from_district": District,
    "to_district": District,
    "plan": ShipmentPlan,
}


def _raw_schema() -> dict[str, Any]:
    """The schema exactly as /api/schema/ serves it (JSON round trip: no lazy strings)."""
    generated = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(generated))


RAW_SCHEMA = _raw_schema()
OPERATIONS = [
    f"{method.upper()} {path}"
    for path, methods in RAW_SCHEMA["paths"].items()
    for method in methods
    if method in {"get", "post", "put", "patch", "delete"}
]


@pytest.fixture(scope="module")
def app():
    """Django's WSGI app, with connection recycling off as Django's test client does it: closing
    the connection at the end of a request would end the test's transaction."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield get_wsgi_application()
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.fixture(scope="module")
def schema(app):
    loaded = schemathesis.openapi.from_dict(RAW_SCHEMA)
    loaded.app = app
    return loaded


def _build_lab() -> dict[str, Any]:
    """Our district (MN, in a collaborative) with the conftest's five roles, four more MN
    districts with funded entitlements and orders, and another state's district nobody holds."""
    collaborative = CollaborativeFactory(name="Upper Midwest Lab", slug="umrll-fuzz")
    mn = StateAgencyFactory(state="MN", name="Minnesota Department of Education")
    wi = StateAgencyFactory(state="WI", name="Wisconsin DPI")
    district = DistrictFactory(name="Alpha Public Schools", collaborative=collaborative, state_agency=mn)
    other = DistrictFactory(
        name="Bravo School District", state_agency=wi, collaborative=CollaborativeFactory()
    )
    site = SiteFactory(district=district, name="Alpha High School")
    SiteFactory(district=other, name="Bravo Elementary")
    partner = PartnerFactory(name="Alpha Farm to School", collaborative=collaborative)
    PartnershipFactory(partner=partner, district=district)
    PartnershipFactory(district=other)
    users = {
        "manager": member(Role.DISTRICT_MANAGER, district, email="manager@alpha.example"),
        "viewer": member(Role.DISTRICT_VIEWER, district, email="viewer@alpha.example"),
        "partner_user": member(Role.PARTNER_STAFF, partner, email="staff@partner.example"),
        "sda_reviewer": member(Role.SDA_REVIEWER, mn, email="reviewer@mn.example"),
        "collab_admin": member(Role.COLLABORATIVE_ADMIN, collaborative, email="admin@lab.example"),
        "reference_data": UserFactory(email="reference@national.example"),
    }
    member(Role.DISTRICT_MANAGER, other, email="manager@bravo.example")

    lab = build_lab(mn)  # four MN districts, funded, and an open window offering beans
    for n in range(4):
        district_n = lab["districts"][n][0]
        district_n.collaborative = collaborative
        district_n.save()
    reviewer = users["sda_reviewer"]
    approve(lab, reviewer, [20, 80])  # districts 0 and 1: approved orders
    plan = stored_plan(lab, reviewer, trucks=2)
    deliveries_release(plan=plan, user=reviewer)  # expected deliveries for /deliveries/{id}/
    pending_district, pending_manager = lab["districts"][2]
    pending = order_create(district=pending_district, window=lab["window"], user=pending_manager)
    order_line_set(order_id=pending.pk, catalog_item=lab["beans"], cases=10,
                            delivery_site=pending_district.sites.get(), user=pending_manager)  # fmt: skip
    order_submit(order_id=pending.pk, user=pending_manager)

    fund(district)
    CoopFactory(lead_district=district, receiving_site=site, members=[lab["districts"][3][0]])
    draft = order_create(district=district, window=lab["window"], user=users["manager"])
    order_line_set(order_id=draft.pk, catalog_item=lab["beans"], cases=30, delivery_site=site,
                            user=users["manager"])  # fmt: skip
    apples = catalog_item("100220", "30.00", description="Apples, fresh")
    now = timezone.now()
    survey = survey_open(state_agency=mn, school_year=SY, title="SY2019-20 preferences",
                                  opens_at=now - timedelta(days=1), closes_at=now + timedelta(days=7),
                                  user=reviewer)  # fmt: skip
    survey_respond(survey=survey, district=district, lines=[(apples, 40), (lab["beans"], 10)],
                            user=users["manager"])  # fmt: skip
    Membership.objects.create(user=users["reference_data"], role=Role.REFERENCE_DATA)
    # Objects behind the newer routes, so their {id} paths are called with real ids too.
    correction_propose(district=district, kind="lunch_counts", school_year="2018-19", free=100_001,
                                reduced=0, paid=0, reason="Claims were re-filed", user=users["manager"])  # fmt: skip
    invitation_create(by=users["collab_admin"], email="new.person@alpha.example", role=Role.DISTRICT_VIEWER,
                      target=district, base_url="http://testserver")  # fmt: skip
    chicken = processing_fixtures.chicken()
    proc = processing_fixtures.processor(mn, chicken)
    processing_fixtures.drumsticks(proc, chicken)
    processing_fixtures.credit(district, proc, chicken, 10)
    BackgroundJob.objects.create(kind="entitlements_recompute", created_by=reviewer,
                                 params={"school_year": SY, "state": "MN"})  # fmt: skip
    counts = f"State,Agency code,School year,Free,Reduced,Paid\nMN,{district.agency_code},2017-18,1,2,3\n"
    import_upload(kind=get_kind("lunch-counts"), file=io.BytesIO(counts.encode()), filename="counts.csv",
                  user=reviewer)  # fmt: skip
    from agreements import services as letters

    version = letters.template_default(collaborative=collaborative, user=users["collab_admin"]).current
    letters.letter_issue(
        version=version, party=district, school_year=2026, user=users["collab_admin"], send=True
    )
    letters.letter_issue(
        version=version, party=partner, school_year=2026, user=users["collab_admin"], send=True
    )
    from tests.partners.supplier_fixtures import supplier_world

    supplier_world(collaborative=collaborative, district=district, users=users)
    purchasing_world(district, users)  # an adopted item with a commitment and a draft; a proposed one
    return {
        role: {"Authorization": f"Token {Token.objects.create(user=user).key}"}
        for role, user in users.items()
    }


@pytest.fixture(scope="module")
def headers(django_db_setup, django_db_blocker):
    """Each role's auth header; the lab lives in a transaction rolled back after the module."""
    with django_db_blocker.unblock(), transaction.atomic():
        tokens = _build_lab()
        yield {"anonymous": {}, **tokens}
        transaction.set_rollback(True)


def _ids(model: type[Model]) -> list[int]:
    """Every id of ``model`` (ours and other tenants'), and one that does not exist."""
    ids = list(model._default_manager.order_by("pk").values_list("pk", flat=True)[:50])
    return [*ids, (ids[-1] if ids else 0) + 100_000]


def _path_ids(path: str) -> list[int] | None:
    """The ids to put in ``{id}``: those of the model the route's viewset serves."""
    if "{id}" not in path:
        return None
    view = resolve(path.replace("{id}", "1")).func.cls
    model = getattr(view, "queryset_model", None) or getattr(getattr(view, "queryset", None), "model", None)
    if model is None:  # a viewset with only get_queryset: the model its serializer writes
        model = view.serializer_class.Meta.model
    return _ids(model)


def _with_real_ids(value: Any, data: st.DataObject, key: str | None = None) -> Any:
    """``value`` with ids under the REFERENCES keys swapped for real ones (most of the time)."""
    if isinstance(value, dict):
        return {k: _with_real_ids(v, data, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_with_real_ids(v, data, key) for v in value]
    model = REFERENCES.get(key or "")
    if model is not None and isinstance(value, int) and not isinstance(value, bool):
        if data.draw(st.integers(0, 4), label=f"real {key}"):
            return data.draw(st.sampled_from(_ids(model)), label=key)
    return value


def _run(operation: Any, app: Any, auth: dict[str, str], mode: str, examples: int) -> None:
    strategy = operation.as_strategy(generation_mode=schemathesis.GenerationMode(mode))
    path_ids = _path_ids(operation.path)

    @settings(max_examples=examples, derandomize=True, database=None, deadline=None,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))  # fmt: skip
    @given(data=st.data())
    def check(data: st.DataObject) -> None:
        case = data.draw(strategy)
        if path_ids is not None and (mode == "positive" or data.draw(st.booleans(), label="real id")):
            case.path_parameters = {
                **(case.path_parameters or {}),
                "id": data.draw(st.sampled_from(path_ids)),
            }
        if mode == "positive" and isinstance(case.body, dict | list):
            case.body = _with_real_ids(case.body, data)
        with transaction.atomic():
            response = case.call(app=app, headers=auth)
            transaction.set_rollback(True)
        case.validate_response(response, checks=CHECKS)

    check()


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("label", OPERATIONS)
def test_operation_as_role(schema, app, headers, role, label, db):
    if label in SKIPPED_OPERATIONS:
        pytest.skip(SKIPPED_OPERATIONS[label])
    method, path = label.split(" ", 1)
    operation = schema[path][method]
    examples = ANONYMOUS_EXAMPLES if role == "anonymous" else EXAMPLES
    spec = RAW_SCHEMA["paths"][path][method.lower()]
    for mode, count in examples.items():
        if mode == "negative" and not ("parameters" in spec or "requestBody" in spec):
            continue  # nothing in the request to make invalid
        _run(operation, app, headers[role], mode, count)
