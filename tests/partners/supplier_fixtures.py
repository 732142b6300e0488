"""Suppliers and notes for the supplier directory and contact log tests: two partners of one lab
serving the same district, a second district of the lab, and helpers that go through the
services (keys, search index, contact rows)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from accounts.models import Role
from partners.contacts import services as contact_services
from partners.suppliers import services
from partners.suppliers.models import Origin, Product, SupplierPerson
from tests.factories import DistrictFactory, PartnerFactory, PartnershipFactory, SiteFactory, member


def make_supplier(lab, name: str, *, user=None, state: str = "MN", kind: str = "farm", email: str = "",
                  phone: str = "", origin: tuple[str, str] | None = None, zip_code: str = "",
                  products: tuple[tuple[str, str], ...] = (), people: tuple[str, ...] = ()):  # fmt: skip
    supplier = services.supplier_create(user=user, collaborative_id=lab.pk, force=True,
                                        data={"name": name, "kind": kind, "state": state, "email": email,
                                              "phone": phone})  # fmt: skip
    if origin or zip_code:
        lat, lon = origin or (None, None)
        services.child_save(obj=Origin(supplier=supplier, state=state, postal_code=zip_code,
                                       latitude=Decimal(lat) if lat else None,
                                       longitude=Decimal(lon) if lon else None))  # fmt: skip
    for product, category in products:
        services.child_save(obj=Product(supplier=supplier, name=product, category=category))
    for person in people:
        services.child_save(obj=SupplierPerson(supplier=supplier, name=person))
    return supplier


def log(user, supplier, *, districts=(), notes: str = "", private: bool = False, when: date | None = None,
        kind: str = "visit", follow_ups=()):  # fmt: skip
    org = contact_services.author_orgs(user)[0][0]
    return contact_services.interaction_log(
        user=user, org=org, occurred_on=when or date(2026, 11, 20), kind=kind, notes=notes, private=private,
        supplier_ids=[supplier.pk], district_ids=[d.pk for d in districts], follow_ups=follow_ups,
    )  # fmt: skip


@pytest.fixture
def second_district(collaborative, mn_agency):
    """Another district of our lab (its staff do not see notes about Alpha)."""
    return DistrictFactory(name="Charlie Schools", collaborative=collaborative, state_agency=mn_agency)


@pytest.fixture
def second_manager(second_district):
    return member(Role.DISTRICT_MANAGER, second_district, email="manager@charlie.example")


@pytest.fixture
def partner_b(collaborative, district):
    """A second partner of the same lab, serving the same district."""
    partner = PartnerFactory(name="Bravo Food Hub", collaborative=collaborative)
    PartnershipFactory(partner=partner, district=district)
    return partner


@pytest.fixture
def partner_b_user(partner_b):
    return member(Role.PARTNER_STAFF, partner_b, email="staff@bravo-hub.example")


@pytest.fixture
def farm(collaborative, partner_user):
    return make_supplier(collaborative, "Hanson Family Orchard", user=partner_user, zip_code="55021",
                         products=(("Honeycrisp apples", "fruit"),), people=("Kari Hanson",))  # fmt: skip


@pytest.fixture
def delivery_site(district):
    """Alpha's only delivery site, at 45°N 93°W (hand-checked distances: 1° of latitude is
    69.0934 miles on a sphere of radius 3,958.8 miles)."""
    return SiteFactory(district=district, name="Alpha Kitchen", latitude=Decimal("45.000000"),
                       longitude=Decimal("-93.000000"))  # fmt: skip


def supplier_world(*, collaborative, district, users) -> dict:
    """One of everything the supplier pages edit, for tests/test_form_roundtrip.py: a farm with an
    origin, a person, a product with months, a practice and a certification, and a note with a
    follow-up concerning ``district``."""
    from partners.suppliers.models import Certification, ProductionPractice

    farm = make_supplier(collaborative, "Round Trip Orchard", user=users["partner_user"], zip_code="55021",
                         people=("Kari Hanson",), email="kari@roundtrip.example", phone="612-555-0101")  # fmt: skip
    farm.buying_districts.add(district)
    product = services.child_save(obj=Product(supplier=farm, name="Apples & pears", category="fruit",
                                              months_available=[9, 10, 11], lead_time_days=3))  # fmt: skip
    practice = services.child_save(
        obj=ProductionPractice(supplier=farm, practice="ipm", verification="third_party")
    )
    cert = services.child_save(obj=Certification(supplier=farm, kind="gap", audit_date=date(2026, 3, 2)))
    note = log(users["partner_user"], farm, districts=[district], notes="Line one\n<b>two</b>",
               follow_ups=[contact_services.FollowUpInput("Send spec", date(2026, 12, 20), users["partner_user"].pk)])  # fmt: skip
    note.people.set(farm.people.all())
    note.products.set([product])
    return {"supplier": farm, "origin": farm.origins.get(), "supplier_person": farm.people.get(), "product": product,
            "practice": practice, "certification": cert, "interaction": note, "follow_up": note.follow_ups.get()}  # fmt: skip
