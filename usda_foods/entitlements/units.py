"""Units of the national reference values, and the ranges their published values fall in.

Per-meal values and Section 4 payments are published in cents per lunch; reimbursement rates in
dollars per lunch. The commonest entry mistake is the other unit: 0.40 typed as a Section 4
payment means 0.40 cents, a hundredth of the 40 cents meant. A value outside its plausible range
is refused with the value it probably was, so the mistake is caught at entry instead of as a COV
a hundred times too small. Pure: no ORM, no request.

The ranges hold every value in DOMAIN.md (per-meal values 14.75 to 23.75 cents since 1998; rates
$0.32 to $4.43) with room for the coming years; widen them when a published value falls outside.
Rates are those of the contiguous states (Alaska and Hawaii rates are higher).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Final


class ImplausibleValue(ValueError):
    """A reference value outside the range its published values fall in."""


@dataclass(frozen=True, slots=True)
class Plausible:
    """What a value is, its unit ("cents" or "dollars", per lunch) and its plausible range."""

    what: str
    unit: str
    low: Decimal
    high: Decimal

    def describe(self, value: Decimal, *, as_typed: bool = False) -> str:
        shown = f"{value:f}" if as_typed else _plain(value, places=0 if self.unit == "cents" else 2)
        return f"{shown} cents" if self.unit == "cents" else f"${shown}"

    @property
    def range_text(self) -> str:
        if self.unit == "cents":
            return f"{_plain(self.low)} to {_plain(self.high)} cents per lunch"
        return f"{self.describe(self.low)} to {self.describe(self.high)} per lunch"

    def check(self, value: Decimal) -> None:
        """Raise ``ImplausibleValue`` for a value outside the range, saying what was probably
        meant: the same figure read in the other unit, when that one is plausible."""
        if not isinstance(value, Decimal) or not value.is_finite():
            raise TypeError(f"{self.what} must be a finite Decimal")
        if self.low <= value <= self.high:
            return
        message = (
            f"{self.describe(value, as_typed=True)} is not a plausible {self.what} "
            f"(published values are {self.range_text})."
        )
        other = value * 100 if self.unit == "cents" else value / 100
        if self.low <= other <= self.high:
            if self.unit == "cents":
                reading = f"${_plain(value, places=2)} is {self.describe(other)}"
            else:
                reading = f"{_plain(value)} cents is {self.describe(other)}"
            message += f" Did you mean {self.describe(other)}? The amount is in {self.unit}: {reading}."
        else:
            message += f" Enter it in {self.unit} per lunch, as published."
        raise ImplausibleValue(message)


PER_MEAL_VALUE: Final = Plausible("per-meal value of USDA Foods", "cents", Decimal("10"), Decimal("80"))
SECTION4_PAYMENT: Final = Plausible("Section 4 payment", "cents", Decimal("5"), Decimal("75"))
REIMBURSEMENT_RATE: Final = Plausible(
    "lunch reimbursement rate", "dollars", Decimal("0.10"), Decimal("10.00")
)


def _plain(value: Decimal, *, places: int = 0) -> str:
    """0.4000 -> "0.4" (or "0.40" with ``places=2``); 40.00 -> "40"; never exponent notation."""
    text = f"{value.normalize():f}"
    if places:
        whole, _, fraction = text.partition(".")
        text = f"{whole}.{fraction.ljust(places, '0')}"
    return text
