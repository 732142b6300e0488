"""Cross-state coordination through the services, pages and API: a remainder offered to a
neighbouring state, a joint plan over both states' remainders accepted by both (binding) or
refused by one decline; who sees what (a third state: 404; the partner state: site names only);
the manifest's state-line flag; constant queries."""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pypdf import PdfReader

from focus_lab.errors import DomainError
from tests.usda_foods.coordination_fixtures import build_two_states
from tests.usda_foods.shipping_fixtures import manager_of
from usda_foods.shipping.coordination.rules import neighbours, neighbours_first
from usda_foods.shipping.coordination.selectors import agencies_to_offer
from usda_foods.shipping.coordination.services import (
    joint_plan_accept,
    joint_plan_create,
    joint_plan_decline,
    remainder_locations,
    remainder_offer,
    remainder_offer_decline,
)
from usda_foods.shipping.models import (
    JointPlan,
    JointStatus,
    JointStop,
    JointTruck,
    OfferStatus,
    RemainderOffer,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def two(mn_agency, wi_agency, sda_reviewer):
    return build_two_states(mn_agency, wi_agency, sda_reviewer)


def url(name: str, *args: object) -> str:
    return reverse(f"usda_foods:{name}", args=args)


def offer_to_wi(two, reviewer, wi_agency) -> RemainderOffer:
    (offer,) = remainder_offer(plan=two["plan"], food=two["beans"], agencies=[wi_agency], user=reviewer)
    return offer


def test_neighbours_are_symmetric_and_listed_first(mn_agency, wi_agency):
    assert neighbours("MN") == {"IA", "ND", "SD", "WI"}
    assert all(state in neighbours(other) for state, near in
               __import__("usda_foods.shipping.coordination.rules", fromlist=["NEIGHBOURS"]).NEIGHBOURS.items()
               for other in near)  # fmt: skip
    assert neighbours("HI") == frozenset()
    assert neighbours_first("MN", ["TX", "WI", "CA", "IA", "MN"]) == ["IA", "WI", "CA", "TX"]
    # The offer form's agencies: WI (a neighbour) before TX (not one), MN itself left out.
    from tests.factories import StateAgencyFactory

    StateAgencyFactory(state="TX")
    states = [(a.state, near) for a, near in agencies_to_offer(mn_agency)]
    assert states == [("WI", True), ("TX", False)]


def test_remainders_are_cases_beyond_each_sites_full_trucks(two):
    # MN: 130 -> 100 on its own truck + 30; 45 -> 45. WI: 25.
    mn = {loc.name: loc.cases for loc in remainder_locations(two["window"], two["beans"])}
    assert sorted(mn.values()) == [30, 45]
    wi = remainder_locations(two["wi_window"], two["beans"])
    assert [loc.cases for loc in wi] == [25]
    # MN's own plan cannot fill the second truck: it proposes to change orders.
    assert two["plan"].adjusted_cases > 0


def test_joint_plan_binds_once_both_agencies_accept(two, sda_reviewer, wi_agency):
    offer = offer_to_wi(two, sda_reviewer, wi_agency)
    assert offer.cases == 75 and offer.status == OfferStatus.OFFERED
    # The offering agency cannot answer its own offer.
    with pytest.raises(PermissionDenied):
        joint_plan_create(offer=offer, user=sda_reviewer)
    joint = joint_plan_create(offer=offer, user=two["wi_reviewer"])
    offer.refresh_from_db()
    assert offer.status == OfferStatus.PLANNED
    # Hand-checked: 30 + 45 + 25 = 100, one full truck with three drops of at least 25, across
    # the MN-WI line, and no order to change.
    assert (joint.trucks, joint.cross_state_trucks, joint.adjusted_cases, joint.requested_cases) == (
        1,
        1,
        0,
        100,
    )
    stops = sorted(
        (s.site.name, s.cases, s.state_agency.state)
        for s in JointStop.objects.filter(truck__joint_plan=joint)
    )
    assert stops == [("Hudson Kitchen", 25, "WI"), ("Kitchen 0", 30, "MN"), ("Kitchen 1", 45, "MN")]
    assert joint.status == JointStatus.PROPOSED
    joint = joint_plan_accept(joint=joint, user=two["wi_reviewer"])
    assert (
        joint.status == JointStatus.PROPOSED and joint.partner_accepted_at and not joint.offerer_accepted_at
    )
    joint = joint_plan_accept(joint=joint, user=sda_reviewer)
    assert joint.status == JointStatus.BINDING and joint.offerer_accepted_by == sda_reviewer
    with pytest.raises(DomainError, match="already"):
        joint_plan_decline(joint=joint, user=two["wi_reviewer"])


def test_one_decline_refuses_the_joint_plan(two, sda_reviewer, wi_agency):
    joint = joint_plan_create(offer=offer_to_wi(two, sda_reviewer, wi_agency), user=two["wi_reviewer"])
    joint_plan_accept(joint=joint, user=two["wi_reviewer"])
    joint = joint_plan_decline(joint=joint, user=sda_reviewer)
    assert joint.status == JointStatus.REFUSED and joint.declined_by == sda_reviewer
    with pytest.raises(DomainError, match="already"):
        joint_plan_accept(joint=joint, user=two["wi_reviewer"])
    assert JointPlan.objects.get(pk=joint.pk).status == JointStatus.REFUSED


def test_an_offer_declined_makes_no_joint_plan(two, sda_reviewer, wi_agency):
    offer = offer_to_wi(two, sda_reviewer, wi_agency)
    remainder_offer_decline(offer=offer, user=two["wi_reviewer"])
    assert RemainderOffer.objects.get(pk=offer.pk).status == OfferStatus.DECLINED
    with pytest.raises(DomainError, match="already declined"):
        joint_plan_create(offer=offer, user=two["wi_reviewer"])
    assert not JointPlan.objects.exists()


def test_offers_are_refused_to_own_state_twice_or_without_remainder(two, sda_reviewer, mn_agency, wi_agency):
    with pytest.raises(DomainError, match="another state"):
        remainder_offer(plan=two["plan"], food=two["beans"], agencies=[mn_agency], user=sda_reviewer)
    offer_to_wi(two, sda_reviewer, wi_agency)
    with pytest.raises(DomainError, match="Already offered to WI"):
        offer_to_wi(two, sda_reviewer, wi_agency)
    with pytest.raises(PermissionDenied):
        remainder_offer(plan=two["plan"], food=two["beans"], agencies=[wi_agency], user=two["wi_reviewer"])


# --- Pages ---------------------------------------------------------------------------------------


def test_pages_walk_the_offer_to_a_binding_joint_plan(two, sda_reviewer, wi_agency, client_for):
    mn, wi = client_for(sda_reviewer), client_for(two["wi_reviewer"])
    page = mn.get(url("shipment-plan-detail", two["plan"].pk)).content.decode()
    assert url("shipment-plan-offer", two["plan"].pk) in page
    form = mn.get(url("shipment-plan-offer", two["plan"].pk)).content.decode()
    assert (
        "Wisconsin DPI (WI) · neighbour" in form and "Iowa Department of Education (IA) · neighbour" in form
    )
    response = mn.post(url("shipment-plan-offer", two["plan"].pk),
                       {"food": two["beans"].pk, "agencies": [wi_agency.pk], "note": "Hudson is near"})  # fmt: skip
    assert response.status_code == 302
    offer = RemainderOffer.objects.get()
    listing = wi.get(url("remainder-offers")).content.decode()
    assert "75 cases" in listing and offer.get_absolute_url() in listing
    response = wi.post(offer.get_absolute_url(), {"answer": "plan", "window": two["wi_window"].pk})
    joint = JointPlan.objects.get()
    assert response.status_code == 302 and response["Location"] == joint.get_absolute_url()
    wi.post(url("joint-plan-answer", joint.pk), {"answer": "accept"})
    page = mn.get(joint.get_absolute_url()).content.decode()
    assert "Waiting for both agencies" in page and "Accept for your agency" in page
    mn.post(url("joint-plan-answer", joint.pk), {"answer": "accept"})
    page = mn.get(joint.get_absolute_url()).content.decode()
    assert "Accepted by both: binding" in page and "Crosses a state line" in page
    assert "1 truck carries both states' remainders (100 cases); 1 truck crosses a state line." in page
    plan_page = mn.get(url("shipment-plan-detail", two["plan"].pk)).content.decode()
    assert f"joint plan #{joint.pk}</a>: accepted by both: binding." in plan_page
    assert "the adjustments for Beans, green, canned at those sites are superseded" in plan_page


def test_partner_sees_site_names_only_and_third_state_nothing(two, sda_reviewer, wi_agency, client_for):
    joint = joint_plan_create(offer=offer_to_wi(two, sda_reviewer, wi_agency), user=two["wi_reviewer"])
    mn_page = client_for(sda_reviewer).get(joint.get_absolute_url()).content.decode()
    wi_page = client_for(two["wi_reviewer"]).get(joint.get_absolute_url()).content.decode()
    # MN sees its stops in full (cases, district) and Hudson by name only.
    assert "30 cases</strong> · Kitchen 0" in mn_page and "District 0" in mn_page
    assert 'Hudson Kitchen <span class="text-muted">(WI, partner state)' in mn_page
    assert "Hudson School District" not in mn_page and "25 cases" not in mn_page
    # WI sees Hudson in full and the MN kitchens by name only: no MN district, no MN cases.
    assert "25 cases</strong> · Hudson Kitchen" in wi_page and "(MN, partner state)" in wi_page
    assert "District 0" not in wi_page and "30 cases" not in wi_page and "100 Main" not in wi_page
    # A third state's reviewer, a district manager of either state: 404 on every page and export.
    offer = joint.offer
    for user in (two["ia_reviewer"], manager_of(two, 0), two["wi_manager"]):
        client = client_for(user)
        for target in (joint.get_absolute_url(), offer.get_absolute_url(), url("joint-plan-manifest", joint.pk),
                       url("joint-plan-manifest-pdf", joint.pk)):  # fmt: skip
            assert client.get(target).status_code == 404, (user, target)
        assert client.post(url("joint-plan-answer", joint.pk), {"answer": "decline"}).status_code == 404
        assert "Beans" not in client.get(url("remainder-offers")).content.decode()
    assert JointPlan.objects.get(pk=joint.pk).status == JointStatus.PROPOSED


def test_manifest_flags_trucks_crossing_a_state_line(two, sda_reviewer, wi_agency, client_for):
    joint = joint_plan_create(offer=offer_to_wi(two, sda_reviewer, wi_agency), user=two["wi_reviewer"])
    body = b"".join(client_for(sda_reviewer).get(url("joint-plan-manifest", joint.pk)).streaming_content)
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))
    assert {r["crosses_state_line"] for r in rows} == {"yes"}
    by_site = {r["site"]: r for r in rows}
    assert by_site["Kitchen 1"]["cases"] == "45" and by_site["Kitchen 1"]["district"] == "District 1"
    assert by_site["Hudson Kitchen"]["cases"] == "" and by_site["Hudson Kitchen"]["address"] == ""
    pdf = client_for(two["wi_reviewer"]).get(url("joint-plan-manifest-pdf", joint.pk))
    assert pdf["Content-Type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Crosses a state line" in text and "Hudson Kitchen" in text and "District 0" not in text


def test_joint_pages_cost_constant_queries(
    two, sda_reviewer, wi_agency, client_for, django_assert_max_num_queries
):
    joint = joint_plan_create(offer=offer_to_wi(two, sda_reviewer, wi_agency), user=two["wi_reviewer"])
    client = client_for(sda_reviewer)
    with CaptureQueriesContext(connection) as one:
        assert client.get(joint.get_absolute_url()).status_code == 200
    stops = list(JointStop.objects.filter(truck__joint_plan=joint))
    for n in range(2, 12):  # ten more trucks, each with the same three stops
        truck = JointTruck.objects.create(joint_plan=joint, number=n, cases=100, distance_km=Decimal("5.0"),
                                          delivery_date=date(2019, 10, 2), crosses_state_line=True)  # fmt: skip
        JointStop.objects.bulk_create(JointStop(truck=truck, site=s.site, state_agency=s.state_agency,
                                                sequence=s.sequence, cases=s.cases) for s in stops)  # fmt: skip
    with CaptureQueriesContext(connection) as eleven:
        html = client.get(joint.get_absolute_url()).content.decode()
    assert html.count('data-testid="crosses"') == 11
    assert len(eleven.captured_queries) == len(one.captured_queries) <= 12
    with django_assert_max_num_queries(10):
        assert client.get(url("remainder-offers")).status_code == 200


# --- API -----------------------------------------------------------------------------------------


def test_api_offer_plan_accept_and_visibility(two, sda_reviewer, wi_agency, api_for):
    mn, wi, ia = api_for(sda_reviewer), api_for(two["wi_reviewer"]), api_for(two["ia_reviewer"])
    response = mn.post("/api/v1/remainder-offers/", {"plan": two["plan"].pk, "food": two["beans"].pk,
                                                     "agencies": [wi_agency.pk]}, format="json")  # fmt: skip
    assert response.status_code == 201, response.content
    offer_id = response.json()[0]["id"]
    assert response.json()[0]["cases"] == 75
    assert ia.get(f"/api/v1/remainder-offers/{offer_id}/").status_code == 404
    assert ia.post(f"/api/v1/remainder-offers/{offer_id}/plan-jointly/", {}, format="json").status_code == 404
    assert mn.post(f"/api/v1/remainder-offers/{offer_id}/plan-jointly/", {}, format="json").status_code == 403
    response = wi.post(f"/api/v1/remainder-offers/{offer_id}/plan-jointly/", {}, format="json")
    assert response.status_code == 201, response.content
    joint_id = response.json()["id"]
    assert ia.get(f"/api/v1/joint-plans/{joint_id}/").status_code == 404
    assert ia.post(f"/api/v1/joint-plans/{joint_id}/accept/").status_code == 404
    assert ia.get("/api/v1/joint-plans/").json()["count"] == 0
    detail = wi.get(f"/api/v1/joint-plans/{joint_id}/").json()
    (truck,) = detail["truck_list"]
    assert truck["crosses_state_line"] is True
    partner = [s for s in truck["stops"] if not s["own"]]
    assert {s["site"] for s in partner} == {"Kitchen 0", "Kitchen 1"}
    assert all(s["cases"] is None and s["district"] is None and s["address"] is None for s in partner)
    assert wi.post(f"/api/v1/joint-plans/{joint_id}/accept/").json()["status"] == "proposed"
    assert mn.post(f"/api/v1/joint-plans/{joint_id}/accept/").json()["status"] == "binding"
    assert mn.post(f"/api/v1/joint-plans/{joint_id}/decline/").status_code == 400


def test_state_plan_exports_list_binding_joint_trucks_with_the_state_line(two, sda_reviewer, wi_agency,
                                                                          client_for):  # fmt: skip
    joint = joint_plan_create(offer=offer_to_wi(two, sda_reviewer, wi_agency), user=two["wi_reviewer"])
    client = client_for(sda_reviewer)
    csv_url = url("shipment-plan-csv", two["plan"].pk)

    def joint_rows() -> list[dict]:
        body = b"".join(client.get(csv_url).streaming_content).decode("utf-8-sig")
        return [r for r in csv.DictReader(io.StringIO(body)) if r["truck"].startswith("J")]

    assert joint_rows() == []  # not binding yet: the state's plan lists only its own trucks
    joint_plan_accept(joint=joint, user=two["wi_reviewer"])
    joint_plan_accept(joint=joint, user=sda_reviewer)
    rows = joint_rows()
    assert {(r["truck"], r["site"], r["state"], r["cases"], r["crosses_state_line"]) for r in rows} == {
        (f"J{joint.pk}-1", "Kitchen 0", "MN", "30", "yes"),
        (f"J{joint.pk}-1", "Kitchen 1", "MN", "45", "yes"),
        (f"J{joint.pk}-1", "Hudson Kitchen", "WI", "", "yes"),
    }
    pdf = client.get(url("shipment-plan-pdf", two["plan"].pk))
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    line = re.search(r"Crosses a state line: ([A-Z →]+)", text).group(1)
    assert f"Joint truck J{joint.pk}-1" in text and sorted(line.replace("→", " ").split()) == [
        "MN",
        "MN",
        "WI",
    ]


@pytest.mark.django_db(transaction=True)
def test_both_agencies_accepting_at_once_bind_the_plan(mn_agency, wi_agency, sda_reviewer):
    """Each acceptance locks the joint plan's row: two reviewers accepting at the same moment from
    real threads both count, and the plan binds (no acceptance is lost to the other's save)."""
    import threading

    from django.db import connection

    two = build_two_states(mn_agency, wi_agency, sda_reviewer)
    joint = joint_plan_create(offer=offer_to_wi(two, sda_reviewer, wi_agency), user=two["wi_reviewer"])
    barrier, outcomes = threading.Barrier(2), []

    def accept(user) -> None:
        try:
            barrier.wait()
            joint_plan_accept(joint=joint, user=user)
            outcomes.append("ok")
        except Exception as exc:  # noqa: BLE001 - surfaces in the assertion
            outcomes.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=accept, args=(u,)) for u in (sda_reviewer, two["wi_reviewer"])]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert outcomes == ["ok", "ok"]
    joint.refresh_from_db()
    assert joint.status == JointStatus.BINDING and joint.offerer_accepted_at and joint.partner_accepted_at
