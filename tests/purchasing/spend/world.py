"""A learning lab with hand-checked spending for the dashboard tests.

School year 2026-27 (July 2026 to June 2027), district A (the conftest ``district``):
  Sep 2026  vegetable  commercial  local     $300.00   100 lb
  Sep 2026  vegetable  USDA Foods  other     $200.00   400 lb
  Oct 2026  meat       commercial  regional  $150.00    50 lb
  Oct 2026  meat       commercial  unknown    $50.00    10 lb
  Nov 2026  meat       commercial  local     $200.00    80 lb  drumsticks (priority item), also "nae"
  and, outside the year: Jun 2026 fruit $500 (SY 2025-26), Jul 2027 fruit $999 (SY 2027-28).
  SY 2026-27: total $900, local $500 (55.56%), regional $150; excluding USDA Foods: $700,
  local 71.43%; local and regional 72.22% (92.86% excluding USDA Foods).
District B (same lab): Sep 2026 vegetable commercial local $1,000 and other $1,000.
  Lab: total $2,900, local $1,500 (51.72%), excluding USDA Foods $2,700 (55.56%).
District C (``other_district``, another lab): $5,000 local, never in this lab's figures."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from purchasing.priority_items.models import MenuCommitment, PriorityItem
from purchasing.records.models import ClaimSummary, SpendSummary, VendorSummary
from tests.factories import DistrictFactory


def spend(district: Any, month: date, category: str, source: str, local_class: str, amount: str,
          pounds: str = "0", item: Any = None, vendor: str = "Upper Midwest Foods") -> None:  # fmt: skip
    SpendSummary.objects.create(district=district, month=month, category=category, source=source,
                                local_class=local_class, priority_item=item, spend=Decimal(amount),
                                pounds=Decimal(pounds), lines=1)  # fmt: skip
    row, _ = VendorSummary.objects.get_or_create(
        district=district, month=month, vendor_name=vendor, source=source, local_class=local_class,
        defaults={"spend": Decimal(0), "lines": 0},
    )  # fmt: skip
    row.spend += Decimal(amount)
    row.lines += 1
    row.save()


def build(district: Any, other_district: Any) -> dict[str, Any]:
    lab = district.collaborative
    b = DistrictFactory(name="District B", collaborative=lab, state_agency=district.state_agency)
    item = PriorityItem.objects.create(collaborative=lab, name="Chicken drumsticks", unit="lb")
    MenuCommitment.objects.create(item=item, district=district, times_per_month=Decimal(2), months=[9, 10, 11],
                                  servings_per_day=100, serving_size=Decimal(4), override_volume=Decimal(1000),
                                  override_reason="Last year's invoices")  # fmt: skip
    spend(
        district,
        date(2026, 9, 1),
        "vegetable",
        "commercial",
        "local",
        "300",
        "100",
        vendor="Green Acres Farm",
    )
    spend(district, date(2026, 9, 1), "vegetable", "usda_foods", "other", "200", "400", vendor="USDA Foods")
    spend(district, date(2026, 10, 1), "meat_poultry", "commercial", "regional", "150", "50")
    spend(district, date(2026, 10, 1), "meat_poultry", "commercial", "unknown", "50", "10")
    spend(district, date(2026, 11, 1), "meat_poultry", "commercial", "local", "200", "80", item=item,
          vendor="Prairie Poultry")  # fmt: skip
    ClaimSummary.objects.create(district=district, month=date(2026, 11, 1), claim="nae", source="commercial",
                                local_class="local", spend=Decimal(200), pounds=Decimal(80), lines=1)  # fmt: skip
    spend(district, date(2026, 6, 1), "fruit", "commercial", "other", "500")
    spend(district, date(2027, 7, 1), "fruit", "commercial", "local", "999")
    spend(b, date(2026, 9, 1), "vegetable", "commercial", "local", "1000", vendor="B Secret Farm")
    spend(b, date(2026, 9, 1), "vegetable", "commercial", "other", "1000", vendor="B Secret Farm")
    spend(
        other_district, date(2026, 9, 1), "vegetable", "commercial", "local", "5000", vendor="Far Away Farm"
    )
    return {"lab": lab, "b": b, "item": item}
