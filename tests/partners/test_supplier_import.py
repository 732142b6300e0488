"""``suppliers_import_rows``: the service the shared import pipeline calls, with the duplicate
decision per row (create, update the match, skip); all or nothing."""

from __future__ import annotations

import pytest

from partners.suppliers.imports import (
    ImportRowsInvalid,
    RowDecision,
    suppliers_import_check,
    suppliers_import_rows,
)
from partners.suppliers.models import Origin, Product, Supplier, SupplierPerson
from tests.partners.supplier_fixtures import make_supplier

pytestmark = pytest.mark.django_db

ROWS = [
    {"name": "Hansen Family Orchards", "state": "MN", "email": "orders@hansen.example", "product_name": "Cider",
     "product_category": "fruit", "person_name": "Per Hansen", "origin_zip": "55057"},
    {"name": "Cedar Valley Creamery", "kind": "Processor", "state": "WI", "product_name": "Cheese curds",
     "product_category": "Dairy", "origin_zip": "53818"},
    {"name": "Lakeside Fish Co", "kind": "fishery", "state": "WI", "origin_state": "WI", "origin_city": "Bayfield"},
]  # fmt: skip


def test_check_reports_duplicates_for_the_pipelines_preview(collaborative):
    farm = make_supplier(collaborative, "Hanson Family Orchard", state="MN")
    checks = suppliers_import_check(rows=ROWS, collaborative_id=collaborative.pk)
    assert [c.problems for c in checks] == [{}, {}, {}]
    assert [(pk, name) for pk, name, _ in checks[0].matches] == [(farm.pk, "Hanson Family Orchard")]
    assert checks[1].matches == checks[2].matches == []


def test_a_row_with_a_duplicate_needs_a_decision_and_nothing_is_written_without(collaborative, partner_user):
    make_supplier(collaborative, "Hanson Family Orchard", state="MN")
    with pytest.raises(ImportRowsInvalid) as caught:
        suppliers_import_rows(rows=ROWS, decisions={}, user=partner_user, collaborative_id=collaborative.pk)
    assert [c.row for c in caught.value.checks] == [0]
    assert Supplier.objects.count() == 1


@pytest.mark.parametrize(
    ("decision", "suppliers", "people"), [("create", 4, 2), ("update", 3, 2), ("skip", 3, 1)]
)
def test_each_decision(collaborative, partner_user, decision, suppliers, people):
    farm = make_supplier(collaborative, "Hanson Family Orchard", state="MN", people=("Kari Hanson",))
    result = suppliers_import_rows(rows=ROWS, decisions={0: RowDecision(decision, farm.pk if decision == "update" else None)},
                                   user=partner_user, collaborative_id=collaborative.pk)  # fmt: skip
    assert Supplier.objects.count() == suppliers and SupplierPerson.objects.count() == people
    assert len(result.created) == suppliers - 1
    creamery = Supplier.objects.get(name="Cedar Valley Creamery")
    assert creamery.kind == "processor" and creamery.products.get().category == "dairy"
    assert creamery.origins.get().coordinates_from == "zip"
    assert Origin.objects.get(city="Bayfield").latitude is None
    farm.refresh_from_db()
    if decision == "update":
        assert result.updated == [farm.pk] and farm.email == "orders@hansen.example"
        assert set(farm.products.values_list("name", flat=True)) == {"Cider"}
        assert farm.name == "Hansen Family Orchards"
    if decision == "skip":
        assert result.skipped == [0] and farm.email == ""
    assert Product.objects.filter(name="Cheese curds").exists()
    # the imported suppliers are searchable at once
    from partners.suppliers.selectors import SupplierSearch, supplier_search

    assert [s.name for s in supplier_search(user=partner_user, search=SupplierSearch(q="curds"))[0]] == [
        "Cedar Valley Creamery"
    ]


def test_bad_rows_write_nothing(collaborative, partner_user):
    rows = [*ROWS[1:], {"name": "", "state": "XX", "email": "not-an-email", "product_category": "gems"},
            {"name": "Lakeside Fish Co.", "state": "WI"}]  # fmt: skip
    with pytest.raises(ImportRowsInvalid) as caught:
        suppliers_import_rows(rows=rows, decisions={}, user=partner_user, collaborative_id=collaborative.pk)
    problems = {c.row: set(c.problems) for c in caught.value.checks}
    assert problems == {2: {"name", "state", "email", "product_category", "product_name"}, 3: {"name"}}
    assert not Supplier.objects.exists()


def test_update_must_target_one_of_the_rows_matches(collaborative, partner_user):
    make_supplier(collaborative, "Hanson Family Orchard", state="MN")
    other = make_supplier(collaborative, "Unrelated Farm", state="IA")
    with pytest.raises(ImportRowsInvalid):
        suppliers_import_rows(rows=ROWS, decisions={0: RowDecision("update", other.pk)}, user=partner_user,
                              collaborative_id=collaborative.pk)  # fmt: skip
