"""``Field.parser`` (the quick path a whole column uses) answers exactly as ``Field.parse``: the
same value, or the same problem with the same message, for every kind of cell."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from focus_lab.imports.kinds import Field, FieldType
from focus_lab.imports.parsers import ParseError

F = FieldType
FIELDS = [
    Field("t", "Text", max_length=5),
    Field("to", "Text, optional", required=False),
    Field("c", "Choice", F.CHOICE, choices=("a", "bb")),
    Field("co", "Choice, optional", F.CHOICE, required=False, choices=("a", "bb")),
    Field("d", "Decimal", F.DECIMAL),
    Field("db", "Decimal, bounded", F.DECIMAL, required=False, minimum=Decimal(0), maximum=Decimal(100)),
    Field("m", "Money", F.MONEY),
    Field("mo", "Money, at least 1", F.MONEY, required=False, minimum=Decimal(1)),
    Field("day", "Date", F.DATE),
    Field("dayo", "Date, bounded", F.DATE, required=False, minimum=date(2020, 1, 1)),
    Field("i", "Integer", F.INTEGER, minimum=0),
    Field("b", "Bool", F.BOOL, required=False),
    Field("g", "Digits", F.DIGITS, required=False),
    Field("p", "Percent", F.PERCENT, required=False),
]
CELLS = [
    None, "", " ", "abc", " abc ", "abcdef", "A", " BB ", "bb", "c", "12", "12.", ".5", "0", "-3", "$21.50",
    "$21.500", "$21.505", "$21.5", "21.505", "$.505", "$-3", "(12.00)", "1,234.5", "12%", "1.5E+3", "١٢", "12\n", " 12 ", "$", "$$1",
    "12/31/2026", "2/30/2026", "1/2/26", "2026-12-31", "12-31-2026", "13/1/2026", "12/31/2026 ", "45000",
    "1/1/2019", 0, 12, -5, 101, 10**40, 12.0, 12.5, 0.125, 1e300, float("nan"), float("inf"), float("-inf"),
    True, False, date(2026, 9, 1), date(2019, 9, 1), datetime(2026, 9, 1, 8, 30), datetime(2019, 1, 1),
    time(8, 30), timedelta(days=2), "yes", "x", "99999", "\u00a012",
]  # fmt: skip


def outcome(call, value):
    try:
        result = call(value)
    except ParseError as exc:
        return ("problem", exc.message)
    except ArithmeticError as exc:  # a failure of parse itself: the quick path must fail the same way
        return ("error", type(exc))
    return ("value", type(result), str(result) if isinstance(result, Decimal) else result)


@pytest.mark.parametrize("field", FIELDS, ids=lambda f: f.name)
@pytest.mark.parametrize("cell", CELLS, ids=repr)
def test_the_quick_path_answers_as_parse(field, cell):
    assert outcome(field.parser, cell) == outcome(field.parse, cell)


cells = st.one_of(
    st.none(),
    st.text(alphabet="0123456789$.,-+()% /eE\u00a0abAB", max_size=12),
    st.integers(min_value=-(10**6), max_value=10**6),
    st.floats(allow_nan=True, allow_infinity=True),
    st.dates(),
    st.datetimes(),
    st.booleans(),
)


@settings(max_examples=300, deadline=None)
@given(cell=cells)
def test_the_quick_path_answers_as_parse_for_any_cell(cell):
    for field in FIELDS:
        assert outcome(field.parser, cell) == outcome(field.parse, cell), field.name


def test_the_quick_path_gives_decimals_and_dates():
    money, day = Field("m", "Money", F.MONEY), Field("day", "Date", F.DATE)
    assert money.parser("$21.50") == Decimal("21.50")
    assert money.parser(12) == Decimal(12)
    assert day.parser("12/31/2026") == date(2026, 12, 31)
    assert day.parser(datetime(2026, 12, 31, 0, 0)) == date(2026, 12, 31)
    with pytest.raises(ParseError, match="more than two decimal places"):
        money.parser("$21.505")


@pytest.mark.parametrize("cell", [float("nan"), float("inf"), "NaN"])
def test_a_number_that_is_not_finite_in_a_date_column_is_a_problem_not_a_crash(cell):
    from focus_lab.imports import parsers

    with pytest.raises(ParseError, match="is not a date"):
        parsers.parse_date(cell)
