"""The commodity offer value (per-meal value x prior-year reimbursable lunches) and the 12 percent check."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import (
    Decimal,
    localcontext,
)
from enum import StrEnum
from fractions import Fraction
from typing import ClassVar, Final

from usda_foods.entitlements.rules.values import (
    CATEGORIES,
    CENT,
    EXACT,
    SHARE_PLACES,
    SchoolYear,
    join_words,
    non_negative,
    round_cents,
    round_half_up,
    to_count,
    validate_per_meal_value_cents,
)

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
            return f"{lead}: {join_words(words)}"
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
        to_count(prior_year_lunches, "prior-year lunches")
    section4 = Decimal(0)
    if section4_cash_cents is not None:
        checked = non_negative(section4_cash_cents, "Section 4 cash per lunch (cents)")
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

    with localcontext(EXACT):
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
    for label, count in zip(CATEGORIES, counts, strict=True):
        if count is not None:
            to_count(count, f"{label} lunches")
    for label, rate in zip(CATEGORIES, rates, strict=True):
        if rate is not None:
            non_negative(rate, f"{label} reimbursement rate")
    if usda_foods_value is not None:
        non_negative(usda_foods_value, "USDA Foods value")

    missing: list[tuple[str, str]] = []
    if absent := [label for label, c in zip(CATEGORIES, counts, strict=True) if c is None]:
        missing.append((Input.LUNCH_COUNTS, f"no {join_words(absent)} lunch count for SY {year}"))
    if absent := [label for label, r in zip(CATEGORIES, rates, strict=True) if r is None]:
        missing.append(
            (Input.REIMBURSEMENT_RATES, f"no {join_words(absent)} lunch reimbursement rate for SY {year}")
        )
    if usda_foods_value is None:
        missing.append((Input.USDA_FOODS_VALUE, f"no USDA Foods value for SY {year}"))
    if missing or usda_foods_value is None:
        return CannotCompute(tuple(r for _, r in missing), tuple(i for i, _ in missing))

    with localcontext(EXACT):
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
    share = round_half_up(c / Fraction(total_exact), SHARE_PLACES)
    needed_cents = round_half_up(needed, CENT)
    additional = round_half_up(max(needed - c, Fraction(0)), CENT)

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
