"""Inputs and their checks: school years, per-meal values, cents, and the numbers people type."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import (
    ROUND_HALF_UP,
    Context,
    Decimal,
    DivisionByZero,
    Inexact,
    InvalidOperation,
    Overflow,
    localcontext,
)
from fractions import Fraction
from typing import Final

CENT: Final = Decimal("0.01")
QUARTER_CENT: Final = Decimal("0.25")
SHARE_PLACES: Final = Decimal("0.0001")
TWELVE_PERCENT: Final = Fraction(12, 100)

# Sums and products of Decimals must be exact: trap Inexact so an over-long result raises
# instead of being rounded behind our back. Rounding happens only in ROUNDING, on purpose.
EXACT: Final = Context(
    prec=80, rounding=ROUND_HALF_UP, traps=[Inexact, InvalidOperation, Overflow, DivisionByZero]
)
ROUNDING: Final = Context(prec=80, rounding=ROUND_HALF_UP, traps=[InvalidOperation, Overflow])


# --- School years -----------------------------------------------------------------------------

_SCHOOL_YEAR_RE: Final = re.compile(r"([0-9]{4})-([0-9]{2})")  # [0-9], not \d: no Unicode digits


CATEGORIES: Final = ("free", "reduced-price", "paid")


class EntitlementInputError(ValueError):
    """Malformed input (as opposed to absent input, which gives ``CannotCompute``)."""


class InvalidSchoolYear(EntitlementInputError):
    """A school year string that is not of the form "2019-20"."""


class InvalidPerMealValue(EntitlementInputError):
    """A per-meal value that is not a positive multiple of 1/4 cent (42 USC 1755(c))."""


def to_decimal(value: object, name: str, error: type[ValueError] = EntitlementInputError) -> Decimal:
    if isinstance(value, float):
        raise TypeError(f"{name} must be a Decimal, not float: a binary float cannot hold cents exactly")
    if not isinstance(value, Decimal):
        raise TypeError(f"{name} must be a Decimal, got {type(value).__name__}")
    if not value.is_finite():
        raise error(f"{name} must be a finite number, got {value}")
    return value


def non_negative(value: object, name: str) -> Decimal:
    amount = to_decimal(value, name)
    if amount < 0:
        raise EntitlementInputError(f"{name} cannot be negative, got {amount}")
    return amount


def to_count(value: object, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, got {type(value).__name__}")
    if value < 0:
        raise EntitlementInputError(f"{name} cannot be negative, got {value}")
    return value


def round_half_up(value: Fraction, quantum: Decimal) -> Decimal:
    """Round an exact rational to a multiple of ``quantum``, ties away from zero (= half up here)."""
    units, remainder = divmod(abs(value), Fraction(quantum))
    if 2 * remainder >= Fraction(quantum):
        units += 1
    with localcontext(EXACT):
        result = Decimal(int(units)) * quantum
    return -result if value < 0 and units else result


def join_words(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


@dataclass(frozen=True, slots=True, order=True)
class SchoolYear:
    """A school year, July 1 to June 30, written "2019-20" (second part = first + 1, mod 100).

    ``start`` is the calendar year in which it begins. It is kept to four digits (1000-9998) so
    that the written form, and that of the next year, always round-trips.
    """

    start: int

    def __post_init__(self) -> None:
        if isinstance(self.start, bool) or not isinstance(self.start, int):
            raise TypeError(f"school year start must be an int, got {type(self.start).__name__}")
        if not 1000 <= self.start <= 9998:
            raise InvalidSchoolYear(f"school year starting in {self.start} is out of range (1000-9998)")

    @classmethod
    def parse(cls, text: str) -> SchoolYear:
        """Parse "2019-20" strictly: no whitespace, no dash variants, no "2019-2020"."""
        if not isinstance(text, str):
            raise TypeError(f"school year must be a str, got {type(text).__name__}")
        match = _SCHOOL_YEAR_RE.fullmatch(text)
        if match is None:
            raise InvalidSchoolYear(f"{text!r} is not a school year: write it like '2019-20'")
        start, end = int(match[1]), int(match[2])
        if end != (start + 1) % 100:
            raise InvalidSchoolYear(
                f"{text!r} is not a school year: the second part must be the year after {start} "
                f"({(start + 1) % 100:02d}), as in '{start}-{(start + 1) % 100:02d}'"
            )
        return cls(start)

    def __str__(self) -> str:
        return f"{self.start}-{(self.start + 1) % 100:02d}"

    @classmethod
    def of(cls, day: date) -> SchoolYear:
        """The school year ``day`` falls in: 2026-12-01 is in 2026-27, 2027-06-30 too."""
        return cls(day.year if day.month >= 7 else day.year - 1)

    @property
    def first_day(self) -> date:
        return date(self.start, 7, 1)

    @property
    def last_day(self) -> date:
        return date(self.start + 1, 6, 30)

    def __contains__(self, day: date) -> bool:
        return self.first_day <= day <= self.last_day

    def previous(self) -> SchoolYear:
        return SchoolYear(self.start - 1)

    def next(self) -> SchoolYear:
        return SchoolYear(self.start + 1)


def parse_school_year(text: str) -> SchoolYear:
    return SchoolYear.parse(text)


def previous_school_year(text: str) -> str:
    """ "2019-20" -> "2018-19"; "2000-01" -> "1999-00" (the century is carried)."""
    return str(SchoolYear.parse(text).previous())


def next_school_year(text: str) -> str:
    return str(SchoolYear.parse(text).next())


# --- Per-meal value and rounding ---------------------------------------------------------------


def format_cents(value: Decimal) -> str:
    exponent = value.as_tuple().exponent
    shown = value.quantize(CENT, context=ROUNDING) if isinstance(exponent, int) and exponent > -2 else value
    return f"{shown:f}"


def validate_per_meal_value_cents(value: Decimal) -> None:
    """Raise ``InvalidPerMealValue`` unless ``value`` (cents) is a positive multiple of 1/4 cent.

    42 USC 1755(c) has the national per-meal value computed to the nearest 1/4 cent, so anything
    else is a typing or import error. The message suggests the valid neighbours, nearest first.
    """
    cents = to_decimal(value, "per-meal value", InvalidPerMealValue)
    if cents <= 0:
        raise InvalidPerMealValue(
            f"{format_cents(cents)} cents is not a valid per-meal value: it must be positive"
        )
    with localcontext(EXACT):
        quarters, remainder = divmod(cents, QUARTER_CENT)
        if remainder == 0:
            return
        lower = quarters * QUARTER_CENT
        upper = lower + QUARTER_CENT
    neighbours = sorted((c for c in (lower, upper) if c > 0), key=lambda c: (abs(c - cents), c))
    suggestion = " or ".join(format_cents(c) for c in neighbours)
    raise InvalidPerMealValue(
        f"{format_cents(cents)} cents is not a multiple of 1/4 cent (42 USC 1755(c)); "
        f"did you mean {suggestion}?"
    )


def round_cents(amount: Decimal) -> Decimal:
    """Round dollars to the cent, half up (0.125 -> 0.13, -0.125 -> -0.13), never half even.

    Call it once, on the final amount: rounding intermediate values compounds the error.
    """
    return to_decimal(amount, "amount").quantize(CENT, rounding=ROUND_HALF_UP, context=ROUNDING)
