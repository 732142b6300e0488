"""Plain labels: filters say "Any" (never "---------" or "Unknown"), and names ending in s take a
plain apostrophe ("Alpha Public Schools' answer", not "Schools's")."""

from __future__ import annotations

import pytest
from django.urls import reverse

from focus_lab.text import possessive

pytestmark = pytest.mark.django_db


def test_possessive():
    assert possessive("Alpha Public Schools") == "Alpha Public Schools'"
    assert possessive("Minneapolis Public School District") == "Minneapolis Public School District's"


@pytest.mark.parametrize(
    "url_name",
    ["districts:district-list", "districts:site-list", "partners:partner-list", "usda_foods:order-list",
     "usda_foods:lunch-count-list", "usda_foods:catalog-list"],
)  # fmt: skip
def test_filters_offer_any_instead_of_dashes_or_unknown(client_for, sda_reviewer, url_name, district):
    html = client_for(sda_reviewer).get(reverse(url_name)).content.decode()
    assert "---------" not in html and ">Unknown<" not in html
    assert ">Any<" in html


def test_commodity_school_filter_reads_any_yes_no(client_for, sda_reviewer):
    html = client_for(sda_reviewer).get(reverse("districts:district-list")).content.decode()
    select = html[html.index('name="is_commodity_school"') :]
    select = select[: select.index("</select>")]
    assert [">Any<", ">Yes<", ">No<"] == [t for t in (">Any<", ">Yes<", ">No<") if t in select]


def test_dates_read_the_same_everywhere():
    """One date format ("Dec 1, 2026") and one date-time format ("Dec 1, 2026 14:30"); templates
    name no other (a range may drop the year of its first day; a delivery day may add its weekday)."""
    import re
    from datetime import date, datetime
    from pathlib import Path

    from django.template import Context, Template

    rendered = Template('{{ d|date }} · {{ t|date:"DATETIME_FORMAT" }} · {{ d }}').render(
        Context({"d": date(2026, 12, 1), "t": datetime(2026, 12, 1, 14, 30)})
    )
    assert rendered == "Dec 1, 2026 · Dec 1, 2026 14:30 · Dec 1, 2026"
    allowed = {"DATETIME_FORMAT", "M j", "D M j", "D M j, Y"}
    templates = Path(__file__).resolve().parents[1] / "templates"
    used = {
        (path.name, fmt)
        for path in templates.rglob("*.html")
        if not path.name.endswith("_pdf.html")  # the printed manifest spells its dates out
        for fmt in re.findall(r'\|date:"([^"]*)"', path.read_text())
    }
    assert {(name, fmt) for name, fmt in used if fmt not in allowed} == set()


def test_the_dashboard_counts_sites_in_words(client_for, manager, site):
    html = client_for(manager).get(reverse("dashboard")).content.decode()
    assert ">1 site<" in html and "1 sites" not in html
