"""Figures for people: volumes and dollars rounded half up once, here, with thousands separators."""

from __future__ import annotations

from decimal import Decimal

from django import template

from purchasing.priority_items.rules import fmt

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
    """A dashboard cell by its column's kind: dollars and cents, a percent, pounds, a volume."""
    if value is None:
        return "—"
    if kind == "money":
        return dollars(value)
    if kind == "percent":
        return fmt(Decimal(value), 2) + "%"
    if kind == "pounds":
        return fmt(Decimal(value)) + " lb"
    if kind == "volume":
        return fmt(Decimal(value), 2)
    return str(value)


@register.filter
def index(values: list, position: int) -> object:
    return values[position]
