"""The shared CSV import helper (``focus_lab.csv_import``): a file the reader cannot take (a cell
over 131,072 characters, a NUL byte) is a line's error, never an exception; bounds and lengths
are checked with messages that never repeat a huge cell."""

from __future__ import annotations

from decimal import Decimal

import pytest

from focus_lab.csv_import import (
    MAX_CELL_CHARS,
    RowErrors,
    decimal_number,
    parse_csv,
    text_value,
    whole_number,
)


def _parse(text: str):
    def parse_row(row: dict[str, str]) -> dict[str, str]:
        errors: list[tuple[str, str]] = []
        text_value(row["name"], "name", errors, max_length=10)
        if errors:
            raise RowErrors(errors)
        return row

    return parse_csv(text, required=("name", "count"), parse_row=parse_row)


def test_a_cell_over_the_reader_limit_is_an_error_on_its_line():
    parsed = _parse("name,count\nok,1\nfine,2\n" + "x" * (MAX_CELL_CHARS + 1) + ",3\nlater,4\n")
    assert [(e.line, e.message) for e in parsed.errors] == [(4, "a cell is longer than 131,072 characters")]


def test_a_header_over_the_reader_limit_is_an_error_on_line_1():
    parsed = _parse("name," + "c" * (MAX_CELL_CHARS + 1) + "\nok,1\n")
    assert [(e.line, e.message) for e in parsed.errors] == [(1, "a cell is longer than 131,072 characters")]


@pytest.mark.parametrize(("text", "line"), [("name,count\nok,1\nb\x00d,2\n", 3), ("n\x00a\x00m\x00e\x00", 1)])
def test_a_nul_byte_is_an_error_naming_its_line(text, line):
    parsed = _parse(text)
    assert [(e.line, e.message) for e in parsed.errors] == [
        (line, "contains a NUL byte: save the file as UTF-8 CSV")
    ]
    assert not parsed.rows


def test_text_value_names_the_length():
    parsed = _parse("name,count\n" + "y" * 11 + ",1\n")
    assert [(e.line, e.column, e.message) for e in parsed.errors] == [
        (2, "name", "is 11 characters long; at most 10")
    ]


def test_numbers_have_upper_bounds_and_short_messages():
    errors: list[tuple[str, str]] = []
    assert whole_number("2147483648", "n", errors, maximum=300) is None
    assert decimal_number("1e308", "d", errors, maximum=Decimal("100000")) is None
    assert whole_number("9" * 5_000, "n", errors) is None  # beyond Python's int parsing limit
    assert decimal_number("z" * 100_000, "d", errors) is None
    assert errors[:2] == [("n", "must be at most 300"), ("d", "must be at most 100,000")]
    assert all(len(message) < 80 for _, message in errors)
    assert whole_number("300", "n", [], maximum=300) == 300
