"""The processing rules with hand-checked numbers (no database)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest

from usda_foods.processing import rules
from usda_foods.processing.rules import Pace


def test_pounds_credited_is_cases_times_net_case_weight():
    # 38 cases x 40.00 lb = 1,520 lb
    assert rules.pounds_credited(cases=38, net_case_weight_lb=D("40.00")) == D("1520.00")
    assert rules.pounds_credited(cases=0, net_case_weight_lb=D("40")) == 0


def test_pounds_drawn_is_rate_times_cases():
    # 12 cases x 22.5 lb of chicken a case = 270 lb
    assert rules.pounds_drawn(cases=12, pounds_per_case=D("22.5")) == D("270.0")


def test_drawdown_shortfall_never_below_zero():
    assert rules.drawdown_shortfall(on_hand=D("270"), wanted=D("270")) == 0  # exactly all: allowed
    assert rules.drawdown_shortfall(on_hand=D("270"), wanted=D("270.01")) == D("0.01")


@pytest.mark.parametrize(("as_of", "months"), [
    (date(2019, 6, 30), 0), (date(2019, 7, 15), 0), (date(2019, 8, 1), 1), (date(2019, 12, 31), 5),
    (date(2020, 1, 2), 6), (date(2020, 5, 1), 10), (date(2020, 6, 30), 10), (date(2021, 3, 1), 10),
])  # fmt: skip
def test_months_of_service_elapsed_counts_august_to_may(as_of, months):
    assert rules.months_of_service_elapsed(school_year_start=2019, as_of=as_of) == months


def test_average_monthly_usage_and_months_on_hand():
    # 1,200 lb drawn over 4 months of service = 300 lb a month; 1,950 lb on hand = 6.5 months
    usage = rules.average_monthly_usage(pounds_used=D("1200"), months_elapsed=4)
    assert usage == D("300")
    months = rules.months_on_hand(on_hand=D("1950"), monthly_usage=usage)
    assert months == D("6.5")
    assert rules.over_cap(on_hand=D("1950"), months=months)


def test_six_months_exactly_is_not_flagged_but_a_pound_more_is():
    assert not rules.over_cap(
        on_hand=D("1800"), months=rules.months_on_hand(on_hand=D("1800"), monthly_usage=D("300"))
    )
    assert rules.over_cap(
        on_hand=D("1801"), months=rules.months_on_hand(on_hand=D("1801"), monthly_usage=D("300"))
    )


def test_no_usage_yet_with_stock_is_unbounded_and_flagged():
    assert rules.months_on_hand(on_hand=D("500"), monthly_usage=D("0")) is None
    assert rules.over_cap(on_hand=D("500"), months=None)
    assert rules.months_on_hand(on_hand=D("0"), monthly_usage=D("0")) == 0
    assert not rules.over_cap(on_hand=D("0"), months=D("0"))
    assert rules.average_monthly_usage(pounds_used=D("0"), months_elapsed=0) == 0


@pytest.mark.parametrize(("used", "available", "elapsed", "pace"), [
    # 4 of 10 months: an even draw has used 40%. Within 5 points is on pace.
    (D("400"), D("1000"), 4, Pace.ON_PACE),
    (D("350"), D("1000"), 4, Pace.ON_PACE),   # 35%: exactly 5 points behind, still on pace
    (D("349"), D("1000"), 4, Pace.BEHIND),    # 34.9%
    (D("451"), D("1000"), 4, Pace.AHEAD),     # 45.1%
    (D("100"), D("1000"), 0, Pace.NOT_STARTED),
    (D("0"), D("0"), 4, Pace.NOT_STARTED),
])  # fmt: skip
def test_pace_against_an_even_draw(used, available, elapsed, pace):
    assert rules.pace(pounds_used=used, pounds_available=available, months_elapsed=elapsed) is pace


def test_inventory_status_combines_the_figures():
    # Nov 15, 2019 is month 4 of service (Aug, Sep, Oct, Nov). 600 lb drawn -> 150 lb/month;
    # 1,400 lb on hand -> 9.3 months (flagged); 600 of 2,000 = 30% drawn vs 40% even: behind.
    status = rules.inventory_status(
        on_hand=D("1400"), used=D("600"), school_year_start=2019, as_of=date(2019, 11, 15)
    )
    assert status.monthly_usage == D("150")
    assert rules.shown(status.months) == D("9.3")
    assert status.flagged
    assert status.pace is Pace.BEHIND
    assert status.used_share == D("30") and status.even_share == D("40")


def test_shown_rounds_half_up_once():
    assert rules.shown(D("6.25")) == D("6.3")
    assert rules.shown(D("6.35")) == D("6.4")


def test_negative_inputs_are_refused():
    with pytest.raises(rules.InventoryInputError):
        rules.pounds_credited(cases=-1, net_case_weight_lb=D("40"))
