"""The spending API as each role: dashboard figures of a district and of the lab (404 for district
B and for outsiders; the per-district table for admins only), period filters, goals CRUD."""

from decimal import Decimal

import pytest

from purchasing.spend.models import Goal
from tests.purchasing.spend.world import build

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(district, other_district):
    return build(district, other_district)


def test_district_figures(world, district, api_for, manager):
    body = api_for(manager).get(f"/api/v1/spend/districts/{district.pk}/?school_year=2026").json()
    assert body["scope"] == "district" and body["period"] == "SY 2026-27"
    assert body["headline"]["total_spend"] == "900.00"
    assert body["headline"]["local_share_excluding_usda_foods"] == "71.43"
    assert "none set yet" in body["local_definition"]
    shares = next(t for t in body["tables"] if t["slug"] == "shares")
    assert shares["rows"][0] == ["Local", "500.00", "55.56", "500.00", "71.43"]
    assert shares["columns"][1] == {"label": "All food", "kind": "money"}
    month = api_for(manager).get(f"/api/v1/spend/districts/{district.pk}/?month=2026-09").json()
    assert month["period"] == "Sep 2026" and month["headline"]["total_spend"] == "500.00"


def test_lab_figures_are_sums_and_the_breakdown_is_the_admins(
    world, district, api_for, manager, collab_admin
):
    url = f"/api/v1/spend/labs/{district.collaborative_id}/?school_year=2026"
    staff = api_for(manager).get(url).json()
    assert staff["headline"]["total_spend"] == "2900.00"
    assert "districts" not in [t["slug"] for t in staff["tables"]]
    assert "District B" not in str(staff)
    admin = api_for(collab_admin).get(url).json()
    districts = next(t for t in admin["tables"] if t["slug"] == "districts")
    assert ["District B", "2000.00", "50.00", "50.00", "50.00"] in districts["rows"]


def test_outsiders_and_district_b_get_404(world, district, api_for, manager, outsider):
    assert api_for(manager).get(f"/api/v1/spend/districts/{world['b'].pk}/").status_code == 404
    assert api_for(outsider).get(f"/api/v1/spend/districts/{district.pk}/").status_code == 404
    assert api_for(outsider).get(f"/api/v1/spend/labs/{district.collaborative_id}/").status_code == 404
    assert api_for(manager).get("/api/v1/spend/labs/999999/").status_code == 404


def test_a_bad_period_is_a_400(world, district, api_for, manager):
    response = api_for(manager).get(f"/api/v1/spend/districts/{district.pk}/?month=2026-13")
    assert response.status_code == 400 and "month" in response.json()
    assert api_for(manager).get(f"/api/v1/spend/districts/{district.pk}/?school_year=abc").status_code == 400


def test_goals_crud_per_role(world, district, api_for, manager, collab_admin, outsider):
    admin = api_for(collab_admin)
    payload = {"collaborative": district.collaborative_id, "metric": "local_ex_usda", "target_percent": "25.00",
               "school_year": 2027}  # fmt: skip
    created = admin.post("/api/v1/goals/", payload, format="json")
    assert created.status_code == 201, created.json()
    goal_id = created.json()["id"]
    assert created.json()["school_year_label"] == "SY 2027-28"
    assert api_for(manager).post("/api/v1/goals/", payload, format="json").status_code == 403
    assert api_for(manager).patch(
        f"/api/v1/goals/{goal_id}/", {"target_percent": "1"}, format="json"
    ).status_code in (403, 404)
    assert [g["id"] for g in api_for(manager).get("/api/v1/goals/").json()["results"]] == [goal_id]
    assert api_for(outsider).get(f"/api/v1/goals/{goal_id}/").status_code == 404
    changed = admin.patch(f"/api/v1/goals/{goal_id}/", {"target_percent": "30"}, format="json")
    assert changed.status_code == 200 and changed.json()["target_percent"] == "30.00"
    wrong = admin.post("/api/v1/goals/", {**payload, "priority_item": world["item"].pk}, format="json")
    assert wrong.status_code == 400  # a priority item goes with a priority-volume goal only
    b_goal = Goal.objects.create(collaborative=district.collaborative, district=world["b"], metric="local",
                                 target_percent=Decimal(40), school_year=2027, set_in=2026)  # fmt: skip
    assert api_for(manager).get(f"/api/v1/goals/{b_goal.pk}/").status_code == 404
    assert admin.delete(f"/api/v1/goals/{goal_id}/").status_code == 204
    assert not Goal.objects.filter(pk=goal_id).exists()
