"""Wording filters for the ordering and shipping pages: ``{{ n|count_of:"truck" }}`` ("1 truck",
"2 trucks", "1,400 cases") and ``{{ km|distance:units }}`` (miles unless ``units`` is "km")."""

from __future__ import annotations

from django import template

from focus_lab import text

register = template.Library()


@register.filter
def count_of(number: object, noun: str) -> str:
    """``noun`` may give the plural after a comma: ``{{ n|count_of:"box,boxes" }}``."""
    singular, _, plural = noun.partition(",")
    return text.count_of(number, singular, plural or None)


@register.filter
def distance(km: object, units: str | None = None) -> str:
    return text.distance(km, units or "miles")
