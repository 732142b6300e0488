"""The supplier and contact-log pages as their users: each renders, the flows work (duplicate
check with "use this one", ZIP fill, a note with a follow-up), and lists cost the same number of
queries whatever their length."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from partners.contacts.models import FollowUp, Interaction
from partners.suppliers.models import Certification, Origin, Supplier
from tests.partners.supplier_fixtures import log, make_supplier

pytestmark = pytest.mark.django_db


def test_every_page_renders_for_its_users(client_for, farm, district, partner_user, manager, collab_admin):
    note = log(partner_user, farm, districts=[district], notes="Visited")
    origin = farm.origins.get()
    for user in (partner_user, manager, collab_admin):
        client = client_for(user)
        for url in (reverse("partners:supplier-list"), reverse("partners:supplier-map"), farm.get_absolute_url(),
                    reverse("partners:interaction-list"), note.get_absolute_url(), reverse("partners:follow-up-list"),
                    reverse("partners:supplier-list") + f"?q=apples&near={district.pk}&within=500",
                    reverse("partners:supplier-map") + f"?near={district.pk}", reverse("dashboard")):  # fmt: skip
            assert client.get(url).status_code == 200, (user, url)
    client = client_for(partner_user)
    for url in (reverse("partners:supplier-create"), reverse("partners:supplier-update", args=[farm.pk]),
                reverse("partners:interaction-create") + f"?supplier={farm.pk}",
                reverse("partners:interaction-update", args=[note.pk]),
                reverse("partners:supplier-child-update", args=["origins", origin.pk]),
                *[reverse("partners:supplier-child-create", args=[farm.pk, kind])
                  for kind in ("origins", "people", "products", "practices", "certifications")]):  # fmt: skip
        assert client.get(url).status_code == 200, url
    assert client_for(collab_admin).get(reverse("partners:supplier-merge", args=[farm.pk])).status_code == 200


def test_empty_directory_says_how_to_start(client_for, partner_user, manager):
    assert "Start with" in client_for(partner_user).get(reverse("partners:supplier-list")).content.decode()
    assert (
        "procurement partners add"
        in client_for(manager).get(reverse("partners:supplier-list")).content.decode()
    )


def test_create_shows_duplicates_with_use_this_one_then_creates_anyway(client_for, collaborative, farm,
                                                                       partner_user):  # fmt: skip
    client = client_for(partner_user)
    data = {
        "collaborative": collaborative.pk,
        "name": "Hansen Family Orchards",
        "kind": "farm",
        "state": "MN",
    }
    first = client.post(reverse("partners:supplier-create"), data)
    html = first.content.decode()
    assert first.status_code == 200 and "Use this one" in html and farm.get_absolute_url() in html
    assert Supplier.objects.count() == 1
    again = client.post(reverse("partners:supplier-create"), {**data, "force": "on"})
    assert again.status_code == 302 and Supplier.objects.count() == 2


def test_origin_from_zip_and_certificate_file(client_for, farm, partner_user, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client = client_for(partner_user)
    response = client.post(reverse("partners:supplier-child-create", args=[farm.pk, "origins"]),
                           {"label": "Packing shed", "state": "MN", "postal_code": "55057"})  # fmt: skip
    assert response.status_code == 302
    shed = Origin.objects.get(label="Packing shed")
    assert shed.coordinates_from == "zip" and shed.latitude is not None
    from django.core.files.uploadedfile import SimpleUploadedFile

    pdf = SimpleUploadedFile("gap.pdf", b"%PDF-1.4 certificate", content_type="application/pdf")
    response = client.post(reverse("partners:supplier-child-create", args=[farm.pk, "certifications"]),
                           {"kind": "gap", "audit_date": "2026-03-02", "certificate": pdf})  # fmt: skip
    assert response.status_code == 302
    cert = Certification.objects.get()
    assert cert.expires_on == date(2027, 3, 2) and cert.certificate.read() == b"%PDF-1.4 certificate"


def test_log_a_visit_with_a_follow_up_and_complete_it(client_for, farm, district, partner_user):
    client = client_for(partner_user)
    person, product = farm.people.get(), farm.products.get()
    due = timezone.localdate() + timedelta(days=7)
    response = client.post(reverse("partners:interaction-create"), {
        "occurred_on": timezone.localdate().isoformat(), "kind": "farm_tour", "suppliers": [farm.pk],
        "districts": [district.pk], "people": [person.pk], "products": [product.pk], "notes": "Toured the orchard",
        "follow_up_what": "Send the apple spec", "follow_up_due": due.isoformat(), "follow_up_owner": partner_user.pk,
        "org": client.get(reverse("partners:interaction-create")).context["form"].fields["org"].initial,
    })  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:3000]
    note = Interaction.objects.get()
    assert list(note.people.all()) == [person] and list(note.products.all()) == [product]
    follow_up = note.follow_ups.get()
    assert (follow_up.what, follow_up.due_on, follow_up.owner) == ("Send the apple spec", due, partner_user)
    assert "Send the apple spec" in client.get(reverse("dashboard")).content.decode()
    client.post(reverse("partners:follow-up-done", args=[follow_up.pk]))
    assert FollowUp.objects.get().done_on == timezone.localdate()


def test_follow_up_owner_must_be_of_the_same_organisation(client_for, farm, partner_user, partner_b_user):
    note = log(partner_user, farm)
    response = client_for(partner_user).post(note.get_absolute_url(),
                                             {"what": "x", "due_on": "2026-12-24", "owner": partner_b_user.pk})  # fmt: skip
    assert response.status_code == 200 and not FollowUp.objects.exists()


def _grow(lab, user, district, n: int) -> None:
    for i in range(n):
        supplier = make_supplier(lab, f"Farm {i:03d} {lab.pk}", zip_code="55021", products=(("Apples", "fruit"),),
                                 people=(f"Grower {i}",))  # fmt: skip
        Certification.objects.create(supplier=supplier, kind="gap", audit_date=date(2026, 1, 1),
                                     expires_on=timezone.localdate() + timedelta(days=10))  # fmt: skip
        log(user, supplier, districts=[district], notes=f"Call {i}", follow_ups=[])


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize("url_name", ["supplier-list", "interaction-list", "follow-up-list", "supplier-map"])
def test_lists_cost_the_same_queries_at_two_sizes(
    client_for, collaborative, partner_user, district, url_name
):
    client = client_for(partner_user)
    url = reverse(f"partners:{url_name}") + (
        f"?q=apples&near={district.pk}&within=500" if "supplier" in url_name else ""
    )
    _grow(collaborative, partner_user, district, 2)
    small = _queries(client, url)
    _grow(collaborative, partner_user, district, 6)
    assert _queries(client, url) == small


def test_dashboard_costs_the_same_queries_at_two_sizes(client_for, collaborative, partner_user, district):
    client = client_for(partner_user)
    _grow(collaborative, partner_user, district, 2)
    small = _queries(client, reverse("dashboard"))
    _grow(collaborative, partner_user, district, 6)
    assert _queries(client, reverse("dashboard")) == small


@pytest.mark.parametrize("path", ["/api/v1/suppliers/?q=apples", "/api/v1/interactions/", "/api/v1/supplier-origins/",
                                  "/api/v1/follow-ups/", "/api/v1/supplier-products/"])  # fmt: skip
def test_api_lists_cost_the_same_queries_at_two_sizes(api_for, collaborative, partner_user, district, path):
    api = api_for(partner_user)
    _grow(collaborative, partner_user, district, 2)
    small = _queries(api, path)
    _grow(collaborative, partner_user, district, 6)
    assert _queries(api, path) == small
