"""Supplier services: duplicates caught before they are made, merge without loss, ZIP centroids,
certification expiry, the search index with misspellings, distances."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from focus_lab.errors import DomainError
from partners.contacts.models import Interaction, InteractionSupplier
from partners.suppliers import services
from partners.suppliers.models import (
    Certification,
    Origin,
    Product,
    ProductionPractice,
    Supplier,
    SupplierMerge,
    SupplierPerson,
)
from partners.suppliers.selectors import SupplierSearch, supplier_search
from tests.factories import CollaborativeFactory
from tests.partners.supplier_fixtures import log, make_supplier

pytestmark = pytest.mark.django_db


def test_duplicates_by_name_email_phone_and_similar_name_in_state(collaborative):
    farm = make_supplier(collaborative, "Hanson Family Orchard LLC", email="kari@hanson.example",
                         phone="612-555-0101", state="MN")  # fmt: skip
    lab = collaborative.pk

    def found(**kw):
        return [m.supplier for m in services.supplier_duplicates(collaborative_id=lab, **kw)]

    assert found(name="hanson family orchard") == [farm]  # same normalised name
    assert found(name="Other", email="KARI@hanson.example") == [farm]
    assert found(name="Other", phone="+1 (612) 555 0101") == [farm]
    assert found(name="Hansen Family Orchards", state="MN") == [farm]  # similar, same state
    assert found(name="Hansen Family Orchards", state="WI") == []  # similar, another state
    assert found(name="Cedar Valley Creamery", state="MN") == []
    other_lab = CollaborativeFactory()
    assert services.supplier_duplicates(collaborative_id=other_lab.pk, name="Hanson Family Orchard") == []


def test_create_refuses_a_duplicate_unless_forced(collaborative):
    make_supplier(collaborative, "Hanson Family Orchard", state="MN")
    with pytest.raises(services.DuplicateSupplier) as caught:
        services.supplier_create(user=None, collaborative_id=collaborative.pk,
                                 data={"name": "Hanson Family Orchards, Inc.", "state": "MN"})  # fmt: skip
    assert [m.supplier.name for m in caught.value.matches] == ["Hanson Family Orchard"]
    assert Supplier.objects.count() == 1
    services.supplier_create(user=None, collaborative_id=collaborative.pk, force=True,
                             data={"name": "Hanson Family Orchards, Inc.", "state": "MN"})  # fmt: skip
    assert Supplier.objects.count() == 2


def test_zip_centroid_fills_blank_coordinates_and_typed_ones_win(collaborative):
    supplier = make_supplier(collaborative, "Faribault Farm", zip_code="55021")
    origin = supplier.origins.get()
    assert (origin.latitude, origin.longitude) == (Decimal("44.294500"), Decimal("-93.281800"))
    assert origin.coordinates_from == "zip" and origin.county == "Rice County"
    typed = services.child_save(obj=Origin(supplier=supplier, state="MN", postal_code="55021",
                                           latitude=Decimal("44.1"), longitude=Decimal("-93.1")))  # fmt: skip
    assert (typed.latitude, typed.longitude, typed.coordinates_from) == (
        Decimal("44.1"),
        Decimal("-93.1"),
        "typed",
    )
    unknown = services.child_save(obj=Origin(supplier=supplier, state="MN", postal_code="00000"))
    assert unknown.latitude is None and unknown.coordinates_from == "none"
    with pytest.raises(DomainError):
        services.child_save(obj=Origin(supplier=supplier, state="MN", latitude=Decimal("44.1")))


def test_gap_expiry_defaults_to_a_year_after_the_audit(collaborative):
    supplier = make_supplier(collaborative, "Faribault Farm")
    gap = services.child_save(obj=Certification(supplier=supplier, kind="gap", audit_date=date(2026, 1, 10)))
    assert gap.expires_on == date(2027, 1, 10)
    stated = services.child_save(obj=Certification(supplier=supplier, kind="gap", audit_date=date(2026, 1, 10),
                                                   expires_on=date(2026, 12, 31)))  # fmt: skip
    assert stated.expires_on == date(2026, 12, 31)
    organic = services.child_save(
        obj=Certification(supplier=supplier, kind="organic", audit_date=date(2026, 1, 10))
    )
    assert organic.expires_on is None


def _counts(*suppliers):
    ids = [s.pk for s in suppliers]
    return {
        "origins": Origin.objects.filter(supplier_id__in=ids).count(),
        "people": SupplierPerson.objects.filter(supplier_id__in=ids).count(),
        "products": Product.objects.filter(supplier_id__in=ids).count(),
        "certifications": Certification.objects.filter(supplier_id__in=ids).count(),
        "interactions": InteractionSupplier.objects.filter(supplier_id__in=ids).values("interaction").distinct().count(),
    }  # fmt: skip


def test_merge_moves_everything_and_keeps_history(collaborative, district, partner_user, collab_admin):
    kept = make_supplier(collaborative, "Hanson Family Orchard", zip_code="55021", people=("Kari Hanson",),
                         products=(("Honeycrisp apples", "fruit"),))  # fmt: skip
    dup = make_supplier(collaborative, "Hansen Orchard", email="orders@hansen.example", zip_code="55057",
                        people=("Per Hansen",), products=(("Cider", "fruit"), ("Pears", "fruit")))  # fmt: skip
    services.child_save(obj=Certification(supplier=dup, kind="gap", audit_date=date(2026, 3, 1)))
    services.child_save(obj=ProductionPractice(supplier=kept, practice="ipm", verification="supplier"))
    services.child_save(obj=ProductionPractice(supplier=dup, practice="ipm", verification="third_party"))
    services.child_save(obj=ProductionPractice(supplier=dup, practice="organic", verification="third_party"))
    dup.buying_districts.add(district)
    log(partner_user, kept, districts=[district], notes="Visited the orchard")
    log(partner_user, dup, districts=[district], notes="Called about cider")
    both = log(partner_user, kept, notes="Both")
    InteractionSupplier.objects.create(interaction=both, supplier=dup, occurred_on=both.occurred_on)
    before = _counts(kept, dup)
    merge = services.supplier_merge(kept=kept, merged=dup, user=collab_admin)
    kept.refresh_from_db()
    dup.refresh_from_db()
    assert _counts(kept) == before == {"origins": 2, "people": 2, "products": 3, "certifications": 1,
                                       "interactions": 3}  # fmt: skip
    assert _counts(dup) == {"origins": 0, "people": 0, "products": 0, "certifications": 0, "interactions": 0}
    assert kept.email == "orders@hansen.example" and "email" in merge.filled  # an empty field filled
    assert set(kept.practices.values_list("practice", flat=True)) == {"ipm", "organic"}
    assert "also from Hansen Orchard" in kept.practices.get(practice="ipm").note
    assert list(kept.buying_districts.all()) == [district]
    assert dup.merged_into == kept and Supplier.objects.count() == 2  # history kept
    assert merge.snapshot["email"] == "orders@hansen.example" and merge.moved["products"] == 2
    assert SupplierMerge.objects.get().merged == dup
    assert Interaction.objects.count() == 3
    with pytest.raises(DomainError):
        services.supplier_merge(kept=kept, merged=dup, user=collab_admin)


def _search(user, **kw):
    return [s.name for s in supplier_search(user=user, search=SupplierSearch(**kw))[0]]


def test_search_names_products_people_and_misspellings(collaborative, partner_user):
    make_supplier(collaborative, "Hanson Family Orchard", products=(("Honeycrisp apples", "fruit"),),
                  people=("Kari Hanson",))  # fmt: skip
    make_supplier(
        collaborative, "Cedar Valley Creamery", kind="processor", products=(("Cheddar curds", "dairy"),)
    )
    assert _search(partner_user, q="orchard") == ["Hanson Family Orchard"]
    assert _search(partner_user, q="apple") == ["Hanson Family Orchard"]  # stemmed product
    assert _search(partner_user, q="kari") == ["Hanson Family Orchard"]  # a person
    assert _search(partner_user, q="honeycrsip") == ["Hanson Family Orchard"]  # misspelt
    assert _search(partner_user, q="chedar cruds") == ["Cedar Valley Creamery"]
    assert _search(partner_user, q="zucchini") == []
    assert _search(partner_user, category="dairy") == ["Cedar Valley Creamery"]
    assert _search(partner_user, kind="farm") == ["Hanson Family Orchard"]


def test_search_finds_suppliers_by_notes_only_where_the_note_is_readable(collaborative, district, partner_user,
                                                                         partner_b_user):  # fmt: skip
    farm = make_supplier(collaborative, "Hanson Family Orchard")
    log(partner_b_user, farm, districts=[district], notes="Interested in a drumstick contract")
    assert _search(partner_b_user, q="drumstick") == ["Hanson Family Orchard"]
    assert _search(partner_user, q="drumstick") == []


def test_certification_valid_on_a_date(collaborative, partner_user):
    farm = make_supplier(collaborative, "Hanson Family Orchard")
    make_supplier(collaborative, "Cedar Valley Creamery")
    services.child_save(obj=Certification(supplier=farm, kind="gap", audit_date=date(2026, 1, 10)))
    assert _search(partner_user, certified_on=date(2026, 6, 1)) == ["Hanson Family Orchard"]
    assert _search(partner_user, certified_on=date(2027, 1, 11)) == []
    assert _search(partner_user, certified_on=date(2025, 12, 1)) == []  # before the audit
    assert _search(partner_user, certified_on=date(2026, 6, 1), certification_kind="haccp") == []


def test_distance_within_miles_of_a_districts_sites_hand_checked(
    collaborative, district, delivery_site, partner_user
):
    """Alpha's site is at 45°N 93°W. Origins due north at 45.5°, 45.9° and 46.2°N are 0.5, 0.9 and
    1.2 degrees of arc away: 34.55, 62.18 and 82.91 miles (69.0941 miles a degree)."""
    make_supplier(collaborative, "North 0.5", origin=("45.5", "-93.0"))
    make_supplier(collaborative, "North 0.9", origin=("45.9", "-93.0"))
    make_supplier(collaborative, "North 1.2", origin=("46.2", "-93.0"))
    make_supplier(collaborative, "Nowhere")  # no origin: never within a distance
    within = supplier_search(user=partner_user, search=SupplierSearch(near_district_id=district.pk,
                                                                      within_miles=Decimal("63")))[0]  # fmt: skip
    assert [(s.name, round(s.distance_miles, 2)) for s in within] == [
        ("North 0.5", 34.55),
        ("North 0.9", 62.18),
    ]
    assert _search(partner_user, near_district_id=district.pk, within_miles=Decimal("34.5")) == []
    everything = supplier_search(user=partner_user, search=SupplierSearch(near_district_id=district.pk))[0]
    assert [round(s.distance_miles, 2) if s.distance_miles else None for s in everything] == [
        34.55,
        62.18,
        82.91,
        None,
    ]
