"""/api/v1/ for USDA Foods: per-meal values, rates, lunch counts and entitlements."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from districts.models import District
from tests.conftest import ROLE_FIXTURES
from tests.factories import DistrictFactory
from usda_foods.entitlements.services.entitlements import entitlements_recompute
from usda_foods.models import Entitlement, LunchCount, PerMealValue

pytestmark = pytest.mark.django_db
SY = "2019-20"


@pytest.fixture
def funded(district, other_district):
    for d in (district, other_district):
        LunchCount.objects.create(
            district=d, school_year="2018-19", free=600_000, reduced=100_000, paid=300_000
        )
    entitlements_recompute(school_year=SY, districts=District.objects.all())
    return Entitlement.objects.get(district=district)


def test_entitlement_fields_and_money_format(api_for, manager, funded):
    body = api_for(manager).get("/api/v1/entitlements/").json()
    assert body["count"] == 1
    row = body["results"][0]
    assert row["district"] == funded.district_id and row["school_year"] == SY
    assert row["prior_year_lunches"] == 1_000_000
    assert row["per_meal_value_cents"] == "23.75"
    assert row["commodity_offer_value"] == "237500.00"
    assert row["planned_assistance_level"] == "237500.00"
    assert (row["drawn"], row["remaining"], row["utilisation_percent"]) == ("0.00", "237500.00", "0.00")
    assert row["missing"] == ["no free, reduced-price and paid lunch count for SY 2019-20"]
    assert row["twelve_percent"] is None  # no SY2019-20 lunch counts yet


def test_twelve_percent_object(api_for, manager, funded, district):
    LunchCount.objects.create(district=district, school_year=SY, free=100, reduced=50, paid=200)
    entitlements_recompute(school_year=SY, districts=District.objects.filter(pk=district.pk))
    row = api_for(manager).get(f"/api/v1/entitlements/{funded.pk}/").json()
    assert row["twelve_percent"]["cash"] == "555.50"
    assert set(row["twelve_percent"]) == {
        "cash",
        "usda_foods",
        "share",
        "needed_for_twelve_percent",
        "meets_twelve_percent",
        "additional_needed",
        "explanation",
    }
    assert "national rule" in row["twelve_percent"]["explanation"]
    assert row["missing"] == []


@pytest.mark.parametrize("role", ROLE_FIXTURES + ["outsider"])
def test_entitlements_are_scoped(request, api_for, role, funded, other_district):
    user = request.getfixturevalue(role)
    api = api_for(user)
    other = Entitlement.objects.get(district=other_district)
    expected = {other.pk} if role == "outsider" else {funded.pk}
    assert {r["id"] for r in api.get("/api/v1/entitlements/").json()["results"]} == expected
    hidden = funded if role == "outsider" else other
    assert api.get(f"/api/v1/entitlements/{hidden.pk}/").status_code == 404
    assert (
        api.post(f"/api/v1/entitlements/{hidden.pk}/pal/", {"amount": "1", "reason": "x"}).status_code == 404
    )


def test_sda_sets_pal_through_the_api(api_for, sda_reviewer, manager, funded):
    url = f"/api/v1/entitlements/{funded.pk}/pal/"
    refused = api_for(sda_reviewer).post(url, {"amount": "100.00", "reason": "x"}, format="json")
    assert refused.status_code == 400 and "amount" in refused.json()
    ok = api_for(sda_reviewer).post(url, {"amount": "250000.00", "reason": "Bonus"}, format="json")
    assert ok.status_code == 200 and ok.json()["planned_assistance_level"] == "250000.00"
    assert api_for(manager).post(url, {"amount": "260000", "reason": "x"}, format="json").status_code == 403


def test_recompute_a_state_in_one_call(api_for, sda_reviewer, district):
    LunchCount.objects.create(district=district, school_year="2018-19", free=1000, reduced=0, paid=0)
    response = api_for(sda_reviewer).post(
        "/api/v1/entitlements/recompute/", {"school_year": SY, "state": "MN"}, format="json"
    )
    assert response.status_code == 200 and response.json()["created"] == 1
    refused = api_for(sda_reviewer).post(
        "/api/v1/entitlements/recompute/", {"school_year": SY, "state": "WI"}, format="json"
    )
    assert refused.status_code == 404  # none of Wisconsin's SFAs is theirs to see


def test_recompute_a_collaborative(api_for, collab_admin, district, collaborative):
    payload = {"school_year": SY, "collaborative": collaborative.pk}
    assert (
        api_for(collab_admin)
        .post("/api/v1/entitlements/recompute/", payload, format="json")
        .json()["created"]
        == 1
    )


def test_per_meal_value_quarter_cent_rule_in_api(api_for, reference_editor, manager):
    payload = {"school_year": "2020-21", "cents": "23.70", "citation": "FR", "published_on": "2020-07-01"}
    response = api_for(reference_editor).post("/api/v1/per-meal-values/", payload, format="json")
    assert response.status_code == 400 and "1/4 cent" in response.json()["cents"][0]
    ok = api_for(reference_editor).post(
        "/api/v1/per-meal-values/", {**payload, "cents": "24.50"}, format="json"
    )
    assert ok.status_code == 201, ok.json()
    assert (
        api_for(manager)
        .post("/api/v1/per-meal-values/", {**payload, "cents": "25.00"}, format="json")
        .status_code
        == 403
    )
    assert PerMealValue.objects.filter(school_year="2020-21").count() == 1


def test_corrections_are_marked_superseded(api_for, manager):
    rows = api_for(manager).get("/api/v1/per-meal-values/", {"school_year": "2006-07"}).json()["results"]
    assert {(r["cents"], r["superseded"]) for r in rows} == {("16.75", True), ("17.00", False)}


def test_lunch_counts_api(api_for, sda_reviewer, district, other_district):
    api = api_for(sda_reviewer)  # the state records its SFAs' lunch counts
    response = api.post("/api/v1/lunch-counts/", {"district": district.pk, "school_year": "2018-19", "free": 10,
                                                 "reduced": 5, "paid": 5}, format="json")  # fmt: skip
    assert response.status_code == 201, response.json()
    assert response.json()["total"] == 20
    assert Entitlement.objects.get(district=district, school_year=SY).commodity_offer_value == Decimal("4.75")
    pk = response.json()["id"]
    assert api.patch(f"/api/v1/lunch-counts/{pk}/", {"free": 30}, format="json").json()["total"] == 40
    refused = api.post("/api/v1/lunch-counts/", {"district": other_district.pk, "school_year": "2018-19", "free": 1,
                                                "reduced": 1, "paid": 1}, format="json")  # fmt: skip
    assert refused.status_code == 400 and "district" in refused.json()
    bad = api.post("/api/v1/lunch-counts/", {"district": district.pk, "school_year": "2018", "free": -1, "reduced": 0,
                                            "paid": 0}, format="json")  # fmt: skip
    assert bad.status_code == 400 and {"school_year", "free"} <= set(bad.json())


def test_outsider_gets_404_for_lunch_counts(api_for, outsider, district):
    count = LunchCount.objects.create(district=district, school_year="2018-19", free=1, reduced=1, paid=1)
    assert api_for(outsider).get(f"/api/v1/lunch-counts/{count.pk}/").status_code == 404
    assert (
        api_for(outsider).patch(f"/api/v1/lunch-counts/{count.pk}/", {"free": 9}, format="json").status_code
        == 404
    )


def test_entitlement_list_costs_constant_queries(api_for, sda_reviewer, mn_agency):
    def grow_and_count(n: int) -> int:
        made = DistrictFactory.create_batch(n, state_agency=mn_agency)
        LunchCount.objects.bulk_create([LunchCount(district=d, school_year="2018-19", free=10, reduced=0, paid=0)
                                        for d in made])  # fmt: skip
        entitlements_recompute(school_year=SY, districts=District.objects.all())
        with CaptureQueriesContext(connection) as ctx:
            assert api_for(sda_reviewer).get("/api/v1/entitlements/", {"state": "MN"}).status_code == 200
        return len(ctx.captured_queries)

    assert grow_and_count(5) == grow_and_count(45)
