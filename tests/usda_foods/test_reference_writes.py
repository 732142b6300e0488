"""National reference data (per-meal values, reimbursement rates, Section 4 payments) and the facts
entitlements rest on: every write goes through the service, pages and API alike, so the
entitlements it feeds follow (issue 9, item 2); every amount names its unit and an implausible one
is refused with what was probably meant (item 3); lists filter by year, a refusal is 403 or 404 by
one rule, and a duplicate publication says how to record a correction (item 5)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from districts.models import District
from tests.factories import UserFactory
from tests.html_forms import as_post_data, form_posting_to
from tests.usda_foods.helpers import COV, YEAR, compute, entitlement, lunch_count
from usda_foods.models import Entitlement, PerMealValue, ReimbursementRate, Section4Payment

pytestmark = pytest.mark.django_db

RATES = "/api/v1/reimbursement-rates/"
SECTION4 = "/api/v1/section4-payments/"
PER_MEAL = "/api/v1/per-meal-values/"


@pytest.fixture
def superuser(db):
    return UserFactory(is_superuser=True, is_staff=True, email="root@example.org")


@pytest.fixture
def twelve(district):
    """A SY 2019-20 entitlement with its 12 percent share: 100 free lunches at the seeded $3.41."""
    entitlement(district)
    lunch_count(district, YEAR, free=100, reduced=0, paid=0)
    return compute(district)[district.pk]


@pytest.fixture
def commodity_school(district):
    District.objects.filter(pk=district.pk).update(is_commodity_school=True)
    district.refresh_from_db()
    return entitlement(district)  # no Section 4 payment yet: the COV cannot be computed


def _refresh(e: Entitlement) -> Entitlement:
    e.refresh_from_db()
    return e


# --- Item 2: the API recomputes what it changes ------------------------------------------------------


def test_rate_created_and_updated_through_the_api_recomputes(
    api_for, reference_editor, twelve, django_capture_on_commit_callbacks
):
    assert twelve.twelve_cash == Decimal("341.00")
    api = api_for(reference_editor)
    rate = ReimbursementRate.objects.get(school_year=YEAR, category="free")
    with django_capture_on_commit_callbacks(execute=True):
        response = api.patch(f"{RATES}{rate.pk}/", {"dollars": "3.5000"}, format="json")
    assert response.status_code == 200, response.json()
    assert _refresh(twelve).twelve_cash == Decimal("350.00")
    with django_capture_on_commit_callbacks(execute=True):
        response = api.put(f"{RATES}{rate.pk}/", {"school_year": YEAR, "category": "free", "dollars": "3.6000",
                                                 "citation": "Correction (test)"}, format="json")  # fmt: skip
    assert response.status_code == 200, response.json()
    assert _refresh(twelve).twelve_cash == Decimal("360.00")


def test_rate_moved_to_another_year_recomputes_the_year_it_left(
    api_for, reference_editor, twelve, django_capture_on_commit_callbacks
):
    """Fails on main: only the new year was recomputed, the old one kept a 12% share from a rate
    it no longer has."""
    rate = ReimbursementRate.objects.get(school_year=YEAR, category="free")
    with django_capture_on_commit_callbacks(execute=True):
        response = api_for(reference_editor).patch(
            f"{RATES}{rate.pk}/", {"school_year": "2035-36"}, format="json"
        )
    assert response.status_code == 200, response.json()
    twelve = _refresh(twelve)
    assert twelve.twelve_cash is None and twelve.twelve_meets is None
    assert "no free lunch reimbursement rate for SY 2019-20" in twelve.missing


def test_section4_created_and_updated_through_the_api_recomputes_the_cov(
    api_for, reference_editor, commodity_school, django_capture_on_commit_callbacks
):
    assert commodity_school.commodity_offer_value is None
    api = api_for(reference_editor)
    with django_capture_on_commit_callbacks(execute=True):
        created = api.post(
            SECTION4, {"school_year": YEAR, "cents": "9.00", "citation": "FR (test)"}, format="json"
        )
    assert created.status_code == 201, created.json()
    assert _refresh(commodity_school).commodity_offer_value == Decimal("327500.00")  # (23.75 + 9) x 1,000,000
    with django_capture_on_commit_callbacks(execute=True):
        updated = api.patch(f"{SECTION4}{created.json()['id']}/", {"cents": "10.00"}, format="json")
    assert updated.status_code == 200, updated.json()
    assert _refresh(commodity_school).commodity_offer_value == Decimal("337500.00")


def test_per_meal_value_through_the_api_recomputes(
    api_for, reference_editor, district, django_capture_on_commit_callbacks
):
    e = entitlement(district)
    payload = {
        "school_year": YEAR,
        "cents": "24.00",
        "citation": "Correction (test)",
        "published_on": "2019-09-01",
    }
    with django_capture_on_commit_callbacks(execute=True):
        assert api_for(reference_editor).post(PER_MEAL, payload, format="json").status_code == 201
    assert _refresh(e).commodity_offer_value == Decimal("240000.00")


def test_reference_data_is_never_deleted(api_for, reference_editor, superuser, twelve):
    """A wrong value is corrected (a later publication, or an edit), never deleted: the entitlements
    would keep figures computed from a value that no longer exists."""
    section4 = Section4Payment.objects.create(school_year=YEAR, cents=Decimal("9.00"), citation="x")
    rows = [f"{PER_MEAL}{PerMealValue.objects.get(school_year=YEAR).pk}/",
            f"{RATES}{ReimbursementRate.objects.get(school_year=YEAR, category='free').pk}/",
            f"{SECTION4}{section4.pk}/"]  # fmt: skip
    for user in (reference_editor, superuser):
        for url in rows:
            assert api_for(user).delete(url).status_code == 405, url
    assert PerMealValue.objects.filter(school_year=YEAR).exists() and Section4Payment.objects.exists()
    assert ReimbursementRate.objects.filter(school_year=YEAR).count() == 3


def test_section4_page_recomputes(
    client_for, reference_editor, commodity_school, django_capture_on_commit_callbacks
):
    """The rate and Section 4 pages share ``ReferenceValueCreate``, which saves through the service."""
    client = client_for(reference_editor)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("usda_foods:section4-payment-create"),
            {"school_year": YEAR, "cents": "9.00", "citation": "FR"},
        )
    assert response.status_code == 302
    assert _refresh(commodity_school).commodity_offer_value == Decimal("327500.00")


def _tick_commodity_school(client, url: str):
    """Post the page's form as a browser would, with the commodity-school box ticked."""
    form = form_posting_to(client.get(url).content.decode(), url)
    pairs = [(name, value) for name, value in form.controls if name != "is_commodity_school"]
    return client.post(url, as_post_data([*pairs, ("is_commodity_school", "on")]))


@pytest.mark.parametrize("page", ["district page", "django admin"])
def test_commodity_school_changed_on_a_page_recomputes(client_for, sda_reviewer, superuser, district, page):
    """Fails on main: the form saved the status and the COV kept ignoring Section 4."""
    Section4Payment.objects.create(school_year=YEAR, cents=Decimal("9.00"), citation="FR (test)")
    e = entitlement(district)
    assert e.commodity_offer_value == COV
    if page == "district page":
        client, url = client_for(sda_reviewer), reverse("districts:district-update", args=[district.pk])
    else:
        client, url = client_for(superuser), reverse("admin:districts_district_change", args=[district.pk])
    assert _tick_commodity_school(client, url).status_code == 302
    district.refresh_from_db()
    assert district.is_commodity_school
    assert _refresh(e).commodity_offer_value == Decimal("327500.00")  # (23.75 + 9.00) cents x 1,000,000


def test_commodity_school_changed_through_the_api_recomputes(api_for, sda_reviewer, district):
    """Fails on main, as the page did."""
    Section4Payment.objects.create(school_year=YEAR, cents=Decimal("9.00"), citation="FR (test)")
    e = entitlement(district)
    response = api_for(sda_reviewer).patch(
        f"/api/v1/districts/{district.pk}/", {"is_commodity_school": True}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert _refresh(e).commodity_offer_value == Decimal("327500.00")
    response = api_for(sda_reviewer).patch(
        f"/api/v1/districts/{district.pk}/", {"is_commodity_school": False}, format="json"
    )
    assert _refresh(e).commodity_offer_value == COV


# --- Item 3: units named, implausible values refused with what was meant ---------------------------


@pytest.mark.parametrize(
    ("url", "payload", "field", "hint"),
    [
        (SECTION4, {"school_year": "2035-36", "cents": "0.40", "citation": "x"}, "cents", "Did you mean 40 cents?"),
        (PER_MEAL, {"school_year": "2035-36", "cents": "0.2375", "citation": "x", "published_on": "2035-07-01"},
         "cents", "Did you mean 23.75 cents?"),
        (RATES, {"school_year": "2035-36", "category": "free", "dollars": "341", "citation": "x"}, "dollars",
         "Did you mean $3.41?"),
    ],
)  # fmt: skip
def test_api_refuses_a_value_in_the_wrong_unit_and_says_what_was_meant(
    api_for, reference_editor, url, payload, field, hint
):
    """Fails on main: 0.40 was stored as a Section 4 payment of 0.40 cents; 0.2375 got "no more than
    2 decimal places"; 341 was taken as $341 a lunch."""
    response = api_for(reference_editor).post(url, payload, format="json")
    assert response.status_code == 400, response.json()
    assert list(response.json()) == [field]
    assert hint in response.json()[field][0]
    assert not Section4Payment.objects.filter(school_year="2035-36").exists()
    assert not PerMealValue.objects.filter(school_year="2035-36").exists()
    assert not ReimbursementRate.objects.filter(school_year="2035-36").exists()


def test_api_refuses_an_implausible_edit(api_for, reference_editor):
    rate = ReimbursementRate.objects.get(school_year=YEAR, category="paid")
    response = api_for(reference_editor).patch(f"{RATES}{rate.pk}/", {"dollars": "32"}, format="json")
    assert response.status_code == 400 and "Did you mean $0.32?" in response.json()["dollars"][0]
    assert _refresh_rate(rate).dollars == Decimal("0.3200")


def _refresh_rate(rate: ReimbursementRate) -> ReimbursementRate:
    rate.refresh_from_db()
    return rate


@pytest.mark.parametrize(
    ("name", "data", "field", "hint"),
    [
        ("section4-payment-create", {"school_year": "2035-36", "cents": "0.40", "citation": "x"}, "cents",
         "Did you mean 40 cents?"),
        ("per-meal-value-create", {"school_year": "2035-36", "cents": "0.2375", "citation": "x",
                                   "published_on": "2035-07-01"}, "cents", "Did you mean 23.75 cents?"),
        ("reimbursement-rate-create", {"school_year": "2035-36", "category": "free", "dollars": "341",
                                       "citation": "x"}, "dollars", "Did you mean $3.41?"),
    ],
)  # fmt: skip
def test_pages_refuse_a_value_in_the_wrong_unit_and_say_what_was_meant(
    client_for, reference_editor, name, data, field, hint
):
    response = client_for(reference_editor).post(reverse(f"usda_foods:{name}"), data)
    assert response.status_code == 200
    errors = response.context["form"].errors[field]
    assert len(errors) == 1 and hint in errors[0]  # alone: not beside "no more than 2 decimal places"
    assert not Section4Payment.objects.filter(school_year="2035-36").exists()
    assert not PerMealValue.objects.filter(school_year="2035-36").exists()
    assert not ReimbursementRate.objects.filter(school_year="2035-36").exists()


@pytest.mark.parametrize(
    ("name", "unit"),
    [("section4-payment-create", "Section 4 payment (cents per lunch)"),
     ("per-meal-value-create", "Per-meal value (cents per lunch)"),
     ("reimbursement-rate-create", "Rate (dollars per lunch)")],
)  # fmt: skip
def test_form_labels_name_the_unit(client_for, reference_editor, name, unit):
    """Fails on main for the rate and Section 4 forms ("Dollars", "Cents")."""
    assert unit in client_for(reference_editor).get(reverse(f"usda_foods:{name}")).content.decode()


def test_api_schema_names_the_unit_of_every_amount(api_for, manager):
    schema = api_for(manager).get("/api/schema/", {"format": "json"}).json()["components"]["schemas"]
    described = {
        ("Section4Payment", "cents"): "cents per lunch",
        ("PerMealValue", "cents"): "cents per lunch",
        ("ReimbursementRate", "dollars"): "dollars per lunch",
        ("Entitlement", "per_meal_value_cents"): "cents per lunch",
        ("Entitlement", "section4_cents"): "cents per lunch",
        ("Entitlement", "commodity_offer_value"): "in dollars",
        ("Entitlement", "planned_assistance_level"): "in dollars",
        ("Entitlement", "drawn"): "in dollars",
        ("Entitlement", "remaining"): "in dollars",
        ("TwelvePercent", "cash"): "in dollars",
        ("TwelvePercent", "additional_needed"): "in dollars",
    }
    for (component, field), unit in described.items():
        description = schema[component]["properties"][field].get("description", "")
        assert unit in description.lower(), (component, field, description)


# --- Item 5: filters, one rule for refusals, a duplicate publication ---------------------------------


def test_section4_list_filters_by_school_year(api_for, manager):
    """Fails on main: ``?school_year=`` was ignored and every year came back."""
    for year, cents in (("2019-20", "9.00"), ("2020-21", "9.50")):
        Section4Payment.objects.create(school_year=year, cents=Decimal(cents), citation="x")
    rows = api_for(manager).get(SECTION4, {"school_year": "2020-21"}).json()["results"]
    assert [(r["school_year"], r["cents"]) for r in rows] == [("2020-21", "9.50")]


@pytest.mark.parametrize(("url", "year_rows"), [(RATES, 3), (PER_MEAL, 1)])
def test_other_reference_lists_filter_by_school_year(api_for, manager, url, year_rows):
    rows = api_for(manager).get(url, {"school_year": YEAR}).json()["results"]
    assert len(rows) == year_rows and {r["school_year"] for r in rows} == {YEAR}


def test_duplicate_publication_says_a_correction_needs_a_later_date(api_for, client_for, reference_editor):
    """Fails on main: Django's "Per meal value with this School year and Published on already
    exists", with no word of how a correction is recorded."""
    payload = {"school_year": YEAR, "cents": "24.00", "citation": "x", "published_on": "2019-07-01"}
    response = api_for(reference_editor).post(PER_MEAL, payload, format="json")
    assert response.status_code == 400
    message = response.json()["published_on"][0]
    assert "already has a per-meal value published on July 1, 2019 (23.75 cents)" in message
    assert "later than July 1, 2019" in message
    page = client_for(reference_editor).post(reverse("usda_foods:per-meal-value-create"), payload)
    assert "later than July 1, 2019" in page.context["form"].errors["published_on"][0]
    assert PerMealValue.objects.filter(school_year=YEAR).count() == 1


def test_duplicate_section4_year_says_to_change_the_existing_one(api_for, reference_editor):
    Section4Payment.objects.create(school_year=YEAR, cents=Decimal("9.00"), citation="x")
    response = api_for(reference_editor).post(SECTION4, {"school_year": YEAR, "cents": "9.50", "citation": "y"},
                                              format="json")  # fmt: skip
    assert response.status_code == 400
    assert "already has a Section 4 payment: change that one" in response.json()["school_year"][0]
