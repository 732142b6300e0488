"""Purchase records through the shared import pipeline: every bad cell reported and nothing
written, the same file refused twice, an overlapping period refused unless the person says to
replace it, vendor and priority-item matching, summaries kept, undo."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from accounts.models import Role
from focus_lab.imports.services import import_undo
from partners.suppliers.models import Supplier
from purchasing.records.models import (
    AliasStatus,
    ClaimSummary,
    KeywordRule,
    PurchaseRecord,
    SpendSummary,
    VendorAlias,
)
from purchasing.records.services import keyword_rule_save, vendor_alias_decide
from tests.factories import member
from tests.partners.supplier_fixtures import make_supplier
from tests.purchasing.records.fixtures import lab_definition, line, purchases

pytestmark = pytest.mark.django_db


@pytest.fixture
def lab(collaborative, district, site):
    return lab_definition(collaborative)


def test_a_file_is_imported_classified_and_summarised(lab, manager, site):
    report = purchases(
        manager,
        line(site="Alpha High School"),  # 10 cases × 25 lb, grown in MN: local
        line(
            origin="CA", spend="$100.00", qty="10", unit="lb", weight=""
        ),  # in-state vendor, California food
        line(origin="Dane County, WI", spend="60", unit="gallon", weight="", claims="no antibiotics ever"),
        line(origin="unknown", spend="40", source="USDA Foods", unit="each", weight=""),
    )
    assert report.ok, report.errors
    assert report.created == 4
    rows = list(
        PurchaseRecord.objects.order_by("id").values_list("local_class", "pounds", "site_id", "vendor_id")
    )
    assert rows == [("local", Decimal("250.000"), site.pk, None), ("other", Decimal("10.000"), None, None),
                    ("regional", None, None, None), ("unknown", None, None, None)]  # fmt: skip
    spend = {(s.local_class, s.source): (s.spend, s.pounds, s.lines) for s in SpendSummary.objects.all()}
    assert spend == {
        ("local", "commercial"): (Decimal("250.00"), Decimal("250.000"), 1),
        ("other", "commercial"): (Decimal("100.00"), Decimal("10.000"), 1),
        ("regional", "commercial"): (Decimal("60.00"), Decimal("0.000"), 1),
        ("unknown", "usda_foods"): (Decimal("40.00"), Decimal("0.000"), 1),
    }
    assert {s.month for s in SpendSummary.objects.all()} == {date(2026, 9, 1)}


def test_a_purchase_both_local_and_nae_counts_once_in_each_and_once_in_the_total(lab, manager):
    report = purchases(
        manager, line(spend="300", claims="NAE; organic"), line(origin="CA", spend="200", claims="nae")
    )
    assert report.ok, report.errors
    total = sum(s.spend for s in SpendSummary.objects.all())
    assert total == Decimal("500.00")  # not 300 + 300 + 300 + 200 + 200
    local = sum(s.spend for s in SpendSummary.objects.filter(local_class="local"))
    nae = sum(c.spend for c in ClaimSummary.objects.filter(claim="nae"))
    organic = sum(c.spend for c in ClaimSummary.objects.filter(claim="organic"))
    assert (local, nae, organic) == (Decimal("300.00"), Decimal("500.00"), Decimal("300.00"))
    assert ClaimSummary.objects.get(claim="nae", local_class="local").spend == Decimal("300.00")


def test_every_bad_cell_is_reported_and_nothing_is_written(lab, manager, other_district, district):
    viewer_district = district
    report = purchases(
        manager,
        line(),
        line(day="13/45/2026", qty="-2", unit="box", spend="twelve", district="Nowhere Schools"),
        line(site="Gamma Middle"),
        line(district=other_district.name),
        line(category="candy", source="barter", claims="halal"),
    )
    assert not report.ok and PurchaseRecord.objects.count() == 0 and SpendSummary.objects.count() == 0
    problems = {(e.line, e.column): e.message for e in report.errors}
    assert problems[(3, "Invoice Date")] == "“13/45/2026” is not a real date"
    assert problems[(3, "Qty")] == "must be at least 0"
    assert problems[(3, "UOM")] == "“box” is not a unit we know: lb, case, each, gallon or dozen."
    assert problems[(3, "Ext Price")] == "“twelve” is not a number"
    assert problems[(3, "District")] == "“Nowhere Schools” is no district you can see (name or agency code)."
    assert problems[(4, "Site")] == f"{viewer_district.name} has no site named “Gamma Middle”."
    # another lab's district is invisible to this manager: unknown, not named
    assert (
        problems[(5, "District")]
        == f"“{other_district.name}” is no district you can see (name or agency code)."
    )
    assert problems[(6, "Category")].startswith("“candy” is not a category we know")
    assert problems[(6, "Source")].startswith("“barter” is not a source we know")
    assert problems[(6, "Claims")] == "Not production claims we know: halal."
    assert len(report.errors) == 10


def test_a_district_the_user_sees_but_may_not_write_is_refused(lab, district, manager, collaborative):
    from tests.factories import DistrictFactory

    neighbour = DistrictFactory(name="Neighbour Schools", collaborative=collaborative)
    member(Role.DISTRICT_VIEWER, neighbour, email=manager.email.replace("@", "+v@"))
    both = member(Role.DISTRICT_MANAGER, district)

    from accounts.models import Membership

    Membership.objects.create(user=both, role=Role.DISTRICT_VIEWER, district=neighbour)
    report = purchases(both, line(district="Neighbour Schools"))
    assert not report.ok and PurchaseRecord.objects.count() == 0
    assert report.errors[0].message == "You may not import purchases for Neighbour Schools."


def test_a_lab_admin_sees_but_may_not_write_a_district_of_another_lab(lab, collab_admin, other_district):
    report = purchases(collab_admin, line(district=other_district.name))
    assert not report.ok
    assert "no district you can see" in report.errors[0].message


def test_the_same_file_is_refused_the_second_time(lab, manager):
    body = (line(), line(day="09/16/2026"))
    assert purchases(manager, *body, name="sept.csv").ok
    again = purchases(manager, *body, name="sept-again.csv")
    assert not again.ok and "already imported" in again.errors[0].message
    assert PurchaseRecord.objects.count() == 2


def test_an_overlapping_period_is_refused_unless_the_person_says_to_replace(lab, manager):
    first = purchases(
        manager, line(day="09/01/2026"), line(day="09/30/2026", spend="10"), line(vendor="Other Co")
    )
    assert first.ok
    other_month = purchases(manager, line(day="10/15/2026"))
    assert other_month.ok  # no overlap: October
    corrected = (line(day="09/01/2026", spend="99"), line(day="09/20/2026", spend="1"))
    refused = purchases(manager, *corrected)
    assert not refused.ok and PurchaseRecord.objects.count() == 4
    [problem] = refused.errors
    assert problem.column == "Vendor" and problem.line == 2
    assert problem.message.startswith(
        "North Star Foods: 1 row(s) already imported for Alpha Public Schools from Sep 1, 2026 to Sep 1, 2026"
        " overlap this file's Sep 1, 2026 to Sep 20, 2026."
    )
    # said to replace: that vendor's rows in the file's period (09/01 to 09/20) go, no others
    replaced = purchases(manager, *corrected, options={"replace_overlap": True})
    assert replaced.ok, replaced.errors
    assert replaced.updated == 1  # the 09/01 row; 09/30 is outside the file's period and stays
    kept = sorted(PurchaseRecord.objects.values_list("invoice_date", "vendor_name", "spend"))
    assert kept == [
        (date(2026, 9, 1), "North Star Foods", Decimal("99.00")),
        (date(2026, 9, 15), "Other Co", Decimal("250.00")),  # another vendor: untouched
        (date(2026, 9, 20), "North Star Foods", Decimal("1.00")),
        (date(2026, 9, 30), "North Star Foods", Decimal("10.00")),
        (date(2026, 10, 15), "North Star Foods", Decimal("250.00")),
    ]
    assert sum(s.spend for s in SpendSummary.objects.filter(month=date(2026, 9, 1))) == Decimal("360.00")
    # undo restores the replaced row and the summaries
    import_undo(run=replaced.run, user=manager)
    assert sorted(PurchaseRecord.objects.values_list("invoice_date", "spend"))[0] == (
        date(2026, 9, 1),
        Decimal("250.00"),
    )
    assert sum(s.spend for s in SpendSummary.objects.filter(month=date(2026, 9, 1))) == Decimal("510.00")


def test_vendor_names_match_exactly_or_by_a_confirmed_similar_name(lab, manager, collab_admin, collaborative):
    farm = make_supplier(collaborative, "Prairie Root Farm", origin=("44.50", "-93.00"))
    hub = make_supplier(collaborative, "North Star Foods Inc", kind="distributor")
    report = purchases(
        manager, line(vendor="prairie root farm", origin=""), line(vendor="North Star Food Inc")
    )
    assert report.ok, report.errors
    exact = PurchaseRecord.objects.get(vendor_name="prairie root farm")
    # a farm with one origin: its origin stands in for the unwritten one
    assert (
        exact.vendor_id == farm.pk and exact.origin_state == "MN" and exact.origin_latitude == Decimal("44.5")
    )
    similar = PurchaseRecord.objects.get(vendor_name="North Star Food Inc")
    assert similar.vendor_id is None  # suggested, not linked until confirmed
    alias = VendorAlias.objects.get()
    assert (alias.name, alias.supplier_id, alias.status) == (
        "north star food inc",
        hub.pk,
        AliasStatus.SUGGESTED,
    )
    assert vendor_alias_decide(alias=alias, accept=True, user=collab_admin) == 1
    similar.refresh_from_db()
    assert similar.vendor_id == hub.pk
    # remembered: the next file links at once
    later = purchases(manager, line(vendor="North Star Food Inc", day="11/02/2026"))
    assert PurchaseRecord.objects.get(import_run=later.run).vendor_id == hub.pk
    assert Supplier.objects.count() == 2


def test_keyword_rules_match_descriptions_to_priority_items(
    lab, manager, collab_admin, collaborative, district
):
    from tests.purchasing.fixtures import propose_drumsticks

    item, _ = propose_drumsticks(manager, collaborative)
    purchases(manager, line(description="CHICKEN DRUMSTICK IQF 40#"), line(description="Drumsticks, turkey"))
    assert PurchaseRecord.objects.filter(priority_item__isnull=False).count() == 0
    matched = keyword_rule_save(rule=KeywordRule(collaborative=collaborative, keyword="Chicken  Drumstick",
                                                 priority_item=item), user=collab_admin)  # fmt: skip
    assert matched == 1  # whole words: "drumsticks, turkey" does not match "chicken drumstick"
    assert SpendSummary.objects.get(priority_item=item).spend == Decimal("250.00")
    later = purchases(manager, line(description="chicken drumstick, bone-in", day="10/01/2026"))
    assert PurchaseRecord.objects.get(import_run=later.run).priority_item_id == item.pk


def test_rows_alike_but_for_the_description_each_get_their_own_priority_item(
    lab, manager, collab_admin, collaborative
):
    """The import keeps a good row's lookups for the rows after it that share its district, site,
    unit, category, source and claims; the priority item is still found from each description."""
    from tests.purchasing.fixtures import propose_drumsticks

    item, _ = propose_drumsticks(manager, collaborative)
    keyword_rule_save(rule=KeywordRule(collaborative=collaborative, keyword="chicken drumstick", priority_item=item),
                      user=collab_admin)  # fmt: skip
    descriptions = [
        "Carrots, whole",
        "CHICKEN DRUMSTICK IQF",
        "Apples",
        "chicken drumstick, bone-in",
        "Apples",
    ]
    report = purchases(manager, *(line(description=d) for d in descriptions))
    assert report.ok, report.errors
    found = list(PurchaseRecord.objects.order_by("id").values_list("product_description", "priority_item_id"))
    assert found == [(d, item.pk if "drumstick" in d.lower() else None) for d in descriptions]
