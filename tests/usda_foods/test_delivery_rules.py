"""Receipt rules with hand-checked numbers (no database)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest

from usda_foods.deliveries import rules


def test_due_on_the_second_calendar_day_late_from_the_third():
    delivered = date(2019, 10, 4)  # a Friday: weekends count (calendar days)
    assert rules.due_on(delivered) == date(2019, 10, 6)
    assert not rules.is_late(due=date(2019, 10, 6), today=date(2019, 10, 6))
    assert rules.is_due_today(due=date(2019, 10, 6), today=date(2019, 10, 6))
    assert rules.is_late(due=date(2019, 10, 6), today=date(2019, 10, 7))


def test_co_op_split_shares_a_shortage_in_proportion():
    # Ordered 50, 30, 20 (100); 90 received: a 10-case shortage is 5, 3, 2.
    assert rules.split_received([50, 30, 20], 90) == [45, 27, 18]


def test_split_rounding_goes_to_the_largest_remainders():
    # Ordered 7, 7, 6 (20); 17 received: shortage 3 -> exact 1.05, 1.05, 0.9 -> floors 1, 1, 0;
    # one case left goes to the largest remainder (0.9, the third line): shortages 1, 1, 1.
    assert rules.split_received([7, 7, 6], 17) == [6, 6, 5]
    # Ordered 1, 1, 1; 2 received: shortage 1, remainders equal: the first line is short.
    assert rules.split_received([1, 1, 1], 2) == [0, 1, 1]


def test_split_overage_and_edges():
    assert rules.split_received([60, 40], 105) == [63, 42]  # 5 extra: 3 and 2
    assert rules.split_received([60, 40], 100) == [60, 40]
    assert rules.split_received([60, 40], 0) == [0, 0]
    assert rules.split_received([10], 7) == [7]
    with pytest.raises(rules.ReceiptInputError):
        rules.split_received([10], -1)


def test_drop_fee_below_the_minimum_only():
    fee = D("35.00")  # Indiana-style: under 10 cases
    assert rules.drop_fee(cases=9, minimum=10, fee=fee) == fee
    assert rules.drop_fee(cases=10, minimum=10, fee=fee) == 0  # exactly at the minimum
    assert rules.drop_fee(cases=1, minimum=None, fee=fee) == 0


def test_delivery_fee_per_pound_and_per_case():
    # Oregon-style: 1,000 cases x 40 lb = 40,000 lb at $0.0125 a pound = $500.00
    assert rules.delivery_fee(cases=1000, pounds=D("40000"), per_lb=D("0.0125"), per_case=D("0")) == D(
        "500.0000"
    )
    # per case: 54 cases x $1.15 = $62.10
    assert rules.cents(rules.delivery_fee(cases=54, pounds=D("0"), per_lb=D("0"), per_case=D("1.15"))) == D(
        "62.10"
    )


def test_storage_after_the_free_days():
    got = date(2019, 10, 1)
    # 90 free days: Dec 30 is day 90 (the last free day), Dec 31 starts the first month.
    assert rules.storage_months(received_on=got, as_of=date(2019, 12, 30), free_days=90) == 0
    assert rules.storage_months(received_on=got, as_of=date(2019, 12, 31), free_days=90) == 1
    assert (
        rules.storage_months(received_on=got, as_of=date(2020, 1, 29), free_days=90) == 1
    )  # 30 billable days
    assert rules.storage_months(received_on=got, as_of=date(2020, 1, 30), free_days=90) == 2
    # 100 cases x 2 months x $0.35 = $70.00
    assert rules.storage_fee(cases=100, received_on=got, as_of=date(2020, 1, 30), free_days=90,
                             per_case_month=D("0.35")) == D("70.00")  # fmt: skip


def test_cents_rounds_half_up_once():
    assert rules.cents(D("0.125")) == D("0.13") and rules.cents(D("62.104999")) == D("62.10")


def test_one_drop_fee_per_site_per_order_exactly_at_the_minimum_none():
    terms = rules.FeeTerms(min_cases_per_drop=10, drop_fee=D("35.00"))
    # Kitchen: 6 + 4 cases over two foods (two stops) = 10, exactly at the minimum: no fee.
    # Annex: 9 cases, one below: one fee, however many stops carry them.
    fees = rules.order_fees([("Kitchen", 6, D("40")), ("Kitchen", 4, D("30")), ("Annex", 5, D("40")),
                             ("Annex", 4, D("40"))], terms)  # fmt: skip
    assert fees.drops == [("Annex", 9, D("35.00"))] and fees.total == D("35.00")
    assert rules.site_drops({"Kitchen": 10, "Annex": 9}, terms) == [("Annex", 9, D("35.00"))]


def test_order_fees_diverted_cases_pay_delivery_but_no_drop_fee():
    terms = rules.FeeTerms(min_cases_per_drop=10, drop_fee=D("25.00"), delivery_fee_per_lb=D("0.0125"),
                           delivery_fee_per_case=D("0.50"))  # fmt: skip
    # 12 cases x 40 lb to a site + 3 cases x 38.5 lb to a processor (no drop): 15 cases, 595.5 lb:
    # 595.5 x $0.0125 = $7.44375 + 15 x $0.50 = $7.50 -> $14.94375 -> $14.94.
    fees = rules.order_fees([("Kitchen", 12, D("40")), (None, 3, D("38.5"))], terms)
    assert (fees.cases, fees.pounds, fees.drops) == (15, D("595.5"), [])
    assert fees.delivery == D("14.94") and fees.total == D("14.94")


def test_storage_charged_the_day_after_the_last_free_day_not_on_it():
    got = date(2019, 10, 1)  # 90 free days: Dec 30 is the last free day
    lots, none = [(got, 36)], []
    on = lambda day: rules.storage_charges(lots, none, free_days=90, first=day, last=day)  # noqa: E731
    assert on(date(2019, 12, 30)) == []
    assert on(date(2019, 12, 31)) == [rules.StorageCharge(got, date(2019, 12, 31), 36)]
    # then every 30 days while held: Jan 30, Feb 29 (2020 is a leap year)
    year = rules.storage_charges(lots, none, free_days=90, first=date(2019, 10, 1), last=date(2020, 2, 29))
    assert [c.charged_on for c in year] == [date(2019, 12, 31), date(2020, 1, 30), date(2020, 2, 29)]


def test_storage_pickups_take_the_oldest_cases_first():
    lots = [(date(2019, 11, 1), 20), (date(2019, 10, 1), 10)]  # any order in
    # 15 picked up on Dec 15: the 10 from October, then 5 of November's; 3 more on Jan 31 (a charge day
    # of November's cases: picked up that day, not charged).
    pickups = [(date(2019, 12, 15), 15), (date(2020, 1, 31), 3)]
    charges = rules.storage_charges(
        lots, pickups, free_days=90, first=date(2019, 12, 1), last=date(2020, 3, 31)
    )
    assert [(c.received_on, c.charged_on, c.cases) for c in charges] == [
        (date(2019, 11, 1), date(2020, 1, 31), 12), (date(2019, 11, 1), date(2020, 3, 1), 12),
        (date(2019, 11, 1), date(2020, 3, 31), 12)]  # fmt: skip
    # October's cases were all picked up before their first charge day (Dec 31): nothing.
    assert rules.cases_held(lots, pickups, as_of=date(2020, 2, 1)) == 12
    # a pickup dated before a lot arrived cannot take from it
    assert rules.storage_charges([(date(2019, 10, 1), 5)], [(date(2019, 9, 1), 5)], free_days=0,
                                 first=date(2019, 10, 2), last=date(2019, 10, 2))[0].cases == 5  # fmt: skip
