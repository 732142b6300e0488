"""The dashboards' pure arithmetic, no database: school years, periods, shares, goal progress."""

from datetime import date
from decimal import Decimal

import pytest

from purchasing.spend import rules
from purchasing.spend.tables import MONEY, PERCENT, Chart, Column, Table

D = Decimal
TARGET = Decimal(25)


@pytest.mark.parametrize(("day", "year"), [(date(2026, 7, 1), 2026), (date(2027, 6, 30), 2026),
                                           (date(2026, 6, 30), 2025), (date(2026, 12, 31), 2026)])  # fmt: skip
def test_school_year_runs_july_to_june(day, year):
    assert rules.school_year_of(day) == year


def test_school_year_months_and_labels():
    months = rules.school_year_months(2027)
    assert months[0] == date(2027, 7, 1) and months[5] == date(2027, 12, 1) and months[-1] == date(2028, 6, 1)
    assert rules.school_year_label(2027) == "SY 2027-28"
    assert rules.school_year_label(2099) == "SY 2099-00"


def test_periods():
    today = date(2026, 12, 2)
    assert rules.parse_period(school_year=None, month=None, default=today) == rules.Period(2026)
    month = rules.parse_period(school_year="2020", month="2027-03", default=today)
    assert month == rules.Period(2026, date(2027, 3, 1)) and month.label == "Mar 2027"
    assert month.first == month.last == date(2027, 3, 1) and month.query == "month=2027-03"
    year = rules.parse_period(school_year="2025", month="", default=today)
    assert (year.first, year.last, year.label) == (date(2025, 7, 1), date(2026, 6, 1), "SY 2025-26")
    for bad in ({"month": "2026-13"}, {"month": "x"}, {"month": "2026-1-1"}, {"school_year": "1999"},
                {"school_year": "-5"}, {"school_year": "２０２６"}):  # fmt: skip
        assert rules.parse_period(**{"school_year": None, "month": None, **bad}, default=today) is None, bad


def test_shares_round_half_up_once():
    assert rules.share(D(500), D(900)) == D("55.56")
    assert rules.share(D(1), D(8)) == D("12.50")
    assert rules.share(D("0.125"), D(1)) == D("12.50")
    assert rules.share(D(1), D(3)) == D("33.33")
    assert rules.share(None, D(3)) == D("0.00")
    assert rules.share(D(1), D(0)) is None and rules.share(D(1), None) is None


def test_pounds_in_the_items_unit():
    assert rules.to_item_unit(pounds=D(80), unit="lb", case_net_weight_lb=None) == D(80)
    assert rules.to_item_unit(pounds=D(80), unit="case", case_net_weight_lb=D(40)) == D(2)
    assert rules.to_item_unit(pounds=D(80), unit="case", case_net_weight_lb=None) is None
    assert rules.to_item_unit(pounds=D(80), unit="each", case_net_weight_lb=None) is None


def test_goal_progress():
    def status(actual, year, goal_year=2027, set_year=2026, target=TARGET):
        return rules.goal_progress(actual=actual, target=target, goal_year=goal_year, current_year=year,
                                   set_year=set_year).status  # fmt: skip

    # From 0% in SY 2025-26 to 25% in SY 2027-28: 12.5% expected in SY 2026-27.
    assert status(D("12.50"), 2026) == rules.ON_PACE
    assert status(D("12.49"), 2026) == rules.OFF_PACE
    assert status(D(25), 2026) == rules.MET
    assert status(D(24), 2027) == rules.OFF_PACE  # its year, not there yet
    assert status(D(24), 2028) == rules.MISSED
    assert status(D(30), 2028) == rules.MET
    assert status(None, 2026) == rules.NO_DATA
    # Set three years ahead in SY 2024-25: one quarter of the way by SY 2024-25.
    assert status(D("6.25"), 2024, goal_year=2027, set_year=2024) == rules.ON_PACE
    assert status(D("6.24"), 2024, goal_year=2027, set_year=2024) == rules.OFF_PACE
    progress = rules.goal_progress(
        actual=D(10), target=D(25), goal_year=2027, current_year=2026, set_year=2026
    )
    assert progress.gap == D(15) and progress.percent_of_target == D("40.00")


def test_a_table_exports_and_charts_the_same_figures():
    table = Table("t", "T", "Caption", [Column("Class"), Column("Spend", MONEY), Column("Share", PERCENT)],
                  rows=[["Local", D("500.00"), D("55.56")], ["Unknown", D(0), None]],
                  total=["Total", D("900.00"), D("100.00")], chart=Chart("bar", (2,)))  # fmt: skip
    assert table.header == ["Class", "Spend ($)", "Share (%)"]
    assert table.export_rows()[-1] == ["Total", D("900.00"), D("100.00")]
    assert table.chart_data() == {"type": "bar", "horizontal": False, "unit": "percent", "labels": ["Local", "Unknown"],
                                  "datasets": [{"label": "Share (%)", "data": ["55.56", None]}]}  # fmt: skip
    assert table.as_dict()["rows"][1] == ["Unknown", "0", None]
