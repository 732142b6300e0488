"""Every edit form, posted back unchanged by every role that can open it, changes nothing.

The routes come from the URL resolver, not from a list kept by hand: a route with a path argument
whose view answers both GET and POST is an edit page and needs an object builder in ``PAGES``;
a POST-only route is a form target and needs a verdict in ``TARGETS`` (an edit, which saved
unchanged must change nothing, or an action, which changes things by design). Each page is opened
as each role and the superuser; when it answers 200, its POST forms are parsed (tests/html_forms.py)
and submitted exactly as a browser would, and every row of every model (many-to-many tables
included) must be as it was. A new edit page without a builder, or a form posting to a route
nobody classified, fails this test.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token

from accounts import services as accounts_services
from accounts.models import Role
from partners.models import Partnership
from tests.conftest import ROLE_FIXTURES
from tests.factories import CoopFactory, DistrictFactory, SiteFactory, UserFactory, member
from tests.html_forms import as_post_data, form_posting_to, post_forms
from tests.purchasing.fixtures import purchasing_world
from tests.usda_foods import processing_fixtures
from tests.usda_foods.ordering_fixtures import catalog_item, fund
from tests.usda_foods.shipping_fixtures import build_lab, stored_plan
from usda_foods.corrections.services import correction_propose
from usda_foods.deliveries.services import deliveries_release
from usda_foods.models import ExpectedDelivery, FeeSchedule, LunchCount, Order, OrderLine, Survey
from usda_foods.ordering.services.orders import order_create, order_line_set, order_submit
from usda_foods.ordering.services.surveys import survey_respond
from usda_foods.shipping.models import RemainderOffer

pytestmark = pytest.mark.django_db

ROLES = [*ROLE_FIXTURES, "superuser"]

# --- Which routes are edit pages, and which form targets are edits ------------------------------

# Routes with a path argument that are neither edit pages nor form targets, and why.
NOT_EDIT_ROUTES = {
    "password_reset_confirm": "reached by an anonymous user with a one-time token; the new password is typed",
    "invitation-accept": "reached by whoever holds the emailed one-time link; the password is typed",
}
NOT_EDIT_PREFIXES = {
    "api/": "the API: its HTML forms send PUT through JavaScript; field rights and PUT of an unchanged "
    "body are tested through the API in tests/districts/test_field_rights.py",
}

EDIT = "edit"
# Where a form may post. An edit saved unchanged must change nothing; an action is a command.
TARGETS: dict[str, str] = {
    "districts:district-update": EDIT,
    "districts:site-update": EDIT,
    "districts:coop-update": EDIT,
    "partners:partner-update": EDIT,
    "partners:partnership-update": EDIT,
    "usda_foods:lunch-count-update": EDIT,
    "usda_foods:survey-respond": EDIT,
    "usda_foods:survey-choose-offered": EDIT,
    "usda_foods:order-line-set": EDIT,
    "usda_foods:order-lines-save": EDIT,
    "usda_foods:shipment-plan-override": EDIT,
    "usda_foods:entitlement-detail?action=set_pal": EDIT,
    "usda_foods:processor-update": EDIT,
    "usda_foods:end-product-create": EDIT,
    "usda_foods:end-product-update": EDIT,
    "usda_foods:end-product-rate": EDIT,
    "usda_foods:district-processor": EDIT,
    "usda_foods:transfer-create": EDIT,
    "usda_foods:order-diversions": EDIT,
    "usda_foods:fee-schedule-update": EDIT,
    "usda_foods:end-product-import": "imports an uploaded end-product schedule (no file: nothing)",
    "usda_foods:delivery-detail": "records the delivery's receipt (prefilled as planned): the form's purpose",
    "usda_foods:plan-release": "releases the shipment plan's stops as expected deliveries",
    "usda_foods:coop-storage": "records a member's pickup from the co-op's storage: the form's purpose",
    "password_change": EDIT,
    "people-membership-update": EDIT,
    "people-membership-end": "ends the membership: the confirmation page's purpose",
    "people-invitation-resend": "emails a fresh invitation link",
    "people-invitation-revoke": "withdraws the invitation",
    "partners:partner-remove": "removes the partner: the confirmation page's purpose",
    "partners:supplier-update": EDIT,
    "partners:supplier-child-update": EDIT,
    "partners:interaction-update": EDIT,
    "partners:supplier-child-create": "adds an origin, person, product, practice or certification",
    "partners:interaction-detail": "adds a follow-up to the note",
    "partners:follow-up-done": "marks the follow-up done",
    "partners:supplier-merge": "merges the supplier into another: the page's purpose",
    "usda_foods:entitlement-detail?action=compute": "recomputes the entitlement from today's data",
    "usda_foods:state-entitlements": "recomputes the state's entitlements",
    "usda_foods:collaborative-entitlements": "recomputes the lab's entitlements",
    "usda_foods:survey-remind": "emails the districts that have not answered",
    "usda_foods:order-line-remove": "removes a line",
    "usda_foods:order-submit": "submits the order",
    "usda_foods:order-withdraw": "withdraws the submitted order to a draft",
    "usda_foods:correction-detail?action=accept": "accepts the proposed correction",
    "usda_foods:correction-detail?action=reject": "rejects the proposed correction",
    "usda_foods:order-review": "approves, returns or rejects the order",
    "usda_foods:window-plans": "runs a new shipment plan",
    "usda_foods:shipment-plan-accept": "sends the selected adjustments to the districts as proposals",
    "usda_foods:placement-settings": EDIT,
    "usda_foods:proposal-detail?action=accept": "accepts the proposed change to the approved order",
    "usda_foods:proposal-detail?action=decline": "declines the proposed change",
    "usda_foods:shipment-plan-rerun": "runs the plan again",
    "usda_foods:shipment-plan-offer": "offers a food's remainder to the chosen states",
    "usda_foods:remainder-offer-detail": "plans the offer jointly or declines it",
    "usda_foods:joint-plan-answer": "accepts or declines the joint plan for the user's agency",
    "imports:upload": EDIT,  # posted back without a file: refused, nothing kept
    "imports:map": "checks every row with the chosen columns",
    "imports:confirm": "imports the checked rows",
    "imports:undo": "undoes the import",
    "agreements:template-edit": EDIT,
    "agreements:letter-send": "sends the letter to the party",
    "agreements:letter-sign": "signs the letter for the party",
    "agreements:letter-countersign": "countersigns the letter for the lab",
    "agreements:letter-decline": "declines the letter",
    "agreements:letter-withdraw": "withdraws the letter",
    "purchasing:item-update": EDIT,
    "purchasing:version-update": EDIT,
    "purchasing:commitment-edit": EDIT,
    "purchasing:consensus-rule": EDIT,
    "purchasing:item-revise": "makes a new draft version of the specification",
    "purchasing:version-propose": "proposes the draft to the lab",
    "purchasing:version-withdraw": "withdraws the version",
    "purchasing:version-endorse": "records the district's answer",
    "purchasing:version-count": "closes the count by the lab's rule",
    "purchasing:local-definition-edit": EDIT,
    "purchasing:vendor-match-decide": "confirms or rejects the vendor match",
    "purchasing:keyword-rule-delete": "removes the keyword rule",
    "purchasing:keyword-rules": "keeps a new keyword rule (posted back empty: refused)",
    "purchasing:goal-update": EDIT,
    "purchasing:goal-delete": "removes the goal",
    "logout": "logs out",
    "admin:logout": "logs out",
}
ADMIN_TARGETS = [
    (re.compile(r"^admin:\w+_(change|password_change)$"), EDIT),
    (re.compile(r"^admin:\w+_delete$"), "deletes the object: the confirmation page's purpose"),
]


@dataclass
class Route:
    name: str
    pattern: str
    kwargs: tuple[str, ...]
    view: Any

    @property
    def is_admin(self) -> bool:
        return self.name.startswith("admin:")

    @property
    def handles_get_and_post(self) -> bool:
        return hasattr(self.view, "get") and hasattr(self.view, "post")

    @property
    def handles_post_only(self) -> bool:
        return hasattr(self.view, "post") and not hasattr(self.view, "get")


def _routes(resolver: URLResolver, namespace: tuple[str, ...] = (), prefix: str = "",
            kwargs: tuple[str, ...] = ()) -> Iterator[Route]:  # fmt: skip
    for entry in resolver.url_patterns:
        names = tuple(getattr(entry.pattern, "converters", {})) or tuple(
            getattr(getattr(entry.pattern, "regex", None), "groupindex", {})
        )
        if isinstance(entry, URLResolver):
            inner = (*namespace, entry.namespace) if entry.namespace else namespace
            yield from _routes(entry, inner, prefix + str(entry.pattern), kwargs + names)
        elif isinstance(entry, URLPattern) and entry.name:
            callback = entry.callback
            view = getattr(callback, "view_class", None) or getattr(callback, "cls", None)
            yield Route(":".join((*namespace, entry.name)), prefix + str(entry.pattern), kwargs + names, view)


def routes_with_arguments() -> list[Route]:
    return [route for route in _routes(get_resolver()) if route.kwargs]


def admin_edit_routes() -> dict[str, type]:
    """``admin:<app>_<model>_change`` (and the user's password form) for every registered model."""
    found = {}
    for model in admin.site._registry:
        info = (model._meta.app_label, model._meta.model_name)
        found["admin:{}_{}_change".format(*info)] = model
    found["admin:auth_user_password_change"] = apps.get_model("accounts", "User")
    return found


def classify(key: str) -> str | None:
    if key in TARGETS:
        return TARGETS[key]
    for pattern, verdict in ADMIN_TARGETS:
        if pattern.match(key):
            return verdict
    return None


# --- The objects every page is built from ---------------------------------------------------------


@dataclass
class World:
    objects: dict[str, Any] = field(default_factory=dict)

    def __getattr__(self, name: str) -> Any:
        try:
            return self.objects[name]
        except KeyError:
            raise AttributeError(name) from None


def build_world(request: pytest.FixtureRequest) -> World:
    """One of everything, with values that could be lost in a round trip: contacts, a partner's
    multi-line description with markup characters, a co-op with a member the lead's manager
    cannot see, a survey answer, a draft order with a line, a plan with open adjustments."""
    get = request.getfixturevalue
    district, other_district, site, partner = (
        get(n) for n in ("district", "other_district", "site", "partner")
    )
    mn_agency, collaborative = get("mn_agency"), get("collaborative")
    users = {role: get(role) for role in ROLE_FIXTURES}
    users["superuser"] = UserFactory(is_superuser=True, is_staff=True, email="root@example.org")
    district.contact_name, district.contact_email = "Dana Doe", "dana@alpha.example"
    district.contact_phone = "+1 612 555 0100"
    district.save()
    partner.city, partner.state, partner.website = "Viroqua", "WI", "https://alpha-f2s.example"
    partner.email, partner.description = (
        "hello@alpha-f2s.example",
        "Apples & pears\n<b>not bold</b>\n\n  indented",
    )
    partner.save()
    coop = CoopFactory(lead_district=district, receiving_site=site, members=[other_district])

    lab = build_lab(mn_agency)  # four MN districts with managers, an open window offering beans
    beans, window = lab["beans"], lab["window"]
    apples = catalog_item("100220", "12.00", description="Apples, fresh")
    window.offered_items.add(apples)
    fund(district)  # 2018-19 lunch count and the 2019-20 entitlement
    lunch_count = LunchCount.objects.get(district=district, school_year="2018-19")
    now = timezone.now()
    survey = Survey.objects.create(state_agency=mn_agency, school_year=beans.school_year, title="Preferences",
                                   opens_at=now - timedelta(days=1), closes_at=now + timedelta(days=9))  # fmt: skip
    survey.offered_items.set([beans])
    survey_respond(survey=survey, district=district, lines=[(beans, 120), (apples, 0)],
                            user=users["manager"])  # fmt: skip
    order = order_create(district=district, window=window, user=users["manager"])
    order_line_set(order_id=order.pk, catalog_item=beans, cases=30, delivery_site=site,
                            user=users["manager"])  # fmt: skip
    submitted_district, submitted_manager = lab["districts"][0]
    submitted = order_create(district=submitted_district, window=window, user=submitted_manager)
    order_line_set(order_id=submitted.pk, catalog_item=beans, cases=40,
                            delivery_site=submitted_district.sites.get(), user=submitted_manager)  # fmt: skip
    order_submit(order_id=submitted.pk, user=submitted_manager)
    plan = stored_plan(lab, users["sda_reviewer"], trucks=2)
    proposal = plan.adjustments.get(site=submitted_district.sites.get())
    type(proposal).objects.filter(pk=proposal.pk).update(status="offered")  # sent to the district
    correction = correction_propose(district=district, kind="lunch_counts", school_year="2018-19",
                                             free=100_001, reduced=0, paid=0, reason="Claims were re-filed",
                                             user=users["manager"])  # fmt: skip
    type(district).objects.filter(pk=district.pk).update(is_commodity_school=True)  # a ticked box
    accounts_services.invitation_create(by=users["collab_admin"], email="invited@alpha.example",
                                        role=Role.DISTRICT_VIEWER, target=district, base_url="http://testserver/")  # fmt: skip
    from agreements.services import template_default

    letter_template = template_default(collaborative=collaborative, user=users["collab_admin"])
    adopted, draft, proposed = purchasing_world(district, users)
    chicken = processing_fixtures.chicken()
    proc = processing_fixtures.processor(mn_agency, chicken)
    product = processing_fixtures.drumsticks(proc, chicken)
    processing_fixtures.credit(district, proc, chicken, 10)
    window.offered_items.add(chicken)
    diverted_district, diverted_manager = lab["districts"][1]
    diverted_order = order_create(district=diverted_district, window=window, user=diverted_manager)
    order_line_set(order_id=diverted_order.pk, catalog_item=chicken, cases=5,
                   delivery_site=diverted_district.sites.get(), user=diverted_manager)  # fmt: skip
    OrderLine.objects.filter(order=diverted_order).update(diverted_to=proc)
    deliveries_release(plan=plan, user=users["sda_reviewer"])
    fee_schedule = FeeSchedule.objects.create(state_agency=mn_agency, effective_from=timezone.localdate(),
                                              min_cases_per_drop=10, drop_fee=Decimal("35.00"),
                                              delivery_fee_per_lb=Decimal("0.0125"), storage_free_days=90)  # fmt: skip
    Group.objects.create(name="Editors")
    Token.objects.create(user=users["manager"])
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    AccessAttempt.objects.create(
        username="x@example.org", ip_address="127.0.0.1", user_agent="t", failures_since_start=1
    )
    AccessLog.objects.create(username="x@example.org", ip_address="127.0.0.1", user_agent="t")
    AccessFailureLog.objects.create(username="x@example.org", ip_address="127.0.0.1", user_agent="t")
    from tests.partners.supplier_fixtures import supplier_world

    suppliers = supplier_world(collaborative=collaborative, district=district, users=users)
    from purchasing.spend.services import goal_create

    goal = goal_create(user=users["collab_admin"], collaborative=collaborative, district=district, metric="local",
                       target_percent=Decimal("25.50"), school_year=2027, note='25% "local" & <more>')  # fmt: skip
    return World({
        "goal": goal,
        **suppliers, "users": users, "district": district, "site": site, "coop": coop, "partner": partner,
        "partnership": Partnership.objects.get(partner=partner, district=district), "collaborative": collaborative,
        "lunch_count": lunch_count, "survey": survey, "order": order, "submitted": Order.objects.get(pk=submitted.pk),
        "window": window, "plan": plan, "correction": correction, "second_site": SiteFactory(district=district, name="Alpha Kitchen"),
        "other_lab_district": DistrictFactory(collaborative=collaborative, state_agency=mn_agency),
        "membership": users["manager"].memberships.get(), "letter_template": letter_template,
        "adopted": adopted, "draft": draft, "proposed": proposed,
        "processor": proc, "end_product": product,
        "diverted_order": diverted_order, "delivery": ExpectedDelivery.objects.order_by("pk").first(),
        "fee_schedule": fee_schedule, "proposal": proposal, **purchases_world(collaborative, district, users),
        "remainder_offer": RemainderOffer.objects.create(plan=plan, food=beans, from_agency=mn_agency,
                                                         to_agency=other_district.state_agency, cases=50),
    })  # fmt: skip


def purchases_world(collaborative: Any, district: Any, users: dict[str, Any]) -> dict[str, Any]:
    """A lab's and a district's definitions of local (counties to round-trip), a vendor match."""
    from purchasing.records.models import LocalDefinition, VendorAlias

    lab_local = LocalDefinition.objects.create(collaborative=collaborative, name="Within 150 miles",
                                               local_radius_miles=Decimal("150"), regional_states=["MN", "WI"],
                                               regional_counties=["IA:Winneshiek"])  # fmt: skip
    own = LocalDefinition.objects.create(collaborative=collaborative, district=district, name="Our counties",
                                         local_counties=["MN:Hennepin", "MN:Ramsey"])  # fmt: skip
    VendorAlias.objects.create(collaborative=collaborative, name="north star food inc", score=92)
    return {"lab_local": lab_local, "own_local": own}


# Edit pages (and the detail pages that host edit forms posting elsewhere), with their URL kwargs.
PAGES: dict[str, Callable[[World], dict[str, Any] | list[dict[str, Any]]]] = {
    "districts:district-update": lambda w: {"pk": w.district.pk},
    "districts:site-update": lambda w: {"pk": w.site.pk},
    "districts:coop-update": lambda w: {"pk": w.coop.pk},
    "partners:partner-update": lambda w: {"pk": w.partner.pk},
    "partners:partner-remove": lambda w: {"pk": w.partner.pk},
    "partners:partnership-update": lambda w: {"pk": w.partnership.pk},
    "usda_foods:lunch-count-update": lambda w: {"pk": w.lunch_count.pk},
    "usda_foods:entitlement-detail": lambda w: [
        {"district_id": w.district.pk, "school_year": "2019-20"},
        {"district_id": w.district.pk, "school_year": "2018-19"},
    ],  # fmt: skip
    "usda_foods:state-entitlements": lambda w: {"state": "MN"},
    "usda_foods:collaborative-entitlements": lambda w: {"pk": w.collaborative.pk},
    "usda_foods:survey-respond": lambda w: {"pk": w.survey.pk},
    "usda_foods:survey-detail": lambda w: {"pk": w.survey.pk},
    "usda_foods:order-detail": lambda w: [{"pk": w.order.pk}, {"pk": w.submitted.pk}],
    "usda_foods:window-plans": lambda w: {"pk": w.window.pk},
    "usda_foods:shipment-plan-detail": lambda w: {"pk": w.plan.pk},
    "usda_foods:shipment-plan-offer": lambda w: {"pk": w.plan.pk},
    "usda_foods:remainder-offer-detail": lambda w: {"pk": w.remainder_offer.pk},
    "usda_foods:correction-detail": lambda w: {"pk": w.correction.pk},
    "imports:upload": lambda w: [{"kind": "lunch-counts"}, {"kind": "catalog"}],
    "purchasing:item-update": lambda w: {"pk": w.adopted.pk},
    "purchasing:item-detail": lambda w: [{"pk": w.adopted.pk}, {"pk": w.proposed.item_id}],
    "purchasing:version-update": lambda w: {"pk": w.draft.pk},
    "purchasing:version-detail": lambda w: [{"pk": w.draft.pk}, {"pk": w.proposed.pk}],
    "purchasing:commitment-edit": lambda w: {"pk": w.adopted.pk},
    "purchasing:consensus-rule": lambda w: {"pk": w.collaborative.pk},
    "purchasing:local-definition-edit": lambda w: [{"pk": w.lab_local.pk}, {"pk": w.own_local.pk}],
    "usda_foods:processor-detail": lambda w: {"pk": w.processor.pk},
    "usda_foods:processor-update": lambda w: {"pk": w.processor.pk},
    "usda_foods:end-product-create": lambda w: {"pk": w.processor.pk},
    "usda_foods:end-product-update": lambda w: {"pk": w.end_product.pk},
    "usda_foods:district-processor": lambda w: {"pk": w.processor.pk, "district_id": w.district.pk},
    "usda_foods:transfer-create": lambda w: {"pk": w.processor.pk},
    "usda_foods:order-diversions": lambda w: {"pk": w.diverted_order.pk},
    "usda_foods:delivery-detail": lambda w: {"pk": w.delivery.pk},
    "usda_foods:fee-schedule-update": lambda w: {"pk": w.fee_schedule.pk},
    "usda_foods:coop-storage": lambda w: {"pk": w.coop.pk},
    "usda_foods:placement-settings": lambda w: {"pk": w.window.state_agency_id},
    "usda_foods:proposal-detail": lambda w: {"pk": w.proposal.pk},
    "password_change": lambda w: {},
    "people": lambda w: {},
    "people-membership-update": lambda w: {"pk": w.membership.pk},
    "people-membership-end": lambda w: {"pk": w.membership.pk},
    "partners:supplier-update": lambda w: {"pk": w.supplier.pk},
    "partners:supplier-merge": lambda w: {"pk": w.supplier.pk},
    "partners:supplier-child-create": lambda w: [{"pk": w.supplier.pk, "kind": k} for k in
                                                 ("origins", "people", "products", "practices", "certifications")],
    "partners:supplier-child-update": lambda w: [
        {"kind": "origins", "pk": w.origin.pk}, {"kind": "people", "pk": w.supplier_person.pk},
        {"kind": "products", "pk": w.product.pk}, {"kind": "practices", "pk": w.practice.pk},
        {"kind": "certifications", "pk": w.certification.pk},
    ],
    "partners:interaction-detail": lambda w: {"pk": w.interaction.pk},
    "partners:interaction-update": lambda w: {"pk": w.interaction.pk},
    "agreements:template-edit": lambda w: {"pk": w.letter_template.pk},
    "purchasing:goal-update": lambda w: {"pk": w.goal.pk},
}  # fmt: skip


def admin_kwargs(route_name: str, model: type) -> dict[str, Any]:
    obj = model._default_manager.order_by("pk").first()
    assert obj is not None, f"{route_name}: build a {model.__name__} in build_world"
    return {"id": obj.pk} if route_name.endswith("password_change") else {"object_id": obj.pk}


# --- What "nothing changed" means -----------------------------------------------------------------

# Logs of requests, not data: Django admin's log of saves, sessions (flash messages), lock-out logs.
NOT_DATA = {"admin", "sessions", "axes", "contenttypes"}


def snapshot() -> dict[str, list[dict[str, Any]]]:
    rows = {}
    for model in apps.get_models(include_auto_created=True):
        if model._meta.app_label in NOT_DATA or model._meta.proxy or not model._meta.managed:
            continue
        rows[model._meta.label] = list(model._base_manager.order_by("pk").values())
    return rows


def differences(before: dict, after: dict) -> list[str]:
    found = []
    for label, rows in before.items():
        if rows != after[label]:
            old = {row["pk"] if "pk" in row else row.get("id"): row for row in rows}
            new = {row["pk"] if "pk" in row else row.get("id"): row for row in after[label]}
            for pk in sorted(old.keys() | new.keys(), key=str):
                if old.get(pk) != new.get(pk):
                    changed = {k: (old.get(pk, {}).get(k), v) for k, v in (new.get(pk) or {}).items()
                               if (old.get(pk) or {}).get(k) != v} if pk in old and pk in new else None  # fmt: skip
                    found.append(f"{label} #{pk}: " + (f"changed {changed}" if changed else
                                 ("added" if pk not in old else "deleted")))  # fmt: skip
    return found


# --- The tests ------------------------------------------------------------------------------------


def test_every_edit_route_has_a_builder_or_a_reason():
    """A route with a path argument that answers GET and POST is an edit page: it needs a builder.
    A POST-only one is a form target: it needs a verdict. Admin pages are built generically."""
    missing = []
    admin_routes = admin_edit_routes()
    for route in routes_with_arguments():
        if route.name in NOT_EDIT_ROUTES or any(route.pattern.startswith(p) for p in NOT_EDIT_PREFIXES):
            continue
        if route.is_admin:
            if route.name.endswith("_change") and route.name not in admin_routes:
                missing.append(f"{route.name}: an admin edit page of an unregistered model?")
            continue
        if route.handles_get_and_post and route.name not in PAGES:
            missing.append(
                f"{route.name} ({route.pattern}) renders and accepts a form: add a builder to PAGES"
            )
        if route.handles_post_only and classify(route.name) is None:
            missing.append(f"{route.name} ({route.pattern}) accepts POST: classify it in TARGETS")
    assert not missing, "\n".join(missing)


def _target_key(action_url: str, pairs: list[tuple[str, str]]) -> tuple[str, str]:
    path = urlsplit(action_url).path
    name = resolve(path).view_name
    action = dict(pairs).get("action")
    return path, f"{name}?action={action}" if action else name


def test_every_edit_form_saved_unchanged_changes_nothing(request):
    world = build_world(request)
    clients = {role: Client() for role in ROLES}
    for role, client in clients.items():
        client.force_login(world.users[role])
    pages: list[tuple[str, str]] = []
    for name, build in PAGES.items():
        built = build(world)
        for kwargs in built if isinstance(built, list) else [built]:
            pages.append((name, reverse(name, kwargs=kwargs)))
    for name, model in admin_edit_routes().items():
        pages.append((name, reverse(name, kwargs=admin_kwargs(name, model))))

    problems: list[str] = []
    edits_posted: dict[str, set[str]] = {}
    opened: dict[str, set[str]] = {}
    for role, client in clients.items():
        for page_name, url in pages:
            page = client.get(url)
            if page.status_code != 200:
                assert page.status_code in (302, 403, 404), f"{role} GET {url}: {page.status_code}"
                continue
            opened.setdefault(page_name, set()).add(role)
            for form in post_forms(page.content.decode()):
                for pairs in form.submissions():
                    path, key = _target_key(form.action or url, pairs)
                    verdict = classify(key)
                    if verdict is None:
                        problems.append(f"{page_name}: a form posts to {key}; classify it in TARGETS")
                        continue
                    if verdict != EDIT:
                        continue
                    before = snapshot()
                    response = client.post(path, as_post_data(pairs))
                    changed = differences(before, snapshot())
                    edits_posted.setdefault(key, set()).add(role)
                    if response.status_code >= 500 or changed:
                        problems.append(f"{role} saved {key} unchanged from {url} -> {response.status_code}: "
                                        + "; ".join(changed))  # fmt: skip
    unreached = [key for key, verdict in TARGETS.items() if verdict == EDIT and key not in edits_posted]
    problems += [f"no role reached a form posting to {key}: fix its builder" for key in unreached]
    assert not problems, "\n".join(problems)
    # The round trip really ran the forms this issue is about, as the roles that own them.
    assert {"manager", "collab_admin", "sda_reviewer", "superuser"} <= edits_posted[
        "districts:district-update"
    ]
    assert {"partner_user", "collab_admin"} <= edits_posted["partners:partner-update"]
    assert {"manager", "collab_admin"} <= edits_posted["districts:coop-update"]
    assert {"collab_admin", "superuser"} <= edits_posted["people-membership-update"]


def test_the_form_parser_submits_what_a_browser_would():
    html = """
    <form method="get"><input name="q" value="ignored"></form>
    <form method="post" action="/x/" id="main">
      <input type="hidden" name="csrfmiddlewaretoken" value="t">
      <input name="name" value="A &amp; B"><input name="off" value="1" disabled>
      <input type="checkbox" name="flag" checked><input type="checkbox" name="unticked" value="1">
      <select name="one"><option value="">---</option><option value="2" selected>Two</option></select>
      <select name="first"><option value="a">A</option><option value="b">B</option></select>
      <select name="many" multiple><option value="1" selected>1</option><option value="2">2</option>
        <option value="3" selected>3</option></select>
      <select name="locked" disabled><option value="9" selected>9</option></select>
      <fieldset disabled><input name="in_fieldset" value="x"></fieldset>
      <textarea name="notes">
line one
&lt;b&gt;</textarea>
      <button type="submit" name="action" value="save">Save</button>
      <button type="submit" name="action" value="other">Other</button>
    </form>
    <input form="main" name="outside" value="o">
    """
    (form,) = post_forms(html)
    assert form.action == "/x/"
    assert form.submissions()[0] == [
        ("csrfmiddlewaretoken", "t"), ("name", "A & B"), ("flag", "on"), ("one", "2"), ("first", "a"),
        ("many", "1"), ("many", "3"), ("notes", "line one\n<b>"), ("outside", "o"), ("action", "save"),
    ]  # fmt: skip
    assert form.submissions()[1][-1] == ("action", "other")
    assert form.disabled_names == {"off", "locked", "in_fieldset"}


def test_a_manager_of_two_districts_round_trips_the_coop_too(client_for, district, other_district, site):
    """Membership spans districts: the co-op lists the manager's districts, keeps the rest."""
    extra = DistrictFactory(collaborative=district.collaborative, state_agency=district.state_agency)
    user = member(Role.DISTRICT_MANAGER, district)
    from accounts.models import Membership

    Membership.objects.create(user=user, role=Role.DISTRICT_MANAGER, district=extra)
    coop = CoopFactory(lead_district=district, receiving_site=site, members=[extra, other_district])
    client = client_for(user)
    url = reverse("districts:coop-update", args=[coop.pk])
    form = form_posting_to(client.get(url).content.decode(), url)
    before = snapshot()
    assert client.post(url, as_post_data(form.submissions()[0])).status_code == 302
    assert differences(before, snapshot()) == []
    assert set(coop.members.all()) == {district, extra, other_district}
