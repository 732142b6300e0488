"""The planner's figures in the words of the people who use them (pure, no Django).

Miles first (kilometres on request), thousands separators, "1 truck" but "2 trucks", and plain
sentences for what the bounds mean; the technical terms ("lower bound", "optimal for this
objective") are kept for a details section (:func:`bound_details`).
"""

from __future__ import annotations

KM_PER_MILE = 1.609344


def count(n: int, singular: str, plural: str | None = None) -> str:
    """``count(1, "truck")`` is "1 truck", ``count(1200, "case")`` is "1,200 cases"."""
    word = singular if n == 1 else (plural or singular + "s")
    return f"{n:,} {word}"


def distance(km: float, *, unit: str = "mi") -> str:
    """A distance given in kilometres, in miles ("12.3 miles", "1 mile") or, with ``unit="km"``,
    kilometres; one decimal, thousands separators."""
    if unit not in ("mi", "km"):
        raise ValueError(f"unit must be 'mi' or 'km', not {unit!r}")
    value = km / KM_PER_MILE if unit == "mi" else km
    text = f"{value:,.1f}"
    if text.endswith(".0"):
        text = text[:-2]
    if unit == "km":
        return f"{text} km"
    return f"{text} mile" if text == "1" else f"{text} miles"


def miles(km: float) -> float:
    return km / KM_PER_MILE


def adjusted_sentence(*, adjusted: int, bound: int, requested: int) -> str:
    """What the adjusted cases mean, without the jargon."""
    if adjusted == 0:
        return f"Every request ships as asked: {count(requested, 'case')} in full trucks."
    head = f"{count(adjusted, 'case')} of {requested:,} requested change so that every truck is full."
    if adjusted == bound:
        return head + " No plan within the truck rules can change fewer."
    return head + f" At least {count(bound, 'case')} must change under any plan within the truck rules."


def trucks_sentence(*, trucks: int, bound: int) -> str:
    if trucks == 0:
        return "No trucks: nothing to ship."
    head = f"{count(trucks, 'full truck')}."
    if trucks == bound:
        return head + " None fewer can carry these cases."
    verb = "is" if bound == 1 else "are"
    return head + f" At least {count(bound, 'truck')} {verb} needed for as few changed cases."


def bound_details(*, adjusted: int, adjusted_bound: int, trucks: int, trucks_bound: int) -> list[str]:
    """The technical statement, for those who want it."""
    out = [f"Adjusted cases: {adjusted:,}; lower bound {adjusted_bound:,}"]
    if adjusted == adjusted_bound:
        out[-1] += " (met: optimal for this objective)"
    out.append(f"Trucks: {trucks:,}; lower bound {trucks_bound:,}")
    if trucks == trucks_bound:
        out[-1] += " (met: optimal for this objective)"
    out.append(
        "Bounds: the larger of the per-location bound (each request to its nearest deliverable amount, "
        "totals to whole truckloads) and the stop-counting bound (T trucks reach at most "
        "stops x T locations)."
    )
    return out
