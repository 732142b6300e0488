"""The entitlement page's drawdown chart spans its school year, July 1 to June 30, and nothing
else: one tick per month, each labelled with its year, and a drawdown dated outside the year (an
order placed in June for the autumn, one entered years later) counts on the year's first or last
day instead of stretching the axis from 2019 to 2026."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from tests.usda_foods.helpers import YEAR, entitlement
from tests.usda_foods.ordering_fixtures import ensure_reference_values
from usda_foods.entitlements.selectors import drawdown_chart
from usda_foods.entitlements.services.drawdowns import drawdown_post
from usda_foods.models import Drawdown

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def published_values():
    ensure_reference_values()  # SY 2019-20: 23.75 cents


MONTHS = ["Jul 2019", "Aug 2019", "Sep 2019", "Oct 2019", "Nov 2019", "Dec 2019",
          "Jan 2020", "Feb 2020", "Mar 2020", "Apr 2020", "May 2020", "Jun 2020"]  # fmt: skip


def _draw(row, amount: str, when: datetime | None) -> None:
    drawdown = drawdown_post(entitlement_id=row.pk, amount=Decimal(amount), user=None)
    if when is not None:
        Drawdown.objects.filter(pk=drawdown.pk).update(created_at=when)


def test_chart_spans_the_school_year_with_years_on_its_labels(client_for, sda_reviewer, district):
    row = entitlement(district)  # SY 2019-20, $237,500.00
    _draw(row, "1000.00", datetime(2019, 6, 20, 15, tzinfo=UTC))  # ordered before the year began
    _draw(row, "250.50", datetime(2019, 10, 3, 2, tzinfo=UTC))  # 9 pm on October 2 in Minnesota
    _draw(row, "99.50", None)  # entered today (2026), long after the year ended

    response = client_for(sda_reviewer).get(
        reverse("usda_foods:entitlement-detail", args=[district.pk, YEAR])
    )

    chart = response.context["chart"]
    assert (chart["start"], chart["end"]) == ("2019-07-01", "2020-06-30")
    assert [m["label"] for m in chart["months"]] == MONTHS
    assert [m["day"] for m in chart["months"]] == [0, 31, 62, 92, 123, 153, 184, 215, 244, 275, 305, 336]
    assert chart["points"] == [
        {"date": "2019-07-01", "drawn": "1000.00"},
        {"date": "2019-10-02", "drawn": "1250.50"},
        {"date": "2020-06-30", "drawn": "1350.00"},
    ]
    assert (chart["pal"], chart["cov"]) == ("237500.00", "237500.00")
    # the page hands the same data to the chart script
    html = response.content.decode()
    rendered = html.split('<script id="drawdown-data" type="application/json">')[1].split("</script>")[0]
    assert json.loads(rendered) == chart


def test_chart_of_a_year_without_drawdowns_still_spans_the_year(district):
    row = entitlement(district)

    chart = drawdown_chart(row)

    assert chart["points"] == []
    assert chart["months"][0] == {"day": 0, "label": "Jul 2019"}
    assert chart["months"][-1] == {"day": 336, "label": "Jun 2020"}
