"""Suppliers through the shared import pipeline: a partner's spreadsheet with its own column
names, the duplicate decision per row in the file ("If already listed"), all or nothing, undo."""

from __future__ import annotations

import pytest

from focus_lab.imports.services import import_data, import_undo
from partners.suppliers.models import Supplier
from tests.partners.supplier_fixtures import log, make_supplier

pytestmark = pytest.mark.django_db

HEADER = "Farm Name,Type,State,E-mail,Product,Category,Contact,Farm ZIP,If already listed\n"
ROWS = (
    "Hansen Family Orchards,farm,MN,orders@hansen.example,Cider,fruit,Per Hansen,55057,{decision}\n"
    "Cedar Valley Creamery,Processor,WI,,Cheese curds,Dairy,,53818,\n"
)


def _import(user, decision: str = "", extra: str = ""):
    return import_data(kind="suppliers", data=HEADER + ROWS.format(decision=decision) + extra, user=user,
                       filename=f"growers-{decision or 'none'}-{len(extra)}.csv")  # fmt: skip


def test_a_partners_file_with_its_own_headers_creates_suppliers(collaborative, partner_user):
    report = _import(partner_user)
    assert report.ok, report.errors
    assert (report.created, report.updated, report.unchanged) == (2, 0, 0)
    creamery = Supplier.objects.get(name="Cedar Valley Creamery")
    assert creamery.kind == "processor" and creamery.collaborative_id == collaborative.pk
    assert creamery.products.get().category == "dairy" and creamery.origins.get().coordinates_from == "zip"


def test_a_probable_duplicate_without_a_decision_is_a_problem_naming_the_match(collaborative, partner_user):
    farm = make_supplier(collaborative, "Hanson Family Orchard", state="MN")
    report = _import(partner_user, extra="Lakeside Fish Co,fishery,WI,not-an-email,,,,,\n")
    assert not report.ok and Supplier.objects.count() == 1  # nothing written
    problems = {(e.line, e.column): e.message for e in report.errors}
    assert f"Hanson Family Orchard (#{farm.pk}" in problems[(2, "If already listed")]
    assert problems[(4, "E-mail")] == "“not-an-email” is not an email address."


@pytest.mark.parametrize(("decision", "created", "updated", "skipped"),
                         [("create", 2, 0, 0), ("update", 1, 1, 0), ("skip", 1, 0, 1)])  # fmt: skip
def test_each_decision_then_undo(collaborative, partner_user, decision, created, updated, skipped):
    farm = make_supplier(collaborative, "Hanson Family Orchard", state="MN")
    report = _import(partner_user, decision)
    assert report.ok, report.errors
    assert (report.created, report.updated, report.unchanged) == (created, updated, skipped)
    farm.refresh_from_db()
    assert (farm.email == "orders@hansen.example") is (decision == "update")
    import_undo(run=report.run, user=partner_user)
    assert list(Supplier.objects.values_list("name", flat=True)) == ["Hanson Family Orchard"]
    farm.refresh_from_db()
    assert farm.email == ""


def test_undo_is_refused_once_a_note_names_an_imported_supplier(collaborative, partner_user):
    report = _import(partner_user)
    log(partner_user, Supplier.objects.get(name="Cedar Valley Creamery"), notes="Visited the creamery")
    with pytest.raises(Exception, match="notes or follow-ups now name 1"):
        import_undo(run=report.run, user=partner_user)
    assert Supplier.objects.count() == 2


def test_only_people_who_keep_a_directory_may_import(collaborative, manager):
    report = _import(manager)
    assert not report.ok and Supplier.objects.count() == 0
