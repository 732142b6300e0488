"""Table-driven tests for the pure USDA Foods arithmetic. No database, no Django.

Every expected amount below was worked out by hand; the working is in the comment next to it.
Real values: per-meal value 14.75 cents (SY 1998-99), 17.00 cents (SY 2006-07, first published as
16.75 then corrected), 23.75 cents (SY 2019-20); NSLP lunch rates for contiguous states, SFAs under
60% free/reduced: SY 2019-20 free 3.41, reduced 3.01, paid 0.32; SY 2024-25 4.43, 4.03, 0.42.
"""

from __future__ import annotations

import itertools
from datetime import date, datetime
from decimal import ROUND_HALF_EVEN, Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from usda_foods.entitlements.rules.ledger import (
    Drawdown,
    DrawdownStatus,
    EntitlementInputs,
    LunchCounts,
    PerMealValueRecord,
    compute_entitlements,
    drawn,
    pick_per_meal_value,
    remaining,
    utilisation_percent,
    would_overdraw,
)
from usda_foods.entitlements.rules.offer import (
    CannotCompute,
    Computed,
    TwelvePercent,
    commodity_offer_value,
    twelve_percent_check,
)
from usda_foods.entitlements.rules.values import (
    QUARTER_CENT,
    EntitlementInputError,
    InvalidPerMealValue,
    InvalidSchoolYear,
    SchoolYear,
    next_school_year,
    parse_school_year,
    previous_school_year,
    round_cents,
    validate_per_meal_value_cents,
)

D = Decimal
RATES_2019_20 = {"rate_free": D("3.41"), "rate_reduced": D("3.01"), "rate_paid": D("0.32")}
RATES_2024_25 = {"rate_free": D("4.43"), "rate_reduced": D("4.03"), "rate_paid": D("0.42")}


def half_even(amount: Decimal) -> Decimal:
    return amount.quantize(D("0.01"), rounding=ROUND_HALF_EVEN)


# --- School years -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "previous", "following"),
    [
        ("2019-20", "2018-19", "2020-21"),
        ("1998-99", "1997-98", "1999-00"),
        ("1999-00", "1998-99", "2000-01"),  # the century rolls over in the second part
        ("2000-01", "1999-00", "2001-02"),
        ("2099-00", "2098-99", "2100-01"),
        ("2006-07", "2005-06", "2007-08"),
    ],
)
def test_school_year_parses_and_steps_across_centuries(text: str, previous: str, following: str) -> None:
    year = parse_school_year(text)
    assert str(year) == text
    assert previous_school_year(text) == previous
    assert next_school_year(text) == following
    assert year.previous() < year < year.next()


@pytest.mark.parametrize(
    "text",
    [
        "2019-21",  # second part is not first + 1
        "2019-19",
        "1999-99",
        "1999-01",
        "2019-2020",  # four-digit second part
        "19-20",
        "2019/20",
        "2019\u201320",  # en dash
        "2019 - 20",
        " 2019-20",
        "2019-20 ",
        "",
        "abcd-ef",
        "2019-1",
        "\uff12\uff10\uff11\uff19-20",  # full-width digits match \d but are not a school year
        "0999-00",  # out of range
    ],
)
def test_school_year_rejects_malformed_strings(text: str) -> None:
    with pytest.raises(InvalidSchoolYear):
        parse_school_year(text)


def test_school_year_error_says_which_second_part_was_expected() -> None:
    with pytest.raises(InvalidSchoolYear, match=r"as in '2019-20'"):
        parse_school_year("2019-21")


def test_school_year_rejects_non_strings() -> None:
    with pytest.raises(TypeError):
        parse_school_year(2019)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        SchoolYear(True)


# --- Per-meal value: multiples of 1/4 cent (42 USC 1755(c)) --------------------------------------


@pytest.mark.parametrize("cents", ["14.75", "16.75", "17.00", "23.75", "0.25", "23.750", "24", "100.50"])
def test_per_meal_value_accepts_quarter_cents(cents: str) -> None:
    validate_per_meal_value_cents(D(cents))  # does not raise


@pytest.mark.parametrize(
    ("cents", "message"),
    [
        (
            "23.70",
            "23.70 cents is not a multiple of 1/4 cent (42 USC 1755(c)); did you mean 23.75 or 23.50?",
        ),
        # nearest first: 23.60 is 0.10 from 23.50 and 0.15 from 23.75
        (
            "23.60",
            "23.60 cents is not a multiple of 1/4 cent (42 USC 1755(c)); did you mean 23.50 or 23.75?",
        ),
        # exactly halfway: lower first, deterministically
        (
            "23.625",
            "23.625 cents is not a multiple of 1/4 cent (42 USC 1755(c)); did you mean 23.50 or 23.75?",
        ),
        ("23.7", "23.70 cents is not a multiple of 1/4 cent (42 USC 1755(c)); did you mean 23.75 or 23.50?"),
        # 0.00 is not a valid per-meal value, so only one suggestion
        ("0.10", "0.10 cents is not a multiple of 1/4 cent (42 USC 1755(c)); did you mean 0.25?"),
        ("16.8", "16.80 cents is not a multiple of 1/4 cent (42 USC 1755(c)); did you mean 16.75 or 17.00?"),
    ],
)
def test_per_meal_value_rejects_other_values_and_suggests_neighbours(cents: str, message: str) -> None:
    with pytest.raises(InvalidPerMealValue) as excinfo:
        validate_per_meal_value_cents(D(cents))
    assert str(excinfo.value) == message
    assert isinstance(excinfo.value, ValueError)


@pytest.mark.parametrize("cents", ["0", "0.00", "-23.75", "NaN", "Infinity", "-Infinity"])
def test_per_meal_value_rejects_non_positive_and_non_finite(cents: str) -> None:
    with pytest.raises(InvalidPerMealValue):
        validate_per_meal_value_cents(D(cents))


@pytest.mark.parametrize("bad", [23.75, 23, "23.75"])
def test_per_meal_value_must_be_decimal(bad: object) -> None:
    with pytest.raises(TypeError):
        validate_per_meal_value_cents(bad)  # type: ignore[arg-type]


# --- Rounding: half up, once -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        ("0.2375", "0.24"),
        ("0.125", "0.13"),  # tie; banker's would give 0.12
        ("0.885", "0.89"),  # tie; banker's 0.88
        ("1.425", "1.43"),  # tie; banker's 1.42
        ("0.475", "0.48"),  # tie; banker's agrees (7 is odd)
        ("0.124999", "0.12"),
        ("237501.425", "237501.43"),
        ("-0.125", "-0.13"),  # half up means ties away from zero, as Decimal's ROUND_HALF_UP
        ("0", "0.00"),
        ("7", "7.00"),
        ("12345678901234567890.005", "12345678901234567890.01"),
    ],
)
def test_round_cents_is_half_up(amount: str, expected: str) -> None:
    result = round_cents(D(amount))
    assert result == D(expected)
    assert result.as_tuple().exponent == -2


@pytest.mark.parametrize("amount", ["0.125", "0.885", "1.425", "237501.425"])
def test_round_cents_differs_from_bankers_rounding_on_even_ties(amount: str) -> None:
    assert round_cents(D(amount)) != half_even(D(amount))
    assert round_cents(D(amount)) - half_even(D(amount)) == D("0.01")


def test_round_cents_refuses_float_and_nan() -> None:
    with pytest.raises(TypeError):
        round_cents(0.125)  # type: ignore[arg-type]
    with pytest.raises(EntitlementInputError):
        round_cents(D("NaN"))


# --- Commodity offer value ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("school_year", "cents", "prior_year_lunches", "expected"),
    [
        # 23.75 c x 1,000,000 = 23,750,000 c = $237,500.00
        ("2019-20", "23.75", 1_000_000, "237500.00"),
        # 23.75 c x 1 = $0.2375 -> $0.24 (the digit after the cent is 7: no tie)
        ("2019-20", "23.75", 1, "0.24"),
        # 23.75 c x 2 = 47.5 c = $0.475 -> $0.48 (tie; banker's also 0.48)
        ("2019-20", "23.75", 2, "0.48"),
        # 23.75 c x 6 = 142.5 c = $1.425 -> $1.43 (tie; banker's would give $1.42)
        ("2019-20", "23.75", 6, "1.43"),
        # 23.75 c x 1,000,006 = 23,750,142.5 c = $237,501.425 -> $237,501.43 (banker's .42)
        ("2019-20", "23.75", 1_000_006, "237501.43"),
        # 14.75 c x 6 = 88.5 c = $0.885 -> $0.89 (tie; banker's $0.88)
        ("1998-99", "14.75", 6, "0.89"),
        # 14.75 c x 123,457 = 1,728,398 + 92,592.75 = 1,820,990.75 c = $18,209.9075 -> $18,209.91
        ("1998-99", "14.75", 123_457, "18209.91"),
        # 17.00 c x 250,000 = 4,250,000 c = $42,500.00
        ("2006-07", "17.00", 250_000, "42500.00"),
        # no lunches served last year: a real zero, not a missing input
        ("2019-20", "23.75", 0, "0.00"),
    ],
)
def test_commodity_offer_value(school_year: str, cents: str, prior_year_lunches: int, expected: str) -> None:
    result = commodity_offer_value(
        school_year=school_year, per_meal_value_cents=D(cents), prior_year_lunches=prior_year_lunches
    )
    assert isinstance(result, Computed)
    assert result.ok
    assert result.value == D(expected)
    assert result.value.as_tuple().exponent == -2


@pytest.mark.parametrize(("cents", "lunches"), [("23.75", 6), ("23.75", 1_000_006), ("14.75", 6)])
def test_commodity_offer_value_rounds_ties_up_where_bankers_rounding_would_not(
    cents: str, lunches: int
) -> None:
    exact = D(cents) * lunches / 100
    assert exact.as_tuple().exponent == -3 and exact.as_tuple().digits[-1] == 5  # a genuine tie
    result = commodity_offer_value(
        school_year="2019-20", per_meal_value_cents=D(cents), prior_year_lunches=lunches
    )
    assert isinstance(result, Computed)
    assert result.value == exact + D("0.005")
    assert result.value != half_even(exact)


@pytest.mark.parametrize(
    ("is_commodity_school", "section4", "expected"),
    [
        # commodity school: (23.75 + 32) c = 55.75 c x 10,000 = 557,500 c = $5,575.00
        # (Section 4 general cash per lunch = the SY 2019-20 paid rate, $0.32)
        (True, "32", "5575.00"),
        # 55.75 c x 10,000 with a quarter-cent Section 4 amount: (23.75 + 31.25) x 10,000 = $5,500.00
        (True, "31.25", "5500.00"),
        # not a commodity school: Section 4 comes as cash, so 23.75 c x 10,000 = $2,375.00
        (False, "32", "2375.00"),
        (False, None, "2375.00"),
    ],
)
def test_commodity_school_adds_section4_cash(
    is_commodity_school: bool, section4: str | None, expected: str
) -> None:
    result = commodity_offer_value(
        school_year="2019-20",
        per_meal_value_cents=D("23.75"),
        prior_year_lunches=10_000,
        is_commodity_school=is_commodity_school,
        section4_cash_cents=D(section4) if section4 is not None else None,
    )
    assert isinstance(result, Computed)
    assert result.value == D(expected)


@pytest.mark.parametrize(
    ("kwargs", "reasons"),
    [
        (
            {"per_meal_value_cents": None, "prior_year_lunches": 1_000},
            ("no national per-meal value of USDA Foods for SY 2019-20",),
        ),
        (
            {"per_meal_value_cents": D("23.75"), "prior_year_lunches": None},
            (
                "no reimbursable lunch count for SY 2018-19 (the SY 2019-20 commodity offer value uses "
                "the previous school year's lunches, 7 CFR 250.58(b))",
            ),
        ),
        (
            {"per_meal_value_cents": D("23.75"), "prior_year_lunches": 1_000, "is_commodity_school": True},
            ("no Section 4 general cash payment per lunch for SY 2019-20 (commodity school)",),
        ),
    ],
)
def test_commodity_offer_value_names_each_missing_input(
    kwargs: dict[str, object], reasons: tuple[str, ...]
) -> None:
    result = commodity_offer_value(school_year="2019-20", **kwargs)  # type: ignore[arg-type]
    assert isinstance(result, CannotCompute)
    assert not result.ok
    assert result.reasons == reasons
    assert str(result).startswith("cannot compute: ")
    assert not hasattr(result, "value")  # cannot be read as $0.00 by mistake


def test_commodity_offer_value_lists_all_missing_inputs_with_the_right_years() -> None:
    result = commodity_offer_value(
        school_year="2000-01", per_meal_value_cents=None, prior_year_lunches=None, is_commodity_school=True
    )
    assert isinstance(result, CannotCompute)
    assert len(result.reasons) == 3
    assert "SY 2000-01" in result.reasons[0]
    assert "SY 1999-00" in result.reasons[1]  # previous year across the century
    assert "Section 4" in result.reasons[2]


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"per_meal_value_cents": D("23.70")}, InvalidPerMealValue),
        ({"per_meal_value_cents": D("-23.75")}, InvalidPerMealValue),
        ({"per_meal_value_cents": 23.75}, TypeError),
        ({"prior_year_lunches": -1}, EntitlementInputError),
        ({"prior_year_lunches": True}, TypeError),
        ({"prior_year_lunches": D("1000")}, TypeError),
        ({"school_year": "2019-21"}, InvalidSchoolYear),
        ({"section4_cash_cents": D("-1")}, EntitlementInputError),
        ({"section4_cash_cents": 32.0}, TypeError),
        ({"is_commodity_school": 1}, TypeError),
    ],
)
def test_commodity_offer_value_raises_on_malformed_input(
    kwargs: dict[str, object], error: type[Exception]
) -> None:
    arguments: dict[str, object] = {
        "school_year": "2019-20",
        "per_meal_value_cents": D("23.75"),
        "prior_year_lunches": 1_000,
        "is_commodity_school": True,
        "section4_cash_cents": D("32"),
    } | kwargs
    with pytest.raises(error):
        commodity_offer_value(**arguments)  # type: ignore[arg-type]


def test_malformed_per_meal_value_raises_even_when_lunches_are_missing() -> None:
    with pytest.raises(InvalidPerMealValue):
        commodity_offer_value(school_year="2019-20", per_meal_value_cents=D("23.70"), prior_year_lunches=None)


# --- Published per-meal values and corrections ---------------------------------------------------

# 2006-07: first published as 16.75 cents (July 2006), corrected to 17.00 (FNS notice, May 2007).
# Months as in DOMAIN.md; the days are illustrative.
ORIGINAL_2006_07 = PerMealValueRecord(school_year="2006-07", cents=D("16.75"), published_on=date(2006, 7, 1))
CORRECTION_2006_07 = PerMealValueRecord(
    school_year="2006-07", cents=D("17.00"), published_on=date(2007, 5, 1)
)
VALUE_1998_99 = PerMealValueRecord(school_year="1998-99", cents=D("14.75"), published_on=date(1998, 7, 1))
VALUE_2019_20 = PerMealValueRecord(school_year="2019-20", cents=D("23.75"), published_on=date(2019, 7, 1))


@pytest.mark.parametrize(
    ("records", "school_year", "expected"),
    [
        ([ORIGINAL_2006_07, CORRECTION_2006_07], "2006-07", CORRECTION_2006_07),
        ([CORRECTION_2006_07, ORIGINAL_2006_07], "2006-07", CORRECTION_2006_07),
        ([ORIGINAL_2006_07], "2006-07", ORIGINAL_2006_07),  # before the correction existed
        ([VALUE_1998_99, ORIGINAL_2006_07, VALUE_2019_20, CORRECTION_2006_07], "2019-20", VALUE_2019_20),
        ([VALUE_1998_99, ORIGINAL_2006_07, VALUE_2019_20, CORRECTION_2006_07], "1998-99", VALUE_1998_99),
        ([VALUE_1998_99, VALUE_2019_20], "2006-07", None),
        ([], "2019-20", None),
    ],
)
def test_pick_per_meal_value_latest_publication_wins(
    records: list[PerMealValueRecord], school_year: str, expected: PerMealValueRecord | None
) -> None:
    assert pick_per_meal_value(records, school_year=school_year) == expected


def test_corrected_value_drives_the_offer_value() -> None:
    record = pick_per_meal_value([ORIGINAL_2006_07, CORRECTION_2006_07], school_year="2006-07")
    assert record is not None
    # 17.00 c x 100,000 = $17,000.00, not 16.75 c x 100,000 = $16,750.00
    result = commodity_offer_value(
        school_year="2006-07", per_meal_value_cents=record.cents, prior_year_lunches=100_000
    )
    assert isinstance(result, Computed)
    assert result.value == D("17000.00")


def test_pick_per_meal_value_same_day_tie_ignores_input_order() -> None:
    same_day = [
        PerMealValueRecord(school_year="2006-07", cents=D(c), published_on=date(2007, 5, 1), citation=cite)
        for c, cite in [("17.00", "B"), ("16.75", "A"), ("17.00", "A")]
    ]
    picks = {
        pick_per_meal_value(list(order), school_year="2006-07") for order in itertools.permutations(same_day)
    }
    assert picks == {same_day[0]}  # more cents, then the later citation


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"cents": D("16.70")}, InvalidPerMealValue),
        ({"school_year": "2006-08"}, InvalidSchoolYear),
        ({"published_on": datetime(2007, 5, 1, 12, 0)}, TypeError),
        ({"published_on": "2007-05-01"}, TypeError),
    ],
)
def test_per_meal_value_record_validates(kwargs: dict[str, object], error: type[Exception]) -> None:
    arguments: dict[str, object] = {
        "school_year": "2006-07",
        "cents": D("17.00"),
        "published_on": date(2007, 5, 1),
    }
    with pytest.raises(error):
        PerMealValueRecord(**(arguments | kwargs))  # type: ignore[arg-type]


# --- 12 percent check (NSLA section 6(e), 42 USC 1755(e)) ----------------------------------------


@pytest.mark.parametrize(
    ("lunches", "rates", "usda_foods", "cash", "share", "needed", "additional", "meets"),
    [
        # Mostly-free SFA, SY 2019-20, C = its COV 23.75 c x 1,000,000 = $237,500.00.
        # cash = 600,000 x 3.41 + 100,000 x 3.01 + 300,000 x 0.32 = 2,046,000 + 301,000 + 96,000
        #      = $2,443,000.00; share = 237,500 / 2,680,500 = 0.088603 -> 0.0886;
        # needed = 2,443,000 x 12/88 = 333,136.3636 -> $333,136.36; short by 95,636.3636 -> 95,636.36
        (
            (600_000, 100_000, 300_000),
            RATES_2019_20,
            "237500.00",
            "2443000.00",
            "0.0886",
            "333136.36",
            "95636.36",
            False,
        ),
        # Paid-heavy SFA: cash = 100 x 3.41 + 0 + 900 x 0.32 = 341 + 288 = $629.00; C = $237.50
        # share = 237.50 / 866.50 = 0.274091 -> 0.2741; needed = 629 x 12/88 = 85.7727 -> $85.77
        ((100, 0, 900), RATES_2019_20, "237.50", "629.00", "0.2741", "85.77", "0.00", True),
        # Exactly 12%: 275 x 0.32 = $88.00 cash, C = $12.00: share 12/100; needed 88 x 12/88 = 12
        ((0, 0, 275), RATES_2019_20, "12.00", "88.00", "0.1200", "12.00", "0.00", True),
        # A cent short of 12%: 11.99 / 99.99 = 0.119912 -> 0.1199
        ((0, 0, 275), RATES_2019_20, "11.99", "88.00", "0.1199", "12.00", "0.01", False),
        # Shown as 0.1200 but short: cash 275,000 x 0.32 = 88,000; C = 11,999.50;
        # share = 11,999.5 / 99,999.5 = 0.1199956 -> 0.1200; needed 12,000.00; short $0.50
        ((0, 0, 275_000), RATES_2019_20, "11999.50", "88000.00", "0.1200", "12000.00", "0.50", False),
        # One free lunch: cash $3.41; needed = 3.41 x 12/88 = 40.92/88 = 0.465 exactly -> $0.47
        # (banker's $0.46); C = $0.24: share = 0.24 / 3.65 = 0.065753 -> 0.0658;
        # short by 0.465 - 0.24 = 0.225 -> $0.23 (banker's $0.22)
        ((1, 0, 0), RATES_2019_20, "0.24", "3.41", "0.0658", "0.47", "0.23", False),
        # SY 2024-25 rates, C = $300.00 (illustrative): cash = 500 x 4.43 + 200 x 4.03 + 300 x 0.42
        # = 2,215 + 806 + 126 = $3,147.00; share = 300 / 3,447 = 0.087032 -> 0.0870;
        # needed = 3,147 x 12/88 = 429.1364 -> $429.14; short 129.1364 -> $129.14
        ((500, 200, 300), RATES_2024_25, "300.00", "3147.00", "0.0870", "429.14", "129.14", False),
        # No USDA Foods at all: share 0, needed = 3.41 x 12/88 = 0.465 -> 0.47
        ((1, 0, 0), RATES_2019_20, "0", "3.41", "0.0000", "0.47", "0.47", False),
    ],
)
def test_twelve_percent_check(
    lunches: tuple[int, int, int],
    rates: dict[str, Decimal],
    usda_foods: str,
    cash: str,
    share: str,
    needed: str,
    additional: str,
    meets: bool,
) -> None:
    free, reduced, paid = lunches
    result = twelve_percent_check(
        school_year="2019-20", free=free, reduced=reduced, paid=paid, usda_foods_value=D(usda_foods), **rates
    )
    assert isinstance(result, TwelvePercent)
    assert result.ok
    assert result.cash == D(cash)
    assert result.usda_foods == D(usda_foods)
    assert result.share == D(share)
    assert result.share.as_tuple().exponent == -4
    assert result.needed_for_twelve_percent == D(needed)
    assert result.additional_needed == D(additional)
    assert result.meets_floor is meets


def test_twelve_percent_explanation_is_informative_not_a_failure() -> None:
    result = twelve_percent_check(
        school_year="2019-20",
        free=600_000,
        reduced=100_000,
        paid=300_000,
        usda_foods_value=D("237500.00"),
        **RATES_2019_20,
    )
    assert isinstance(result, TwelvePercent)
    assert result.share_percent == D("8.86")
    assert "8.86%" in result.explanation
    assert "$237,500.00 of $2,680,500.00" in result.explanation
    assert "$333,136.36" in result.explanation and "$95,636.36 more" in result.explanation
    assert "NSLA section 6(e), 42 USC 1755(e)" in result.explanation
    assert "national rule" in result.explanation
    assert "never a failure" in result.explanation


def test_twelve_percent_explanation_when_floor_is_met() -> None:
    result = twelve_percent_check(
        school_year="2019-20", free=100, reduced=0, paid=900, usda_foods_value=D("237.50"), **RATES_2019_20
    )
    assert isinstance(result, TwelvePercent)
    assert "at or above 12 percent" in result.explanation
    assert "would take" not in result.explanation


@pytest.mark.parametrize(
    ("override", "reasons"),
    [
        ({"rate_free": None}, ("no free lunch reimbursement rate for SY 2019-20",)),
        ({"rate_reduced": None}, ("no reduced-price lunch reimbursement rate for SY 2019-20",)),
        ({"rate_paid": None}, ("no paid lunch reimbursement rate for SY 2019-20",)),
        (
            {"rate_free": None, "rate_reduced": None, "rate_paid": None},
            ("no free, reduced-price and paid lunch reimbursement rate for SY 2019-20",),
        ),
        ({"free": None}, ("no free lunch count for SY 2019-20",)),
        ({"reduced": None, "paid": None}, ("no reduced-price and paid lunch count for SY 2019-20",)),
        ({"usda_foods_value": None}, ("no USDA Foods value for SY 2019-20",)),
        (
            {"paid": None, "rate_paid": None, "usda_foods_value": None},
            (
                "no paid lunch count for SY 2019-20",
                "no paid lunch reimbursement rate for SY 2019-20",
                "no USDA Foods value for SY 2019-20",
            ),
        ),
        # nothing to divide by: neither cash nor USDA Foods
        (
            {"free": 0, "reduced": 0, "paid": 0, "usda_foods_value": D("0.00")},
            ("no lunch cash and no USDA Foods for SY 2019-20: the share is undefined",),
        ),
    ],
)
def test_twelve_percent_cannot_compute_names_category_and_year(
    override: dict[str, object], reasons: tuple[str, ...]
) -> None:
    arguments: dict[str, object] = {
        "school_year": "2019-20",
        "free": 10,
        "reduced": 10,
        "paid": 10,
        "usda_foods_value": D("100.00"),
        **RATES_2019_20,
    } | override
    result = twelve_percent_check(**arguments)  # type: ignore[arg-type]
    assert isinstance(result, CannotCompute)
    assert result.reasons == reasons


@pytest.mark.parametrize(
    ("override", "error"),
    [
        ({"free": -1}, EntitlementInputError),
        ({"paid": 1.0}, TypeError),
        ({"rate_free": 3.41}, TypeError),
        ({"rate_reduced": D("-3.01")}, EntitlementInputError),
        ({"usda_foods_value": D("-1")}, EntitlementInputError),
        ({"school_year": "2019"}, InvalidSchoolYear),
    ],
)
def test_twelve_percent_raises_on_malformed_input(
    override: dict[str, object], error: type[Exception]
) -> None:
    arguments: dict[str, object] = {
        "school_year": "2019-20",
        "free": 10,
        "reduced": 10,
        "paid": 10,
        "usda_foods_value": D("100.00"),
        **RATES_2019_20,
    } | override
    with pytest.raises(error):
        twelve_percent_check(**arguments)  # type: ignore[arg-type]


# --- Ledger --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("allocation", "drawdowns", "expected_drawn", "expected_remaining"),
    [
        ("1000.00", [], "0.00", "1000.00"),
        ("1000.00", [D("250.00"), D("125.50")], "375.50", "624.50"),
        # pending reserves, posted counts, cancelled does not: 300 + 200 = 500
        (
            "1000.00",
            [
                Drawdown(D("300.00"), DrawdownStatus.POSTED),
                Drawdown(D("200.00"), DrawdownStatus.PENDING),
                Drawdown(D("100.00"), DrawdownStatus.CANCELLED),
            ],
            "500.00",
            "500.00",
        ),
        # status given as text (as stored in a CharField): 0.10 + 0.20 = 0.30 exactly (never float)
        ("1.00", [Drawdown(D("0.10"), "posted"), Drawdown(D("0.20"), "pending")], "0.30", "0.70"),
        # overdrawn is reported as negative, not clamped: 100 - (60 + 50) = -10
        ("100.00", [D("60.00"), D("50.00")], "110.00", "-10.00"),
        ("0.00", [], "0.00", "0.00"),
    ],
)
def test_ledger_drawn_and_remaining(
    allocation: str, drawdowns: list[Drawdown | Decimal], expected_drawn: str, expected_remaining: str
) -> None:
    assert drawn(drawdowns=drawdowns) == D(expected_drawn)
    assert remaining(allocation=D(allocation), drawdowns=drawdowns) == D(expected_remaining)


@pytest.mark.parametrize(
    ("amount", "expected"),
    [("40.00", False), ("40.01", True), ("0.00", False)],
)
def test_would_overdraw(amount: str, expected: bool) -> None:
    # remaining = 100 - 60 = 40
    assert would_overdraw(allocation=D("100.00"), drawdowns=[D("60.00")], amount=D(amount)) is expected


@pytest.mark.parametrize(
    ("allocation", "used", "expected"),
    [
        ("1000.00", "375.50", "37.55"),
        ("3", "2", "66.67"),  # 66.666... -> 66.67
        ("3", "1", "33.33"),  # 33.333... -> 33.33
        ("200.00", "0.01", "0.01"),  # 0.005% exactly -> 0.01 half up (banker's 0.00)
        ("100.00", "110.00", "110.00"),  # overdrawn shows above 100
        ("100.00", "0", "0.00"),
        ("0.00", "0.00", None),  # nothing allocated: no meaningful percentage
        ("0", "5.00", None),
    ],
)
def test_utilisation_percent(allocation: str, used: str, expected: str | None) -> None:
    result = utilisation_percent(allocation=D(allocation), drawn=D(used))
    assert result == (D(expected) if expected is not None else None)


@pytest.mark.parametrize(
    "call",
    [
        lambda: remaining(allocation=D("-1"), drawdowns=[]),
        lambda: remaining(allocation=D("10"), drawdowns=[D("-1")]),
        lambda: Drawdown(D("1"), "void"),
        lambda: utilisation_percent(allocation=D("-1"), drawn=D("0")),
    ],
)
def test_ledger_rejects_negative_amounts_and_unknown_status(call: object) -> None:
    with pytest.raises(ValueError):
        call()  # type: ignore[operator]


def test_ledger_refuses_float() -> None:
    with pytest.raises(TypeError):
        remaining(allocation=D("1.00"), drawdowns=[0.1])  # type: ignore[list-item]
    with pytest.raises(TypeError):
        utilisation_percent(allocation=1.0, drawn=D("0"))  # type: ignore[arg-type]


# --- Batch computation ---------------------------------------------------------------------------


def test_compute_entitlements_uses_previous_year_lunches_for_cov() -> None:
    inputs = EntitlementInputs(
        key="district-1",
        school_year="2019-20",
        per_meal_value_cents=D("23.75"),
        lunches_by_year={
            "2018-19": LunchCounts(free=600_000, reduced=100_000, paid=300_000),  # 1,000,000
            "2019-20": LunchCounts(free=700_000, reduced=150_000, paid=350_000),  # 1,200,000
        },
        **RATES_2019_20,
    )
    result = compute_entitlements([inputs])["district-1"]
    # COV from 2018-19: 23.75 c x 1,000,000 = $237,500.00 (2019-20 lunches would give $285,000.00)
    assert isinstance(result.cov, Computed)
    assert result.cov.value == D("237500.00")
    # 12% uses 2019-20's own lunches: 700,000 x 3.41 + 150,000 x 3.01 + 350,000 x 0.32
    # = 2,387,000 + 451,500 + 112,000 = $2,950,500.00; C defaults to the COV, $237,500.00;
    # share = 237,500 / 3,188,000 = 0.074498 -> 0.0745
    assert isinstance(result.twelve_percent, TwelvePercent)
    assert result.twelve_percent.cash == D("2950500.00")
    assert result.twelve_percent.usda_foods == D("237500.00")
    assert result.twelve_percent.share == D("0.0745")
    assert result.missing == ()


def test_compute_entitlements_reports_missing_per_district() -> None:
    complete = EntitlementInputs(
        key=1,
        school_year="2019-20",
        per_meal_value_cents=D("23.75"),
        lunches_by_year={"2018-19": LunchCounts(free=600_000, reduced=100_000, paid=300_000)},
        usda_foods_value=D("300000.00"),  # the planned assistance level, above the COV
    )
    only_this_year = EntitlementInputs(
        key=2,
        school_year="2000-01",
        per_meal_value_cents=None,
        lunches_by_year={"2000-01": LunchCounts(free=10, reduced=10, paid=10)},
    )
    commodity_school = EntitlementInputs(
        key=3,
        school_year="2019-20",
        per_meal_value_cents=D("23.75"),
        lunches_by_year={"2018-19": LunchCounts(free=1, reduced=1, paid=1)},
        is_commodity_school=True,
    )
    results = compute_entitlements([complete, only_this_year, commodity_school])
    assert list(results) == [1, 2, 3]

    assert isinstance(results[1].cov, Computed) and results[1].cov.value == D("237500.00")
    # no 2019-20 lunch counts or rates were given: the 12% check says so instead of guessing
    assert results[1].missing == (
        "no free, reduced-price and paid lunch count for SY 2019-20",
        "no free, reduced-price and paid lunch reimbursement rate for SY 2019-20",
    )

    assert isinstance(results[2].cov, CannotCompute)
    assert results[2].missing[:2] == (
        "no national per-meal value of USDA Foods for SY 2000-01",
        "no reimbursable lunch count for SY 1999-00 (the SY 2000-01 commodity offer value uses the "
        "previous school year's lunches, 7 CFR 250.58(b))",
    )
    assert "no USDA Foods value for SY 2000-01" in results[2].missing

    assert isinstance(results[3].cov, CannotCompute)
    assert results[3].cov.reasons == (
        "no Section 4 general cash payment per lunch for SY 2019-20 (commodity school)",
    )


def test_compute_entitlements_prefers_given_usda_foods_value_for_twelve_percent() -> None:
    inputs = EntitlementInputs(
        key="d",
        school_year="2019-20",
        per_meal_value_cents=D("23.75"),
        lunches_by_year={
            "2018-19": LunchCounts(free=600_000, reduced=100_000, paid=300_000),
            "2019-20": LunchCounts(free=600_000, reduced=100_000, paid=300_000),
        },
        usda_foods_value=D("300000.00"),
        **RATES_2019_20,
    )
    twelve = compute_entitlements([inputs])["d"].twelve_percent
    # cash $2,443,000.00 (as above); share = 300,000 / 2,743,000 = 0.109369 -> 0.1094 (COV would give 0.0886)
    assert isinstance(twelve, TwelvePercent)
    assert twelve.usda_foods == D("300000.00")
    assert twelve.share == D("0.1094")


def test_compute_entitlements_rejects_duplicate_keys() -> None:
    item = EntitlementInputs(key=7, school_year="2019-20", per_meal_value_cents=D("23.75"))
    with pytest.raises(ValueError, match="duplicate"):
        compute_entitlements([item, item])


def test_lunch_counts_validate() -> None:
    assert LunchCounts(free=1, reduced=2, paid=3).total == 6
    with pytest.raises(EntitlementInputError):
        LunchCounts(free=-1, reduced=0, paid=0)


# --- Properties ----------------------------------------------------------------------------------

quarter_cents = st.integers(min_value=1, max_value=400).map(lambda k: k * QUARTER_CENT)  # 0.25 .. 100.00
lunch_counts = st.integers(min_value=0, max_value=10**9)


@given(cents=quarter_cents, lunches=lunch_counts)
def test_cov_is_decimal_with_two_places_within_half_a_cent_rounded_up(cents: Decimal, lunches: int) -> None:
    result = commodity_offer_value(
        school_year="2019-20", per_meal_value_cents=cents, prior_year_lunches=lunches
    )
    assert isinstance(result, Computed)
    assert type(result.value) is Decimal
    assert result.value.as_tuple().exponent == -2
    exact = Fraction(cents) * lunches / 100
    # half up: exact - 0.005 < result <= exact + 0.005, and a tie goes up
    assert -Fraction(1, 200) < Fraction(result.value) - exact <= Fraction(1, 200)


@given(cents=quarter_cents, a=lunch_counts, b=lunch_counts)
def test_cov_is_monotone_in_lunches(cents: Decimal, a: int, b: int) -> None:
    low, high = sorted((a, b))
    cov_low = commodity_offer_value(school_year="2019-20", per_meal_value_cents=cents, prior_year_lunches=low)
    cov_high = commodity_offer_value(
        school_year="2019-20", per_meal_value_cents=cents, prior_year_lunches=high
    )
    assert isinstance(cov_low, Computed) and isinstance(cov_high, Computed)
    assert cov_low.value <= cov_high.value


@given(cents=st.floats(min_value=0.25, max_value=100, allow_nan=False))
def test_float_per_meal_value_is_always_refused(cents: float) -> None:
    with pytest.raises(TypeError):
        commodity_offer_value(school_year="2019-20", per_meal_value_cents=cents, prior_year_lunches=1)  # type: ignore[arg-type]


@given(quarters=st.integers(min_value=0, max_value=400), extra=st.integers(min_value=1, max_value=24))
def test_non_quarter_values_are_rejected_with_their_neighbours(quarters: int, extra: int) -> None:
    lower = quarters * QUARTER_CENT
    value = lower + D(extra) / 100  # strictly between two quarter cents
    with pytest.raises(InvalidPerMealValue) as excinfo:
        validate_per_meal_value_cents(value)
    message = str(excinfo.value)
    assert f"{lower + QUARTER_CENT:.2f}" in message
    assert (f"{lower:.2f} or" in message or f"or {lower:.2f}" in message) == (quarters > 0)


@given(start=st.integers(min_value=1001, max_value=9997))
def test_school_year_round_trips(start: int) -> None:
    text = str(SchoolYear(start))
    assert parse_school_year(text).start == start
    assert previous_school_year(next_school_year(text)) == text
    assert next_school_year(previous_school_year(text)) == text
    assert int(text[5:]) == (start + 1) % 100


@given(
    free=st.integers(min_value=0, max_value=10**6),
    reduced=st.integers(min_value=0, max_value=10**6),
    paid=st.integers(min_value=0, max_value=10**6),
    rate_cents=st.tuples(*[st.integers(min_value=0, max_value=600)] * 3),
    c_cents=st.integers(min_value=0, max_value=10**9),
)
def test_twelve_percent_meets_floor_exactly_when_share_is_at_least_twelve_percent(
    free: int, reduced: int, paid: int, rate_cents: tuple[int, int, int], c_cents: int
) -> None:
    rates = [D(r) / 100 for r in rate_cents]
    c = D(c_cents) / 100
    result = twelve_percent_check(
        school_year="2024-25",
        free=free,
        reduced=reduced,
        paid=paid,
        rate_free=rates[0],
        rate_reduced=rates[1],
        rate_paid=rates[2],
        usda_foods_value=c,
    )
    cash = Fraction(free * rate_cents[0] + reduced * rate_cents[1] + paid * rate_cents[2], 100)
    if cash + Fraction(c) == 0:
        assert isinstance(result, CannotCompute)
        return
    assert isinstance(result, TwelvePercent)
    exact_share = Fraction(c) / (cash + Fraction(c))
    assert result.meets_floor == (exact_share >= Fraction(12, 100))
    assert abs(Fraction(result.share) - exact_share) <= Fraction(1, 20_000)
    assert abs(Fraction(result.needed_for_twelve_percent) - cash * 12 / 88) <= Fraction(1, 200)
    assert result.cash == D(free * rate_cents[0] + reduced * rate_cents[1] + paid * rate_cents[2]) / 100
    for amount in (result.cash, result.share, result.needed_for_twelve_percent, result.additional_needed):
        assert type(amount) is Decimal


# --- What each absent input blocks (issue 9, item 4) ----------------------------------------------


def test_each_missing_input_names_the_figure_it_blocks() -> None:
    from usda_foods.entitlements.rules.offer import Figure, Input, status_text

    results = compute_entitlements([
        EntitlementInputs(key="no counts", school_year="2019-20", per_meal_value_cents=D("23.75"), **RATES_2019_20),
        EntitlementInputs(key="cov only", school_year="2019-20", per_meal_value_cents=D("23.75"),
                          lunches_by_year={"2018-19": LunchCounts(free=10, reduced=0, paid=0)}),
        EntitlementInputs(key="complete", school_year="2019-20", per_meal_value_cents=D("23.75"), **RATES_2019_20,
                          lunches_by_year={"2018-19": LunchCounts(free=10, reduced=0, paid=0),
                                           "2019-20": LunchCounts(free=10, reduced=0, paid=0)}),
    ])  # fmt: skip
    no_counts = [(m.input, m.blocks) for m in results["no counts"].missing_inputs]
    assert no_counts == [
        (Input.PRIOR_YEAR_LUNCH_COUNTS, Figure.COV),
        (Input.LUNCH_COUNTS, Figure.TWELVE_PERCENT),
        (Input.USDA_FOODS_VALUE, Figure.TWELVE_PERCENT),  # C is the COV, which cannot be computed
    ]
    assert [m.reason for m in results["no counts"].missing_inputs] == list(results["no counts"].missing)
    cov_only = results["cov only"].missing_inputs
    assert {m.blocks for m in cov_only} == {Figure.TWELVE_PERCENT}
    assert {m.input for m in cov_only} == {Input.LUNCH_COUNTS, Input.REIMBURSEMENT_RATES}
    assert results["complete"].missing_inputs == ()
    as_stored = {key: [m.as_dict() for m in r.missing_inputs] for key, r in results.items()}
    assert status_text(as_stored["no counts"]) == "cannot compute: no lunch counts"
    assert status_text(as_stored["cov only"]) == (
        "12% share n/a: no lunch counts for the year itself and no reimbursement rates"
    )
    assert status_text(as_stored["complete"]) == "complete"


def test_cannot_compute_compares_by_reasons_whatever_their_labels() -> None:
    assert CannotCompute(("a",), ("per_meal_value",)) == CannotCompute(("a",))
    with pytest.raises(ValueError, match="one input per reason"):
        CannotCompute(("a", "b"), ("per_meal_value",))


def test_twelve_percent_short_by_less_than_half_a_cent_is_not_met() -> None:
    """cash = 28 x $3.01 + 49 x $0.32 = $99.96; 12% needs 99.96 x 12/88 = $13.6309...: $13.63 of
    USDA Foods shows a share of 0.1200 and $13.63 needed, yet falls short (issue 9, item 4)."""
    result = twelve_percent_check(school_year="2019-20", free=0, reduced=28, paid=49, **RATES_2019_20,
                                  usda_foods_value=D("13.63"))  # fmt: skip
    assert isinstance(result, TwelvePercent)
    assert (result.cash, result.share, result.needed_for_twelve_percent) == (
        D("99.96"),
        D("0.1200"),
        D("13.63"),
    )
    assert result.meets_floor is False and result.additional_needed == D("0.00")


# --- Plausible reference values (issue 9, item 3) -------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "value", "message"),
    [
        ("SECTION4_PAYMENT", "0.40", "0.40 cents is not a plausible Section 4 payment (published values are 5 to 75 "
         "cents per lunch). Did you mean 40 cents? The amount is in cents: $0.40 is 40 cents."),
        ("PER_MEAL_VALUE", "0.2375", "Did you mean 23.75 cents?"),
        ("REIMBURSEMENT_RATE", "341", "$341 is not a plausible lunch reimbursement rate (published values are $0.10 "
         "to $10.00 per lunch). Did you mean $3.41? The amount is in dollars: 341 cents is $3.41."),
        ("REIMBURSEMENT_RATE", "32", "Did you mean $0.32?"),
        ("SECTION4_PAYMENT", "4000", "Enter it in cents per lunch, as published."),
        ("PER_MEAL_VALUE", "-23.75", "Enter it in cents per lunch, as published."),
    ],
)  # fmt: skip
def test_implausible_reference_values_say_what_was_probably_meant(
    kind: str, value: str, message: str
) -> None:
    from usda_foods.entitlements import units

    with pytest.raises(units.ImplausibleValue) as excinfo:
        getattr(units, kind).check(D(value))
    assert message in str(excinfo.value)


@pytest.mark.parametrize(
    ("kind", "value"),
    [("PER_MEAL_VALUE", "14.75"), ("PER_MEAL_VALUE", "23.75"), ("SECTION4_PAYMENT", "9.00"),
     ("SECTION4_PAYMENT", "44"), ("REIMBURSEMENT_RATE", "0.32"), ("REIMBURSEMENT_RATE", "4.43")],
)  # fmt: skip
def test_published_reference_values_are_plausible(kind: str, value: str) -> None:
    from usda_foods.entitlements import units

    getattr(units, kind).check(D(value))
