"""Real-looking files for the import tests: CSV in each encoding and delimiter, and workbooks
written with xlsxwriter (what the app itself writes), read back with python-calamine."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import date, datetime

import xlsxwriter
from django.core.files.uploadedfile import SimpleUploadedFile


def csv_bytes(rows: Sequence[Sequence[object]], *, encoding: str = "utf-8", delimiter: str = ",") -> bytes:
    text = io.StringIO()
    csv.writer(text, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return text.getvalue().encode(encoding)


def xlsx_bytes(sheets: dict[str, Sequence[Sequence[object]]]) -> bytes:
    """A workbook with one sheet per entry; numbers as numbers, dates as date cells."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    book.set_properties({"created": datetime(2026, 12, 1, 9, 0)})  # the same rows, the same bytes
    dated = book.add_format({"num_format": "mm/dd/yyyy"})
    for name, rows in sheets.items():
        sheet = book.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value is None:
                    continue
                if isinstance(value, date):
                    sheet.write_datetime(r, c, value, dated)
                else:
                    sheet.write(r, c, value)
    book.close()
    return out.getvalue()


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)
