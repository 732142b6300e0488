"""Reading the app's exports back in tests: CSV (which must start with the byte-order mark that
Excel on Windows needs) and XLSX (read with python-calamine, a real spreadsheet reader)."""

from __future__ import annotations

import io

BOM = "\ufeff"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def csv_body(response) -> str:
    """The CSV text of a (streamed or plain) response, after checking it opens with the BOM."""
    raw = b"".join(response.streaming_content) if response.streaming else response.content
    text = raw.decode("utf-8")
    assert text.startswith(BOM), "CSV exports start with a byte-order mark for Excel"
    return text[len(BOM) :]


def xlsx_rows(response) -> list[list[object]]:
    """Every row of the first sheet of an XLSX response, header first."""
    from python_calamine import CalamineWorkbook

    raw = b"".join(response.streaming_content) if response.streaming else response.content
    book = CalamineWorkbook.from_filelike(io.BytesIO(raw))
    return book.get_sheet_by_index(0).to_python()
