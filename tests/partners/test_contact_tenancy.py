"""Whose notes are whose: partner A never sees partner B's notes (pages, API, search, exports, the
map); a district sees the notes that concern it; the lab's admins see the lab's; a private note
stays with its author's organisation. Suppliers are shared within the lab, not beyond."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import Role
from partners.contacts.models import Interaction
from tests.factories import CollaborativeFactory, PartnerFactory, member
from tests.partners.supplier_fixtures import log

pytestmark = pytest.mark.django_db

SECRET = "Bravo's price for drumsticks: 2.10 per pound"


@pytest.fixture
def notes(collaborative, district, second_district, farm, partner_user, partner_b_user, manager):
    return {
        "a": log(partner_user, farm, districts=[district], notes="Alpha visited the orchard"),
        "b": log(partner_b_user, farm, districts=[district], notes=SECRET),
        "b_private": log(
            partner_b_user, farm, districts=[district], notes="Bravo private memo", private=True
        ),
        "second": log(partner_b_user, farm, districts=[second_district], notes="About Charlie only"),
        "district": log(manager, farm, districts=[district], notes="Alpha's own call"),
    }


def _visible(user) -> set[str]:
    return set(Interaction.objects.for_user(user).values_list("notes", flat=True))


def test_who_reads_which_note(notes, partner_user, partner_b_user, manager, viewer, second_manager, collab_admin,
                              sda_reviewer, outsider):  # fmt: skip
    assert _visible(partner_user) == {"Alpha visited the orchard"}
    assert _visible(partner_b_user) == {SECRET, "Bravo private memo", "About Charlie only"}
    concerning_alpha = {"Alpha visited the orchard", SECRET, "Alpha's own call"}
    assert _visible(manager) == _visible(viewer) == concerning_alpha
    assert _visible(second_manager) == {"About Charlie only"}
    assert _visible(collab_admin) == concerning_alpha | {"About Charlie only"}  # not the private one
    assert _visible(sda_reviewer) == _visible(outsider) == set()


def test_only_the_authors_organisation_changes_a_note(notes, partner_user, partner_b_user, manager, viewer,
                                                      collab_admin):  # fmt: skip
    writable = {u: set(Interaction.objects.for_user(u, write=True).values_list("notes", flat=True))
                for u in (partner_user, manager, viewer, collab_admin)}  # fmt: skip
    assert writable[partner_user] == {"Alpha visited the orchard"}
    assert writable[manager] == {"Alpha's own call"}
    assert writable[viewer] == writable[collab_admin] == set()


def test_partner_a_never_sees_partner_bs_notes_in_pages(client_for, notes, partner_user, farm):
    client = client_for(partner_user)
    assert client.get(reverse("partners:interaction-detail", args=[notes["b"].pk])).status_code == 404
    assert client.get(reverse("partners:interaction-update", args=[notes["b"].pk])).status_code == 404
    for url in (reverse("partners:interaction-list"), farm.get_absolute_url(), reverse("partners:follow-up-list"),
                reverse("partners:supplier-list") + "?q=drumsticks", reverse("partners:supplier-map") + "?q=drumsticks",
                reverse("dashboard")):  # fmt: skip
        html = client.get(url).content.decode()
        assert "2.10 per pound" not in html and "Bravo private memo" not in html, url
    assert (
        "Hanson Family Orchard"
        not in client.get(reverse("partners:supplier-list") + "?q=drumsticks").content.decode()
    )


def test_partner_a_never_sees_partner_bs_notes_in_exports(client_for, notes, partner_user):
    client = client_for(partner_user)
    for fmt in ("csv", "xlsx"):
        body = b"".join(client.get(reverse("partners:interaction-list") + f"?format={fmt}").streaming_content
                        if fmt == "csv" else [client.get(reverse("partners:interaction-list") + f"?format={fmt}").getvalue()])  # fmt: skip
        if fmt == "csv":
            text = body.decode("utf-8-sig")
            assert "Alpha visited the orchard" in text and "drumsticks" not in text and "Bravo" not in text
        else:
            from io import BytesIO

            from python_calamine import CalamineWorkbook

            rows = CalamineWorkbook.from_filelike(BytesIO(body)).get_sheet_by_index(0).to_python()
            flat = " ".join(str(c) for row in rows for c in row)
            assert "Alpha visited the orchard" in flat and "drumsticks" not in flat
    search_csv = b"".join(
        client.get(reverse("partners:supplier-list") + "?q=drumsticks&format=csv").streaming_content
    )
    assert "Hanson" not in search_csv.decode("utf-8-sig")


def test_partner_a_never_sees_partner_bs_notes_in_the_api(api_for, notes, partner_user):
    api = api_for(partner_user)
    listed = api.get("/api/v1/interactions/").json()["results"]
    assert [n["notes"] for n in listed] == ["Alpha visited the orchard"]
    assert api.get(f"/api/v1/interactions/{notes['b'].pk}/").status_code == 404
    assert (
        api.patch(f"/api/v1/interactions/{notes['b'].pk}/", {"notes": "x"}, format="json").status_code == 404
    )
    assert api.get("/api/v1/suppliers/?q=drumsticks").json()["results"] == []
    assert api.get("/api/v1/follow-ups/").json()["results"] == []


def test_a_district_sees_the_notes_that_concern_it(client_for, notes, manager, second_manager):
    html = client_for(manager).get(reverse("partners:interaction-list")).content.decode()
    assert (
        SECRET.replace("'", "&#x27;") in html
        and "About Charlie only" not in html
        and "Bravo private memo" not in html
    )
    assert (
        client_for(second_manager)
        .get(reverse("partners:interaction-detail", args=[notes["b"].pk]))
        .status_code
        == 404
    )
    assert client_for(second_manager).get(reverse("partners:interaction-detail",
                                                  args=[notes["second"].pk])).status_code == 200  # fmt: skip


def test_suppliers_are_shared_within_the_lab_only(client_for, api_for, farm, manager, collab_admin, partner_user,
                                                  outsider, sda_reviewer):  # fmt: skip
    for user in (manager, collab_admin, partner_user):
        assert client_for(user).get(farm.get_absolute_url()).status_code == 200
    for user in (outsider, sda_reviewer):
        assert client_for(user).get(farm.get_absolute_url()).status_code == 404
        assert api_for(user).get(f"/api/v1/suppliers/{farm.pk}/").status_code == 404
        assert "Hanson" not in client_for(user).get(reverse("partners:supplier-map")).content.decode()
    other_partner = member(Role.PARTNER_STAFF, PartnerFactory(collaborative=CollaborativeFactory()),
                           email="staff@elsewhere.example")  # fmt: skip
    assert client_for(other_partner).get(farm.get_absolute_url()).status_code == 404
    assert api_for(other_partner).get("/api/v1/suppliers/").json()["results"] == []


def test_district_staff_read_suppliers_but_only_partners_and_admins_change_them(client_for, farm, manager,
                                                                                partner_user, collab_admin):  # fmt: skip
    assert client_for(manager).get(reverse("partners:supplier-update", args=[farm.pk])).status_code == 403
    assert client_for(manager).get(reverse("partners:supplier-create")).status_code == 403
    assert (
        client_for(partner_user).get(reverse("partners:supplier-update", args=[farm.pk])).status_code == 200
    )
    assert (
        client_for(collab_admin).get(reverse("partners:supplier-update", args=[farm.pk])).status_code == 200
    )
    assert client_for(partner_user).get(reverse("partners:supplier-merge", args=[farm.pk])).status_code == 403


def test_a_private_note_stays_with_its_organisation_through_the_supplier_page(client_for, notes, farm, manager,
                                                                             partner_b_user):  # fmt: skip
    assert "Bravo private memo" not in client_for(manager).get(farm.get_absolute_url()).content.decode()
    assert "Bravo private memo" in client_for(partner_b_user).get(farm.get_absolute_url()).content.decode()
