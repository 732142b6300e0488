"""Pure arithmetic and reference data of cross-state coordination (no Django).

``NEIGHBOURS``: states sharing a land border (the 48 contiguous states and DC; Alaska, Hawaii and
the territories have none), so an SDA offers a remainder to its neighbours first.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from usda_foods.shipping.planner.geo import haversine_km

_BORDERS = """
AL FL GA MS TN|AZ CA CO NM NV UT|AR LA MO MS OK TN TX|CA NV OR|CO KS NE NM OK UT WY|CT MA NY RI|
DE MD NJ PA|DC MD VA|FL GA|GA NC SC TN|ID MT NV OR UT WA WY|IL IA IN KY MO WI|IN KY MI OH|
IA MN MO NE SD WI|KS MO NE OK|KY MO OH TN VA WV|LA MS TX|ME NH|MD PA VA WV|MA NH NY RI VT|
MI OH WI|MN ND SD WI|MS TN|MO NE OK TN|MT ND SD WY|NE SD WY|NV OR UT|NH VT|NJ NY PA|NM OK TX|
NY PA VT|NC SC TN VA|ND SD|OH PA WV|OK TX|OR WA|PA WV|SD WY|TN VA|UT WY|VA WV
"""


def _neighbours() -> dict[str, frozenset[str]]:
    pairs: dict[str, set[str]] = {}
    for group in _BORDERS.replace("\n", "").split("|"):
        state, *others = group.split()
        for other in others:
            pairs.setdefault(state, set()).add(other)
            pairs.setdefault(other, set()).add(state)
    return {state: frozenset(others) for state, others in pairs.items()}


NEIGHBOURS: dict[str, frozenset[str]] = _neighbours()


def neighbours(state: str) -> frozenset[str]:
    """The states sharing a border with ``state`` (two-letter code); none for AK, HI, territories."""
    return NEIGHBOURS.get(state.upper(), frozenset())


def neighbours_first(state: str, others: Iterable[str]) -> list[str]:
    """``others`` with ``state``'s neighbours first, each group alphabetical."""
    near = neighbours(state)
    return sorted(set(others) - {state}, key=lambda s: (s not in near, s))


def remainder(cases: int, capacity: int) -> int:
    """The cases of a request beyond its own full trucks: what must share a truck."""
    return cases % capacity


def crosses_state_line(states: Iterable[str]) -> bool:
    """A truck whose stops are in more than one state crosses a state line."""
    return len(set(states)) > 1


def nearest(origin: tuple[float, float], places: Mapping[int, tuple[float, float]]) -> int | None:
    """The key of ``places`` (latitude, longitude) nearest ``origin``; ties to the smaller key."""
    if not places:
        return None
    return min(places, key=lambda k: (haversine_km(*origin, *places[k]), k))
