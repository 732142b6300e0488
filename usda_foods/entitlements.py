"""Pure USDA Foods entitlement arithmetic: no ORM, no request, no float.

Everything here is a function of its keyword arguments, so it can be tested exhaustively without a
database and called by services that have already loaded the rows (see ``compute_entitlements``).

Contracts that hold throughout:

* Money and quantities are ``Decimal``; a ``float`` argument raises ``TypeError`` because a binary
  float cannot hold a cent amount such as 0.10 exactly.
* Intermediate results keep full precision (exact decimal or rational arithmetic, and an exact
  context that raises rather than silently rounds) and are rounded **half up, once**, at the end
  (DOMAIN.md). ``ROUND_HALF_EVEN`` ("banker's rounding", Decimal's default) is never used.
* *Absent* data (no per-meal value yet, no lunch count for last year) is returned as an explicit
  ``CannotCompute`` with human-readable reasons, never as a zero that could be mistaken for a real
  entitlement. *Malformed* data (a per-meal value that is not a multiple of 1/4 cent, a negative
  lunch count, "2019-21") raises an ``EntitlementInputError``: it is a bug to fix at data entry.
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
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
from enum import StrEnum
from fractions import Fraction
from typing import ClassVar, Final

CENT: Final = Decimal("0.01")
QUARTER_CENT: Final = Decimal("0.25")
SHARE_PLACES: Final = Decimal("0.0001")
TWELVE_PERCENT: Final = Fraction(12, 100)

# Sums and products of Decimals must be exact: trap Inexact so an over-long result raises
# instead of being rounded behind our back. Rounding happens only in _ROUNDING, on purpose.
_EXACT: Final = Context(
    prec=80, rounding=ROUND_HALF_UP, traps=[Inexact, InvalidOperation, Overflow, DivisionByZero]
)
_ROUNDING: Final = Context(prec=80, rounding=ROUND_HALF_UP, traps=[InvalidOperation, Overflow])


class EntitlementInputError(ValueError):
    """Malformed input (as opposed to absent input, which gives ``CannotCompute``)."""


class InvalidSchoolYear(EntitlementInputError):
    """A school year string that is not of the form "2019-20"."""


class InvalidPerMealValue(EntitlementInputError):
    """A per-meal value that is not a positive multiple of 1/4 cent (42 USC 1755(c))."""


def _decimal(value: object, name: str, error: type[ValueError] = EntitlementInputError) -> Decimal:
    if isinstance(value, float):
        raise TypeError(f"{name} must be a Decimal, not float: a binary float cannot hold cents exactly")
    if not isinstance(value, Decimal):
        raise TypeError(f"{name} must be a Decimal, got {type(value).__name__}")
    if not value.is_finite():
        raise error(f"{name} must be a finite number, got {value}")
    return value


def _non_negative(value: object, name: str) -> Decimal:
    amount = _decimal(value, name)
    if amount < 0:
        raise EntitlementInputError(f"{name} cannot be negative, got {amount}")
    return amount


def _count(value: object, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, got {type(value).__name__}")
    if value < 0:
        raise EntitlementInputError(f"{name} cannot be negative, got {value}")
    return value


def _round_half_up(value: Fraction, quantum: Decimal) -> Decimal:
    """Round an exact rational to a multiple of ``quantum``, ties away from zero (= half up here)."""
    units, remainder = divmod(abs(value), Fraction(quantum))
    if 2 * remainder >= Fraction(quantum):
        units += 1
    with localcontext(_EXACT):
        result = Decimal(int(units)) * quantum
    return -result if value < 0 and units else result


def _join(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


# --- School years -----------------------------------------------------------------------------

_SCHOOL_YEAR_RE: Final = re.compile(r"([0-9]{4})-([0-9]{2})")  # [0-9], not \d: no Unicode digits


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


def _format_cents(value: Decimal) -> str:
    exponent = value.as_tuple().exponent
    shown = value.quantize(CENT, context=_ROUNDING) if isinstance(exponent, int) and exponent > -2 else value
    return f"{shown:f}"


def validate_per_meal_value_cents(value: Decimal) -> None:
    """Raise ``InvalidPerMealValue`` unless ``value`` (cents) is a positive multiple of 1/4 cent.

    42 USC 1755(c) has the national per-meal value computed to the nearest 1/4 cent, so anything
    else is a typing or import error. The message suggests the valid neighbours, nearest first.
    """
    cents = _decimal(value, "per-meal value", InvalidPerMealValue)
    if cents <= 0:
        raise InvalidPerMealValue(
            f"{_format_cents(cents)} cents is not a valid per-meal value: it must be positive"
        )
    with localcontext(_EXACT):
        quarters, remainder = divmod(cents, QUARTER_CENT)
        if remainder == 0:
            return
        lower = quarters * QUARTER_CENT
        upper = lower + QUARTER_CENT
    neighbours = sorted((c for c in (lower, upper) if c > 0), key=lambda c: (abs(c - cents), c))
    suggestion = " or ".join(_format_cents(c) for c in neighbours)
    raise InvalidPerMealValue(
        f"{_format_cents(cents)} cents is not a multiple of 1/4 cent (42 USC 1755(c)); "
        f"did you mean {suggestion}?"
    )


def round_cents(amount: Decimal) -> Decimal:
    """Round dollars to the cent, half up (0.125 -> 0.13, -0.125 -> -0.13), never half even.

    Call it once, on the final amount: rounding intermediate values compounds the error.
    """
    return _decimal(amount, "amount").quantize(CENT, rounding=ROUND_HALF_UP, context=_ROUNDING)


# --- Outcomes ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Computed:
    """A computed amount in dollars, already rounded to the cent."""

    value: Decimal
    ok: ClassVar[bool] = True


class Figure(StrEnum):
    """The figures an absent input can block."""

    COV = "cov"
    TWELVE_PERCENT = "twelve_percent"


class Input(StrEnum):
    """The inputs whose absence stops a figure, named for the API (``missing_inputs``)."""

    PER_MEAL_VALUE = "per_meal_value"
    PRIOR_YEAR_LUNCH_COUNTS = "prior_year_lunch_counts"
    SECTION4_PAYMENT = "section4_payment"
    LUNCH_COUNTS = "lunch_counts"  # the year's own counts, by category (12 percent share)
    REIMBURSEMENT_RATES = "reimbursement_rates"
    USDA_FOODS_VALUE = "usda_foods_value"  # C: the PAL, else the COV
    COMPUTATION = "computation"  # nothing absent, but the entitlement was never computed


# A few words for each input, for a list's status column ("cannot compute: no lunch counts").
INPUT_SHORT: Final[Mapping[str, str]] = {
    Input.PER_MEAL_VALUE: "no per-meal value",
    Input.PRIOR_YEAR_LUNCH_COUNTS: "no lunch counts",
    Input.SECTION4_PAYMENT: "no Section 4 payment",
    Input.LUNCH_COUNTS: "no lunch counts for the year itself",
    Input.REIMBURSEMENT_RATES: "no reimbursement rates",
    Input.USDA_FOODS_VALUE: "no USDA Foods value",
    Input.COMPUTATION: "not computed yet",
}


@dataclass(frozen=True, slots=True)
class Missing:
    """One absent input, the figure it blocks, and the reason in words."""

    input: str
    blocks: Figure
    reason: str

    def as_dict(self) -> dict[str, str]:
        return {"input": str(self.input), "blocks": str(self.blocks), "reason": self.reason}


@dataclass(frozen=True, slots=True)
class CannotCompute:
    """An input was absent. ``reasons`` say which, in words an SFA director would use; ``inputs``
    name them (``Input``), one per reason, when the caller knows them.

    Deliberately has no ``value``: code that forgets to check ``ok`` fails loudly instead of
    showing $0.00 for a district whose data simply has not been entered yet.
    """

    reasons: tuple[str, ...]
    inputs: tuple[str, ...] = field(default=(), compare=False)  # labels of the reasons, not a difference
    ok: ClassVar[bool] = False

    def __post_init__(self) -> None:
        if not self.reasons or not all(isinstance(r, str) and r for r in self.reasons):
            raise ValueError("CannotCompute needs at least one non-empty reason")
        if self.inputs and len(self.inputs) != len(self.reasons):
            raise ValueError("CannotCompute needs one input per reason, or none")

    def missing(self, blocks: Figure) -> tuple[Missing, ...]:
        inputs = self.inputs or ("",) * len(self.reasons)
        return tuple(Missing(i, blocks, r) for i, r in zip(inputs, self.reasons, strict=True))

    def __str__(self) -> str:
        return "cannot compute: " + "; ".join(self.reasons)


# --- Commodity offer value ---------------------------------------------------------------------


def missing_prior_year_lunches(school_year: str) -> Missing:
    """The COV's most common gap: the previous school year's lunch count is not recorded."""
    year = SchoolYear.parse(school_year)
    return Missing(
        Input.PRIOR_YEAR_LUNCH_COUNTS,
        Figure.COV,
        f"no reimbursable lunch count for SY {year.previous()} (the SY {year} commodity offer "
        "value uses the previous school year's lunches, 7 CFR 250.58(b))",
    )


def not_computed(school_year: str) -> Missing:
    """A district whose inputs are there but whose entitlement nobody has computed yet."""
    year = SchoolYear.parse(school_year)
    return Missing(
        Input.COMPUTATION, Figure.COV, f"the SY {year} entitlement has not been computed yet: recompute it"
    )


def status_text(missing: Iterable[Mapping[str, str]]) -> str:
    """One line for a list's status column, from stored ``missing_inputs`` dicts: "not computed
    yet", else what blocks the COV ("cannot compute: no lunch counts"), else what blocks the 12
    percent share ("12% share n/a: no reimbursement rates"), else "complete"."""
    rows = list(missing)
    if any(row.get("input") == Input.COMPUTATION for row in rows):
        return INPUT_SHORT[Input.COMPUTATION]
    for figure, lead in ((Figure.COV, "cannot compute"), (Figure.TWELVE_PERCENT, "12% share n/a")):
        words: list[str] = []
        for row in rows:
            if row.get("blocks") == figure:
                word = INPUT_SHORT.get(row.get("input", ""), row.get("reason", ""))
                if word and word not in words:
                    words.append(word)
        if words:
            return f"{lead}: {_join(words)}"
    return "complete"


def commodity_offer_value(
    *,
    school_year: str,
    per_meal_value_cents: Decimal | None,
    prior_year_lunches: int | None,
    is_commodity_school: bool = False,
    section4_cash_cents: Decimal | None = None,
) -> Computed | CannotCompute:
    """Commodity offer value (COV) in dollars for SY ``school_year`` (7 CFR 250.58(b)).

    COV = per-meal value for Y (cents) x reimbursable lunches served in Y-1 / 100, rounded half up
    to the cent once. ``prior_year_lunches`` must be the count for the *previous* school year.
    A commodity school receives its Section 4 general cash payment per lunch as USDA Foods, so
    ``section4_cash_cents`` is added to the per-meal value; for other SFAs it is ignored, since
    they receive Section 4 as cash. Zero prior-year lunches is a real COV of $0.00.

    Raises ``EntitlementInputError`` (or ``TypeError``) for malformed inputs; returns
    ``CannotCompute`` listing every absent input.
    """
    year = SchoolYear.parse(school_year)
    if not isinstance(is_commodity_school, bool):
        raise TypeError("is_commodity_school must be a bool")
    if per_meal_value_cents is not None:
        validate_per_meal_value_cents(per_meal_value_cents)
    if prior_year_lunches is not None:
        _count(prior_year_lunches, "prior-year lunches")
    section4 = Decimal(0)
    if section4_cash_cents is not None:
        checked = _non_negative(section4_cash_cents, "Section 4 cash per lunch (cents)")
        section4 = checked if is_commodity_school else Decimal(0)

    missing: list[Missing] = []
    if per_meal_value_cents is None:
        missing.append(Missing(Input.PER_MEAL_VALUE, Figure.COV,
                               f"no national per-meal value of USDA Foods for SY {year}"))  # fmt: skip
    if prior_year_lunches is None:
        missing.append(missing_prior_year_lunches(str(year)))
    if is_commodity_school and section4_cash_cents is None:
        missing.append(Missing(Input.SECTION4_PAYMENT, Figure.COV,
                               f"no Section 4 general cash payment per lunch for SY {year} (commodity school)"))  # fmt: skip
    if missing or per_meal_value_cents is None or prior_year_lunches is None:
        return CannotCompute(tuple(m.reason for m in missing), tuple(m.input for m in missing))

    with localcontext(_EXACT):
        dollars = (per_meal_value_cents + section4) * prior_year_lunches / 100
    return Computed(round_cents(dollars))


# --- 12 percent check --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class TwelvePercent:
    """Where one SFA stands against the national 12 percent floor. Informative, never a failure.

    ``cash`` and the dollar amounts are rounded half up to the cent once; ``share`` is
    C / (cash + C) rounded half up to 4 places. ``meets_floor`` is decided on the exact values, so
    a share of 0.119996 shows as 0.1200 but does not meet the floor.
    """

    school_year: str
    cash: Decimal
    usda_foods: Decimal
    share: Decimal
    needed_for_twelve_percent: Decimal
    additional_needed: Decimal
    meets_floor: bool
    explanation: str
    ok: ClassVar[bool] = True

    @property
    def share_percent(self) -> Decimal:
        """``share`` as a percentage with 2 places (0.0712 -> 7.12); exact, no further rounding."""
        return self.share.scaleb(2)


_CATEGORIES: Final = ("free", "reduced-price", "paid")


def twelve_percent_check(
    *,
    school_year: str,
    free: int | None,
    reduced: int | None,
    paid: int | None,
    rate_free: Decimal | None,
    rate_reduced: Decimal | None,
    rate_paid: Decimal | None,
    usda_foods_value: Decimal | None,
) -> TwelvePercent | CannotCompute:
    """Compare USDA Foods value C with lunch cash for one SFA (NSLA section 6(e), 42 USC 1755(e)).

    cash = free x rate_free + reduced x rate_reduced + paid x rate_paid (rates in dollars per
    lunch for SY ``school_year``). share = C / (cash + C); the floor is share >= 0.12, so the C
    needed is 0.12 / 0.88 x cash. The rule binds USDA nationally, not one SFA: the explanation
    says so, and nothing here treats a low share as an error.
    """
    year = SchoolYear.parse(school_year)
    counts = (free, reduced, paid)
    rates = (rate_free, rate_reduced, rate_paid)
    for label, count in zip(_CATEGORIES, counts, strict=True):
        if count is not None:
            _count(count, f"{label} lunches")
    for label, rate in zip(_CATEGORIES, rates, strict=True):
        if rate is not None:
            _non_negative(rate, f"{label} reimbursement rate")
    if usda_foods_value is not None:
        _non_negative(usda_foods_value, "USDA Foods value")

    missing: list[tuple[str, str]] = []
    if absent := [label for label, c in zip(_CATEGORIES, counts, strict=True) if c is None]:
        missing.append((Input.LUNCH_COUNTS, f"no {_join(absent)} lunch count for SY {year}"))
    if absent := [label for label, r in zip(_CATEGORIES, rates, strict=True) if r is None]:
        missing.append(
            (Input.REIMBURSEMENT_RATES, f"no {_join(absent)} lunch reimbursement rate for SY {year}")
        )
    if usda_foods_value is None:
        missing.append((Input.USDA_FOODS_VALUE, f"no USDA Foods value for SY {year}"))
    if missing or usda_foods_value is None:
        return CannotCompute(tuple(r for _, r in missing), tuple(i for i, _ in missing))

    with localcontext(_EXACT):
        cash_exact = Decimal(0)
        for count, rate in zip(counts, rates, strict=True):
            if count is not None and rate is not None:  # all present here; narrows the types
                cash_exact += count * rate
        total_exact = cash_exact + usda_foods_value
    if total_exact == 0:
        return CannotCompute(
            (f"no lunch cash and no USDA Foods for SY {year}: the share is undefined",),
            (Input.USDA_FOODS_VALUE,),
        )

    c = Fraction(usda_foods_value)
    needed = Fraction(cash_exact) * Fraction(12, 88)
    # C / (cash + C) >= 12/100  <=>  88 C >= 12 cash: compare exactly, not the rounded share.
    meets = c >= needed
    share = _round_half_up(c / Fraction(total_exact), SHARE_PLACES)
    needed_cents = _round_half_up(needed, CENT)
    additional = _round_half_up(max(needed - c, Fraction(0)), CENT)

    percent = f"{share.scaleb(2):.2f}"
    explanation = (
        f"USDA Foods are {percent}% of this SFA's SY {year} lunch cash reimbursements plus USDA "
        f"Foods (${round_cents(usda_foods_value):,.2f} of ${round_cents(total_exact):,.2f}). "
        + (
            "That is at or above 12 percent. "
            if meets
            else f"Reaching 12 percent would take ${needed_cents:,.2f} of USDA Foods, "
            f"${additional:,.2f} more. "
        )
        + "The 12 percent floor (NSLA section 6(e), 42 USC 1755(e)) is a national rule that USDA "
        "meets across the whole program, so for one SFA this figure is informative, never a "
        "failure; most SFAs compute 6-9% at the base per-meal value."
    )
    return TwelvePercent(
        school_year=str(year),
        cash=round_cents(cash_exact),
        usda_foods=usda_foods_value,
        share=share,
        needed_for_twelve_percent=needed_cents,
        additional_needed=additional,
        meets_floor=meets,
        explanation=explanation,
    )


# --- Published per-meal values -----------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class PerMealValueRecord:
    """One Federal Register publication (or correction) of the per-meal value for a school year."""

    school_year: str
    cents: Decimal
    published_on: date
    citation: str = ""

    def __post_init__(self) -> None:
        SchoolYear.parse(self.school_year)
        validate_per_meal_value_cents(self.cents)
        # datetime is a subclass of date, but comparing one with a date raises TypeError.
        if isinstance(self.published_on, datetime) or not isinstance(self.published_on, date):
            raise TypeError("published_on must be a date (not a datetime)")


def pick_per_meal_value(
    values: Iterable[PerMealValueRecord], *, school_year: str
) -> PerMealValueRecord | None:
    """The record in force for ``school_year``: the latest published, since a correction supersedes
    the original (2006-07: 16.75 cents, corrected to 17.00). None when nothing is published yet.

    Two records for the same year published the same day is a data problem; the one with more
    cents (then the later citation) wins, so the answer never depends on the order rows arrive in.
    """
    wanted = str(SchoolYear.parse(school_year))
    candidates = [record for record in values if record.school_year == wanted]
    if not candidates:
        return None
    return max(candidates, key=lambda r: (r.published_on, r.cents, r.citation))


# --- Entitlement ledger ------------------------------------------------------------------------


class DrawdownStatus(StrEnum):
    PENDING = "pending"  # ordered, not yet delivered: already counts, so it cannot be promised twice
    POSTED = "posted"  # delivered / received
    CANCELLED = "cancelled"  # never counts


@dataclass(frozen=True, slots=True)
class Drawdown:
    """An amount (dollars) drawn against an entitlement allocation."""

    amount: Decimal
    status: DrawdownStatus = DrawdownStatus.POSTED

    def __post_init__(self) -> None:
        _non_negative(self.amount, "drawdown amount")
        object.__setattr__(self, "status", DrawdownStatus(self.status))

    @property
    def counts(self) -> bool:
        return self.status is not DrawdownStatus.CANCELLED


def drawn(*, drawdowns: Iterable[Drawdown | Decimal]) -> Decimal:
    """Exact sum of the drawdowns that count (pending and posted). A bare Decimal counts."""
    total = Decimal("0.00")
    with localcontext(_EXACT):
        for item in drawdowns:
            entry = item if isinstance(item, Drawdown) else Drawdown(item)
            if entry.counts:
                total += entry.amount
    return total


def remaining(*, allocation: Decimal, drawdowns: Iterable[Drawdown | Decimal]) -> Decimal:
    """Allocation minus what is drawn, exactly. Negative means overdrawn: reported, not hidden.

    The service must refuse a drawdown that would make this negative (see ``would_overdraw``).
    """
    allocated = _non_negative(allocation, "allocation")
    with localcontext(_EXACT):
        return allocated - drawn(drawdowns=drawdowns)


def would_overdraw(*, allocation: Decimal, drawdowns: Iterable[Drawdown | Decimal], amount: Decimal) -> bool:
    return _non_negative(amount, "amount") > remaining(allocation=allocation, drawdowns=drawdowns)


def utilisation_percent(*, allocation: Decimal, drawn: Decimal) -> Decimal | None:
    """Drawn / allocation x 100, rounded half up to 2 places; None when nothing is allocated
    (0% and 100% would both be misleading)."""
    allocated = _non_negative(allocation, "allocation")
    used = _non_negative(drawn, "drawn")
    if allocated == 0:
        return None
    return _round_half_up(Fraction(used) / Fraction(allocated) * 100, CENT)


# --- Batch computation ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class LunchCounts:
    """Reimbursable lunches served by one SFA in one school year, by category."""

    free: int
    reduced: int
    paid: int

    def __post_init__(self) -> None:
        for label, count in zip(_CATEGORIES, (self.free, self.reduced, self.paid), strict=True):
            _count(count, f"{label} lunches")

    @property
    def total(self) -> int:
        return self.free + self.reduced + self.paid


@dataclass(frozen=True, slots=True, kw_only=True)
class EntitlementInputs:
    """Everything needed for one district's SY ``school_year`` entitlement, already loaded.

    ``lunches_by_year`` maps school year ("2018-19") to counts: the COV takes the *previous*
    year's total, the 12 percent check takes ``school_year``'s own counts. Rates are dollars per
    lunch for ``school_year`` in the district's tier. ``usda_foods_value`` (e.g. the planned
    assistance level) is C for the 12 percent check; when None the computed COV is used.
    """

    key: Hashable
    school_year: str
    per_meal_value_cents: Decimal | None
    lunches_by_year: Mapping[str, LunchCounts] = field(default_factory=dict)
    is_commodity_school: bool = False
    section4_cash_cents: Decimal | None = None
    rate_free: Decimal | None = None
    rate_reduced: Decimal | None = None
    rate_paid: Decimal | None = None
    usda_foods_value: Decimal | None = None


@dataclass(frozen=True, slots=True)
class EntitlementResult:
    key: Hashable
    cov: Computed | CannotCompute
    twelve_percent: TwelvePercent | CannotCompute

    @property
    def missing(self) -> tuple[str, ...]:
        """Every reason something could not be computed, without repeats, COV first."""
        return tuple(m.reason for m in self.missing_inputs)

    @property
    def missing_inputs(self) -> tuple[Missing, ...]:
        """Every absent input with the figure it blocks (the COV, or the 12 percent share), COV
        first, without repeating a reason."""
        found: list[Missing] = []
        for figure, outcome in ((Figure.COV, self.cov), (Figure.TWELVE_PERCENT, self.twelve_percent)):
            if isinstance(outcome, CannotCompute):
                found.extend(m for m in outcome.missing(figure) if m.reason not in {f.reason for f in found})
        return tuple(found)


def compute_entitlements(inputs: Iterable[EntitlementInputs]) -> dict[Hashable, EntitlementResult]:
    """Compute many districts at once, shaped like pretix's QuotaAvailability: the service loads
    all rows in a few queries, builds one ``EntitlementInputs`` per district and reads results by
    key. Duplicate keys raise ``ValueError``; malformed data raises as in the single functions.
    """
    results: dict[Hashable, EntitlementResult] = {}
    for item in inputs:
        if item.key in results:
            raise ValueError(f"duplicate entitlement key {item.key!r}")
        year = SchoolYear.parse(item.school_year)
        prior = item.lunches_by_year.get(str(year.previous()))
        cov = commodity_offer_value(
            school_year=item.school_year,
            per_meal_value_cents=item.per_meal_value_cents,
            prior_year_lunches=prior.total if prior is not None else None,
            is_commodity_school=item.is_commodity_school,
            section4_cash_cents=item.section4_cash_cents,
        )
        current = item.lunches_by_year.get(str(year))
        c = item.usda_foods_value
        if c is None and isinstance(cov, Computed):
            c = cov.value
        twelve = twelve_percent_check(
            school_year=item.school_year,
            free=current.free if current else None,
            reduced=current.reduced if current else None,
            paid=current.paid if current else None,
            rate_free=item.rate_free,
            rate_reduced=item.rate_reduced,
            rate_paid=item.rate_paid,
            usda_foods_value=c,
        )
        results[item.key] = EntitlementResult(key=item.key, cov=cov, twelve_percent=twelve)
    return results
