"""Candidate suppliers: products, practices (verified first), certifications valid on the day
(USDA GAP one year from the audit) and distance (hand-checked: 1° of latitude is 69.09 miles)."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from partners.suppliers import services as supplier_services
from partners.suppliers.models import Certification, ProductionPractice
from purchasing.priority_items import matching
from purchasing.priority_items.models import PriorityItem
from purchasing.priority_items.selectors import candidate_suppliers
from tests.factories import SiteFactory
from tests.partners.supplier_fixtures import make_supplier
from tests.purchasing.fixtures import adopt, propose_drumsticks

TODAY = date(2026, 12, 2)
SITE = (45.0, -93.0)


def facts(
    name,
    *,
    practices=None,
    certs=(),
    origin=(46.0, -93.0),
    products=(("Chicken drumsticks", "meat_poultry"),),
):
    return matching.SupplierFacts(
        id=hash(name), name=name, products=[matching.Product(n, c) for n, c in products],
        practices=practices or {}, certifications=list(certs), origins=[origin] if origin else [],
    )  # fmt: skip


CRITERIA = matching.Criteria(category="meat_poultry", keywords=("drumstick",), practices=("rwa",),
                             certifications=("gap",), max_miles=250, delivery_points=(SITE,))  # fmt: skip
GAP_OK = matching.Cert("gap", date(2026, 3, 2), None)  # valid until Mar 2, 2027


def test_distance_hand_checked():
    assert round(matching.miles_between((45.0, -93.0), (46.0, -93.0)), 2) == 69.09
    assert matching.nearest_miles([(48.0, -93.0), (46.0, -93.0)], [SITE]) == pytest.approx(69.09, abs=0.01)
    assert matching.nearest_miles([], [SITE]) is None


def test_practice_certification_and_distance_each_exclude():
    good = facts("Good Poultry", practices={"rwa": "pvp"}, certs=[GAP_OK])
    no_practice = facts("No Practice", practices={"organic": "third_party"}, certs=[GAP_OK])
    expired = facts(
        "Expired GAP", practices={"rwa": "pvp"}, certs=[matching.Cert("gap", date(2025, 11, 30), None)]
    )
    far = facts("Far Farm", practices={"rwa": "pvp"}, certs=[GAP_OK], origin=(49.0, -93.0))  # 276 mi
    unknown = facts("Unknown Origin", practices={"rwa": "pvp"}, certs=[GAP_OK], origin=None)
    other_product = facts(
        "Beef Ranch", practices={"rwa": "pvp"}, certs=[GAP_OK], products=(("Ground beef", "meat_poultry"),)
    )
    found = matching.rank([good, no_practice, expired, far, unknown, other_product], CRITERIA, today=TODAY)
    assert [c.supplier.name for c in found] == ["Good Poultry"]
    assert found[0].valid_until == {"gap": date(2027, 3, 2)}  # one year from the audit
    # The certification's day: an audit on Dec 1, 2025 is valid through Dec 1, 2026 -> expired on Dec 2.
    on_the_day = facts(
        "Edge", practices={"rwa": "pvp"}, certs=[matching.Cert("gap", date(2025, 12, 2), None)]
    )
    assert matching.match(on_the_day, CRITERIA, today=TODAY) is not None
    assert matching.match(on_the_day, CRITERIA, today=date(2026, 12, 3)) is None


def test_ranked_verified_first_then_nearest():
    near_word = facts("Near, word only", practices={"rwa": "supplier"}, certs=[GAP_OK], origin=(45.5, -93.0))
    far_verified = facts(
        "Far, verified", practices={"rwa": "third_party"}, certs=[GAP_OK], origin=(47.0, -93.0)
    )
    near_verified = facts("Near, verified", practices={"rwa": "pvp"}, certs=[GAP_OK], origin=(45.2, -93.0))
    found = matching.rank([near_word, far_verified, near_verified], CRITERIA, today=TODAY)
    assert [c.supplier.name for c in found] == ["Near, verified", "Far, verified", "Near, word only"]
    assert found[2].unverified == ["rwa"]
    assert [round(c.miles) for c in found] == [14, 138, 35]


@pytest.mark.django_db
def test_candidate_suppliers_from_the_directory(
    district, manager, partner_user, collaborative, client_for, outsider_client, api_for
):
    SiteFactory(
        district=district,
        name="Alpha Kitchen",
        latitude=Decimal("45.000000"),
        longitude=Decimal("-93.000000"),
    )
    item, version = propose_drumsticks(
        partner_user, collaborative, required_practices=["rwa"], required_certifications=["gap"]
    )
    PriorityItem.objects.filter(pk=item.pk).update(supplier_category="meat_poultry", supplier_keywords="drumstick",
                                                   max_distance_miles=250)  # fmt: skip
    adopt(version, [(district, manager)])
    item.refresh_from_db()

    def supplier(name, lat, *, verification="pvp", audit=date(2026, 3, 2)):
        s = make_supplier(collaborative, name, user=partner_user, origin=(str(lat), "-93.0"),
                          products=(("Chicken drumsticks, IQF", "meat_poultry"),))  # fmt: skip
        supplier_services.child_save(
            obj=ProductionPractice(supplier=s, practice="rwa", verification=verification)
        )
        supplier_services.child_save(obj=Certification(supplier=s, kind="gap", audit_date=audit))
        return s

    supplier("Prairie Poultry", 46.0)
    supplier("Lakeside Birds", 45.5, verification="supplier")
    supplier("Old Audit Farm", 45.1, audit=date(2025, 6, 1))
    supplier("Northwoods Poultry", 49.0)
    _, found = candidate_suppliers(user=manager, item=item, today=TODAY)
    assert [c.supplier.name for c in found] == ["Prairie Poultry", "Lakeside Birds"]
    page = client_for(manager).get(reverse("purchasing:item-suppliers", args=[item.pk])).content.decode()
    assert page.index("Prairie Poultry") < page.index("Lakeside Birds") and "Old Audit Farm" not in page
    assert "69 mi" in page and "On the supplier" in page
    api = api_for(partner_user).get(f"/api/v1/priority-items/{item.pk}/candidates/").json()
    assert [c["name"] for c in api][:2] == ["Prairie Poultry", "Lakeside Birds"]
    assert outsider_client.get(reverse("purchasing:item-suppliers", args=[item.pk])).status_code == 404
