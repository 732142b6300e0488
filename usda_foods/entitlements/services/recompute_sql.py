"""Entitlements computed and written by one statement: a ``SELECT`` over the districts, their lunch
counts and the year's values, feeding an ``INSERT ... ON CONFLICT DO UPDATE``.

It gives exactly what the pure functions (``entitlements.rules``) give, to the cent:

* numeric arithmetic in PostgreSQL is exact; rounding is done once, half up: ``round(x, 2)`` for
  positive amounts (PostgreSQL rounds ties away from zero), and for quotients (the 12 percent share,
  the amount needed) with ``div`` and a comparison of twice the remainder, as ``round_half_up``;
* "meets the floor" compares 88 C with 12 cash exactly, as ``twelve_percent_check``;
* the words of every missing input come from the pure functions, asked once per recompute with
  the year's values, and are put in place by the same conditions, in the same order.

The ledger rules are applied on the locked row (see ``PAL_ON_CONFLICT``), a row whose figures did
not change is not written (so no audit row and its ``computed_at`` stays), and row triggers fire
for each written row, so pghistory records who and why from the caller's ``history_context``.
tests/usda_foods/test_set_based_recompute.py compares it with the pure functions on generated data.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import connection

from districts.models import District
from usda_foods.entitlements import rules
from usda_foods.entitlements.models import Entitlement, LunchCount

# The ledger rules, on the locked row ``e``: an override stays (raised to the COV when the COV
# passes it); else the PAL is the COV but never below what is drawn; with no COV, the PAL is
# cleared only when nothing is drawn on it.
PAL_ON_CONFLICT = """CASE
    WHEN e.pal_overridden AND e.planned_assistance_level IS NOT NULL
        THEN GREATEST(e.planned_assistance_level, COALESCE(EXCLUDED.commodity_offer_value,
                                                           e.planned_assistance_level))
    WHEN EXCLUDED.commodity_offer_value IS NOT NULL THEN GREATEST(EXCLUDED.commodity_offer_value, e.drawn)
    WHEN e.drawn = 0 THEN NULL
    ELSE e.planned_assistance_level
END"""

COMPUTED = ("prior_year_lunches", "per_meal_value_cents", "section4_cents", "commodity_offer_value", "twelve_cash",
            "twelve_usda_foods", "twelve_share", "twelve_needed", "twelve_meets", "twelve_additional", "missing",
            "missing_inputs")  # fmt: skip

# Which missing input applies, by SQL condition, in the order the pure functions list them. The
# COV's first (when there is no COV), then the 12 percent share's (inputs absent, else a zero total).
MISSING_COV = (
    ("per_meal", "%(pmv)s::numeric IS NULL"),
    ("prior", "NOT w.has_prior"),
    ("section4", "w.commodity AND %(s4)s::numeric IS NULL"),
)
MISSING_TWELVE = (
    ("lunches", "NOT w.has_current"),
    ("rates", "NOT %(rates_ok)s"),
    ("usda", "w.c IS NULL"),
)


def _round_quotient(numerator: str, denominator: str, quantum: str, units: str) -> str:
    """SQL for ``round_half_up(numerator / denominator, quantum)`` with non-negative operands;
    ``units`` is 1/quantum (100 for cents)."""
    n = f"(({numerator}) * {units})"
    q = f"div({n}, {denominator})"
    return f"(({q} + CASE WHEN 2 * ({n} - {q} * ({denominator})) >= ({denominator}) THEN 1 ELSE 0 END) * {quantum})"


def _missing(part: str) -> str:
    """The ``missing_inputs`` (part "inputs") or ``missing`` (part "reasons") JSON array of a row."""

    def one(name: str, condition: str) -> str:
        return f"CASE WHEN {condition} THEN %(m_{name}_{part})s::jsonb ELSE '[]'::jsonb END"

    cov = " || ".join(one(name, cond) for name, cond in MISSING_COV)
    twelve = " || ".join(one(name, cond) for name, cond in MISSING_TWELVE)
    return (f"(CASE WHEN w.cov IS NULL THEN {cov} ELSE '[]'::jsonb END)"
            f" || (CASE WHEN NOT w.inputs_ok THEN {twelve}"
            f" WHEN w.t = 0 THEN %(m_zero_{part})s::jsonb ELSE '[]'::jsonb END)")  # fmt: skip


def _sql() -> str:
    entitlement = connection.ops.quote_name(Entitlement._meta.db_table)
    lunch = connection.ops.quote_name(LunchCount._meta.db_table)
    district = connection.ops.quote_name(District._meta.db_table)
    cash_times_12_less_88c = "(w.cash * 12 - 88 * w.c)"
    figures = {
        "twelve_cash": "round(w.cash, 2)",
        "twelve_usda_foods": "w.c",
        "twelve_share": _round_quotient("w.c", "w.t", "0.0001", "10000"),
        "twelve_needed": _round_quotient("w.cash * 12", "88", "0.01", "100"),
        "twelve_meets": "w.c * 88 >= w.cash * 12",
        "twelve_additional": f"CASE WHEN {cash_times_12_less_88c} <= 0 THEN 0.00 ELSE "
        f"{_round_quotient(cash_times_12_less_88c, '88', '0.01', '100')} END",
    }
    twelve = ",\n        ".join(f"CASE WHEN w.ok THEN {sql} END AS {name}" for name, sql in figures.items())
    columns = ", ".join(COMPUTED)
    updates = ",\n    ".join(f"{name} = EXCLUDED.{name}" for name in COMPUTED)
    old = ", ".join(f"e.{name}" for name in COMPUTED)
    new = ", ".join(f"EXCLUDED.{name}" for name in COMPUTED)
    # Only this module's constant names are formatted in; every value is a parameter.
    return f"""
WITH base AS (
    SELECT d.id AS district_id, d.is_commodity_school AS commodity,
           (p.id IS NOT NULL) AS has_prior, p.free + p.reduced + p.paid AS prior_total,
           (c.id IS NOT NULL) AS has_current,
           c.free * %(rate_free)s::numeric + c.reduced * %(rate_reduced)s::numeric
               + c.paid * %(rate_paid)s::numeric AS cash,
           (e0.pal_overridden AND e0.planned_assistance_level IS NOT NULL) AS overridden,
           e0.planned_assistance_level AS old_pal
    FROM {district} d
    JOIN unnest(%(ids)s::bigint[]) AS scope(id) ON scope.id = d.id
    LEFT JOIN {lunch} p ON p.district_id = d.id AND p.school_year = %(prior)s
    LEFT JOIN {lunch} c ON c.district_id = d.id AND c.school_year = %(year)s
    LEFT JOIN {entitlement} e0 ON e0.district_id = d.id AND e0.school_year = %(year)s
), with_cov AS (
    SELECT b.*, CASE WHEN %(pmv)s::numeric IS NOT NULL AND b.has_prior
                          AND NOT (b.commodity AND %(s4)s::numeric IS NULL)
        THEN round((%(pmv)s::numeric + CASE WHEN b.commodity THEN %(s4)s::numeric ELSE 0 END)
                   * b.prior_total * 0.01, 2) END AS cov
    FROM base b
), w AS (
    SELECT v.*, (v.has_current AND %(rates_ok)s AND v.c IS NOT NULL) AS inputs_ok,
           (v.has_current AND %(rates_ok)s AND v.c IS NOT NULL AND v.cash + v.c <> 0) AS ok,
           v.cash + v.c AS t
    FROM (SELECT x.*, CASE WHEN x.overridden THEN x.old_pal ELSE x.cov END AS c FROM with_cov x) v
), computed AS (
    SELECT w.district_id,
        CASE WHEN w.has_prior THEN w.prior_total END AS prior_year_lunches,
        %(pmv)s::numeric AS per_meal_value_cents,
        CASE WHEN w.commodity THEN %(s4)s::numeric END AS section4_cents,
        w.cov AS commodity_offer_value,
        {twelve},
        {_missing("reasons")} AS missing,
        {_missing("inputs")} AS missing_inputs
    FROM w
), written AS (
    INSERT INTO {entitlement} AS e (district_id, school_year, {columns}, planned_assistance_level, pal_overridden,
                                    pal_reason, drawn, computed_at)
    SELECT r.district_id, %(year)s, {", ".join("r." + name for name in COMPUTED)}, r.commodity_offer_value,
           false, '', 0, %(now)s
    FROM computed r
    ON CONFLICT ON CONSTRAINT entitlement_one_per_year DO UPDATE SET
    {updates},
    planned_assistance_level = {PAL_ON_CONFLICT},
    computed_at = EXCLUDED.computed_at
    WHERE ({old}, e.planned_assistance_level) IS DISTINCT FROM ({new}, {PAL_ON_CONFLICT})
    RETURNING (xmax = 0) AS inserted
)
SELECT (SELECT count(*) FROM computed),
       (SELECT count(*) FROM computed WHERE missing <> '[]'::jsonb),
       (SELECT count(*) FROM written WHERE inserted),
       (SELECT count(*) FROM written WHERE NOT inserted)
"""  # noqa: S608


@dataclass(frozen=True)
class Counts:
    total: int
    incomplete: int
    created: int
    updated: int


def _words(school_year: str, rates: dict[str, Decimal | None]) -> dict[str, str]:
    """Each missing input's JSON (one-item arrays), worded by the pure functions for this year."""
    cov = rules.commodity_offer_value(school_year=school_year, per_meal_value_cents=None, prior_year_lunches=None,
                                      is_commodity_school=True, section4_cash_cents=None)  # fmt: skip
    twelve = rules.twelve_percent_check(
        school_year=school_year, free=None, reduced=None, paid=None, rate_free=rates.get("free"),
        rate_reduced=rates.get("reduced"), rate_paid=rates.get("paid"), usda_foods_value=None,
    )  # fmt: skip
    zero = rules.twelve_percent_check(school_year=school_year, free=0, reduced=0, paid=0, rate_free=Decimal(0),
                                      rate_reduced=Decimal(0), rate_paid=Decimal(0), usda_foods_value=Decimal(0))  # fmt: skip
    assert isinstance(cov, rules.CannotCompute) and isinstance(twelve, rules.CannotCompute)
    assert isinstance(zero, rules.CannotCompute)
    by_input = {
        m.input: m for m in (*cov.missing(rules.Figure.COV), *twelve.missing(rules.Figure.TWELVE_PERCENT))
    }
    chosen = {
        "per_meal": by_input[rules.Input.PER_MEAL_VALUE],
        "prior": by_input[rules.Input.PRIOR_YEAR_LUNCH_COUNTS],
        "section4": by_input[rules.Input.SECTION4_PAYMENT],
        "lunches": by_input[rules.Input.LUNCH_COUNTS],
        "rates": by_input.get(rules.Input.REIMBURSEMENT_RATES),
        "usda": by_input[rules.Input.USDA_FOODS_VALUE],
        "zero": zero.missing(rules.Figure.TWELVE_PERCENT)[0],
    }
    params = {}
    for name, missing in chosen.items():
        params[f"m_{name}_inputs"] = json.dumps([missing.as_dict()] if missing else [])
        params[f"m_{name}_reasons"] = json.dumps([missing.reason] if missing else [])
    return params


def entitlements_compute_and_write(
    *, school_year: str, district_ids: list[int], per_meal_cents: Decimal | None, section4_cents: Decimal | None,
    rates: dict[str, Decimal | None], now: datetime,
) -> Counts:  # fmt: skip
    """Compute and write the SY ``school_year`` entitlements of ``district_ids`` in one statement."""
    if per_meal_cents is not None:  # malformed values raise as in the pure functions
        rules.validate_per_meal_value_cents(per_meal_cents)
    if section4_cents is not None:
        rules.non_negative(section4_cents, "Section 4 cash per lunch (cents)")
    for category, rate in rates.items():
        if rate is not None:
            rules.non_negative(rate, f"{category} reimbursement rate")
    params: dict[str, Any] = {
        "year": school_year, "prior": rules.previous_school_year(school_year), "ids": district_ids,
        "pmv": per_meal_cents, "s4": section4_cents, "rate_free": rates.get("free"),
        "rate_reduced": rates.get("reduced"), "rate_paid": rates.get("paid"),
        "rates_ok": all(rates.get(c) is not None for c in ("free", "reduced", "paid")), "now": now,
        **_words(school_year, rates),
    }  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute(_sql(), params)
        total, incomplete, created, updated = cursor.fetchone()
    return Counts(total=total, incomplete=incomplete, created=created, updated=updated)
