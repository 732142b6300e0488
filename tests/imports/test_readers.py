"""The readers, on files the tests write: every encoding and delimiter people's software uses,
workbooks, a distributor's sheet with a title block and a totals row, and the limits."""

from __future__ import annotations

import codecs
import io
from datetime import date

import pytest

from focus_lab.imports import readers
from focus_lab.imports.readers import TableError, cell_text, open_table
from tests.imports.files import csv_bytes, xlsx_bytes

ROWS = [["Name", "Price", "Note"], ["Crème brûlée", "$21.50", "café"], ["Apples", "1,234", "“quoted”"]]


def _read(data: bytes, filename: str = "f.csv", **kwargs: object) -> tuple[readers.Table, list]:
    table = open_table(io.BytesIO(data), filename=filename, **kwargs)  # type: ignore[arg-type]
    return table, [(line, [cell_text(c) for c in cells]) for line, cells in table.rows]


@pytest.mark.parametrize(
    ("encoding", "bom", "expected"),
    [
        ("utf-8", b"", "UTF-8"),
        ("utf-8", codecs.BOM_UTF8, "UTF-8"),
        ("utf-16-le", codecs.BOM_UTF16_LE, "UTF-16"),
        ("utf-16-be", codecs.BOM_UTF16_BE, "UTF-16"),
        ("utf-16-le", b"", "UTF-16"),
        ("cp1252", b"", "Windows-1252"),
    ],
)
def test_csv_encodings_read_alike(encoding, bom, expected):
    table, rows = _read(bom + csv_bytes(ROWS, encoding=encoding))
    assert table.encoding == expected
    assert table.headers == ["Name", "Price", "Note"]
    assert rows == [(2, ["Crème brûlée", "$21.50", "café"]), (3, ["Apples", "1,234", "“quoted”"])]


def test_latin1_bytes_cp1252_lacks_are_read_as_latin1():
    data = "Name,Note\nA,caf\xe9 \x81\n".encode("latin-1")
    table, rows = _read(data)
    assert table.encoding == "Latin-1"
    assert rows[0][1][1] == "café \x81"


@pytest.mark.parametrize(("delimiter", "name"), [(",", ","), (";", ";"), ("\t", "\t")])
def test_delimiter_is_sniffed(delimiter, name):
    table, rows = _read(csv_bytes(ROWS, delimiter=delimiter))
    assert table.delimiter == name
    assert rows[1] == (3, ["Apples", "1,234", "“quoted”"])


def test_semicolon_file_with_commas_in_numbers():
    data = b"Name;Price\nApples;1,234\nPears;2,000\n"
    table, rows = _read(data)
    assert table.delimiter == ";"
    assert rows == [(2, ["Apples", "1,234"]), (3, ["Pears", "2,000"])]


def test_distributor_csv_title_rows_and_totals_are_skipped():
    data = csv_bytes([
        ["Acme Foodservice — Price list"], ["Printed 12/01/2026"], [],
        ["Item", "Price", "Cases"], ["Apples", "21.50", "10"], ["Pears", "18.00", "4"], [],
        ["Total", "", "14"],
    ])  # fmt: skip
    score = lambda cells: sum(1 for c in cells if c.lower() in {"item", "price", "cases"})  # noqa: E731
    table, rows = _read(data, header_score=score)
    assert table.header_line == 4
    assert rows == [(5, ["Apples", "21.50", "10"]), (6, ["Pears", "18.00", "4"])]


def test_without_a_score_the_first_row_of_two_cells_is_the_header():
    table, rows = _read(csv_bytes([["Title only"], ["a", "b"], ["1", "2"]]))
    assert table.headers == ["a", "b"] and table.header_line == 2
    assert rows == [(3, ["1", "2"])]


def test_a_totals_row_in_the_middle_is_data():
    _, rows = _read(csv_bytes([["Item", "Qty"], ["Total", "3"], ["Apples", "3"]]))
    assert [r[1][0] for r in rows] == ["Total", "Apples"]


def test_xlsx_first_sheet_or_a_chosen_one_with_typed_cells():
    data = xlsx_bytes({
        "Claims": [["Acme claims export"], [], ["SFA", "Free", "Date"], ["0001", 412000, date(2026, 9, 30)],
                   ["0002", 21.5, date(2026, 10, 1)], ["Total", 412021.5, None]],
        "Other": [["x", "y"], [1, 2]],
    })  # fmt: skip
    table, rows = _read(data, "claims.xlsx")
    assert table.sheet == "Claims" and table.sheet_names == ["Claims", "Other"]
    assert table.header_line == 3
    assert rows == [(4, ["0001", "412000", "2026-09-30"]), (5, ["0002", "21.5", "2026-10-01"])]
    table, rows = _read(data, "claims.xlsx", sheet="Other")
    assert table.headers == ["x", "y"] and rows == [(2, ["1", "2"])]


def test_a_missing_sheet_is_named():
    with pytest.raises(TableError, match="no sheet “Nope”; its sheets: Claims"):
        _read(xlsx_bytes({"Claims": [["a", "b"]]}), "c.xlsx", sheet="Nope")


def test_a_workbook_is_recognised_by_its_bytes_whatever_its_name():
    table, _ = _read(xlsx_bytes({"S": [["a", "b"], [1, 2]]}), "upload")
    assert table.file_format == "spreadsheet"


def test_a_damaged_workbook_is_a_clear_error():
    with pytest.raises(TableError, match="not a spreadsheet"):
        _read(b"PK\x03\x04 not really a zip", "x.xlsx")


def test_size_limit():
    with pytest.raises(TableError, match="at most 1 MB"):
        _read(b"a,b\n" + b"1,2\n" * 300_000, max_bytes=1024 * 1024)


def test_empty_file():
    with pytest.raises(TableError, match="empty"):
        _read(b"")


def test_row_limit_names_the_line():
    table = open_table(io.BytesIO(b"a,b\n" + b"1,2\n" * 20), filename="f.csv", max_rows=10)
    with pytest.raises(TableError, match="more than 10 rows") as exc:
        list(table.rows)
    assert exc.value.line == 12


def test_row_limit_of_a_workbook_is_checked_before_reading():
    data = xlsx_bytes({"S": [["a", "b"]] + [[i, i] for i in range(100)]})
    with pytest.raises(TableError, match="101 rows; at most 10"):
        open_table(io.BytesIO(data), filename="s.xlsx", max_rows=10)


def test_a_broken_csv_line_is_named():
    data = b"a,b\n1,2\n" + b'"' + b"x" * 200_000 + b'",3\n'
    with pytest.raises(TableError, match="longer than 131,072 characters") as exc:
        list(open_table(io.BytesIO(data), filename="f.csv").rows)
    assert exc.value.line == 3


def test_nul_bytes_in_a_utf8_file():
    with pytest.raises(TableError, match="NUL") as exc:
        _read(b"a,b\n1,\x002\n")
    assert exc.value.line == 2


def test_blank_rows_are_skipped_and_lines_kept():
    _, rows = _read(b"a,b\n\n1,2\n,\n3,4\n")
    assert rows == [(3, ["1", "2"]), (5, ["3", "4"])]


def test_broken_utf16_is_a_clear_error():
    with pytest.raises(TableError, match="not text we can read"):
        _read(b"\x00a\x00,\x00b\x00\n\x00")
    data = codecs.BOM_UTF16_LE + "a,b\n".encode("utf-16-le") + "1,2\n".encode("utf-16-le") * 40_000 + b"\x00"
    with pytest.raises(TableError, match="not text we can read"):
        list(open_table(io.BytesIO(data), filename="f.csv").rows)


def test_an_opendocument_sheet_reads_like_a_workbook():
    from tests.imports.files import ods_bytes

    data = ods_bytes([["Price list"], ["Item", "Price"], ["Apples", 21.5], ["Pears", 18], ["Total", 39.5]])
    table, rows = _read(data, "prices.ods")
    assert table.file_format == "spreadsheet" and table.sheet == "Sheet1"
    assert table.headers == ["Item", "Price"] and table.header_line == 2
    assert rows == [(3, ["Apples", "21.5"]), (4, ["Pears", "18"])]
