"""Dashboard figures checked by hand (see world.py): shares of all food and excluding USDA Foods,
school-year grouping, categories, suppliers, priority items against the commitments, claims
counted apart from local, goals with their progress, and a constant number of queries."""

from datetime import date
from decimal import Decimal

import pytest

from purchasing.records.models import LocalDefinition
from purchasing.spend import rules
from purchasing.spend.dashboards import dashboard
from purchasing.spend.models import Goal
from tests.purchasing.spend.world import build, spend

pytestmark = pytest.mark.django_db
TODAY = date(2026, 12, 2)
SY = rules.Period(2026)
D = Decimal


@pytest.fixture
def world(district, other_district):
    return build(district, other_district)


def test_district_shares_with_and_without_usda_foods(world, district, manager):
    board = dashboard(user=manager, lab=district.collaborative, district=district, period=SY, today=TODAY)
    h = board.headline
    assert h["total_spend"] == D("900.00")  # Jun 2026 and Jul 2027 belong to other school years
    assert h["local_spend"] == D("500.00")
    assert h["total_spend_excluding_usda_foods"] == D("700.00")
    assert h["local_share"] == D("55.56")  # 500 / 900
    assert h["local_share_excluding_usda_foods"] == D("71.43")  # 500 / 700
    assert h["local_regional_share"] == D("72.22")  # 650 / 900
    assert h["local_regional_share_excluding_usda_foods"] == D("92.86")  # 650 / 700
    shares = board.table("shares")
    assert shares.rows[0] == ["Local", D("500.00"), D("55.56"), D("500.00"), D("71.43")]
    assert shares.rows[2] == ["Neither local nor regional", D("200.00"), D("22.22"), D(0), D("0.00")]
    assert shares.total == ["Total food spend", D("900.00"), D("100.00"), D("700.00"), D("100.00")]


def test_school_year_months_run_july_to_june(world, district, manager):
    board = dashboard(user=manager, lab=district.collaborative, district=district, period=SY, today=TODAY)
    months = board.table("months").rows
    assert [row[0] for row in months][:3] == ["Jul 2026", "Aug 2026", "Sep 2026"]
    assert months[-1][0] == "Jun 2027"
    assert months[2][1:] == [D("500.00"), D("300.00"), D(0), D("60.00"), D("100.00"), D("60.00")]
    assert months[0][1] == 0 and months[0][4] is None  # July 2026: nothing bought, no share
    previous = dashboard(user=manager, lab=district.collaborative, district=district, period=rules.Period(2025),
                         today=TODAY)  # fmt: skip
    assert previous.headline["total_spend"] == D("500.00")


def test_one_month(world, district, manager):
    period = rules.parse_period(school_year=None, month="2026-10", default=TODAY)
    board = dashboard(user=manager, lab=district.collaborative, district=district, period=period, today=TODAY)
    assert board.headline["total_spend"] == D("200.00")
    assert board.headline["local_share"] == D("0.00")
    assert board.headline["local_regional_share"] == D("75.00")


def test_categories_suppliers_and_claims(world, district, manager):
    board = dashboard(user=manager, lab=district.collaborative, district=district, period=SY, today=TODAY)
    assert board.table("categories").rows == [
        ["Vegetable", D("500.00"), D("300.00"), D("60.00"), D("500.000")],
        ["Meat / poultry", D("400.00"), D("200.00"), D("50.00"), D("140.000")],
    ]
    assert board.table("suppliers").rows[0] == ["Green Acres Farm", D("300.00"), D("300.00"), D("33.33")]
    # Upper Midwest Foods: $150 + $50; ties by name (the database collation)
    assert [row[:2] for row in board.table("suppliers").rows[1:]] == [
        ["Prairie Poultry", D("200.00")],
        ["USDA Foods", D("200.00")],
        ["Upper Midwest Foods", D("200.00")],
    ]
    # The drumsticks are local and "no antibiotics ever": $200 in each, once in the $900 total.
    assert board.table("claims").rows == [["No antibiotics ever", D("200.00"), D("200.00"), D("22.22")]]
    assert board.table("shares").rows[0][1] == D("500.00")


def test_priority_items_against_the_commitments(world, district, manager):
    board = dashboard(user=manager, lab=district.collaborative, district=district, period=SY, today=TODAY)
    assert board.table("priority").rows == [["Chicken drumsticks", "lb", D("200.00"), D("80.00"), D("1000.00"),
                                             D("8.00")]]  # fmt: skip
    november = dashboard(user=manager, lab=district.collaborative, district=district, today=TODAY,
                         period=rules.Period(2026, date(2026, 11, 1)))  # fmt: skip
    # 1,000 lb over three menu months: 333.33 lb in November, 80 bought = 24.00%
    assert november.table("priority").rows[0][3:] == [D("80.00"), D("333.33"), D("24.00")]


def test_lab_aggregates_sum_every_district_of_the_lab_only(world, district, manager, collab_admin):
    board = dashboard(user=manager, lab=district.collaborative, period=SY, today=TODAY)
    assert board.headline["total_spend"] == D("2900.00")
    assert board.headline["local_share"] == D("51.72")  # 1,500 / 2,900
    assert board.headline["local_share_excluding_usda_foods"] == D("55.56")  # 1,500 / 2,700
    slugs = [t.slug for t in board.tables]
    assert "districts" not in slugs  # a district's staff never see another district's figures
    admin_board = dashboard(user=collab_admin, lab=district.collaborative, period=SY, today=TODAY)
    assert admin_board.table("districts").rows == [
        [district.name, D("900.00"), D("55.56"), D("71.43"), D("72.22")],  # Alpha Public Schools
        ["District B", D("2000.00"), D("50.00"), D("50.00"), D("50.00")],
    ]


def test_district_beside_its_lab(world, district, manager):
    board = dashboard(user=manager, lab=district.collaborative, district=district, period=SY, today=TODAY)
    assert board.table("compare").rows[1] == ["Local share excluding USDA Foods", D("71.43"), D("55.56")]


def test_goals_and_their_progress(world, district, manager):
    lab = district.collaborative
    Goal.objects.create(
        collaborative=lab, metric="local_ex_usda", target_percent=D(60), school_year=2027, set_in=2026
    )
    Goal.objects.create(collaborative=lab, district=district, metric="local", target_percent=D(80),
                        school_year=2026, set_in=2026)  # fmt: skip
    Goal.objects.create(collaborative=lab, metric="priority_volume", priority_item=world["item"],
                        target_percent=D(5), school_year=2027, set_in=2026)  # fmt: skip
    Goal.objects.create(collaborative=lab, district=world["b"], metric="local", target_percent=D(99),
                        school_year=2027, set_in=2026)  # fmt: skip
    board = dashboard(user=manager, lab=lab, district=district, period=SY, today=TODAY)
    rows = board.table("goals").rows
    assert len(rows) == 3  # not district B's own goal
    by_goal = {row[0]: row for row in rows}
    # The lab at 55.56% excluding USDA Foods; the straight line from 0 in SY 2025-26 to 60% in
    # SY 2027-28 asks 30% in SY 2026-27: on pace.
    assert by_goal["Local share excluding USDA Foods"][3:] == [D(60), D("55.56"), D("71.43"), "On pace"]
    # The district's own: 55.56% against 80% in its goal year: off pace.
    assert by_goal["Local share"][1:] == [district.name, "SY 2026-27", D(80), None, D("55.56"), "Off pace"]
    # 80 lb of 1,000 lb committed = 8% against 5%: met.
    assert by_goal["Priority items bought vs committed (Chicken drumsticks)"][3:] == [
        D(5),
        D("8.00"),
        D("8.00"),
        "Met",
    ]


def test_every_figure_names_its_local_definition(world, district, manager, collab_admin):
    lab = district.collaborative
    LocalDefinition.objects.create(collaborative=lab, name="Within 250 miles", local_radius_miles=250)
    board = dashboard(user=manager, lab=lab, district=district, period=SY, today=TODAY)
    assert board.definition == "Within 250 miles (the lab's definition)"
    assert all(
        "Within 250 miles" in t.caption for t in board.tables if t.slug in ("shares", "months", "categories")
    )
    LocalDefinition.objects.create(
        collaborative=lab, district=world["b"], name="Minnesota", local_states=["MN"]
    )
    assert (
        "1 district(s) use their own" in dashboard(user=manager, lab=lab, period=SY, today=TODAY).definition
    )
    assert "District B: Minnesota" in dashboard(user=collab_admin, lab=lab, period=SY, today=TODAY).definition
    mine = dashboard(user=manager, lab=lab, district=world["b"], period=SY, today=TODAY)
    assert mine.definition == "Minnesota (the district's own definition)"


def test_the_latest_school_year_is_the_default(world, district, manager):
    board = dashboard(user=manager, lab=district.collaborative, district=district, today=TODAY)
    assert board.period == rules.Period(2027)  # the July 2027 purchase is the latest


@pytest.mark.parametrize("scale", [1, 6])
def test_constant_queries_whatever_the_rows(district, other_district, collab_admin, scale,
                                           django_assert_max_num_queries):  # fmt: skip
    world = build(district, other_district)
    for n in range(scale * 10):
        spend(world["b"], date(2026 + n // 6, 7 + n % 6, 1), ["fruit", "dairy", "grain"][n % 3], "commercial",
              ["local", "other", "regional"][n % 3], "10", vendor=f"Vendor {n}")  # fmt: skip
        if n < scale:
            Goal.objects.create(collaborative=district.collaborative, metric="local", target_percent=D(n),
                                school_year=2027, set_in=2026)  # fmt: skip
    with django_assert_max_num_queries(14):
        dashboard(user=collab_admin, lab=district.collaborative, today=TODAY)
