"""Rendering that list pages do 50 times a request, without the template engine's per-call cost
(issue 16: on the review queue, the order list and the state's entitlements page, template
filters, includes, ``{% url %}`` and the form renderer's one template per ``<option>`` were most
of the time). Each helper gives exactly what the template code it replaces gives; the tests
compare them with Django's own filters and widgets (tests/test_fast_render.py).

* ``money(value)``: ``{{ value|floatformat:2|intcomma }}``;
* ``whole(value)``: ``{{ value|intcomma }}`` for an integer;
* ``datetime_text(dt)``: ``{{ dt|date:"DATETIME_FORMAT" }}`` in the current time zone;
* ``UrlPattern``: ``reverse(name, args=[pk])`` for many pks, reversed once;
* ``FastSelect``: a ``Select`` widget whose options are written in Python, not one template each.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal
from typing import Any
from urllib.parse import quote

from django import forms
from django.forms.models import ModelChoiceIterator
from django.urls import reverse
from django.utils import dateformat, formats, timezone
from django.utils.dates import MONTHS_3
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

_FAST_DATETIME = "M j, Y H:i"  # focus_lab/formats/en: what the fast path writes


def money(value: Decimal | int | None) -> str:
    """Two decimals, thousands separated: 1234.5 -> "1,234.50" (rounded half up, as floatformat)."""
    if value is None:
        return ""
    quantized = Decimal(value).quantize(Decimal("0.01"), rounding="ROUND_HALF_UP")
    return f"{quantized:,.2f}"


def whole(value: int | None) -> str:
    return "" if value is None else f"{value:,}"


def fixed2(value: Decimal | None) -> str:
    """``{{ value|floatformat:2 }}`` (no thousands separator), rounded half up."""
    if value is None:
        return ""
    return f"{Decimal(value).quantize(Decimal('0.01'), rounding='ROUND_HALF_UP'):.2f}"


def datetime_text(value: datetime | None, default: str = "") -> str:
    """``value`` in the current time zone as DATETIME_FORMAT writes it ("Dec 1, 2026 14:30")."""
    if value is None:
        return default
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    if formats.get_format("DATETIME_FORMAT") == _FAST_DATETIME and get_language() in ("en", "en-us"):
        return (
            f"{MONTHS_3[local.month].title()} {local.day}, {local.year} {local.hour:02d}:{local.minute:02d}"
        )
    return dateformat.format(local, formats.get_format("DATETIME_FORMAT"))


class UrlPattern:
    """``reverse(name, args=[...])`` for each row's arguments, with one reverse for the page."""

    MARK = 987654320
    SAFE = "!$&'()*+,;=/~:@"  # what reverse() leaves unquoted in an argument (RFC 3986 sub-delims)

    def __init__(self, name: str, args: int = 1) -> None:
        marks = [str(self.MARK + i) for i in range(args)]
        rest = reverse(name, args=marks)
        self.parts = []
        for mark in marks:
            before, _, rest = rest.partition(mark)
            self.parts.append(before)
        self.tail = rest

    def __call__(self, *args: object) -> str:
        return (
            "".join(
                part + quote(str(arg), safe=self.SAFE) for part, arg in zip(self.parts, args, strict=True)
            )
            + self.tail
        )


def _attrs(attrs: dict[str, Any]) -> SafeString:
    """What django/forms/widgets/attrs.html writes: in order; True as a bare name; False left out."""
    return mark_safe("".join(  # noqa: S308 - names and values escaped
        format_html(" {}", name) if value is True else format_html(' {}="{}"', name, value)
        for name, value in attrs.items() if value is not False
    ))  # fmt: skip


class FastSelect(forms.Select):
    """``forms.Select`` written without a template per option: the same options, selected value,
    attributes and groups as Django's widget (its ``get_context`` decides them)."""

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        parts = [format_html('<select name="{}"{}>', widget["name"], _attrs(widget["attrs"]))]
        for group_name, options, _index in widget["optgroups"]:
            if group_name:
                parts.append(format_html('<optgroup label="{}">', group_name))
            for option in options:
                parts.append(format_html(
                    '<option value="{}"{}>{}</option>', option["value"], _attrs(option["attrs"]),
                    conditional_escape(option["label"]),
                ))  # fmt: skip
            if group_name:
                parts.append("</optgroup>")
        parts.append("</select>")
        return mark_safe("".join(str(p) for p in parts))  # noqa: S308 - every part is escaped above


def make_fast(widget: forms.Widget) -> None:
    """Turn a ``Select`` (or subclass, e.g. ``NullBooleanSelect``) instance into its fast twin."""
    if (
        isinstance(widget, forms.Select)
        and not isinstance(widget, FastSelect)
        and not widget.allow_multiple_selected
    ):
        widget.__class__ = type(f"Fast{type(widget).__name__}", (FastSelect, type(widget)), {})


class _FetchedChoices(ModelChoiceIterator):
    """A model choice list read with one plain query. Django's iterator uses ``.iterator()``: a
    server-side cursor, outside a transaction ``DECLARE ... WITH HOLD``, ``FETCH`` and ``CLOSE``,
    three round trips and a materialised result for a list of a few dozen rows."""

    def __iter__(self) -> Iterator[Any]:
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.queryset.all():
            yield self.choice(obj)


def fetch_choices_plainly(field: forms.Field) -> None:
    """Make a ``ModelChoiceField``'s options come from one plain query (see ``_FetchedChoices``);
    an iterator class that adds choices (django-filter's null choice) keeps doing so."""
    if isinstance(field, forms.ModelChoiceField) and not issubclass(field.iterator, _FetchedChoices):
        base = field.iterator
        field.iterator = (_FetchedChoices if base is ModelChoiceIterator
                          else type(f"Fetched{base.__name__}", (base, _FetchedChoices), {}))  # fmt: skip
        field.widget.choices = field.choices
