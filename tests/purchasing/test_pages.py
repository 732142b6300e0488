"""The pages, rendered as their users; tenancy (another lab's member gets 404); forms posting to
the services; the list and pooled-demand pages in a constant number of queries."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Role
from purchasing.priority_items.models import MenuCommitment, PriorityItem, SpecVersion, VersionStatus
from tests.factories import DistrictFactory, member
from tests.purchasing.fixtures import adopt, build_lab, commit, propose_drumsticks

pytestmark = pytest.mark.django_db


@pytest.fixture
def lab(district, manager):
    return build_lab(district, manager)


@pytest.fixture
def adopted(lab, partner_user, collaborative):
    item, version = propose_drumsticks(partner_user, collaborative)
    adopt(version, lab)
    for district, manager in lab[:2]:
        commit(item, district, manager)
    return item, version


def _pages(item, version):
    return [
        reverse("purchasing:item-list"),
        reverse("purchasing:item-detail", args=[item.pk]),
        reverse("purchasing:item-compare", args=[item.pk]),
        reverse("purchasing:item-demand", args=[item.pk]),
        reverse("purchasing:version-detail", args=[version.pk]),
        reverse("purchasing:lab-demand"),
        reverse("purchasing:rfp-draft"),
        reverse("purchasing:consensus-rule", args=[item.collaborative_id]),
    ]


def test_every_page_renders_for_the_labs_members(
    adopted, client_for, manager, viewer, partner_user, collab_admin
):
    item, version = adopted
    for user in (manager, viewer, partner_user, collab_admin):
        client = client_for(user)
        for url in _pages(item, version):
            response = client.get(url)
            assert response.status_code == 200, (user, url)
        assert "Chicken drumsticks" in client.get(reverse("purchasing:lab-demand")).content.decode()


def test_another_labs_member_sees_nothing(adopted, outsider_client, sda_reviewer, client_for):
    item, version = adopted
    detail_urls = [u for u in _pages(item, version) if str(item.pk) in u or str(version.pk) in u]
    detail_urls += [reverse("purchasing:version-pdf", args=[version.pk]),
                    reverse("purchasing:commitment-edit", args=[item.pk]),
                    reverse("purchasing:version-update", args=[version.pk])]  # fmt: skip
    for client in (outsider_client, client_for(sda_reviewer)):
        for url in detail_urls:
            assert client.get(url).status_code in (404, 403), url
        assert client.get(reverse("purchasing:version-endorse", args=[version.pk])).status_code == 404
        assert client.post(reverse("purchasing:version-endorse", args=[version.pk]), {}).status_code == 404
        for url in (
            reverse("purchasing:item-list"),
            reverse("purchasing:lab-demand"),
            reverse("purchasing:rfp-draft"),
        ):
            body = client.get(url).content.decode()
            assert "Chicken drumsticks" not in body
            assert "How to start" in body  # the empty state
        rfp = client.get(reverse("purchasing:rfp-draft"), {"item": item.pk, "format": "pdf"})
        assert rfp.status_code == 200 and rfp["Content-Type"].startswith("text/html")


def test_empty_states(member_client):
    for name in ("purchasing:item-list", "purchasing:lab-demand", "purchasing:rfp-draft"):
        assert "How to start" in member_client.get(reverse(name)).content.decode()


def test_propose_an_item_through_the_form_and_refuse_local_on_processed(
    lab, client_for, partner_user, collaborative
):
    client = client_for(partner_user)
    data = {"collaborative": collaborative.pk, "name": "Breaded chicken patties", "unit": "lb",
            "product_form": "Breaded patty", "processing": "processed", "local_clause": "specification",
            "local_definition": "MN", "claims": "No antibiotics ever | USDA PVP"}  # fmt: skip
    response = client.post(reverse("purchasing:item-create"), data)
    assert response.status_code == 200
    assert "unprocessed or minimally processed" in response.content.decode()
    assert not PriorityItem.objects.exists()
    response = client.post(reverse("purchasing:item-create"), {**data, "claims": "No antibiotics ever"})
    assert "how it is verified" in response.content.decode()
    response = client.post(reverse("purchasing:item-create"), {**data, "local_clause": "preference"})
    item = PriorityItem.objects.get()
    assert response.status_code == 302 and response.url == item.get_absolute_url()
    version = item.versions.get()
    assert version.claims == [{"claim": "No antibiotics ever", "verification": "USDA PVP"}]
    client.post(reverse("purchasing:version-propose", args=[version.pk]))
    version.refresh_from_db()
    assert version.status == VersionStatus.PROPOSED


def test_answers_through_the_page(lab, client_for, partner_user, collaborative):
    item, version = propose_drumsticks(partner_user, collaborative)
    district, manager = lab[1]
    client = client_for(manager)
    page = client.get(reverse("purchasing:version-detail", args=[version.pk])).content.decode()
    assert "Record the answer" in page
    url = reverse("purchasing:version-endorse", args=[version.pk])
    response = client.post(url, {"district": district.pk, "stance": "object", "comment": ""})
    assert response.status_code == 200 and "reason" in response.content.decode()
    client.post(url, {"district": district.pk, "stance": "object", "comment": "Too small a piece"})
    assert version.endorsements.get().comment == "Too small a piece"
    # Another district's manager cannot answer for this one.
    response = client_for(lab[2][1]).post(url, {"district": district.pk, "stance": "endorse"})
    assert response.status_code == 200 and version.endorsements.get().stance == "object"
    # Revise from the page: a new draft, the old version's answers kept.
    client_for(partner_user).post(reverse("purchasing:item-revise", args=[item.pk]))
    assert list(item.versions.values_list("number", "status")) == [(2, "draft"), (1, "superseded")]


def test_edit_of_a_frozen_version_is_refused(adopted, client_for, partner_user):
    item, version = adopted
    client = client_for(partner_user)
    response = client.get(reverse("purchasing:version-update", args=[version.pk]))
    assert response.status_code == 302
    response = client.post(
        reverse("purchasing:version-update", args=[version.pk]), {"product_form": "x"}, follow=True
    )
    assert "frozen" in response.content.decode()
    assert SpecVersion.objects.get(pk=version.pk).product_form.startswith("Chicken")


def test_compare_marks_the_changed_fields(adopted, client_for, partner_user):
    item, version = adopted
    client = client_for(partner_user)
    client.post(reverse("purchasing:item-revise", args=[item.pk]))
    draft = item.versions.get(number=2)
    form = client.get(reverse("purchasing:version-update", args=[draft.pk])).context["form"]
    data = {
        **form.initial,
        "grade": "USDA Grade A, 3.5-4.5 oz pieces",
        "attributes": "piece size: 4 oz\nglaze: none",
    }
    response = client.post(reverse("purchasing:version-update", args=[draft.pk]), data)
    assert response.status_code == 302
    page = client.get(reverse("purchasing:item-compare", args=[item.pk]), {"a": 1, "b": 2}).content.decode()
    assert "3 fields differ" in page
    assert page.count('data-changed="1"') == 3  # grade, piece size, glaze


def test_commitment_form_shows_the_conversion(adopted, client_for, manager, district):
    item, _ = adopted
    client = client_for(manager)
    page = client.get(reverse("purchasing:commitment-edit", args=[item.pk])).content.decode()
    assert "5,400 lb" in page
    assert "× 4.00 oz = 86,400 oz ÷ 16 oz a pound = 5,400.00 lb" in page
    response = client.post(reverse("purchasing:commitment-edit", args=[item.pk]), {
        "district": district.pk, "times_per_month": "2", "months": ["9", "10"], "servings_per_day": "1000",
        "serving_size": "4", "serving_unit": "oz", "override_volume": "900", "override_reason": "",
    })  # fmt: skip
    assert "why you override" in response.content.decode()
    assert MenuCommitment.objects.get(district=district).annual_volume == Decimal(5400)


def test_viewers_cannot_commit_or_answer(adopted, readonly_client):
    item, version = adopted
    assert readonly_client.get(reverse("purchasing:commitment-edit", args=[item.pk])).status_code == 403


def test_pooled_demand_page_figures(adopted, member_client):
    item, _ = adopted
    page = member_client.get(reverse("purchasing:item-demand", args=[item.pk])).content.decode()
    assert "10,800 lb" in page  # 2 districts x 5,400 lb
    assert "$23,220.00" in page  # 10,800 lb x $2.15
    lab_page = member_client.get(reverse("purchasing:lab-demand")).content.decode()
    assert "10,800 lb" in lab_page and "$23,220.00" in lab_page


def test_lab_demand_and_list_in_constant_queries(lab, partner_user, collaborative, client_for, collab_admin):
    client = client_for(collab_admin)

    def grow(n):
        for i in range(n):
            item, version = propose_drumsticks(partner_user, collaborative, product_form=f"Item {i}")
            PriorityItem.objects.filter(pk=item.pk).update(name=f"{item.name} {PriorityItem.objects.count()}")
            adopt(version, lab)
            for district, manager in lab:
                commit(item, district, manager)
        grown = DistrictFactory(collaborative=collaborative, state_agency=lab[0][0].state_agency)
        lab.append((grown, member(Role.DISTRICT_MANAGER, grown)))

    counts = []
    for n in (1, 3):
        grow(n)
        for name in ("purchasing:lab-demand", "purchasing:item-list"):
            with CaptureQueriesContext(connection) as ctx:
                assert client.get(reverse(name)).status_code == 200
            counts.append((name, len(ctx)))
    assert counts[0] == counts[2] and counts[1] == counts[3], counts


def test_dashboard_to_dos(lab, partner_user, collaborative, client_for, manager, collab_admin):
    item, version = propose_drumsticks(partner_user, collaborative)

    def texts(user):
        response = client_for(user).get("/")
        return [(t.text, t.url) for section in response.context["sections"] for t in section.todos]

    waiting = (f"Version 1 of “{item.name}” waits for Alpha Public Schools' answer.",
               reverse("purchasing:version-detail", args=[version.pk]))  # fmt: skip
    assert waiting in texts(manager)
    assert (
        "1 specification version is waiting for the districts' answers.",
        reverse("purchasing:item-list"),
    ) in texts(collab_admin)
    adopt(version, lab)
    found = texts(manager)
    assert waiting not in found
    assert (f"“{item.name}” is adopted: record how often you will menu it.",
            reverse("purchasing:commitment-edit", args=[item.pk])) in found  # fmt: skip
    commit(item, *lab[0])
    assert not [t for t, _ in texts(manager) if item.name in t]
