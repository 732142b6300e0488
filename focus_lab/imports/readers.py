"""Reading an uploaded table: CSV in any of the encodings and delimiters people's software writes,
and XLSX/XLS/ODS through python-calamine. Rows come out one at a time (memory stays flat), each
with the line number a person sees in their spreadsheet, so a problem can point at it.

No Django here: the functions take a binary file object and return plain values.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import BinaryIO

MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_ROWS = 250_000
HEADER_SEARCH_ROWS = 20  # a distributor's title block is a few lines at most
MAX_CELL_CHARS = 131_072
SPREADSHEET_EXTENSIONS = frozenset({"xlsx", "xlsm", "xls", "xlsb", "ods"})
CSV_EXTENSIONS = frozenset({"csv", "txt", "tsv"})
DELIMITERS = (",", ";", "\t")
_NOT_TEXT = "The file is not text we can read: save it as CSV (UTF-8) or as an Excel workbook."
_TOTALS = re.compile(r"^\s*(grand\s+)?(totals?|sum)\b", re.IGNORECASE)

Cell = str | int | float | bool | date | datetime | time | timedelta | None

csv.field_size_limit(MAX_CELL_CHARS)


class TableError(Exception):
    """The file cannot be read as a table; ``line`` is where, when known (0 for the whole file)."""

    def __init__(self, message: str, *, line: int = 0) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


@dataclass
class Table:
    """A table's header and an iterator over its data rows as ``(line, cells)``. ``line`` counts
    from 1 at the file's first line (or the sheet's first row), whatever rows were skipped."""

    headers: list[str]
    header_line: int
    rows: Iterator[tuple[int, list[Cell]]]
    file_format: str  # "csv" or "xlsx"...
    encoding: str = ""
    delimiter: str = ""
    sheet: str = ""
    sheet_names: list[str] = field(default_factory=list)


def extension(filename: str) -> str:
    return filename.rsplit(".", 1)[-1].lower() if "." in filename else ""


def is_blank(cells: list[Cell]) -> bool:
    for cell in cells:  # most rows answer at their first cell
        if cell is None or (type(cell) is str and not cell.strip()):
            continue
        return False
    return True


def cell_text(cell: Cell) -> str:
    """A cell as the person typed it: a whole number stored as 12.0 by a spreadsheet is "12"."""
    if cell is None:
        return ""
    if isinstance(cell, bool):
        return "TRUE" if cell else "FALSE"
    if isinstance(cell, float):
        return str(int(cell)) if cell.is_integer() else repr(cell)
    if isinstance(cell, datetime):
        return cell.isoformat(sep=" ") if cell.time() != time() else cell.date().isoformat()
    if isinstance(cell, date):
        return cell.isoformat()
    return str(cell).strip()


# --- Opening --------------------------------------------------------------------------------------


def open_table(
    file: BinaryIO,
    *,
    filename: str,
    sheet: str | None = None,
    header_score: Callable[[list[str]], int] | None = None,
    max_rows: int = MAX_ROWS,
    max_bytes: int = MAX_FILE_BYTES,
) -> Table:
    """Open ``file`` as a table. ``header_score`` rates a candidate header row (how many of its
    cells name a known field): the best row among the first few is the header, so a distributor's
    title rows above it are skipped. Raises ``TableError`` with a message for the person."""
    size = _size(file)
    if size > max_bytes:
        raise TableError(
            f"The file is {size / 1024 / 1024:,.1f} MB; at most {max_bytes // (1024 * 1024)} MB."
        )
    if size == 0:
        raise TableError("The file is empty.")
    ext = extension(filename)
    if ext in SPREADSHEET_EXTENSIONS or (ext not in CSV_EXTENSIONS and _looks_like_spreadsheet(file)):
        return _open_spreadsheet(file, sheet=sheet, header_score=header_score, max_rows=max_rows)
    return _open_csv(file, header_score=header_score, max_rows=max_rows)


def _size(file: BinaryIO) -> int:
    file.seek(0, io.SEEK_END)
    size = file.tell()
    file.seek(0)
    return size


def _looks_like_spreadsheet(file: BinaryIO) -> bool:
    head = file.read(8)
    file.seek(0)
    return head.startswith(b"PK\x03\x04") or head.startswith(
        b"\xd0\xcf\x11\xe0"
    )  # zip (xlsx, ods), OLE (xls)


def _find_header(
    rows: Iterator[tuple[int, list[Cell]]], header_score: Callable[[list[str]], int] | None
) -> tuple[int, list[str], list[tuple[int, list[Cell]]]]:
    """Look at the first rows; return the header's line, its cells, and the rows after it that
    were read while looking (they are data and go first)."""
    seen: list[tuple[int, list[Cell]]] = []
    for line, cells in rows:
        if not is_blank(cells):
            seen.append((line, cells))
        if len(seen) >= HEADER_SEARCH_ROWS:
            break
    if not seen:
        raise TableError("The file has no rows: it needs a header row naming its columns.", line=1)
    best = -1
    if header_score is not None:
        scores = [header_score([cell_text(c) for c in cells]) for _, cells in seen]
        if max(scores) > 0:
            best = scores.index(max(scores))
    if best < 0:  # the first row with two or more filled cells; a title row has one
        best = next((i for i, (_, c) in enumerate(seen) if sum(1 for x in c if cell_text(x)) >= 2), 0)
    line, cells = seen[best]
    headers = [cell_text(c) for c in cells]
    while headers and not headers[-1]:
        headers.pop()
    return line, headers, seen[best + 1 :]


def _data_rows(
    buffered: list[tuple[int, list[Cell]]],
    rest: Iterator[tuple[int, list[Cell]]],
    *,
    max_rows: int,
) -> Iterator[tuple[int, list[Cell]]]:
    """Data rows without blank ones; a last row that reads "Total" is the sheet's sum, not data."""
    count = 0
    pending: tuple[int, list[Cell]] | None = None

    def all_rows() -> Iterator[tuple[int, list[Cell]]]:
        yield from buffered
        yield from rest

    for line, cells in all_rows():
        if is_blank(cells):
            continue
        if pending is not None:
            yield pending
        count += 1
        if count > max_rows:
            raise TableError(
                f"The file has more than {max_rows:,} rows; split it into smaller files.", line=line
            )
        pending = (line, cells)
    if pending is not None and not _is_totals(pending[1]):
        yield pending


def _is_totals(cells: list[Cell]) -> bool:
    texts = [cell_text(c) for c in cells if cell_text(c)][:2]
    return any(_TOTALS.match(t) for t in texts)


# --- CSV --------------------------------------------------------------------------------------------


def detect_encoding(file: BinaryIO) -> str:
    """UTF-8 (with or without BOM), UTF-16 (BOM, or the NUL bytes of plain UTF-16), else
    Windows-1252 when every byte is defined in it, else Latin-1 (which reads any byte)."""
    head = file.read(4096)
    file.seek(0)
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if head and head.count(b"\x00") > len(head) // 4:
        return "utf-16-le" if head[1:2] == b"\x00" else "utf-16-be"
    for encoding in ("utf-8", "cp1252"):
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            while chunk := file.read(1 << 20):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        finally:
            file.seek(0)
        return encoding
    return "latin-1"


def sniff_delimiter(sample: str) -> str:
    """The delimiter among comma, semicolon and tab that splits the sample's lines into the same
    number (more than one) of cells most often."""
    lines = [line for line in sample.splitlines()[:50] if line.strip()]
    best, best_score = ",", (0, 0)
    for delimiter in DELIMITERS:
        try:
            counts = [len(r) for r in csv.reader(lines, delimiter=delimiter)]
        except csv.Error:
            continue
        widths = [n for n in counts if n > 1]
        if not widths:
            continue
        mode = max(set(widths), key=widths.count)
        score = (widths.count(mode), mode)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _open_csv(file: BinaryIO, *, header_score: Callable[[list[str]], int] | None, max_rows: int) -> Table:
    encoding = detect_encoding(file)
    text = io.TextIOWrapper(_KeepOpen(file), encoding=encoding, newline="", errors="strict")
    try:
        sample = text.read(64 * 1024)
    except UnicodeDecodeError:
        raise TableError(_NOT_TEXT) from None
    if "\x00" in sample:  # PostgreSQL text cannot hold NUL; a file full of them is not CSV
        line = sample.count("\n", 0, sample.index("\x00")) + 1
        raise TableError("contains a NUL byte: save the file as UTF-8 CSV", line=line)
    text.seek(0)
    delimiter = sniff_delimiter(sample)
    reader = csv.reader(text, delimiter=delimiter)

    def numbered() -> Iterator[tuple[int, list[Cell]]]:
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                raise TableError(_unreadable(exc), line=reader.line_num) from None
            except UnicodeDecodeError:
                raise TableError(_NOT_TEXT, line=reader.line_num + 1) from None
            yield reader.line_num, cells  # type: ignore[misc]

    rows = numbered()
    line, headers, buffered = _find_header(rows, header_score)
    name = {"utf-8-sig": "UTF-8", "utf-8": "UTF-8", "utf-16": "UTF-16", "utf-16-le": "UTF-16",
            "utf-16-be": "UTF-16", "cp1252": "Windows-1252", "latin-1": "Latin-1"}[encoding]  # fmt: skip
    return Table(
        headers=headers, header_line=line, rows=_data_rows(buffered, rows, max_rows=max_rows),
        file_format="csv", encoding=name, delimiter=delimiter,
    )  # fmt: skip


class _KeepOpen(io.BufferedIOBase):
    """The caller's file, which the text wrapper must not close when it is done with it."""

    def __init__(self, file: BinaryIO) -> None:
        super().__init__()
        self._file = file

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        return self._file.read(-1 if size is None else size)

    read1 = read  # type: ignore[assignment]

    def seekable(self) -> bool:
        return True

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        return self._file.seek(offset, whence)

    def tell(self) -> int:
        return self._file.tell()

    def close(self) -> None:
        """Leave the caller's file open."""


def _unreadable(exc: csv.Error) -> str:
    if "field larger" in str(exc) or "field limit" in str(exc):
        return f"a cell is longer than {MAX_CELL_CHARS:,} characters"
    return f"cannot read this line as CSV ({exc})"


# --- Spreadsheets -------------------------------------------------------------------------------------


def _open_spreadsheet(
    file: BinaryIO, *, sheet: str | None, header_score: Callable[[list[str]], int] | None, max_rows: int
) -> Table:
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_filelike(file)
    except Exception as exc:  # calamine raises its own error types for a damaged or foreign file
        raise TableError(f"This is not a spreadsheet we can read ({type(exc).__name__}).") from None
    names = list(book.sheet_names)
    if not names:
        raise TableError("The workbook has no sheets.")
    chosen = sheet or names[0]
    if chosen not in names:
        raise TableError(f"The workbook has no sheet “{chosen[:60]}”; its sheets: {', '.join(names)}.")
    try:
        data = book.get_sheet_by_name(chosen)
    except Exception as exc:  # noqa: BLE001 - a sheet calamine cannot parse
        raise TableError(f"The sheet “{chosen[:60]}” cannot be read ({type(exc).__name__}).") from None
    if data.height > max_rows + HEADER_SEARCH_ROWS + 10:  # a first check before reading it
        raise TableError(
            f"The sheet has {data.height:,} rows; at most {max_rows:,}. Split it into smaller files."
        )
    first = data.start[0] if data.start else 0

    def numbered() -> Iterator[tuple[int, list[Cell]]]:
        index = 0
        try:
            for index, cells in enumerate(data.iter_rows()):  # noqa: B007 - the line is reported
                yield first + index + 1, [None if c == "" else c for c in cells]
        except Exception as exc:  # noqa: BLE001 - a cell calamine cannot convert
            raise TableError(
                f"The sheet cannot be read past this row ({type(exc).__name__}).", line=first + index + 2
            ) from None

    rows = numbered()
    line, headers, buffered = _find_header(rows, header_score)
    return Table(
        headers=headers, header_line=line, rows=_data_rows(buffered, rows, max_rows=max_rows),
        file_format="spreadsheet", sheet=chosen, sheet_names=names,
    )  # fmt: skip
