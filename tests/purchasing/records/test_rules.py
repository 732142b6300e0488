"""The pure rules of purchase records, with numbers worked by hand."""

from __future__ import annotations

import math
from decimal import Decimal

import pytest

from purchasing.records import rules
from purchasing.records.rules import (
    Area,
    Definition,
    Origin,
    classify,
    haversine_miles,
    parse_origin,
    to_pounds,
)

MINNEAPOLIS = (44.98, -93.27)
MADISON = (43.0731, -89.4012)


def test_minneapolis_to_madison_is_233_miles_by_haversine_with_the_pinned_radius():
    # By hand: φ1 = 44.98° = 0.785049 rad, φ2 = 43.0731° = 0.751767 rad,
    # Δφ = -1.9069° = -0.033282 rad, Δλ = 3.8688° = 0.067523 rad.
    # h = sin²(Δφ/2) + cos φ1 cos φ2 sin²(Δλ/2)
    #   = 0.00027689 + 0.707354 × 0.730483 × 0.00113942 = 0.00086564
    # d = 2R asin(√h) = 2 × 3958.7613 × asin(0.0294217) = 7917.5226 × 0.0294260 = 232.981 mi
    assert rules.EARTH_RADIUS_MILES == 3958.7613
    assert haversine_miles(MINNEAPOLIS, MADISON) == pytest.approx(232.981, abs=0.001)
    assert haversine_miles(MADISON, MINNEAPOLIS) == pytest.approx(232.981, abs=0.001)
    assert haversine_miles(MADISON, MADISON) == 0
    # a quarter of the earth's circumference along a meridian: πR/2
    assert haversine_miles((0, 0), (90, 0)) == pytest.approx(math.pi * 3958.7613 / 2, rel=1e-12)


@pytest.mark.parametrize(
    ("quantity", "unit", "weight", "pounds", "text"),
    [
        ("12.5", "lb", None, "12.500", "12.5 lb"),
        ("3", "case", "40", "120.000", "3 case × 40 lb = 120 lb"),
        ("2", "case", "22.75", "45.500", "2 case × 22.75 lb = 45.5 lb"),
        ("5", "case", None, None, "5 case: pounds unknown (no case weight given)"),
        ("10", "each", None, None, "10 each: pounds unknown (no weight per each given)"),
        ("4", "gal", None, None, "4 gal: pounds unknown (no weight per gal given)"),
        ("4", "gal", "8.6", "34.400", "4 gal × 8.6 lb = 34.4 lb"),
        ("6", "dozen", None, None, "6 dozen: pounds unknown (no weight per dozen given)"),
        ("1", "case", "0.0005", "0.001", "1 case × 0.0005 lb = 0.001 lb"),  # half up at the thousandth
    ],
)
def test_units_convert_to_pounds_with_the_conversion_shown(quantity, unit, weight, pounds, text):
    result = to_pounds(Decimal(quantity), unit, None if weight is None else Decimal(weight))
    assert result.pounds == (None if pounds is None else Decimal(pounds))
    assert result.text == text


@pytest.mark.parametrize(("word", "code"), [("LBS", "lb"), ("cs", "case"), ("Gallon", "gal"), ("DZ", "dozen"),
                                            ("ea.", "each"), ("box", None), ("kg", None)])  # fmt: skip
def test_unit_words(word, code):
    assert rules.unit_code(word) == code


@pytest.mark.parametrize(
    ("text", "state", "county", "foreign", "known"),
    [
        ("MN", "MN", "", False, True),
        ("Minnesota", "MN", "", False, True),
        ("Hennepin County, MN", "MN", "Hennepin", False, True),
        ("Wadena, Minnesota", "MN", "", False, True),
        ("Mexico", "", "", True, True),
        ("unknown", "", "", False, False),
        ("", "", "", False, False),
        ("USA", "", "", False, False),
    ],
)
def test_origins_are_parsed_as_written(text, state, county, foreign, known):
    origin = parse_origin(text)
    assert (origin.state, origin.county, origin.foreign, origin.known) == (state, county, foreign, known)


RADIUS_150 = Definition(local=Area(radius_miles=150), regional=Area(radius_miles=400))
STATES = Definition(local=Area(states=frozenset({"MN"})), regional=Area(states=frozenset({"MN", "WI", "IA"})))
SITES = [MINNEAPOLIS, (46.7867, -92.1005)]  # Minneapolis and Duluth


def test_radius_local_within_any_site_regional_beyond():
    madison = Origin(text="Madison farm", state="WI", latitude=43.0731, longitude=-89.4012)
    # Madison is 232.98 mi from Minneapolis: beyond 150, within 400
    assert classify(madison, RADIUS_150, [MINNEAPOLIS]) == "regional"
    assert classify(madison, Definition(local=Area(radius_miles=232.9)), [MINNEAPOLIS]) == "other"
    assert classify(madison, Definition(local=Area(radius_miles=233)), [MINNEAPOLIS]) == "local"
    # near Duluth only: local because of ANY site
    cloquet = Origin(state="MN", latitude=46.72, longitude=-92.46)
    assert haversine_miles((46.72, -92.46), MINNEAPOLIS) > 100
    assert classify(cloquet, Definition(local=Area(radius_miles=30)), SITES) == "local"
    assert classify(cloquet, Definition(local=Area(radius_miles=30)), [MINNEAPOLIS]) == "other"


def test_state_list_and_counties():
    assert classify(parse_origin("MN"), STATES, []) == "local"
    assert classify(parse_origin("Wisconsin"), STATES, []) == "regional"
    assert classify(parse_origin("CA"), STATES, []) == "other"
    counties = Definition(local=rules.make_area(None, [], ["MN:Hennepin", "WI:Dane"]))
    assert classify(parse_origin("Hennepin County, MN"), counties, []) == "local"
    assert classify(parse_origin("Dane County, Wisconsin"), counties, []) == "local"
    assert classify(parse_origin("Ramsey County, MN"), counties, []) == "other"
    assert classify(parse_origin("CA"), counties, []) == "other"  # no listed county is in California
    assert classify(parse_origin("MN"), counties, []) == "unknown"  # which county in Minnesota?


def test_an_in_state_distributor_selling_out_of_state_food_is_not_local():
    # The vendor's office is in Minneapolis; the food was grown in California. Only the origin counts.
    grown_in_california = parse_origin("CA")
    assert classify(grown_in_california, STATES, SITES) == "other"
    grown_in_fresno = Origin(text="Fresno, CA", state="CA", latitude=36.7378, longitude=-119.7871)
    assert classify(grown_in_fresno, RADIUS_150, SITES) == "other"


def test_unknown_origin_is_never_local():
    assert classify(parse_origin("unknown"), STATES, SITES) == "unknown"
    assert classify(parse_origin(""), RADIUS_150, SITES) == "unknown"
    # A state but no point: a radius cannot be measured, so not local (and not "other" either)
    assert classify(parse_origin("MN"), RADIUS_150, SITES) == "unknown"
    # A point but a district with no sites: nothing to measure from
    assert classify(Origin(latitude=44.9, longitude=-93.2), RADIUS_150, []) == "unknown"
    # Abroad is known: never local, never regional by state
    assert classify(parse_origin("Mexico"), STATES, SITES) == "other"


def test_claims_sources_and_categories_as_files_write_them():
    assert rules.claim_codes("No Antibiotics Ever; Organic, organic") == (["nae", "organic"], [])
    assert rules.claim_codes("halal") == ([], ["halal"])
    assert rules.source_code("USDA Foods") == "usda_foods" and rules.source_code("DoD Fresh") == "dod_fresh"
    assert rules.source_code("") == "commercial" and rules.source_code("barter") is None
    assert rules.category_code("Meat") == "meat_poultry" and rules.category_code("candy") is None
