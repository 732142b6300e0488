"""The dashboards on real purchase records: imported through the purchases import, classified
under the lab's definition (Minnesota local; MN, WI and IA regional) and summarised by
summaries_refresh. A local purchase that is also "no antibiotics ever" counts once in local,
once under its claim, once in the total."""

from decimal import Decimal

import pytest

from purchasing.records.models import PurchaseRecord
from purchasing.records.services import summaries_refresh
from purchasing.spend import rules
from purchasing.spend.dashboards import dashboard
from tests.purchasing.records.fixtures import lab_definition, line, purchases

pytestmark = pytest.mark.django_db
D = Decimal


def test_local_and_nae_counted_once_in_each_and_once_in_the_total(collaborative, district, site, manager):
    lab_definition(collaborative)
    report = purchases(
        manager,
        line(spend="250", origin="MN"),  # local carrots
        line(
            description="Chicken drumsticks",
            category="meat_poultry",
            unit="lb",
            qty="100",
            weight="",
            spend="300",
            origin="MN",
            claims="no antibiotics ever; organic",
        ),  # local, two claims  # fmt: skip
        line(spend="100", origin="CA"),  # in-state vendor, California food: not local
        line(spend="40", origin="unknown", source="USDA Foods", unit="each", weight=""),
        line(day="10/02/2026", spend="60", origin="Dane County, WI"),  # regional, October
    )
    assert report.ok, report.errors
    board = dashboard(user=manager, lab=collaborative, district=district, period=rules.Period(2026),
                      today=rules.Period(2026).first)  # fmt: skip
    h = board.headline
    assert h["total_spend"] == D("750.00")  # 250 + 300 + 100 + 40 + 60, each purchase once
    assert h["local_spend"] == D("550.00")
    assert h["local_share"] == D("73.33")  # 550 / 750
    assert h["local_share_excluding_usda_foods"] == D("77.46")  # 550 / 710
    assert h["local_regional_share_excluding_usda_foods"] == D("85.92")  # 610 / 710
    claims = {row[0]: row[1:] for row in board.table("claims").rows}
    assert claims == {"No antibiotics ever": [D("300.00"), D("300.00"), D("40.00")],
                      "Certified organic": [D("300.00"), D("300.00"), D("40.00")]}  # fmt: skip
    assert board.table("shares").total[1] == D("750.00")
    assert [row[:2] for row in board.table("months").rows[2:4]] == [["Sep 2026", D("690.00")],
                                                                    ["Oct 2026", D("60.00")]]  # fmt: skip
    # The summaries, not the raw rows: a row written without a refresh is not counted until one runs.
    PurchaseRecord.objects.filter(spend=D("100")).update(spend=D("1100"))
    again = dashboard(user=manager, lab=collaborative, district=district, period=rules.Period(2026),
                      today=rules.Period(2026).first)  # fmt: skip
    assert again.headline["total_spend"] == D("750.00")
    summaries_refresh(district_ids=[district.pk])
    refreshed = dashboard(user=manager, lab=collaborative, district=district, period=rules.Period(2026),
                          today=rules.Period(2026).first)  # fmt: skip
    assert refreshed.headline["total_spend"] == D("1750.00")
