"""Cell values as people type them, parsed into Python values: ``Decimal`` for every number (never
a float), ``date`` for dates. Each parser raises ``ParseError`` with a message naming what was
expected; the pipeline adds the line and column.

No Django here.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation

from focus_lab.imports.readers import Cell, cell_text

EXCEL_EPOCH = date(1899, 12, 30)  # serial 1 is 1900-01-01 (Excel's 1900 leap-year bug included)
MAX_EXCEL_SERIAL = 2_958_465  # 9999-12-31
_GROUPED = re.compile(r"^\d{1,3}(,\d{3})+(\.\d*)?$")
_PLAIN = re.compile(r"^(\d+(\.\d*)?|\.\d+)$")
_SCIENTIFIC = re.compile(r"^(\d+(\.\d*)?|\.\d+)[eE][+-]?\d{1,4}$")  # 1.5E+3, as spreadsheets export
MAX_INTEGER_DIGITS = 30  # past any real count: refused before it becomes a Python int
_US_DATE = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{2}|\d{4})$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T].*)?$")
TRUE_WORDS = frozenset({"true", "yes", "y", "1", "x"})
FALSE_WORDS = frozenset({"false", "no", "n", "0", ""})


class ParseError(ValueError):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def quote(value: Cell, length: int = 40) -> str:
    """A cell quoted in a message, cut short: a message never repeats a 100,000-character cell."""
    text = cell_text(value)
    return "“" + (text if len(text) <= length else text[:length] + "…") + "”"


def parse_decimal(value: Cell) -> Decimal:
    """A number as typed: "1,234", "$21.50", "-3", "(12.00)" (accounting negative), "12%" (0.12),
    or a spreadsheet's number cell."""
    if isinstance(value, bool) or value is None:
        raise ParseError("is not a number")
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        # repr is the shortest text that reads back as the same float: what the sheet shows
        number = Decimal(repr(value))
        if not number.is_finite():
            raise ParseError("is not a number")
        return number
    if not isinstance(value, str):
        raise ParseError(f"{quote(value)} is not a number")
    if _PLAIN.match(value):  # the common case: plain digits
        return Decimal(value)
    text = value.strip().replace("\u00a0", "").replace(" ", "")
    negative = False
    if text.startswith("(") and text.endswith(")"):
        negative, text = True, text[1:-1]
    signed = False
    for _ in range(2):  # "-$3", "$-3", "+3": one sign at most
        if text[:1] in ("-", "+") and not signed:
            signed, negative, text = True, negative ^ (text[0] == "-"), text[1:]
        text = text.removeprefix("$")
    percent = text.endswith("%")
    if percent:
        text = text[:-1]
    if _GROUPED.match(text):
        text = text.replace(",", "")
    elif not (_PLAIN.match(text) or _SCIENTIFIC.match(text)):
        raise ParseError(f"{quote(value)} is not a number")
    try:
        number = Decimal(text)
    except InvalidOperation:  # pragma: no cover - the patterns above only pass digits
        raise ParseError(f"{quote(value)} is not a number") from None
    if percent:
        number = number / 100
    return -number if negative else number


def parse_percent(value: Cell) -> Decimal:
    """Percentage points: "12%", "12" and a sheet's 12 are all 12; a sheet's percent-formatted
    0.12 comes through as 0.12 and is read as 12."""
    if isinstance(value, float | int) and not isinstance(value, bool):
        number = parse_decimal(value)
        return number * 100 if abs(number) < 1 and number != 0 else number
    if isinstance(value, str) and value.strip().endswith("%"):
        return parse_decimal(value) * 100
    return parse_decimal(value)


def parse_whole(value: Cell) -> Decimal:
    """A whole number, kept as a Decimal (bounds are checked before it becomes an int)."""
    try:
        number = parse_decimal(value)
    except ParseError:
        raise ParseError(f"{quote(value)} is not a whole number") from None
    if number != number.to_integral_value():
        raise ParseError(f"{quote(value)} is not a whole number")
    return number


def parse_integer(value: Cell) -> int:
    number = parse_whole(value)
    if number.adjusted() >= MAX_INTEGER_DIGITS:
        raise ParseError(f"{quote(value)} is too large")
    return int(number)


def parse_money(value: Cell, *, places: int = 2) -> Decimal:
    number = parse_decimal(value)
    exponent = number.as_tuple().exponent
    # "21.500" is 21.50; only digits past the cents that are not zeros are refused
    if (
        isinstance(exponent, int)
        and exponent < -places
        and number != number.quantize(Decimal(1).scaleb(-places))
    ):
        raise ParseError(f"{quote(value)} has more than {'two' if places == 2 else places} decimal places")
    return number


def parse_date(value: Cell) -> date:
    """US m/d/Y (or m/d/yy), ISO Y-m-d, an Excel serial number, or a sheet's date cell."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, timedelta):  # calamine gives durations for some odd formats
        raise ParseError(f"{quote(value)} is not a date")
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _serial(Decimal(repr(value)) if isinstance(value, float) else Decimal(value), value)
    text = cell_text(value)
    if not text:
        raise ParseError("is not a date")
    try:
        if m := _ISO_DATE.match(text):
            return date(int(m[1]), int(m[2]), int(m[3]))
        if m := _US_DATE.match(text):
            year = int(m[3])
            if len(m[3]) == 2:
                year += 2000 if year < 70 else 1900
            return date(year, int(m[1]), int(m[2]))
    except ValueError:
        raise ParseError(f"{quote(value)} is not a real date") from None
    if _PLAIN.match(text):
        return _serial(Decimal(text), value)
    raise ParseError(f"{quote(value)} is not a date; use month/day/year (12/31/2026) or 2026-12-31")


def _serial(number: Decimal, value: Cell) -> date:
    if not number.is_finite() or not 1 <= number <= MAX_EXCEL_SERIAL:
        raise ParseError(f"{quote(value)} is not a date")
    return EXCEL_EPOCH + timedelta(days=int(number))


def parse_bool(value: Cell) -> bool:
    if isinstance(value, bool):
        return value
    text = cell_text(value).lower()
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    raise ParseError(f"{quote(value)} is not yes or no (true or false)")


def parse_text(value: Cell, *, max_length: int | None = None) -> str:
    text = cell_text(value)
    if max_length is not None and len(text) > max_length:
        raise ParseError(f"is {len(text):,} characters long; at most {max_length:,}")
    return text
