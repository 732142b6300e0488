"""The pure rules, with hand-checked numbers: consensus, annual volume, the local clause, diffs."""

from decimal import Decimal

import pytest

from purchasing.priority_items import rules
from purchasing.priority_items.rules import Tally, consensus

D = Decimal


# --- Consensus -----------------------------------------------------------------------------------


def test_unanimity_waits_for_every_district_then_adopts_when_all_who_answered_endorse():
    # 7 districts; 6 answered (5 endorse, 1 with conditions): wait.
    assert consensus(rule="unanimity", tally=Tally(7, endorse=5, conditions=1)).outcome == rules.WAIT
    # The seventh abstains: abstentions aside, all 6 endorse -> adopted.
    verdict = consensus(rule="unanimity", tally=Tally(7, endorse=5, conditions=1, abstain=1))
    assert verdict.outcome == rules.ADOPT
    assert "6 of 7" in verdict.reason


def test_unanimity_one_objection_blocks_even_without_objection_blocks():
    verdict = consensus(rule="unanimity", tally=Tally(4, endorse=3, object=1), objection_blocks=False)
    assert verdict.outcome == rules.BLOCKED
    assert "1 objection" in verdict.reason


def test_unanimity_closed_early_counts_those_who_answered():
    tally = Tally(7, endorse=3)
    assert consensus(rule="unanimity", tally=tally).outcome == rules.WAIT
    assert consensus(rule="unanimity", tally=tally, closing=True).outcome == rules.ADOPT
    # Everyone abstained: nobody endorses.
    assert consensus(rule="unanimity", tally=Tally(2, abstain=2)).outcome == rules.REJECTED


QUORUM = {"rule": "quorum", "quorum_percent": D(60), "threshold_percent": D(75)}


def test_quorum_and_threshold_hand_checked():
    # 7 districts, quorum 60%: 4 answers is 57.1% (< 60), 5 answers is 71.4% (>= 60).
    assert consensus(tally=Tally(7, endorse=4), objection_blocks=False, **QUORUM).outcome == rules.WAIT
    # 5 answered: 4 endorse, 1 objects: 4/5 = 80% >= 75% -> adopted when objections do not block.
    verdict = consensus(tally=Tally(7, endorse=4, object=1), objection_blocks=False, **QUORUM)
    assert verdict.outcome == rules.ADOPT
    # 3 endorse, 1 objects, 1 abstains: 5 answered (quorum), but 3/4 = 75% -> exactly the threshold.
    assert consensus(tally=Tally(7, endorse=3, object=1, abstain=1), objection_blocks=False,
                     **QUORUM).outcome == rules.ADOPT  # fmt: skip
    # 3 endorse, 2 object: 3/5 = 60% < 75%: waits for the other two...
    assert (
        consensus(tally=Tally(7, endorse=3, object=2), objection_blocks=False, **QUORUM).outcome == rules.WAIT
    )
    # ...and is rejected when all have answered without reaching it (5/7 = 71.4%).
    assert (
        consensus(tally=Tally(7, endorse=5, object=2), objection_blocks=False, **QUORUM).outcome
        == rules.REJECTED
    )


def test_quorum_with_objection_blocks():
    verdict = consensus(tally=Tally(7, endorse=6, object=1), objection_blocks=True, **QUORUM)
    assert verdict.outcome == rules.BLOCKED


def test_unknown_rule_is_refused():
    with pytest.raises(ValueError):
        consensus(rule="majority", tally=Tally(3, endorse=3))


# --- Annual volume -------------------------------------------------------------------------------


def test_twice_a_month_over_nine_months_1200_servings_4_oz_is_5400_lb():
    volume = rules.annual_volume(times_per_month=D(2), months=9, servings_per_day=D(1200), serving_size=D(4),
                                 serving_unit="oz", item_unit="lb")  # fmt: skip
    assert volume.servings == 21_600
    assert volume.annual == D(5400)
    assert volume.per_month == D(600)
    assert volume.steps == (
        "2 times a month × 9 months × 1,200 servings a day = 21,600 servings",
        "× 4.00 oz = 86,400 oz ÷ 16 oz a pound = 5,400.00 lb",
    )


def test_cases_and_each():
    # 5,400 lb in 40 lb cases = 135 cases.
    cases = rules.annual_volume(times_per_month=D(2), months=9, servings_per_day=D(1200), serving_size=D(4),
                                serving_unit="oz", item_unit="case", case_net_weight_lb=D(40))  # fmt: skip
    assert cases.annual == D(135)
    # Two tortillas a serving, once a month over 10 months, 500 a day: 10,000 each.
    each = rules.annual_volume(times_per_month=D(1), months=10, servings_per_day=D(500), serving_size=D(2),
                               serving_unit="each", item_unit="each")  # fmt: skip
    assert each.annual == D(10000)
    with pytest.raises(rules.VolumeError):
        rules.annual_volume(times_per_month=D(1), months=1, servings_per_day=D(1), serving_size=D(1),
                            serving_unit="oz", item_unit="each")  # fmt: skip
    with pytest.raises(rules.VolumeError):
        rules.annual_volume(times_per_month=D(1), months=1, servings_per_day=D(1), serving_size=D(1),
                            serving_unit="oz", item_unit="case")  # fmt: skip


@pytest.mark.parametrize(
    ("unit", "serving_unit", "size", "case"),
    [("lb", "oz", "4", None), ("lb", "lb", "0.25", None), ("case", "oz", "4", "40"), ("case", "lb", "0.3", "12.5"),
     ("each", "each", "2", None)],
)  # fmt: skip
def test_the_figure_without_words_is_the_same(unit, serving_unit, size, case):
    kwargs = {"times_per_month": D("1.5"), "months": 7, "servings_per_day": D(933), "serving_size": D(size),
              "serving_unit": serving_unit, "item_unit": unit, "case_net_weight_lb": D(case) if case else None}  # fmt: skip
    assert rules.annual_figure(**kwargs) == rules.annual_volume(**kwargs).annual


def test_volume_keeps_full_precision_and_rounds_half_up_once_at_the_edge():
    # 1 x 1 x 1 x 2.5 oz = 0.15625 lb; kept exact, shown as 0.16 (half up), never 0.15 or a float.
    volume = rules.annual_volume(times_per_month=D(1), months=1, servings_per_day=D(1), serving_size=D("2.5"),
                                 serving_unit="oz", item_unit="lb")  # fmt: skip
    assert volume.annual == D("0.15625")
    assert rules.fmt(volume.annual, 2) == "0.16"
    assert rules.fmt(D("2.5")) == "3"
    assert rules.fmt(D("1234567.5")) == "1,234,568"


def test_monthly_spreads_evenly():
    assert rules.monthly(annual=D(5400), months=[9, 10, 11]) == {9: D(1800), 10: D(1800), 11: D(1800)}
    assert rules.monthly(annual=D(5), months=[]) == {}


# --- The local clause ----------------------------------------------------------------------------


def test_local_as_specification_is_refused_on_a_processed_item():
    problem = rules.local_clause_problem(clause="specification", processing="processed", definition="MN, WI")
    assert problem is not None and "unprocessed or minimally processed" in problem and "2024" in problem
    assert rules.local_clause_problem(clause="both", processing="processed", definition="MN") is not None
    # A scoring advantage stays possible; so does local as a spec for minimally processed food.
    assert rules.local_clause_problem(clause="preference", processing="processed", definition="MN") is None
    assert rules.local_clause_problem(clause="specification", processing="minimal", definition="MN") is None
    assert rules.local_clause_problem(clause="neither", processing="processed", definition="") is None
    assert "what local means" in rules.local_clause_problem(
        clause="preference", processing="unprocessed", definition=" "
    )


def test_claims_need_their_verification_and_attributes_parse():
    assert rules.parse_claims("No antibiotics ever | USDA PVP\n\n") == [
        {"claim": "No antibiotics ever", "verification": "USDA PVP"}
    ]
    with pytest.raises(ValueError, match="Line 1"):
        rules.parse_claims("No antibiotics ever")
    assert rules.parse_attributes("piece size: 3.5-4.5 oz\nglaze: none") == {
        "piece size": "3.5-4.5 oz",
        "glaze": "none",
    }
    with pytest.raises(ValueError):
        rules.parse_attributes("no colon")
    assert rules.parse_claims(rules.claims_text([{"claim": "a", "verification": "b"}])) == [
        {"claim": "a", "verification": "b"}
    ]


def test_diff_marks_changed_fields_and_attributes_on_one_side():
    rows = rules.diff({"grade": "A", "x": "1"}, {"grade": "B", "y": "2"}, {"grade": "Grade"})
    assert [(r.label, r.changed) for r in rows] == [("Grade", True), ("x", True), ("y", True)]
    assert rules.diff({"grade": "A"}, {"grade": "A"}, {"grade": "Grade"})[0].changed is False
