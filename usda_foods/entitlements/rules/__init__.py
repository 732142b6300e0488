"""Pure USDA Foods entitlement arithmetic: no ORM, no request, no float.

Everything here is a function of its keyword arguments, so it can be tested exhaustively without a
database and called by services that have already loaded the rows (see ``compute_entitlements``).

Contracts that hold throughout:

* Money and quantities are ``Decimal``; a ``float`` argument raises ``TypeError`` because a binary
  float cannot hold a cent amount such as 0.10 exactly.
* Intermediate results keep full precision (exact decimal or rational arithmetic, and an exact
  context that raises rather than silently rounds) and are rounded **half up, once**, at the end
  (DOMAIN.md). ``ROUND_HALF_EVEN`` ("banker's rounding", Decimal's default) is never used.
* *Absent* data (no per-meal value yet, no lunch count for last year) is returned as an explicit
  ``CannotCompute`` with human-readable reasons, never as a zero that could be mistaken for a real
  entitlement. *Malformed* data (a per-meal value that is not a multiple of 1/4 cent, a negative
  lunch count, "2019-21") raises an ``EntitlementInputError``: it is a bug to fix at data entry.
"""

# The public names of the three modules, so callers write ``rules.commodity_offer_value``.
from usda_foods.entitlements.rules.ledger import (  # noqa: F401
    Drawdown,
    DrawdownStatus,
    EntitlementInputs,
    EntitlementResult,
    LunchCounts,
    PerMealValueRecord,
    compute_entitlements,
    drawn,
    pick_per_meal_value,
    remaining,
    utilisation_percent,
    would_overdraw,
)
from usda_foods.entitlements.rules.offer import (  # noqa: F401
    INPUT_SHORT,
    CannotCompute,
    Computed,
    Figure,
    Input,
    Missing,
    TwelvePercent,
    commodity_offer_value,
    missing_prior_year_lunches,
    not_computed,
    status_text,
    twelve_percent_check,
)
from usda_foods.entitlements.rules.values import (  # noqa: F401
    CATEGORIES,
    CENT,
    EXACT,
    QUARTER_CENT,
    ROUNDING,
    SHARE_PLACES,
    TWELVE_PERCENT,
    EntitlementInputError,
    InvalidPerMealValue,
    InvalidSchoolYear,
    SchoolYear,
    format_cents,
    join_words,
    next_school_year,
    non_negative,
    parse_school_year,
    previous_school_year,
    round_cents,
    round_half_up,
    to_count,
    to_decimal,
    validate_per_meal_value_cents,
)
