"""The shared export helper: CSV with a BOM and formula-safe text, XLSX with numbers as numbers
and text as text (never a formula)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from focus_lab import exports
from tests.exports import csv_body, xlsx_rows

HEADER = ["name", "cases", "value", "day", "note"]
ROWS = [["=HYPERLINK(\"http://x\")", 12, Decimal("1234.50"), date(2026, 9, 1), None],
        ["Élan Café", 0, Decimal("-3.25"), date(2026, 9, 2), "+1 case"]]  # fmt: skip


def test_csv_starts_with_a_bom_and_neutralises_formulas():
    response = exports.table_response(fmt="csv", filename="t", header=HEADER, rows=iter(ROWS))
    lines = csv_body(response).splitlines()
    assert lines[0] == "name,cases,value,day,note"
    assert lines[1] == '"\'=HYPERLINK(""http://x"")",12,1234.50,2026-09-01,'
    assert lines[2] == "Élan Café,0,-3.25,2026-09-02,'+1 case"  # a negative number stays a number


def test_xlsx_keeps_numbers_numeric_and_text_as_text():
    response = exports.table_response(fmt="xlsx", filename="t", header=HEADER, rows=iter(ROWS))
    assert 'filename="t.xlsx"' in response["Content-Disposition"]
    sheet = xlsx_rows(response)
    assert sheet[0] == HEADER
    assert sheet[1][0] == '=HYPERLINK("http://x")'  # stored as a string, not run as a formula
    assert sheet[1][1:3] == [12, 1234.5] and sheet[2][2] == -3.25
    assert sheet[2][0] == "Élan Café"


def test_unknown_format_falls_back_to_csv():
    assert exports.export_format("pdf") == "csv" and exports.export_format("xlsx") == "xlsx"
