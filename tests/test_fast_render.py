"""The fast list-page helpers give exactly what the template code they replace gives."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django import forms
from django.contrib.humanize.templatetags.humanize import intcomma
from django.template import Context, Template
from django.template.defaultfilters import date as date_filter
from django.template.defaultfilters import floatformat
from django.urls import reverse

from focus_lab.fast_render import (
    UrlPattern,
    datetime_text,
    fetch_choices_plainly,
    fixed2,
    make_fast,
    money,
    whole,
)

AMOUNTS = ["0", "0.004", "0.005", "0.015", "1", "12.345", "999.995", "1000", "1234567.891", "98765432.10"]


@pytest.mark.parametrize("amount", AMOUNTS)
def test_money_and_fixed2_are_the_template_filters(amount):
    value = Decimal(amount)
    assert money(value) == intcomma(floatformat(value, 2))
    assert fixed2(value) == floatformat(value, 2)
    assert money(None) == fixed2(None) == ""


def test_whole_is_intcomma():
    for n in (0, 7, 1000, 1234567):
        assert whole(n) == intcomma(n)


@pytest.mark.parametrize("moment", [datetime(2026, 1, 5, 6, 7, tzinfo=UTC), datetime(2026, 12, 1, 23, 59, tzinfo=UTC),
                                    datetime(2019, 7, 1, 5, 0, tzinfo=UTC)])  # fmt: skip
def test_datetime_text_is_the_date_filter_in_the_current_time_zone(moment):
    # as a template writes it: the value in the current time zone (America/Chicago), then the filter
    written = Template('{{ moment|date:"DATETIME_FORMAT" }}').render(Context({"moment": moment}))
    assert datetime_text(moment) == written
    assert written != date_filter(moment, "DATETIME_FORMAT")  # the time zone did apply
    assert datetime_text(None, "—") == "—"


def test_url_pattern_is_reverse():
    order = UrlPattern("usda_foods:order-detail")
    assert [order(pk) for pk in (1, 42, 123456)] == [
        reverse("usda_foods:order-detail", args=[pk]) for pk in (1, 42, 123456)
    ]
    detail = UrlPattern("usda_foods:entitlement-detail", args=2)
    assert detail(7, "2019-20") == reverse("usda_foods:entitlement-detail", args=[7, "2019-20"])


def _squeeze(html: str) -> str:
    return re.sub(r">\s+<", "><", html.strip())


def test_fast_select_writes_what_the_template_widget_writes():
    choices = [("", "Any"), ("a", 'A & "quoted"'), ("Group", [("b", "B"), ("c", "<C>")])]
    plain = forms.Select(choices=choices, attrs={"class": "form-select", "aria-describedby": "help"})
    fast = forms.Select(choices=choices, attrs={"class": "form-select", "aria-describedby": "help"})
    make_fast(fast)
    for value in ("", "a", "c", None):
        assert _squeeze(fast.render("f", value, {"id": "id_f"})) == _squeeze(
            plain.render("f", value, {"id": "id_f"})
        )
    nulls = forms.NullBooleanSelect()
    fast_nulls = forms.NullBooleanSelect()
    make_fast(fast_nulls)
    for value in (None, True, False):
        assert _squeeze(fast_nulls.render("n", value)) == _squeeze(nulls.render("n", value))


@pytest.mark.django_db
def test_model_choices_come_from_one_plain_query(django_assert_num_queries, mn_agency):
    from districts.models import StateAgency

    field = forms.ModelChoiceField(queryset=StateAgency.objects.order_by("state"), empty_label="Any")
    fetch_choices_plainly(field)
    make_fast(field.widget)
    with django_assert_num_queries(1) as captured:
        html = field.widget.render("s", mn_agency.pk)
    assert "CURSOR" not in captured.captured_queries[0]["sql"]
    assert f'<option value="{mn_agency.pk}" selected>' in html and '<option value="">Any</option>' in html
