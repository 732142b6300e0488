"""Data follows its owner (issue 8, items 2 and 3).

- Reimbursable lunch counts are the state's claims data: only SDA reviewers of the district's
  state record, change or import them. A district manager (or a lab's admin) reads them and cannot
  raise its own entitlement; it proposes a correction instead (test_corrections*.py).
- National reference data (per-meal values, reimbursement rates, Section 4 payments, the USDA Foods
  available list) is changed by national reference-data editors and superusers only; a lab's
  admins and a state's reviewers read it. A state's reviewers change what their own state offers,
  never another state's.
Each refusal is checked through the page and the API, and that nothing was written."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from districts.models import District
from focus_lab.errors import DomainError
from tests.factories import UserFactory, member
from tests.imports.flow import import_through_pages
from tests.usda_foods.helpers import COV, PRIOR, YEAR, entitlement
from tests.usda_foods.ordering_fixtures import catalog_item, open_window
from usda_foods.entitlements.services.lunch_counts import lunch_count_save, lunch_counts_import
from usda_foods.entitlements.services.reference import per_meal_value_create, reference_value_save
from usda_foods.models import (
    CatalogItem,
    Entitlement,
    LunchCount,
    OrderWindow,
    PerMealValue,
    ReimbursementRate,
    Section4Payment,
    Survey,
)
from usda_foods.ordering.services.catalog import CATALOG_COLUMNS
from usda_foods.ordering.services.windows import window_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser(db):
    return UserFactory(is_superuser=True, is_staff=True, email="root@example.org")


@pytest.fixture
def wi_reviewer(wi_agency):
    return member(Role.SDA_REVIEWER, wi_agency, email="reviewer@wi.example")


@pytest.fixture
def funded(district):
    """Alpha's SY2019-20 entitlement from its SY2018-19 lunches: COV = PAL = $237,500.00."""
    return entitlement(district)


def _unchanged(funded: Entitlement) -> None:
    funded.refresh_from_db()
    assert (funded.commodity_offer_value, funded.planned_assistance_level) == (COV, COV)
    count = LunchCount.objects.get(district_id=funded.district_id, school_year=PRIOR)
    assert (count.free, count.reduced, count.paid) == (600_000, 100_000, 300_000)


# --- Item 2: lunch counts are the state's ---------------------------------------------------------


@pytest.mark.parametrize("role", ["manager", "collab_admin"])
def test_district_manager_cannot_raise_its_entitlement_through_the_api(request, api_for, role, funded):
    """The sweep's PATCH (+20,000,000 paid lunches raised a PAL from $1.08M to $5.83M) is refused."""
    api = api_for(request.getfixturevalue(role))
    count = LunchCount.objects.get(district=funded.district, school_year=PRIOR)
    url = f"/api/v1/lunch-counts/{count.pk}/"
    assert api.get(url).status_code == 200  # they read it
    assert api.patch(url, {"paid": 20_300_000}, format="json").status_code == 403
    put = {"district": funded.district_id, "school_year": PRIOR, "free": 1, "reduced": 1, "paid": 20_000_000}
    assert api.put(url, put, format="json").status_code == 403
    _unchanged(funded)


@pytest.mark.parametrize("role", ["manager", "collab_admin"])
def test_district_manager_cannot_create_lunch_counts_through_the_api(request, api_for, role, district):
    api = api_for(request.getfixturevalue(role))
    payload = {"district": district.pk, "school_year": PRIOR, "free": 1, "reduced": 1, "paid": 9_000_000}
    assert api.post("/api/v1/lunch-counts/", payload, format="json").status_code == 403
    assert not LunchCount.objects.exists() and not Entitlement.objects.exists()


@pytest.mark.parametrize("role", ["manager", "collab_admin", "viewer", "partner_user"])
def test_only_the_state_enters_edits_or_imports_lunch_counts_through_pages(
    request, client_for, role, funded, partner
):
    client = client_for(request.getfixturevalue(role))
    district = funded.district
    count = LunchCount.objects.get(district=district, school_year=PRIOR)
    data = {"district": district.pk, "school_year": PRIOR, "free": "600000", "reduced": "100000",
            "paid": "20300000"}  # fmt: skip
    create, update = (
        reverse("usda_foods:lunch-count-create"),
        reverse("usda_foods:lunch-count-update", args=[count.pk]),
    )
    upload = SimpleUploadedFile(
        "counts.csv",
        f"state,agency_code,school_year,free,reduced,paid\nMN,{district.agency_code},{PRIOR},1,1,20000000\n".encode(),
    )
    for url in (create, update, reverse("usda_foods:lunch-count-import")):
        assert client.get(url).status_code == 403, url
    assert client.post(create, {**data, "school_year": YEAR}).status_code == 403
    assert client.post(update, data).status_code == 403
    assert client.post(reverse("usda_foods:lunch-count-import"), {"file": upload}).status_code == 403
    _unchanged(funded)
    assert not LunchCount.objects.filter(school_year=YEAR).exists()
    html = client.get(reverse("usda_foods:lunch-count-list")).content.decode()
    assert "New lunch count" not in html and "Import CSV" not in html
    assert reverse("usda_foods:lunch-count-import") not in html  # nor in the navigation
    assert reverse("imports:upload", args=["lunch-counts"]) not in html
    assert client.get(reverse("imports:upload", args=["lunch-counts"])).status_code == 403


def test_lunch_count_services_refuse_a_manager(manager, funded):
    district = funded.district
    with pytest.raises(DomainError, match="state agency's claims data"):
        lunch_count_save(district=district, school_year=PRIOR, free=1, reduced=1, paid=20_000_000,
                                  user=manager)  # fmt: skip
    report = lunch_counts_import(
        data=f"state,agency_code,school_year,free,reduced,paid\nMN,{district.agency_code},{PRIOR},1,1,20000000\n",
        user=manager,
    )
    # a district's manager imports no lunch counts at all (they are the state's data)
    assert [(e.line, e.message) for e in report.errors] == [(0, "Your role cannot import lunch counts.")]
    _unchanged(funded)


def test_reviewer_of_another_state_cannot_change_lunch_counts(client_for, api_for, wi_reviewer, funded):
    district = funded.district
    count = LunchCount.objects.get(district=district, school_year=PRIOR)
    api = api_for(wi_reviewer)
    assert api.get(f"/api/v1/lunch-counts/{count.pk}/").status_code == 404
    assert api.patch(f"/api/v1/lunch-counts/{count.pk}/", {"paid": 1}, format="json").status_code == 404
    created = api.post("/api/v1/lunch-counts/", {"district": district.pk, "school_year": YEAR, "free": 1,
                                                 "reduced": 1, "paid": 1}, format="json")  # fmt: skip
    assert created.status_code == 400 and "district" in created.json()
    client = client_for(wi_reviewer)
    update = reverse("usda_foods:lunch-count-update", args=[count.pk])
    assert client.get(update).status_code == 404
    assert client.post(update, {"free": "1", "reduced": "1", "paid": "1"}).status_code == 404
    response = client.post(reverse("usda_foods:lunch-count-create"),
                           {"district": district.pk, "school_year": YEAR, "free": "1", "reduced": "1", "paid": "1"})  # fmt: skip
    assert "district" in response.context["form"].errors
    report = lunch_counts_import(
        data=f"state,agency_code,school_year,free,reduced,paid\nMN,{district.agency_code},{PRIOR},1,1,1\n",
        user=wi_reviewer,
    )
    assert not report.ok
    _unchanged(funded)
    assert not LunchCount.objects.filter(school_year=YEAR).exists()


def test_reviewer_of_the_state_records_them_and_the_entitlement_follows(api_for, sda_reviewer, funded):
    count = LunchCount.objects.get(district=funded.district, school_year=PRIOR)
    response = api_for(sda_reviewer).patch(
        f"/api/v1/lunch-counts/{count.pk}/", {"paid": 400_000}, format="json"
    )
    assert response.status_code == 200 and response.json()["total"] == 1_100_000
    funded.refresh_from_db()
    assert funded.commodity_offer_value == Decimal("261250.00")  # 23.75 cents x 1,100,000


# --- Item 3: national reference data -----------------------------------------------------------------

PER_MEAL = {
    "school_year": "2031-32",
    "cents": "31.25",
    "citation": "FR notice (test)",
    "published_on": "2031-07-01",
}
RATE = {"school_year": "2031-32", "category": "free", "dollars": "5.1000", "citation": "FR notice (test)"}
SECTION4 = {"school_year": "2031-32", "cents": "9.50", "citation": "FR notice (test)"}
CATALOG = {"school_year": "2019-20", "material_code": "110500", "description": "Cheese cheddar", "category": "dairy",
           "pack_description": "4/5 lb", "net_case_weight_lb": "20", "cases_per_truckload": 1600, "unit_price": "61.50"}  # fmt: skip


def _reference_state() -> list:
    return [
        sorted(PerMealValue.objects.values_list("school_year", "cents", "published_on")),
        sorted(ReimbursementRate.objects.values_list("school_year", "category", "dollars")),
        sorted(Section4Payment.objects.values_list("school_year", "cents")),
        sorted(CatalogItem.objects.values_list("material_code", "unit_price", "cases_per_truckload")),
    ]


@pytest.mark.parametrize("role", ["collab_admin", "sda_reviewer", "manager", "partner_user"])
def test_tenants_cannot_change_national_reference_data_through_the_api(request, api_for, role, partner):
    rate = ReimbursementRate.objects.get(school_year="2019-20", category="free")
    section4 = Section4Payment.objects.create(school_year="2019-20", cents=Decimal("9.00"), citation="Test")
    item = catalog_item("100117")
    before = _reference_state()
    api = api_for(request.getfixturevalue(role))
    for url, payload in [("/api/v1/per-meal-values/", PER_MEAL), ("/api/v1/reimbursement-rates/", RATE),
                         ("/api/v1/section4-payments/", SECTION4), ("/api/v1/catalog-items/", CATALOG)]:  # fmt: skip
        assert api.post(url, payload, format="json").status_code == 403, url
    for url, change in [(f"/api/v1/reimbursement-rates/{rate.pk}/", {"dollars": "9.9900"}),
                        (f"/api/v1/section4-payments/{section4.pk}/", {"cents": "99.00"}),
                        (f"/api/v1/catalog-items/{item.pk}/", {"unit_price": "0.01", "cases_per_truckload": 1})]:  # fmt: skip
        assert api.get(url).status_code == 200, url  # everyone reads it
        assert api.patch(url, change, format="json").status_code == 403, url
    csv = ",".join(CATALOG_COLUMNS) + "\n2019-20,100117,Beans,vegetable,6/#10,40,1,0.01\n"
    assert (
        api.generic("POST", "/api/v1/catalog-items/import/", csv, content_type="text/csv").status_code == 403
    )
    assert _reference_state() == before


@pytest.mark.parametrize("role", ["reference_editor", "superuser"])
def test_reference_editors_and_superusers_change_it_through_the_api(request, api_for, role):
    api = api_for(request.getfixturevalue(role))
    for url, payload in [("/api/v1/per-meal-values/", PER_MEAL), ("/api/v1/reimbursement-rates/", RATE),
                         ("/api/v1/section4-payments/", SECTION4), ("/api/v1/catalog-items/", CATALOG)]:  # fmt: skip
        response = api.post(url, payload, format="json")
        assert response.status_code == 201, (url, response.json())
    rate = ReimbursementRate.objects.get(school_year="2031-32", category="free")
    assert (
        api.patch(f"/api/v1/reimbursement-rates/{rate.pk}/", {"dollars": "5.2000"}, format="json").status_code
        == 200
    )
    rate.refresh_from_db()
    assert rate.dollars == Decimal("5.2000") and rate.citation == "FR notice (test)"
    no_citation = api.post("/api/v1/section4-payments/", {**SECTION4, "school_year": "2032-33", "citation": ""},
                           format="json")  # fmt: skip
    assert no_citation.status_code == 400 and "citation" in no_citation.json()  # the citation stays required
    assert PerMealValue.objects.get(school_year="2031-32").created_by == request.getfixturevalue(role)


@pytest.mark.parametrize("role", ["collab_admin", "sda_reviewer", "manager"])
def test_tenants_cannot_change_reference_data_through_pages(request, client_for, role):
    client = client_for(request.getfixturevalue(role))
    before = _reference_state()
    catalog_csv = SimpleUploadedFile(
        "c.csv",
        (",".join(CATALOG_COLUMNS) + "\n2019-20,100117,Beans,vegetable,6/#10,40,1,0.01\n").encode(),
    )
    for name, data in [("per-meal-value-create", PER_MEAL), ("reimbursement-rate-create", RATE),
                       ("section4-payment-create", SECTION4), ("catalog-import", {"file": catalog_csv})]:  # fmt: skip
        url = reverse(f"usda_foods:{name}")
        assert client.get(url).status_code == 403, name
        assert client.post(url, data).status_code == 403, name
    assert _reference_state() == before
    for name, button in [("per-meal-value-list", "New per-meal value"), ("reimbursement-rate-list", "New reimbursement rate"),
                         ("section4-payment-list", "New Section 4 payment"), ("catalog-list", "Import CSV")]:  # fmt: skip
        html = client.get(reverse(f"usda_foods:{name}")).content.decode()
        assert button not in html, name


@pytest.mark.parametrize("role", ["reference_editor", "superuser"])
def test_reference_editors_and_superusers_change_it_through_pages(
    request, client_for, role, district, django_capture_on_commit_callbacks
):
    funded = entitlement(district)
    client = client_for(request.getfixturevalue(role))
    for name, button in [("per-meal-value-list", "New per-meal value"), ("reimbursement-rate-list", "New reimbursement rate"),
                         ("section4-payment-list", "New Section 4 payment"), ("catalog-list", "Import CSV")]:  # fmt: skip
        assert button in client.get(reverse(f"usda_foods:{name}")).content.decode(), name
    correction = {"school_year": YEAR, "cents": "24.00", "citation": "Correction notice (test)",
                  "published_on": "2019-09-01"}  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(reverse("usda_foods:per-meal-value-create"), correction).status_code == 302
    funded.refresh_from_db()
    assert funded.commodity_offer_value == Decimal("240000.00")  # every lab's entitlements follow
    assert client.post(reverse("usda_foods:reimbursement-rate-create"), RATE).status_code == 302
    assert client.post(reverse("usda_foods:section4-payment-create"), SECTION4).status_code == 302
    csv = ",".join(CATALOG_COLUMNS) + "\n2019-20,100117,Beans,vegetable,6/#10,40,1400,21.50\n"
    assert "1 created" in import_through_pages(client, "catalog", csv).content.decode()


def test_reference_services_refuse_tenants(collab_admin, sda_reviewer):
    for user in (collab_admin, sda_reviewer):
        with pytest.raises(PermissionDenied, match="reference-data editors"):
            per_meal_value_create(school_year="2031-32", cents=Decimal("31.25"), citation="x",
                                           published_on=date(2031, 7, 1), user=user)  # fmt: skip
        with pytest.raises(PermissionDenied, match="reference-data editors"):
            reference_value_save(
                value=ReimbursementRate(
                    school_year="2031-32", category="free", dollars=Decimal("9"), citation="x"
                ),
                user=user,
            )
    assert not PerMealValue.objects.filter(school_year="2031-32").exists()
    assert not ReimbursementRate.objects.filter(school_year="2031-32").exists()


# --- A state's reviewers change what their state offers, never another state's ---------------------


@pytest.fixture
def minnesota(mn_agency, district, sda_reviewer):
    """A Minnesota survey and window over two foods, and a food neither offers."""
    beans, apples, extra = catalog_item("100117"), catalog_item("100220"), catalog_item("100300")
    now = timezone.now()
    survey = Survey.objects.create(state_agency=mn_agency, school_year="2019-20", title="MN preferences",
                                   opens_at=now - timedelta(days=1), closes_at=now + timedelta(days=9))  # fmt: skip
    survey.offered_items.set([beans, apples])
    window = open_window(mn_agency, [beans, apples])
    return {"survey": survey, "window": window, "extra": extra}


def _offers(minnesota) -> tuple[set[int], set[int]]:
    return (
        set(minnesota["survey"].offered_items.values_list("pk", flat=True)),
        set(minnesota["window"].offered_items.values_list("pk", flat=True)),
    )


def test_reviewer_of_another_state_cannot_change_its_survey_or_window(
    client_for, api_for, wi_reviewer, wi_agency, mn_agency, minnesota
):
    survey, window, extra = minnesota["survey"], minnesota["window"], minnesota["extra"]
    before = _offers(minnesota)
    api = api_for(wi_reviewer)
    assert api.get(f"/api/v1/surveys/{survey.pk}/").status_code == 404
    assert (
        api.post(f"/api/v1/surveys/{survey.pk}/offer/", {"items": [extra.pk]}, format="json").status_code
        == 404
    )
    assert api.post(f"/api/v1/surveys/{survey.pk}/remind/").status_code == 404
    assert api.get(f"/api/v1/order-windows/{window.pk}/").status_code == 404
    now = timezone.now()
    new_survey = {"state_agency": mn_agency.pk, "school_year": "2019-20", "title": "Hijack",
                  "opens_at": now.isoformat(), "closes_at": (now + timedelta(days=3)).isoformat()}  # fmt: skip
    refused = api.post("/api/v1/surveys/", new_survey, format="json")
    assert refused.status_code == 400 and "state_agency" in refused.json()
    new_window = {"state_agency": mn_agency.pk, "school_year": "2019-20", "name": "Hijack",
                  "opens_at": now.isoformat(), "closes_at": (now + timedelta(days=3)).isoformat(),
                  "delivery_start": "2019-10-01", "delivery_end": "2019-10-31", "offered_items": [extra.pk]}  # fmt: skip
    refused = api.post("/api/v1/order-windows/", new_window, format="json")
    assert refused.status_code == 400 and "state_agency" in refused.json()

    client = client_for(wi_reviewer)
    choose = reverse("usda_foods:survey-choose-offered", args=[survey.pk])
    assert client.post(choose, {"offered": [extra.pk]}).status_code == 404
    assert client.get(window.get_absolute_url()).status_code == 404
    form_data = {**new_window, "opens_at": timezone.localtime(now).strftime("%Y-%m-%dT%H:%M"),
                 "closes_at": timezone.localtime(now + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M"),
                 "reminder_days_before": "2", "foods_year": "2019-20"}  # fmt: skip
    response = client.post(reverse("usda_foods:window-create"), form_data)
    assert "state_agency" in response.context["form"].errors
    with pytest.raises(DomainError):
        window_create(state_agency=mn_agency, school_year="2019-20", name="Hijack", opens_at=now,
                               closes_at=now + timedelta(days=3), delivery_start=date(2019, 10, 1),
                               delivery_end=date(2019, 10, 31), offered_items=[extra], user=wi_reviewer)  # fmt: skip

    assert _offers(minnesota) == before
    assert not Survey.objects.filter(title="Hijack").exists()
    assert not OrderWindow.objects.filter(name="Hijack").exists()


def test_reviewer_of_the_state_changes_its_own_offer(api_for, sda_reviewer, minnesota):
    survey, extra = minnesota["survey"], minnesota["extra"]
    response = api_for(sda_reviewer).post(
        f"/api/v1/surveys/{survey.pk}/offer/", {"items": [extra.pk]}, format="json"
    )
    assert response.status_code == 200
    assert set(survey.offered_items.values_list("pk", flat=True)) == {extra.pk}


def test_district_of_the_state_reads_but_cannot_change_the_offer(api_for, manager, minnesota):
    survey, extra = minnesota["survey"], minnesota["extra"]
    before = _offers(minnesota)
    api = api_for(manager)
    assert api.get(f"/api/v1/surveys/{survey.pk}/").status_code == 200
    assert (
        api.post(f"/api/v1/surveys/{survey.pk}/offer/", {"items": [extra.pk]}, format="json").status_code
        == 403
    )
    assert _offers(minnesota) == before


def test_catalog_item_change_by_a_state_reviewer_is_refused_even_for_its_own_windows(
    api_for, sda_reviewer, minnesota
):
    """The available list is national: a food offered in Minnesota's window is also on every other
    state's list, so Minnesota's reviewer cannot change its national fields."""
    item = minnesota["window"].offered_items.first()
    response = api_for(sda_reviewer).patch(f"/api/v1/catalog-items/{item.pk}/", {"cases_per_truckload": 1},
                                           format="json")  # fmt: skip
    assert response.status_code == 403
    item.refresh_from_db()
    assert item.cases_per_truckload == 1000


def test_districts_still_read_reference_data_and_their_own_counts(api_for, manager, district, funded):
    api = api_for(manager)
    assert api.get("/api/v1/per-meal-values/").status_code == 200
    assert {r["district"] for r in api.get("/api/v1/lunch-counts/").json()["results"]} == {district.pk}
    assert District.objects.for_user(manager).filter(pk=district.pk).exists()
