"""Pages for districts, sites, co-ops and collaboratives: each renders for its users, outsiders
get 404, forms validate and offer only what the user may pick, lists cost constant queries."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from districts.models import Site
from tests.conftest import ROLE_FIXTURES
from tests.factories import CoopFactory, DistrictFactory, PartnershipFactory, SiteFactory

pytestmark = pytest.mark.django_db

SITE_FORM = {
    "name": "Northside Elementary",
    "kind": "school",
    "street": "1 Oak St",
    "city": "Minneapolis",
    "state": "MN",
    "postal_code": "55411",
    "latitude": "44.990000",
    "longitude": "-93.280000",
    "receives_deliveries": "on",
}


@pytest.mark.parametrize("role", ROLE_FIXTURES)
@pytest.mark.parametrize(
    "url_name",
    ["dashboard", "districts:district-list", "districts:site-list", "districts:coop-list", "profile"],
)
def test_pages_render_for_every_role(request, client_for, role, url_name, district, site, partner):
    user = request.getfixturevalue(role)
    response = client_for(user).get(reverse(url_name))
    assert response.status_code == 200


@pytest.mark.parametrize("role", ROLE_FIXTURES)
def test_detail_pages_render_for_every_role(request, client_for, role, district, site, partner):
    coop = CoopFactory(lead_district=district, receiving_site=site)
    client = client_for(request.getfixturevalue(role))
    for url in (district.get_absolute_url(), site.get_absolute_url(), coop.get_absolute_url(),
                district.collaborative.get_absolute_url()):  # fmt: skip
        response = client.get(url)
        assert response.status_code == 200, url
        assert district.name in response.content.decode()


def test_anonymous_users_are_sent_to_log_in(client, district):
    response = client.get(reverse("districts:district-list"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("role", ROLE_FIXTURES + ["outsider"])
def test_other_districts_objects_are_404_in_pages(
    request, client_for, role, district, other_district, other_site
):
    coop = CoopFactory(lead_district=other_district, receiving_site=other_site)
    client = client_for(request.getfixturevalue(role))
    urls = [
        reverse("districts:district-detail", args=[other_district.pk]),
        reverse("districts:district-update", args=[other_district.pk]),
        reverse("districts:site-detail", args=[other_site.pk]),
        reverse("districts:site-update", args=[other_site.pk]),
        reverse("districts:coop-detail", args=[coop.pk]),
        reverse("districts:coop-update", args=[coop.pk]),
        reverse("districts:collaborative-detail", args=[other_district.collaborative_id]),
    ]
    if role == "outsider":  # the outsider's own district is ours to hide: swap perspectives
        urls = [reverse("districts:district-detail", args=[district.pk]),
                reverse("districts:district-update", args=[district.pk])]  # fmt: skip
    for url in urls:
        assert client.get(url).status_code == 404, url
        assert client.post(url, {"name": "hacked"}).status_code in (404, 405), url


def test_district_lists_hide_other_districts(member_client, district, other_district):
    html = member_client.get(reverse("districts:district-list")).content.decode()
    assert district.name in html and other_district.name not in html


def test_manager_creates_a_site_through_the_form(member_client, district):
    response = member_client.post(
        reverse("districts:site-create"), {**SITE_FORM, "district": district.pk}, follow=True
    )
    site = Site.objects.get(name="Northside Elementary")
    assert site.district == district
    assert response.redirect_chain[-1][0] == site.get_absolute_url()
    assert "created" in response.content.decode()


def test_site_form_offers_only_the_users_districts(member_client, district, other_district):
    form = member_client.get(reverse("districts:site-create")).context["form"]
    assert list(form.fields["district"].queryset) == [district]


def test_site_form_refuses_another_districts_id_and_writes_nothing(member_client, other_district):
    response = member_client.post(
        reverse("districts:site-create"), {**SITE_FORM, "district": other_district.pk}
    )
    assert response.status_code == 200
    assert "district" in response.context["form"].errors
    assert "Select a valid choice" in response.content.decode()
    assert not Site.objects.filter(name="Northside Elementary").exists()


@pytest.mark.parametrize("missing", ["name", "latitude", "postal_code"])
def test_site_form_names_the_missing_field_and_writes_nothing(member_client, district, missing):
    data = {**SITE_FORM, "district": district.pk}
    del data[missing]
    response = member_client.post(reverse("districts:site-create"), data)
    assert response.status_code == 200
    assert response.context["form"].errors[missing] == ["This field is required."]
    assert "nothing was saved" in response.content.decode()
    assert Site.objects.count() == 0


def test_malformed_coordinates_are_refused(member_client, district):
    data = {**SITE_FORM, "district": district.pk, "latitude": "north", "longitude": "-200"}
    response = member_client.post(reverse("districts:site-create"), data)
    errors = response.context["form"].errors
    assert "latitude" in errors and "longitude" in errors
    assert Site.objects.count() == 0


def test_viewer_cannot_create_or_edit(readonly_client, site):
    assert readonly_client.get(reverse("districts:site-create")).status_code == 403
    assert (
        readonly_client.post(reverse("districts:site-update", args=[site.pk]), SITE_FORM).status_code == 403
    )
    html = readonly_client.get(reverse("districts:site-list")).content.decode()
    assert "New site" not in html


def test_manager_edits_their_district(member_client, district, mn_agency):
    url = reverse("districts:district-update", args=[district.pk])
    data = {"name": district.name, "state_agency": mn_agency.pk, "agency_code": district.agency_code,
            "enrollment": "15000", "collaborative": ""}  # fmt: skip
    response = member_client.post(url, data)
    assert response.status_code == 302
    district.refresh_from_db()
    assert district.enrollment == 15000


def test_admin_creates_a_district_in_their_lab_only(
    client_for, collab_admin, collaborative, mn_agency, other_district
):
    client = client_for(collab_admin)
    form = client.get(reverse("districts:district-create")).context["form"]
    assert list(form.fields["collaborative"].queryset) == [collaborative]
    data = {"name": "Gamma Schools", "state_agency": mn_agency.pk, "agency_code": "G-1", "enrollment": "900",
            "collaborative": collaborative.pk}  # fmt: skip
    assert client.post(reverse("districts:district-create"), data).status_code == 302
    bad = {**data, "name": "Delta", "agency_code": "D-1", "collaborative": other_district.collaborative_id}
    assert "collaborative" in client.post(reverse("districts:district-create"), bad).context["form"].errors


def test_coop_form_checks_the_receiving_site_belongs_to_the_lead(
    member_client, district, other_district, site
):
    foreign_site = SiteFactory(district=other_district)
    data = {"name": "North Co-op", "lead_district": district.pk, "receiving_site": foreign_site.pk,
            "members": [district.pk]}  # fmt: skip
    response = member_client.post(reverse("districts:coop-create"), data)
    assert "receiving_site" in response.context["form"].errors
    data["receiving_site"] = site.pk
    assert member_client.post(reverse("districts:coop-create"), data).status_code == 302


def test_list_search_and_filters(client_for, collab_admin, collaborative, mn_agency, wi_agency):
    DistrictFactory(name="Maple Grove Schools", collaborative=collaborative, state_agency=mn_agency)
    DistrictFactory(name="Oak Creek Schools", collaborative=collaborative, state_agency=wi_agency)
    client = client_for(collab_admin)
    html = client.get(reverse("districts:district-list"), {"q": "maple"}).content.decode()
    assert "Maple Grove" in html and "Oak Creek" not in html
    html = client.get(reverse("districts:district-list"), {"state": "WI"}).content.decode()
    assert "Oak Creek" in html and "Maple Grove" not in html


def test_lists_paginate(client_for, collab_admin, collaborative):
    DistrictFactory.create_batch(30, collaborative=collaborative)
    response = client_for(collab_admin).get(reverse("districts:district-list"))
    assert len(response.context["object_list"]) == 25
    assert "Page 1 of 2" in response.content.decode()


def _count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    "url_name", ["districts:district-list", "districts:site-list", "districts:coop-list"]
)
def test_list_pages_cost_constant_queries(client_for, collab_admin, collaborative, url_name):
    client = client_for(collab_admin)

    def grow(n: int) -> None:
        for _ in range(n):
            district = DistrictFactory(collaborative=collaborative)
            coop = CoopFactory(lead_district=district)
            SiteFactory(district=district)
            coop.members.add(DistrictFactory(collaborative=collaborative))

    grow(5)
    with_five = _count_queries(client, reverse(url_name))
    grow(45)
    assert _count_queries(client, reverse(url_name)) == with_five


def test_site_list_query_budget(client_for, manager, district, django_assert_num_queries):
    SiteFactory.create_batch(20, district=district)
    client = client_for(manager)
    client.get(reverse("districts:site-list"))  # warm the session
    # session, user, roles (navigation), count for the paginator, the page of sites with their
    # districts, and the district choices of the filter form
    with django_assert_num_queries(6):
        client.get(reverse("districts:site-list"))


def test_dashboards_say_what_needs_doing(
    client_for, manager, collab_admin, sda_reviewer, partner_user, district
):
    html = client_for(manager).get(reverse("dashboard")).content.decode()
    assert "Your district" in html and "has no delivery site yet" in html
    assert "Your learning lab" in client_for(collab_admin).get(reverse("dashboard")).content.decode()
    assert "SFAs in your state" in client_for(sda_reviewer).get(reverse("dashboard")).content.decode()
    assert "Districts you support" in client_for(partner_user).get(reverse("dashboard")).content.decode()


def test_dashboard_for_a_user_without_membership(client_for, nobody):
    assert "no membership yet" in client_for(nobody).get(reverse("dashboard")).content.decode()


def test_navigation_fits_the_role(client_for, sda_reviewer, manager):
    assert ">SFAs<" in client_for(sda_reviewer).get(reverse("dashboard")).content.decode()
    assert ">Districts<" in client_for(manager).get(reverse("dashboard")).content.decode()


def test_district_list_counts_sites_and_partners_for_the_page_only(client_for, collab_admin, collaborative):
    """Counts come from subqueries the page's 25 rows evaluate, not from grouping every district."""
    busy = DistrictFactory(collaborative=collaborative, name="Aaa Busy Schools")
    SiteFactory.create_batch(3, district=busy)
    PartnershipFactory.create_batch(2, district=busy)
    DistrictFactory(collaborative=collaborative, name="Bbb Quiet Schools")
    client = client_for(collab_admin)

    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("districts:district-list"))

    rows = {d.name: (d.site_count, d.partner_count) for d in response.context["object_list"]}
    assert rows["Aaa Busy Schools"] == (3, 2) and rows["Bbb Quiet Schools"] == (0, 0)
    assert not any("GROUP BY" in q["sql"] and "LIMIT" not in q["sql"] for q in ctx.captured_queries)
