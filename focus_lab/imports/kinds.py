"""The import kinds: what each upload (lunch counts, the catalog, ...) declares to the pipeline.

A kind names its fields (with the synonyms people's files use for them), checks rows in batches,
writes them in batches inside the pipeline's transaction, says whose rows a user may write, and
how to undo what an import did. The pipeline (``services``) does everything else: reading, the
mapping, parsing cells by field type, the preview and problems, progress, history.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from functools import cached_property
from typing import TYPE_CHECKING, Any

from focus_lab.imports import parsers
from focus_lab.imports.readers import Cell

if TYPE_CHECKING:
    from accounts.models import User


class FieldType(enum.StrEnum):
    TEXT = "text"
    DIGITS = "digits"  # a code made of digits only (USDA material codes); kept as text
    INTEGER = "integer"
    DECIMAL = "decimal"
    MONEY = "money"
    PERCENT = "percent"
    DATE = "date"
    BOOL = "bool"
    CHOICE = "choice"


TYPE_HELP = {
    FieldType.TEXT: "text",
    FieldType.DIGITS: "digits only",
    FieldType.INTEGER: "a whole number, e.g. 1,234",
    FieldType.DECIMAL: "a number, e.g. 1,234.5",
    FieldType.MONEY: "dollars and cents, e.g. $21.50",
    FieldType.PERCENT: "a percentage, e.g. 12%",
    FieldType.DATE: "a date, e.g. 12/31/2026 or 2026-12-31",
    FieldType.BOOL: "yes or no",
    FieldType.CHOICE: "one of a list",
}


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    type: FieldType = FieldType.TEXT
    required: bool = True
    help: str = ""
    synonyms: tuple[str, ...] = ()
    max_length: int | None = None
    minimum: Decimal | int | None = None
    maximum: Decimal | int | None = None
    choices: tuple[str, ...] = ()
    example: str = ""

    def parse(self, value: Cell) -> Any:
        """The typed value of a cell, or ``None`` for an empty optional cell; raises ParseError."""
        text = value.strip() if type(value) is str else parsers.cell_text(value)
        if not text and self.type != FieldType.BOOL:
            if self.required:
                raise parsers.ParseError("is required")
            return None
        kind = self.type
        parsed: Any
        if kind == FieldType.TEXT or kind == FieldType.DIGITS:
            if self.max_length is not None and len(text) > self.max_length:
                raise parsers.ParseError(f"is {len(text):,} characters long; at most {self.max_length:,}")
            if kind == FieldType.DIGITS and not (text.isdigit() and text.isascii()):
                raise parsers.ParseError(f"{parsers.quote(value)} is not a code of digits")
            return text
        if kind == FieldType.CHOICE:
            parsed = text.lower()
            if parsed not in self.choices:
                raise parsers.ParseError(f"{parsers.quote(value)} is not one of {', '.join(self.choices)}")
            return parsed
        parsed = _PARSERS[kind](text if type(value) is str else value)
        if self.minimum is not None and parsed < self.minimum:
            raise parsers.ParseError(f"must be at least {self.minimum:,}")
        if self.maximum is not None and parsed > self.maximum:
            raise parsers.ParseError(f"must be at most {self.maximum:,}")
        if kind == FieldType.INTEGER:
            if parsed.adjusted() >= parsers.MAX_INTEGER_DIGITS:
                raise parsers.ParseError(f"{parsers.quote(value)} is too large")
            return int(parsed)
        return parsed

    @cached_property
    def parser(self) -> Callable[[Cell], Any]:
        """``parse`` for a whole column: the same answers, quicker for the cells files hold most
        (plain text, plain numbers, "$21.50", 12/31/2026, a sheet's numbers and dates). A cell the
        quick path is not sure of goes to ``parse``, so every problem and its message are the same."""
        return _fast_parser(self)


def _fast_parser(spec: Field) -> Callable[[Cell], Any]:  # noqa: C901 - one quick path a field type
    slow, kind, required = spec.parse, spec.type, spec.required
    lo, hi, longest, choices = spec.minimum, spec.maximum, spec.max_length, spec.choices
    if kind == FieldType.BOOL:
        return slow

    def empty(value: Cell) -> Any:  # a blank cell of an optional field; any other goes to parse
        if not required and (value is None or value == ""):
            return None
        return slow(value)

    bounded = lo is not None or hi is not None

    def in_bounds(number: Any) -> bool:
        return (lo is None or number >= lo) and (hi is None or number <= hi)

    if kind == FieldType.TEXT:

        def text(value: Cell) -> Any:
            if type(value) is str:
                stripped = value.strip()
                if stripped and (longest is None or len(stripped) <= longest):
                    return stripped
            return empty(value)

        return text
    if kind == FieldType.CHOICE:

        def choice(value: Cell) -> Any:
            if type(value) is str and (lowered := value.strip().lower()) and lowered in choices:
                return lowered
            return empty(value)

        return choice
    if kind == FieldType.DECIMAL or kind == FieldType.MONEY:
        plain, money = _PLAIN.fullmatch, kind == FieldType.MONEY

        def number(value: Cell) -> Any:
            kind_of = type(value)
            if kind_of is str:
                digits = value[1:] if value[:1] == "$" else value  # type: ignore[index]
                if not plain(digits):  # type: ignore[arg-type]
                    return empty(value)
                if money and (dot := digits.find(".")) >= 0 and len(digits) - dot > 3:  # type: ignore[union-attr]
                    return slow(value)  # digits past the cents: parse says whether they are zeros
                parsed = Decimal(digits)  # type: ignore[arg-type]
            elif kind_of is int:
                parsed = Decimal(value)  # type: ignore[arg-type]
            elif kind_of is float and value == value and value not in _INFINITE:
                parsed = Decimal(repr(value))
                if money and parsed.as_tuple().exponent < -2:  # type: ignore[operator]
                    return slow(value)
            else:
                return slow(value)
            if bounded and not in_bounds(parsed):
                return slow(value)  # out of bounds: parse says which
            return parsed

        return number
    if kind == FieldType.DATE:
        us_date = _US_DATE.fullmatch

        def day(value: Cell) -> Any:
            kind_of = type(value)
            if kind_of is str:
                found = us_date(value)  # type: ignore[arg-type]
                if found is None:
                    return empty(value)
                try:
                    parsed = date(int(found[3]), int(found[1]), int(found[2]))
                except ValueError:
                    return slow(value)
            elif kind_of is datetime:
                parsed = value.date()  # type: ignore[union-attr]
            elif kind_of is date:
                parsed = value  # type: ignore[assignment]
            else:
                return slow(value)
            return slow(value) if bounded and not in_bounds(parsed) else parsed

        return day
    return slow


_PLAIN = re.compile(r"\d+(\.\d*)?|\.\d+")  # digits, as parsers.parse_decimal reads them straight
_US_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")  # 12/31/2026, the usual; others go to parse
_INFINITE = (float("inf"), float("-inf"))


_PARSERS: dict[FieldType, Callable[[Cell], Any]] = {
    FieldType.INTEGER: parsers.parse_whole,  # an int once its bounds are checked
    FieldType.MONEY: parsers.parse_money,
    FieldType.PERCENT: parsers.parse_percent,
    FieldType.DECIMAL: parsers.parse_decimal,
    FieldType.DATE: parsers.parse_date,
    FieldType.BOOL: parsers.parse_bool,
}


@dataclass
class Row:
    """A parsed row: its line in the file and its typed values by field name. ``bad`` names the
    fields whose cell could not be read (their value is ``None``; the problem is already listed):
    the kind still checks the row's other fields, so every problem of a row is reported at once,
    and such a row is never written."""

    line: int
    values: dict[str, Any]
    bad: frozenset[str] = frozenset()


@dataclass
class WriteCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    created_ids: list[int] = field(default_factory=list)
    # (id, the fields' values before this import) for undo
    previous: list[tuple[int, dict[str, Any]]] = field(default_factory=list)

    def add(self, other: WriteCounts) -> None:
        self.created += other.created
        self.updated += other.updated
        self.unchanged += other.unchanged


Problem = tuple[int, str, str]  # line, field name, message


@dataclass(frozen=True)
class Option:
    """A yes-or-no choice a kind offers for a whole import (e.g. "replace the rows this file
    overlaps"), asked beside the columns; the pipeline passes the answers as ``state["options"]``."""

    name: str
    label: str
    help: str = ""


class ImportKind:
    """Subclass, fill in the fields and methods, and ``register()`` an instance from your app's
    ``AppConfig.ready``. ``state`` is a dict the pipeline passes to every call of one pass (for
    example, keys seen so far, to refuse a repeat), fresh at the start of each pass but for
    ``state["options"]`` (the import's answers to ``options``) and ``state["run_id"]``."""

    name: str = ""
    label: str = ""
    description: str = ""
    fields: Sequence[Field] = ()
    options: Sequence[Option] = ()
    batch_size: int = 2000
    source_help: str = "Where the file comes from, e.g. the vendor or the state's claims system"

    def can_import(self, user: User) -> bool:
        raise NotImplementedError

    def check_batch(self, rows: Sequence[Row], *, user: User, state: dict[str, Any]) -> Iterable[Problem]:
        """Rules across fields and rows, and scoping: a problem for each row the user may not
        write. Called for every batch before anything is written; rows with ``bad`` cells come
        too (check what can be checked; skip lookups for them)."""
        return ()

    def check_end(self, *, user: User, state: dict[str, Any]) -> Iterable[Problem]:
        """Rules over the whole file, after its last batch was checked (e.g. the period it covers
        overlaps rows already imported). Called in both passes."""
        return ()

    def write_batch(self, rows: Sequence[Row], *, user: User, state: dict[str, Any]) -> WriteCounts:
        raise NotImplementedError

    def after_write(self, *, user: User, state: dict[str, Any]) -> WriteCounts | None:
        """Called once, inside the transaction, after the last batch (e.g. to recompute totals).
        What it returns (rows it changed or deleted, as ``previous``) is recorded for undo."""
        return None

    def undo(self, *, created_ids: list[int], previous: list[tuple[int, dict[str, Any]]], user: User) -> None:
        """Delete what the import created and restore what it changed. Raise DomainError (or let
        the database's ProtectedError through) when something depends on it."""
        raise NotImplementedError

    def sample_row(self) -> list[str]:
        return [f.example for f in self.fields]

    def field(self, name: str) -> Field:
        return next(f for f in self.fields if f.name == name)


_KINDS: dict[str, ImportKind] = {}


def register(kind: ImportKind) -> ImportKind:
    if not re.fullmatch(r"[a-z][a-z0-9-]*", kind.name):
        raise ValueError(f"An import kind's name is a slug: {kind.name!r}")
    _KINDS[kind.name] = kind
    return kind


def get_kind(name: str) -> ImportKind | None:
    return _KINDS.get(name)


def all_kinds() -> list[ImportKind]:
    return sorted(_KINDS.values(), key=lambda k: k.label)


def kinds_for(user: User) -> list[ImportKind]:
    return [k for k in all_kinds() if k.can_import(user)]


KindFactory = Callable[[], ImportKind]
