"""Pure rules for priority items: the consensus count, the expected annual volume of a menu
commitment, the local clause and the difference between two specification versions. No Django:
plain typed functions over Decimal, tested exhaustively without a database."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

# --- Consensus ------------------------------------------------------------------------------------

UNANIMITY = "unanimity"
QUORUM = "quorum"

ENDORSE = "endorse"
CONDITIONS = "conditions"
ABSTAIN = "abstain"
OBJECT = "object"
SUPPORT = (ENDORSE, CONDITIONS)

ADOPT = "adopt"
WAIT = "wait"
BLOCKED = "blocked"
REJECTED = "rejected"


@dataclass(frozen=True)
class Tally:
    districts: int
    endorse: int = 0
    conditions: int = 0
    abstain: int = 0
    object: int = 0

    @property
    def answered(self) -> int:
        return self.endorse + self.conditions + self.abstain + self.object

    @property
    def support(self) -> int:
        return self.endorse + self.conditions

    @property
    def voting(self) -> int:
        """Answers that take a side (abstentions are answers but count for neither)."""
        return self.support + self.object


@dataclass(frozen=True)
class Verdict:
    outcome: str  # ADOPT, WAIT, BLOCKED or REJECTED
    reason: str


def consensus(*, rule: str, tally: Tally, quorum_percent: Decimal = Decimal(0),
              threshold_percent: Decimal = Decimal(100), objection_blocks: bool = True,
              closing: bool = False) -> Verdict:  # fmt: skip
    """Whether a proposed version is adopted under the collaborative's rule.

    - ``unanimity``: every district that answered (abstentions aside) endorses, at least one does;
      counted once every district has answered, or when the lab closes the count (``closing``).
      An objection always blocks it.
    - ``quorum``: at least ``quorum_percent`` of the districts answered (abstentions included) and
      at least ``threshold_percent`` of those taking a side endorse; adopted as soon as both hold.
      With ``objection_blocks`` one objection blocks it.
    """
    if tally.object and (objection_blocks or rule == UNANIMITY):
        word = "objection" if tally.object == 1 else "objections"
        return Verdict(BLOCKED, f"{tally.object} {word}: revise the specification or withdraw it.")
    everyone = tally.answered >= tally.districts
    if rule == UNANIMITY:
        if not (everyone or closing):
            return Verdict(WAIT, f"{tally.answered} of {tally.districts} districts have answered.")
        if tally.support == 0:
            return Verdict(REJECTED, "No district endorses it.")
        return Verdict(
            ADOPT, f"Every district that answered endorses it ({tally.support} of {tally.answered})."
        )
    if rule != QUORUM:
        raise ValueError(f"Unknown consensus rule {rule!r}")
    quorum_met = tally.districts > 0 and Decimal(tally.answered) * 100 >= quorum_percent * tally.districts
    threshold_met = tally.voting > 0 and Decimal(tally.support) * 100 >= threshold_percent * tally.voting
    if quorum_met and threshold_met:
        return Verdict(ADOPT, f"Quorum ({tally.answered} of {tally.districts} answered) and threshold "
                              f"({tally.support} of {tally.voting} endorse) are met.")  # fmt: skip
    if everyone or closing:
        missing = "the quorum" if not quorum_met else "the threshold"
        return Verdict(REJECTED, f"Counted: {missing} is not met.")
    return Verdict(WAIT, f"{tally.answered} of {tally.districts} districts have answered.")


# --- Expected annual volume ---------------------------------------------------------------------

OZ_PER_LB = Decimal(16)
LB, CASE, EACH = "lb", "case", "each"
OZ = "oz"


class VolumeError(ValueError):
    pass


@dataclass(frozen=True)
class Volume:
    servings: Decimal  # a year's servings
    per_month: Decimal  # in the item's unit, for each month served
    annual: Decimal  # in the item's unit, full precision
    steps: tuple[str, ...]  # the conversion, shown to the district


def fmt(value: Decimal, places: int = 0) -> str:
    """A figure for people: rounded half up once, thousands separators."""
    quantum = Decimal(1).scaleb(-places)
    return f"{value.quantize(quantum, rounding=ROUND_HALF_UP):,}"


def annual_volume(*, times_per_month: Decimal, months: int, servings_per_day: Decimal,
                  serving_size: Decimal, serving_unit: str, item_unit: str,
                  case_net_weight_lb: Decimal | None = None) -> Volume:  # fmt: skip
    """Times a month x months x servings a menu day = servings a year; x serving size, converted to
    the item's unit. E.g. 2 x 9 x 1,200 = 21,600 servings x 4 oz = 86,400 oz / 16 = 5,400 lb."""
    servings_month = Decimal(times_per_month) * Decimal(servings_per_day)
    servings = servings_month * months
    steps = [f"{fmt(Decimal(times_per_month), 2).rstrip('0').rstrip('.')} times a month × {months} months "
             f"× {fmt(Decimal(servings_per_day))} servings a day = {fmt(servings)} servings"]  # fmt: skip
    if item_unit == EACH:
        if serving_unit != EACH:
            raise VolumeError("The item is counted each: give the serving size in pieces (each).")
        factor = Decimal(serving_size)
        steps.append(f"× {fmt(factor, 2)} each a serving = {fmt(servings * factor)} each")
    elif item_unit in (LB, CASE):
        if serving_unit == OZ:
            factor = Decimal(serving_size) / OZ_PER_LB
            steps.append(f"× {fmt(Decimal(serving_size), 2)} oz = {fmt(servings * Decimal(serving_size))} oz"
                         f" ÷ 16 oz a pound = {fmt(servings * factor, 2)} lb")  # fmt: skip
        elif serving_unit == LB:
            factor = Decimal(serving_size)
            steps.append(f"× {fmt(factor, 3)} lb = {fmt(servings * factor, 2)} lb")
        else:
            raise VolumeError("The item is bought by weight: give the serving size in ounces or pounds.")
        if item_unit == CASE:
            if not case_net_weight_lb:
                raise VolumeError("The item is bought by the case: it needs the net weight of a case.")
            factor = factor / Decimal(case_net_weight_lb)
            steps.append(
                f"÷ {fmt(Decimal(case_net_weight_lb), 2)} lb a case = {fmt(servings * factor, 2)} cases"
            )
    else:
        raise VolumeError(f"Unknown unit {item_unit!r}")
    return Volume(
        servings=servings, per_month=servings_month * factor, annual=servings * factor, steps=tuple(steps)
    )


def annual_figure(*, times_per_month: Decimal, months: int, servings_per_day: Decimal, serving_size: Decimal,
                  serving_unit: str, item_unit: str, case_net_weight_lb: Decimal | None = None) -> Decimal:  # fmt: skip
    """``annual_volume(...).annual`` without the words (the pooled-demand pages add up thousands)."""
    servings = Decimal(times_per_month) * Decimal(servings_per_day) * months
    if item_unit == EACH and serving_unit == EACH:
        return servings * Decimal(serving_size)
    if item_unit in (LB, CASE) and serving_unit in (OZ, LB):
        pounds = servings * Decimal(serving_size) / (OZ_PER_LB if serving_unit == OZ else 1)
        if item_unit == LB:
            return pounds
        if case_net_weight_lb:
            return pounds / Decimal(case_net_weight_lb)
    return annual_volume(times_per_month=times_per_month, months=months, servings_per_day=servings_per_day,
                         serving_size=serving_size, serving_unit=serving_unit, item_unit=item_unit,
                         case_net_weight_lb=case_net_weight_lb).annual  # raises the VolumeError  # fmt: skip


def monthly(*, annual: Decimal, months: Sequence[int]) -> dict[int, Decimal]:
    """An annual volume spread evenly over the months it is served (full precision)."""
    if not months:
        return {}
    share = annual / len(months)
    return {month: share for month in months}


# --- The local clause ---------------------------------------------------------------------------

LOCAL_SPEC = "specification"
LOCAL_PREFERENCE = "preference"
LOCAL_BOTH = "both"
LOCAL_NEITHER = "neither"
UNPROCESSED = "unprocessed"
MINIMAL = "minimal"
PROCESSED = "processed"

LOCAL_SPEC_REFUSED = (
    "“Locally grown, raised or caught” can be written into the specification only for unprocessed "
    "or minimally processed foods (7 CFR 210.21(g), as amended by the 2024 final rule). This item "
    "is processed: make local a scoring advantage (geographic preference) instead, or neither."
)


def local_clause_problem(*, clause: str, processing: str, definition: str) -> str | None:
    """Why the local clause cannot stand, or None."""
    if clause in (LOCAL_SPEC, LOCAL_BOTH) and processing == PROCESSED:
        return LOCAL_SPEC_REFUSED
    if clause in (LOCAL_SPEC, LOCAL_BOTH, LOCAL_PREFERENCE) and not definition.strip():
        return "Say what local means (a radius in miles, or states or counties) when the clause uses it."
    return None


# --- Claims and attributes, as typed in a form --------------------------------------------------


def parse_claims(text: str) -> list[dict[str, str]]:
    """One claim a line, ``claim | how it is verified``; a claim without its verification is refused."""
    claims = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        claim, sep, verification = line.partition("|")
        if not sep or not claim.strip() or not verification.strip():
            raise ValueError(f"Line {number}: write the claim, a bar, then how it is verified "
                             "(e.g. “No antibiotics ever | USDA Process Verified Program”).")  # fmt: skip
        claims.append({"claim": claim.strip(), "verification": verification.strip()})
    return claims


def parse_attributes(text: str) -> dict[str, str]:
    """One ``key: value`` a line."""
    found: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        key, sep, value = line.partition(":")
        if not sep or not key.strip():
            raise ValueError(f"Line {number}: write the attribute as “name: value”.")
        found[key.strip()] = value.strip()
    return found


def claims_text(claims: Sequence[Mapping[str, str]]) -> str:
    return "\n".join(f"{c['claim']} | {c['verification']}" for c in claims)


def attributes_text(attributes: Mapping[str, str]) -> str:
    return "\n".join(f"{k}: {v}" for k, v in attributes.items())


# --- Differences between two versions -----------------------------------------------------------


@dataclass(frozen=True)
class Row:
    label: str
    left: str
    right: str

    @property
    def changed(self) -> bool:
        return self.left != self.right


def diff(left: Mapping[str, str], right: Mapping[str, str], labels: Mapping[str, str]) -> list[Row]:
    """Field by field, in ``labels`` order, then any attribute only one side has."""
    keys = list(labels) + [k for k in (*left, *right) if k not in labels]
    seen: dict[str, None] = dict.fromkeys(keys)
    return [Row(labels.get(k, k), left.get(k, ""), right.get(k, "")) for k in seen]
