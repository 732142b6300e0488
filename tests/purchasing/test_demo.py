"""The demo lab's priority items: two adopted with the seven districts' commitments, one under
discussion; pooled figures hand-checked; a second run changes nothing."""

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.models import User
from purchasing.priority_items.models import MenuCommitment, PriorityItem, SpecVersion
from purchasing.priority_items.selectors import candidate_suppliers, pooled_demand

pytestmark = pytest.mark.django_db


def test_demo_priority_items():
    call_command("seed_demo", stdout=StringIO())
    demands = {d.item.name: d for d in pooled_demand(PriorityItem.objects.all())}
    drumsticks = demands["Chicken drumsticks, raised without antibiotics"]
    # Servings a month: 2x9,000 + 2x10,000 + 1x6,500 + 2x22,000 + 2x8,000 + 1x4,000 + 2x7,500 = 123,500;
    # x 9 months x 4 oz / 16 = 277,875 lb; x $2.35 = $653,006.25.
    assert drumsticks.total == Decimal(277_875)
    assert drumsticks.value == Decimal("653006.25")
    assert drumsticks.item.adopted_number == 2 and len(drumsticks.rows) == 7
    tortillas = demands["Whole-grain tortillas, 8 inch"]
    assert tortillas.total == Decimal(755_000) and tortillas.value == Decimal("143450.00")
    squash = demands["Frozen diced butternut squash"]
    assert squash.item.open_status == "proposed" and squash.rows == []
    v1 = SpecVersion.objects.get(item=drumsticks.item, number=1)
    assert v1.status == "superseded" and v1.endorsements.filter(stance="object").count() == 1
    _, found = candidate_suppliers(user=User.objects.get(email="admin@focuslab.example"), item=drumsticks.item,
                                   today=timezone.localdate())  # fmt: skip
    assert [c.supplier.name for c in found] == ["Gold Prairie Poultry"]  # RWA by PVP, HACCP, within 300 miles
    before = (PriorityItem.objects.count(), SpecVersion.objects.count(), MenuCommitment.objects.count())
    call_command("seed_demo", stdout=StringIO())
    assert (
        (PriorityItem.objects.count(), SpecVersion.objects.count(), MenuCommitment.objects.count())
        == before
        == (3, 4, 14)
    )


def test_demo_purchases_a_year_for_the_seven_districts():
    from django.db.models import Sum

    from purchasing.records.models import LocalDefinition, PurchaseRecord, SpendSummary

    call_command("seed_demo", stdout=StringIO())
    assert PurchaseRecord.objects.count() == 7 * 12 * 5
    assert PurchaseRecord.objects.values("district").distinct().count() == 7
    assert LocalDefinition.objects.get().local_radius_miles == Decimal(250)
    classes = set(PurchaseRecord.objects.values_list("local_class", flat=True))
    assert classes == {"local", "regional", "other", "unknown"}
    raw = PurchaseRecord.objects.aggregate(s=Sum("spend"))["s"]
    assert SpendSummary.objects.aggregate(s=Sum("spend"))["s"] == raw  # the summaries hold every dollar once
    assert PurchaseRecord.objects.filter(priority_item__isnull=False).exists()
    call_command("seed_demo", stdout=StringIO())
    assert PurchaseRecord.objects.count() == 420
