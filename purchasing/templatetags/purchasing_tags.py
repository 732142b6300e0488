"""Figures for people: volumes and dollars rounded half up once, here, with thousands separators."""

from __future__ import annotations

from decimal import Decimal

from django import template

from purchasing.priority_items.rules import fmt
from purchasing.spend.tables import show

register = template.Library()


@register.filter
def volume(value: Decimal | None) -> str:
    return "—" if value is None else fmt(Decimal(value))


@register.filter
def dollars(value: Decimal | None) -> str:
    return "—" if value is None else "$" + fmt(Decimal(value), 2)


@register.filter
def get_month(names: dict[int, str], month: int) -> str:
    return names.get(month, "")


@register.filter
def lookup(names: dict, key: object) -> object:
    """A label by its key (a practice, a certification kind)."""
    return names.get(key, key)


@register.filter
def cell(value: object, kind: str) -> str:
    """A dashboard figure by its kind: dollars and cents, a percent, pounds, a volume."""
    return show(value, kind)
