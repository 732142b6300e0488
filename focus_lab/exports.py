"""Table exports people open in a spreadsheet: CSV (UTF-8 with a byte-order mark, so Excel on
Windows reads accents and symbols right) and XLSX, from the same header and rows.

Rows hold plain values: text, ``Decimal``/``int`` numbers, dates, or ``None`` for an empty cell.
Numbers stay numbers (plain decimals in CSV, numeric cells in XLSX), and text a spreadsheet would
run as a formula is neutralised (CSV injection): prefixed with ``'`` in CSV, always written as a
string in XLSX.
"""

from __future__ import annotations

import csv
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from datetime import date
from decimal import Decimal

from django.http import FileResponse, HttpResponse, StreamingHttpResponse

FORMATS = ("csv", "xlsx")
BOM = "\ufeff"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def csv_text(value: str) -> str:
    """Neutralise spreadsheet formulas in a text cell."""
    return "'" + value if value[:1] in FORMULA_STARTS else value


def _csv_cell(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value:f}"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        return csv_text(value)
    return value


class _Echo:
    """A file-like object whose ``write`` returns the line, for streaming csv.writer output."""

    def write(self, value: str) -> str:
        return value


def csv_lines(header: Sequence[str], rows: Iterable[Sequence[object]]) -> Iterator[str]:
    """The CSV text, a line at a time, starting with the byte-order mark."""
    writer = csv.writer(_Echo())
    yield BOM + writer.writerow(header)
    for row in rows:
        yield writer.writerow([_csv_cell(value) for value in row])


def xlsx_file(header: Sequence[str], rows: Iterable[Sequence[object]], *, sheet: str = "Export"):
    """The workbook in a temporary file (xlsxwriter's constant-memory mode writes row by row, so a
    large export never sits in memory whole). The caller closes the file."""
    import xlsxwriter

    handle = tempfile.TemporaryFile()
    book = xlsxwriter.Workbook(handle, {"constant_memory": True, "strings_to_formulas": False,
                                        "strings_to_urls": False, "strings_to_numbers": False})  # fmt: skip
    bold = book.add_format({"bold": True})
    dated = book.add_format({"num_format": "yyyy-mm-dd"})
    worksheet = book.add_worksheet(sheet[:31])
    worksheet.write_row(0, 0, header, bold)
    widths = [len(title) for title in header]
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row):
            if value is None:
                continue
            if isinstance(value, bool):
                worksheet.write_boolean(r, c, value)
            elif isinstance(value, Decimal | int | float):
                # A spreadsheet cell is a binary float; the value was computed in Decimal and is
                # converted once, here, for display.
                worksheet.write_number(r, c, float(value))
            elif isinstance(value, date):
                worksheet.write_datetime(r, c, value, dated)
            else:
                worksheet.write_string(r, c, str(value))
            if c < len(widths):
                widths[c] = max(widths[c], min(len(str(value)), 60))
    for c, width in enumerate(widths):
        worksheet.set_column(c, c, width + 2)
    worksheet.freeze_panes(1, 0)
    book.close()
    handle.seek(0)
    return handle


def table_response(
    *, fmt: str, filename: str, header: Sequence[str], rows: Iterable[Sequence[object]]
) -> HttpResponse:
    """An attachment named ``filename`` + ``.csv`` or ``.xlsx``. CSV is streamed."""
    if fmt == "xlsx":
        return FileResponse(xlsx_file(header, rows), as_attachment=True, filename=f"{filename}.xlsx",
                            content_type=XLSX_TYPE)  # fmt: skip
    response = StreamingHttpResponse(csv_lines(header, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def export_format(value: str | None, default: str = "csv") -> str:
    """The export format a request asked for (``?format=``), or the default."""
    return value if value in FORMATS else default
