"""Numbers and dates as people type them; Decimal, never float."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest

from focus_lab.imports.parsers import (
    ParseError,
    parse_bool,
    parse_date,
    parse_decimal,
    parse_integer,
    parse_money,
    parse_percent,
)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("1,234", "1234"), ("1,234,567.89", "1234567.89"), ("$21.50", "21.50"), ("(12.00)", "-12.00"),
        ("($12.00)", "-12.00"), ("-$3", "-3"), ("$-3", "-3"), ("12%", "0.12"), (" 7 ", "7"), ("+4.5", "4.5"),
        (".5", "0.5"), ("1\u00a0234", "1234"), ("1.5E+3", "1500"), ("1e308", "1e308"), (12, "12"), (21.5, "21.5"), (0.1, "0.1"), (1234.0, "1234.0"),
    ],
)  # fmt: skip
def test_numbers_as_typed(typed, expected):
    value = parse_decimal(typed)
    assert isinstance(value, Decimal)
    assert value == Decimal(expected)


@pytest.mark.parametrize(
    "typed", ["abc", "1,23", "12,34.5", "1.2.3", "$", "", "--3", "nan", "inf", "1e", "e5", True]
)
def test_not_numbers(typed):
    with pytest.raises(ParseError):
        parse_decimal(typed)


def test_float_cells_become_their_shortest_decimal():
    assert parse_decimal(0.1 + 0.2) == Decimal("0.30000000000000004")
    assert parse_money(21.5) == Decimal("21.5")


def test_integer_and_money():
    assert parse_integer("1,234") == 1234 and parse_integer(412000.0) == 412000
    with pytest.raises(ParseError, match="not a whole number"):
        parse_integer("12.5")
    with pytest.raises(ParseError, match="not a whole number"):
        parse_integer("twelve")
    with pytest.raises(ParseError, match="too large"):
        parse_integer("1e99")
    with pytest.raises(ParseError, match="more than two decimal places"):
        parse_money("$1.005")


def test_percent_points():
    assert parse_percent("12%") == 12 and parse_percent("12") == 12 and parse_percent(0.12) == 12


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("12/31/2026", date(2026, 12, 31)), ("1/2/26", date(2026, 1, 2)), ("2026-07-01", date(2026, 7, 1)),
        ("2026-07-01 00:00:00", date(2026, 7, 1)), (46022, date(2025, 12, 31)), ("46022", date(2025, 12, 31)),
        (46022.75, date(2025, 12, 31)), (datetime(2026, 3, 4, 5, 6), date(2026, 3, 4)), (date(2026, 3, 4), date(2026, 3, 4)),
        ("12-31-2026", date(2026, 12, 31)),
    ],
)  # fmt: skip
def test_dates(typed, expected):
    assert parse_date(typed) == expected


@pytest.mark.parametrize("typed", ["2/30/2026", "31/12/2026", "tomorrow", 0, 3_000_000, ""])
def test_not_dates(typed):
    with pytest.raises(ParseError):
        parse_date(typed)


def test_bools():
    assert parse_bool("Yes") and parse_bool("x") and parse_bool(True)
    assert not parse_bool("") and not parse_bool("N") and not parse_bool(0)
    with pytest.raises(ParseError, match="not yes or no"):
        parse_bool("maybe")
