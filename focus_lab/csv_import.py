"""CSV imports that check every row before writing any: each bad cell is reported by line and
column, and nothing is written while any row is bad. Shared by every import in the app."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Generic, TypeVar

T = TypeVar("T")

MAX_IMPORT_BYTES = 5 * 1024 * 1024
# The csv module's default field limit (128 KiB): no real cell comes near it, and the reader
# refuses a longer one, which is reported as that line's error (never a 500).
MAX_CELL_CHARS = 131_072


@dataclass(frozen=True)
class RowError:
    line: int  # the line number in the file, header = line 1
    column: str
    message: str

    def __str__(self) -> str:
        where = f"line {self.line}" + (f", column {self.column}" if self.column else "")
        return f"{where}: {self.message}"


@dataclass
class ParsedFile(Generic[T]):
    rows: list[tuple[int, T]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


class RowErrors(Exception):
    """Raised by a row parser with every problem of its row."""

    def __init__(self, errors: Sequence[tuple[str, str]]) -> None:
        super().__init__("; ".join(f"{c}: {m}" for c, m in errors))
        self.errors = list(errors)


def decode(data: bytes | str) -> str:
    if isinstance(data, str):
        return data
    if len(data) > MAX_IMPORT_BYTES:
        raise ValueError(f"The file is larger than {MAX_IMPORT_BYTES // (1024 * 1024)} MB.")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def parse_csv(
    data: bytes | str,
    *,
    required: Iterable[str],
    parse_row: Callable[[dict[str, str]], T],
    optional: Iterable[str] = (),
) -> ParsedFile[T]:
    """Parse every row with ``parse_row`` (which raises ``RowErrors``), collecting all errors."""
    result: ParsedFile[T] = ParsedFile()
    try:
        text = decode(data)
    except ValueError as exc:
        result.errors.append(RowError(0, "", str(exc)))
        return result
    if "\x00" in text:  # PostgreSQL text cannot hold NUL; a file full of them is UTF-16, not CSV
        line = text.count("\n", 0, text.index("\x00")) + 1
        result.errors.append(RowError(line, "", "contains a NUL byte: save the file as UTF-8 CSV"))
        return result
    reader = csv.DictReader(io.StringIO(text))
    try:
        fieldnames = reader.fieldnames
    except csv.Error as exc:
        result.errors.append(RowError(1, "", _unreadable(exc)))
        return result
    header = [h.strip().lower() for h in (fieldnames or [])]
    missing = [c for c in required if c not in header]
    if not header:
        result.errors.append(RowError(1, "", "The file is empty: it needs a header row."))
        return result
    if missing:
        result.errors.append(
            RowError(1, ", ".join(missing), "missing column(s); the header must name: " + ", ".join(required))
        )
        return result
    known = set(required) | set(optional)
    unknown = [h for h in header if h and h not in known]
    if unknown:
        result.errors.append(RowError(1, ", ".join(unknown), "unknown column(s)"))
        return result
    reader.fieldnames = header
    rows = iter(reader)
    line = 1
    while True:
        line += 1
        try:
            raw = next(rows)
        except StopIteration:
            break
        except csv.Error as exc:  # the reader cannot go on past a broken line
            result.errors.append(RowError(line, "", _unreadable(exc)))
            break
        if raw.get(None):
            result.errors.append(RowError(line, "", "more cells than the header has columns"))
            continue
        row = {k: (v or "").strip() for k, v in raw.items() if k}
        if not any(row.values()):
            continue  # blank line
        try:
            result.rows.append((line, parse_row(row)))
        except RowErrors as exc:
            result.errors.extend(RowError(line, column, message) for column, message in exc.errors)
    if not result.rows and not result.errors:
        result.errors.append(RowError(2, "", "The file has a header but no rows."))
    return result


def _unreadable(exc: csv.Error) -> str:
    if "field limit" in str(exc):
        return f"a cell is longer than {MAX_CELL_CHARS:,} characters"
    return f"cannot read this line as CSV ({exc})"


def text_value(
    value: str, column: str, errors: list[tuple[str, str]], *, max_length: int, required: bool = True
) -> str:
    """A text cell of at most ``max_length`` characters (the model field's)."""
    if required and not value:
        errors.append((column, "is required"))
    elif len(value) > max_length:
        errors.append((column, f"is {len(value):,} characters long; at most {max_length:,}"))
    return value


def whole_number(
    value: str,
    column: str,
    errors: list[tuple[str, str]],
    *,
    minimum: int = 0,
    maximum: int | None = None,
) -> int | None:
    cleaned = value.replace(",", "")
    if not cleaned:
        errors.append((column, "is required"))
        return None
    try:
        number = int(cleaned)
    except ValueError:
        errors.append((column, f"“{_clip(value)}” is not a whole number"))
        return None
    if number < minimum:
        errors.append((column, f"must be at least {minimum:,}"))
        return None
    if maximum is not None and number > maximum:
        errors.append((column, f"must be at most {maximum:,}"))
        return None
    return number


def decimal_number(
    value: str,
    column: str,
    errors: list[tuple[str, str]],
    *,
    minimum: Decimal | None = None,
    maximum: Decimal | None = None,
) -> Decimal | None:
    cleaned = value.replace(",", "").replace("$", "")
    if not cleaned:
        errors.append((column, "is required"))
        return None
    try:
        number = Decimal(cleaned)
    except InvalidOperation:
        errors.append((column, f"“{_clip(value)}” is not a number"))
        return None
    if not number.is_finite():
        errors.append((column, f"“{_clip(value)}” is not a number"))
        return None
    if minimum is not None and number < minimum:
        errors.append((column, f"must be at least {minimum:,}"))
        return None
    if maximum is not None and number > maximum:
        errors.append((column, f"must be at most {maximum:,}"))
        return None
    return number


def _clip(value: str, length: int = 40) -> str:
    """A cell quoted in a message, cut short: a message never repeats a 100,000-character cell."""
    return value if len(value) <= length else value[:length] + "…"
