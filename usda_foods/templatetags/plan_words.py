"""Shipment plan figures in plain words for templates: ``{{ km|miles }}``, ``{{ km|miles:"km" }}``,
``{% plan_sentences plan as sentences %}`` (what the adjusted cases and trucks mean, bounds in
words) and ``{{ n|counted:"truck" }}`` ("1 truck", "2 trucks"). The words come from the pure
planner (``usda_foods.shipping.planner.words``)."""

from __future__ import annotations

from decimal import Decimal

from django import template

from usda_foods.shipping.planner import words

register = template.Library()


@register.filter
def miles(km: float | Decimal | None, unit: str = "mi") -> str:
    """A distance stored in kilometres, shown in miles (or kilometres with ``"km"``)."""
    if km is None or km == "":
        return ""
    return words.distance(float(km), unit="km" if unit == "km" else "mi")


@register.filter
def counted(n: int | None, singular: str) -> str:
    return words.count(int(n or 0), singular)


@register.simple_tag
def plan_sentences(plan: object) -> dict[str, str]:
    """``adjusted`` and ``trucks`` sentences of a stored plan (any object with the plan's fields)."""
    return {
        "adjusted": words.adjusted_sentence(
            adjusted=plan.adjusted_cases, bound=plan.adjusted_cases_bound, requested=plan.requested_cases
        ),
        "trucks": words.trucks_sentence(trucks=plan.trucks, bound=plan.trucks_bound),
    }
