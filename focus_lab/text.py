"""Small wording helpers shared by pages, emails and messages."""

from __future__ import annotations


def possessive(name: object) -> str:
    """ "Alpha Public Schools" -> "Alpha Public Schools'", "Minneapolis" -> "Minneapolis's"."""
    text = str(name)
    return f"{text}'" if text.endswith(("s", "S")) else f"{text}'s"


def count_of(number: object, singular: str, plural: str | None = None) -> str:
    """``1 truck``, ``2 trucks``, ``1,400 cases``: a whole number with thousands separators and
    the noun agreeing with it (``plural`` defaults to ``singular + "s"``)."""
    try:
        value = int(number)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return f"{number} {plural or singular + 's'}"
    return f"{value:,} {singular if abs(value) == 1 else (plural or singular + 's')}"


KM_PER_MILE = 1.609344


def distance(km: object, units: str = "miles") -> str:
    """A straight-line distance in miles (``units="km"`` for kilometres), one decimal, with
    thousands separators: ``12.4 miles``, ``1 mile``, ``1,234.5 km``."""
    try:
        value = float(km)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return ""
    if units == "km":
        return f"{value:,.1f} km"
    miles = value / KM_PER_MILE
    shown = f"{miles:,.1f}".removesuffix(".0")
    return f"{shown} {'mile' if shown == '1' else 'miles'}"
