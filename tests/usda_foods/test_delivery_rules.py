"""Receipt rules with hand-checked numbers (no database)."""

from __future__ import annotations

from datetime import date

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
