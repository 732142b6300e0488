"""Pure rules for purchase records: units to pounds, the distance between two points, where a
purchase's food came from (the origin as written), and what class the origin gets under a local
definition. No Django: the services load rows into these values and tests call them directly.

Local is decided by the origin (where the food was grown, raised or caught), never by where the
vendor's office is. An origin that cannot be placed (no state and no coordinates, or a definition
by radius with no coordinates to measure) is ``unknown``, never local."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

EARTH_RADIUS_MILES = 3958.7613
POUND_UNITS = frozenset({"lb"})
CASE_UNITS = frozenset({"case"})
UNITS = ("lb", "case", "each", "gal", "dozen")
UNIT_WORDS = {
    "lb": "lb", "lbs": "lb", "pound": "lb", "pounds": "lb", "#": "lb",
    "case": "case", "cases": "case", "cs": "case", "ca": "case",
    "each": "each", "ea": "each", "unit": "each", "units": "each", "pc": "each", "piece": "each",
    "gal": "gal", "gallon": "gal", "gallons": "gal", "ga": "gal",
    "dozen": "dozen", "dz": "dozen", "doz": "dozen", "dozens": "dozen",
}  # fmt: skip
POUNDS_PLACES = Decimal("0.001")
UNKNOWN_WORDS = frozenset({"", "unknown", "n/a", "na", "none", "-", "?", "not known", "various"})

# The two-letter codes and names of the states, DC and the territories (the census's list).
STATE_NAMES = {
    "AL": "Alabama", "AK": "Alaska", "AZ": "Arizona", "AR": "Arkansas", "CA": "California",
    "CO": "Colorado", "CT": "Connecticut", "DE": "Delaware", "DC": "District of Columbia",
    "FL": "Florida", "GA": "Georgia", "HI": "Hawaii", "ID": "Idaho", "IL": "Illinois",
    "IN": "Indiana", "IA": "Iowa", "KS": "Kansas", "KY": "Kentucky", "LA": "Louisiana",
    "ME": "Maine", "MD": "Maryland", "MA": "Massachusetts", "MI": "Michigan", "MN": "Minnesota",
    "MS": "Mississippi", "MO": "Missouri", "MT": "Montana", "NE": "Nebraska", "NV": "Nevada",
    "NH": "New Hampshire", "NJ": "New Jersey", "NM": "New Mexico", "NY": "New York",
    "NC": "North Carolina", "ND": "North Dakota", "OH": "Ohio", "OK": "Oklahoma", "OR": "Oregon",
    "PA": "Pennsylvania", "RI": "Rhode Island", "SC": "South Carolina", "SD": "South Dakota",
    "TN": "Tennessee", "TX": "Texas", "UT": "Utah", "VT": "Vermont", "VA": "Virginia",
    "WA": "Washington", "WV": "West Virginia", "WI": "Wisconsin", "WY": "Wyoming",
    "PR": "Puerto Rico", "GU": "Guam", "VI": "Virgin Islands", "AS": "American Samoa",
    "MP": "Northern Mariana Islands",
}  # fmt: skip
_STATE_BY_NAME = {name.lower(): code for code, name in STATE_NAMES.items()}


# --- units -------------------------------------------------------------------------------------


def unit_code(text: str) -> str | None:
    """The unit a file's word means ("LBS", "cs", "Gallon"), or ``None`` for one we do not know."""
    return UNIT_WORDS.get(text.strip().lower().rstrip("."))


@dataclass(frozen=True)
class Pounds:
    pounds: Decimal | None  # None: not known (a unit with no weight given)
    text: str  # how it was worked out, for the page


def _fmt(value: Decimal) -> str:
    text = f"{value.normalize():,f}"
    return text


def pounds_of(quantity: Decimal, unit: str, case_weight_lb: Decimal | None = None) -> Decimal | None:
    """``to_pounds`` without the text, for writing many rows."""
    if unit in POUND_UNITS:
        return quantity.quantize(POUNDS_PLACES, ROUND_HALF_UP)
    if case_weight_lb is None or case_weight_lb <= 0:
        return None
    return (quantity * case_weight_lb).quantize(POUNDS_PLACES, ROUND_HALF_UP)


def to_pounds(quantity: Decimal, unit: str, case_weight_lb: Decimal | None = None) -> Pounds:
    """The quantity in pounds, rounded half up to the thousandth, with the conversion as text.

    Pounds stay pounds; cases are multiplied by the case weight when it is given; each, gallons
    and dozens have no weight of their own, so they stay unknown unless a weight per unit is given
    (``case_weight_lb`` is then the weight of one unit)."""
    pounds = pounds_of(quantity, unit, case_weight_lb)
    if unit in POUND_UNITS:
        return Pounds(pounds, f"{_fmt(quantity)} lb")
    if pounds is None or case_weight_lb is None:
        what = "no case weight given" if unit in CASE_UNITS else f"no weight per {unit} given"
        return Pounds(None, f"{_fmt(quantity)} {unit}: pounds unknown ({what})")
    return Pounds(pounds, f"{_fmt(quantity)} {unit} × {_fmt(case_weight_lb)} lb = {_fmt(pounds)} lb")


# --- distance ----------------------------------------------------------------------------------


def haversine_miles(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance in miles between (latitude, longitude) points, by the haversine
    formula with the mean earth radius R = 3958.7613 miles."""
    (lat1, lon1), (lat2, lon2) = a, b
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_MILES * math.asin(min(1.0, math.sqrt(h)))


# --- origins -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Origin:
    """Where the food was grown, raised or caught, as far as it is known."""

    text: str = ""
    state: str = ""  # two letters, "" when not in the US or not known
    county: str = ""
    latitude: float | None = None
    longitude: float | None = None
    foreign: bool = False  # a country other than the US (never local, never regional by state)

    @property
    def point(self) -> tuple[float, float] | None:
        if self.latitude is None or self.longitude is None:
            return None
        return (self.latitude, self.longitude)

    @property
    def known(self) -> bool:
        return bool(self.state or self.point is not None or self.foreign)


_COUNTY = re.compile(
    r"^\s*(?P<county>[^,]+?)\s+(county|parish|borough)\s*,\s*(?P<state>[A-Za-z .]+)\s*$", re.I
)
_PLACE_STATE = re.compile(r"^\s*(?P<place>[^,]+?)\s*,\s*(?P<state>[A-Za-z .]+)\s*$")
_US = frozenset({"us", "usa", "u.s.", "u.s.a.", "united states", "united states of america"})


def state_code(text: str) -> str:
    """ "MN", "mn", "Minnesota" -> "MN"; anything else -> ""."""
    cleaned = text.strip().rstrip(".")
    if cleaned.upper() in STATE_NAMES:
        return cleaned.upper()
    return _STATE_BY_NAME.get(cleaned.lower(), "")


def parse_origin(text: str) -> Origin:
    """The origin as a file writes it: "MN", "Minnesota", "Hennepin County, MN", "Wadena, MN",
    "Mexico", "unknown". A state alone or with a county is placed in that state; a word that is
    no state (a country) is foreign; an empty or "unknown" origin is not known."""
    written = " ".join(text.split())
    if written.lower() in UNKNOWN_WORDS:
        return Origin(text=written)
    code = state_code(written)
    if code:
        return Origin(text=written, state=code)
    match = _COUNTY.match(written)
    if match and state_code(match["state"]):
        return Origin(text=written, state=state_code(match["state"]), county=match["county"].strip())
    match = _PLACE_STATE.match(written)
    if match:
        code = state_code(match["state"])
        if code:
            return Origin(text=written, state=code)
        if match["state"].strip().lower() in _US:
            return Origin(text=written, state=state_code(match["place"]))
    if written.lower() in _US:  # the US as a whole: no state to place it in
        return Origin(text=written)
    return Origin(text=written, foreign=True)


# --- classification ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Area:
    """One ring of a definition: within a radius of any of the district's sites, or in one of the
    states, or in one of the counties ("MN:Hennepin")."""

    radius_miles: float | None = None
    states: frozenset[str] = frozenset()
    counties: frozenset[str] = frozenset()

    @property
    def empty(self) -> bool:
        return self.radius_miles is None and not self.states and not self.counties


def county_key(state: str, county: str) -> str:
    """ "MN", "Hennepin County" -> "mn:hennepin" (how definitions list counties)."""
    name = re.sub(r"\s+(county|parish|borough)$", "", county.strip().lower())
    return f"{state.strip().lower()}:{name}"


def make_area(radius: Decimal | float | None, states: Sequence[str], counties: Sequence[str]) -> Area:
    keys = set()
    for entry in counties:
        state, _, county = entry.partition(":")
        if county:
            keys.add(county_key(state, county))
    return Area(
        radius_miles=None if radius is None else float(radius),
        states=frozenset(s.upper() for s in states),
        counties=frozenset(keys),
    )


@dataclass(frozen=True)
class Definition:
    local: Area
    regional: Area = field(default_factory=Area)


def _within(origin: Origin, area: Area, sites: Sequence[tuple[float, float]]) -> bool | None:
    """True inside the area, False outside it, None when the origin cannot be placed against it."""
    if area.empty or origin.foreign:
        return False
    decided = False
    if origin.state and area.states:
        decided = True
        if origin.state in area.states:
            return True
    if origin.state and area.counties:
        if origin.county:
            decided = True
            if county_key(origin.state, origin.county) in area.counties:
                return True
        elif not any(key.startswith(origin.state.lower() + ":") for key in area.counties):
            decided = True  # no listed county is in the origin's state
    if area.radius_miles is not None:
        point = origin.point
        if point is not None and sites:
            decided = True
            if any(haversine_miles(point, site) <= area.radius_miles for site in sites):
                return True
    return False if decided else None


def classify(origin: Origin, definition: Definition, sites: Sequence[tuple[float, float]]) -> str:
    """ "local", "regional", "other" or "unknown" for one origin, against the district's sites.

    Local when within the local radius of ANY site, or in a local state, or in a local county;
    else regional by the regional ring; else other. An origin not known, or one the definition
    cannot place (a radius with no coordinates, a county list with no county), is unknown — never
    local."""
    if not origin.known:
        return "unknown"
    local = _within(origin, definition.local, sites)
    if local:
        return "local"
    if local is None:  # it may be local: we cannot say it is regional or other either
        return "unknown"
    regional = _within(origin, definition.regional, sites)
    if regional:
        return "regional"
    return "unknown" if regional is None else "other"


# --- the words of a purchase file ----------------------------------------------------------------

SOURCE_WORDS = {
    "commercial": "commercial", "": "commercial", "distributor": "commercial", "broadline": "commercial",
    "usda foods": "usda_foods", "usda": "usda_foods", "usda_foods": "usda_foods", "commodity": "usda_foods",
    "usda foods (commodity)": "usda_foods", "dod fresh": "dod_fresh", "dod": "dod_fresh",
    "dod_fresh": "dod_fresh", "usda dod fresh": "dod_fresh", "local direct": "local_direct",
    "local_direct": "local_direct", "direct": "local_direct", "farm direct": "local_direct",
    "school garden": "school_garden", "school_garden": "school_garden", "garden": "school_garden",
}  # fmt: skip
CATEGORY_WORDS = {
    "fruit": "fruit", "fruits": "fruit", "produce - fruit": "fruit",
    "vegetable": "vegetable", "vegetables": "vegetable", "veg": "vegetable", "produce": "vegetable",
    "dairy": "dairy", "milk": "dairy", "cheese": "dairy",
    "meat": "meat_poultry", "poultry": "meat_poultry", "meat / poultry": "meat_poultry",
    "meat_poultry": "meat_poultry", "meat and poultry": "meat_poultry", "protein": "meat_poultry",
    "grain": "grain", "grains": "grain", "bread": "grain", "bakery": "grain",
    "seafood": "seafood", "fish": "seafood", "legumes": "legumes", "beans": "legumes",
    "other": "other", "": "other", "misc": "other", "grocery": "other",
}  # fmt: skip
CLAIM_WORDS = {
    "organic": "organic", "certified organic": "organic",
    "rwa": "rwa", "raised without antibiotics": "rwa",
    "nae": "nae", "no antibiotics ever": "nae", "no antibiotics": "nae",
    "grass_fed": "grass_fed", "grass-fed": "grass_fed", "grass fed": "grass_fed",
    "pasture": "pasture", "pasture-raised": "pasture", "pasture raised": "pasture",
    "ipm": "ipm", "integrated pest management": "ipm", "integrated pest management (ipm)": "ipm",
    "other": "other",
}  # fmt: skip


def source_code(text: str) -> str | None:
    return SOURCE_WORDS.get(" ".join(text.lower().split()))


def category_code(text: str) -> str | None:
    return CATEGORY_WORDS.get(" ".join(text.lower().split()))


def claim_codes(text: str) -> tuple[list[str], list[str]]:
    """ "NAE; organic" -> (["nae", "organic"], []): the claims, each once, and the words not known."""
    found: list[str] = []
    unknown: list[str] = []
    for part in re.split(r"[;,|/]", text):
        word = " ".join(part.lower().split())
        if not word:
            continue
        code = CLAIM_WORDS.get(word)
        if code is None:
            unknown.append(part.strip())
        elif code not in found:
            found.append(code)
    return found, unknown


def keyword_pattern(keywords: Sequence[str]) -> re.Pattern[str] | None:
    """One pattern for a lab's keyword rules: whole words or phrases, any case, longest first."""
    words = sorted({k.strip().lower() for k in keywords if k.strip()}, key=lambda k: (-len(k), k))
    if not words:
        return None
    return re.compile(r"\b(" + "|".join(re.escape(w) for w in words) + r")\b", re.I)
