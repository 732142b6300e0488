"""The spending pages and exports as their users: district staff see their district and the lab's
sums, never district B's own figures (404, or absent); the lab's admins see the districts side by
side; goals set by admins only; a constant number of queries; the empty state says how to start."""

import io
from datetime import date
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse

from purchasing.spend.models import Goal
from tests.purchasing.spend.world import build, spend

pytestmark = pytest.mark.django_db
SY = "?school_year=2026"


@pytest.fixture
def world(district, other_district):
    return build(district, other_district)


def _csv(response) -> str:
    return b"".join(response.streaming_content).decode("utf-8-sig")


def test_district_staff_see_their_district_and_the_labs_sums(world, district, client_for, manager, viewer,
                                                             partner_user):  # fmt: skip
    for user in (manager, viewer, partner_user):
        client = client_for(user)
        page = client.get(reverse("purchasing:spend-district", args=[district.pk]) + SY)
        assert page.status_code == 200
        html = page.content.decode()
        assert "71.43%" in html and "$900.00" in html  # local share excluding USDA Foods; total
        assert 'scope="col"' in html and "<caption" in html and "chart.umd.min.js" in html
        lab = client.get(
            reverse("purchasing:spend-lab", args=[district.collaborative_id]) + SY
        ).content.decode()
        assert "$2,900.00" in lab and "51.72%" in lab
        assert (
            "District B" not in lab and "B Secret Farm" in lab
        )  # suppliers are lab sums, not a district's rows
        assert "The lab&#x27;s districts" not in lab


def test_district_b_is_404_in_pages_and_exports(world, district, client_for, manager, outsider):
    client = client_for(manager)
    b = world["b"]
    assert client.get(reverse("purchasing:spend-district", args=[b.pk])).status_code == 404
    assert (
        client.get(reverse("purchasing:spend-district-export", args=[b.pk, "shares", "csv"])).status_code
        == 404
    )
    assert client.get(reverse("purchasing:spend-lab-export", args=[district.collaborative_id, "districts", "csv"])
                      ).status_code == 404  # fmt: skip
    other = client_for(outsider)
    assert other.get(reverse("purchasing:spend-district", args=[district.pk])).status_code == 404
    assert other.get(reverse("purchasing:spend-lab", args=[district.collaborative_id])).status_code == 404
    assert other.get(reverse("purchasing:spend-lab-export", args=[district.collaborative_id, "shares", "xlsx"])
                     ).status_code == 404  # fmt: skip
    home = client.get(reverse("purchasing:spend-home")).content.decode()
    assert district.name in home and "District B" not in home


def test_the_labs_admin_sees_the_districts_side_by_side(world, district, client_for, collab_admin):
    client = client_for(collab_admin)
    html = client.get(reverse("purchasing:spend-lab", args=[district.collaborative_id]) + SY).content.decode()
    assert "District B" in html and "The lab&#x27;s districts" in html
    csv = _csv(client.get(reverse("purchasing:spend-lab-export", args=[district.collaborative_id, "districts", "csv"])
                          + SY))  # fmt: skip
    lines = csv.strip().splitlines()
    assert (
        lines[0]
        == "District,Total spend ($),Local share (%),Local share excluding USDA Foods (%),Local and regional share (%)"
    )
    assert lines[2] == "District B,2000.00,50.00,50.00,50.00"


def test_every_table_exports_as_csv_and_xlsx(world, district, client_for, manager):
    client = client_for(manager)
    slugs = ["shares", "months", "categories", "suppliers", "priority", "claims", "goals", "compare"]
    for slug in slugs:
        for fmt in ("csv", "xlsx"):
            url = reverse("purchasing:spend-district-export", args=[district.pk, slug, fmt]) + SY
            assert client.get(url).status_code == 200, url
    csv = _csv(
        client.get(reverse("purchasing:spend-district-export", args=[district.pk, "shares", "csv"]) + SY)
    )
    assert "Total food spend,900.00,100.00,700.00,100.00" in csv
    assert "Local,500.00,55.56,500.00,71.43" in csv
    book = openpyxl.load_workbook(io.BytesIO(b"".join(
        client.get(reverse("purchasing:spend-district-export", args=[district.pk, "priority", "xlsx"]) + SY)
        .streaming_content)))  # fmt: skip
    sheet = book.active
    assert [c.value for c in sheet[1]] == ["Priority item", "Unit", "Spend ($)", "Bought", "Committed",
                                           "Bought of committed (%)"]  # fmt: skip
    assert [c.value for c in sheet[2]] == ["Chicken drumsticks", "lb", 200, 80, 1000, 8]
    assert (
        client.get(reverse("purchasing:spend-district-export", args=[district.pk, "nope", "csv"])).status_code
        == 404
    )
    assert (
        client.get(
            reverse("purchasing:spend-district-export", args=[district.pk, "shares", "pdf"])
        ).status_code
        == 404
    )


def test_empty_state_says_how_to_start(district, client_for, manager):
    html = client_for(manager).get(reverse("purchasing:spend-district", args=[district.pk])).content.decode()
    assert "No purchases recorded" in html and reverse("imports:home") in html


def test_a_bad_period_falls_back_to_the_latest(world, district, client_for, manager):
    page = client_for(manager).get(
        reverse("purchasing:spend-district", args=[district.pk]) + "?month=2026-13"
    )
    assert page.status_code == 200 and "SY 2027-28" in page.content.decode()


@pytest.mark.parametrize("extra", [2, 30])
def test_dashboard_pages_run_constant_queries(district, other_district, client_for, collab_admin, extra,
                                              django_assert_max_num_queries):  # fmt: skip
    world = build(district, other_district)
    for n in range(extra):
        spend(world["b"], date(2024 + n // 12, 1 + n % 12, 1), "fruit", "commercial", ["local", "other"][n % 2], "10",
              vendor=f"Vendor {n}")  # fmt: skip
        Goal.objects.create(collaborative=district.collaborative, metric="local", target_percent=Decimal(n % 100),
                            school_year=2027, set_in=2026)  # fmt: skip
    client = client_for(collab_admin)
    with django_assert_max_num_queries(22):  # session, user, roles, navigation + the figures' 13
        assert (
            client.get(reverse("purchasing:spend-lab", args=[district.collaborative_id])).status_code == 200
        )
    with django_assert_max_num_queries(24):
        assert client.get(reverse("purchasing:spend-district", args=[world["b"].pk])).status_code == 200


def test_goals_are_set_by_the_labs_admins(world, district, client_for, collab_admin, manager):
    admin = client_for(collab_admin)
    response = admin.post(reverse("purchasing:goal-create"), {
        "collaborative": district.collaborative_id, "metric": "local_ex_usda", "target_percent": "25",
        "school_year": "2027", "note": "The lab's first goal",
    })  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:3000]
    goal = Goal.objects.get()
    assert goal.target_percent == Decimal(25) and str(goal) == (
        "25% local share of food dollars, excluding USDA Foods by SY 2027-28"
    )
    assert "The lab&#x27;s first goal" in admin.get(reverse("purchasing:goal-list")).content.decode()
    staff = client_for(manager)
    assert "The lab&#x27;s first goal" in staff.get(reverse("purchasing:goal-list")).content.decode()
    assert staff.get(reverse("purchasing:goal-create")).status_code == 403
    assert staff.get(reverse("purchasing:goal-update", args=[goal.pk])).status_code == 403
    assert staff.post(reverse("purchasing:goal-delete", args=[goal.pk])).status_code == 403
    b_goal = Goal.objects.create(collaborative=district.collaborative, district=world["b"], metric="local",
                                 target_percent=Decimal(40), school_year=2027, set_in=2026)  # fmt: skip
    assert staff.get(reverse("purchasing:goal-update", args=[b_goal.pk])).status_code == 404
    assert "40.00%" not in staff.get(reverse("purchasing:goal-list")).content.decode()
    assert admin.post(reverse("purchasing:goal-delete", args=[goal.pk])).status_code == 302
    assert not Goal.objects.filter(pk=goal.pk).exists()


def test_the_navigation_links_the_dashboards(district, client_for, manager, collab_admin, partner_user):
    for user in (manager, collab_admin, partner_user):
        html = client_for(user).get(reverse("purchasing:spend-home")).content.decode()
        assert reverse("purchasing:spend-home") in html and reverse("purchasing:goal-list") in html


def test_a_state_reviewer_sees_the_district_but_not_the_lab(world, district, client_for, sda_reviewer):
    client = client_for(sda_reviewer)
    page = client.get(reverse("purchasing:spend-district", args=[district.pk]) + SY)
    assert page.status_code == 200 and "beside the lab" not in page.content.decode()
    assert client.get(reverse("purchasing:spend-lab", args=[district.collaborative_id])).status_code == 404
