"""Shared fixtures: two districts in two collaboratives and two states, a user for each role, and
logged-in clients. ``district`` is "ours"; ``other_district`` belongs to nobody our users hold."""

from __future__ import annotations

import pytest
from django.test import Client
from rest_framework.test import APIClient

from accounts.models import Role
from tests.factories import (
    CollaborativeFactory,
    DistrictFactory,
    PartnerFactory,
    PartnershipFactory,
    SiteFactory,
    StateAgencyFactory,
    UserFactory,
    member,
)


@pytest.fixture(autouse=True)
def reference_values_present(request: pytest.FixtureRequest) -> None:
    """The published per-meal values and rates the 0002 migration inserts, there for every test
    that uses the database. Transactional tests (threads, browsers) empty every table when they
    end, and under pytest-xdist any test may run after one."""
    names, marker = request.fixturenames, request.node.get_closest_marker("django_db")
    if "transactional_db" in names or "live_server" in names or (marker and marker.kwargs.get("transaction")):
        request.getfixturevalue("transactional_db")
    elif "db" in names or marker:
        request.getfixturevalue("db")
    else:
        return
    from usda_foods.models import PerMealValue

    if not PerMealValue.objects.exists():
        from tests.usda_foods.ordering_fixtures import ensure_reference_values

        ensure_reference_values()


@pytest.fixture
def collaborative(db):
    return CollaborativeFactory(name="Upper Midwest Lab", slug="umrll-test")


@pytest.fixture
def mn_agency(db):
    return StateAgencyFactory(state="MN", name="Minnesota Department of Education")


@pytest.fixture
def wi_agency(db):
    return StateAgencyFactory(state="WI", name="Wisconsin DPI")


@pytest.fixture
def district(collaborative, mn_agency):
    return DistrictFactory(name="Alpha Public Schools", collaborative=collaborative, state_agency=mn_agency)


@pytest.fixture
def other_district(wi_agency):
    """In another state and another collaborative: outside every fixture user's reach."""
    return DistrictFactory(
        name="Bravo School District", state_agency=wi_agency, collaborative=CollaborativeFactory()
    )


@pytest.fixture
def site(district):
    return SiteFactory(district=district, name="Alpha High School")


@pytest.fixture
def other_site(other_district):
    return SiteFactory(district=other_district, name="Bravo Elementary")


@pytest.fixture
def partner(collaborative, district):
    partner = PartnerFactory(name="Alpha Farm to School", collaborative=collaborative)
    PartnershipFactory(partner=partner, district=district)
    return partner


@pytest.fixture
def manager(district):
    return member(Role.DISTRICT_MANAGER, district, email="manager@alpha.example")


@pytest.fixture
def viewer(district):
    return member(Role.DISTRICT_VIEWER, district, email="viewer@alpha.example")


@pytest.fixture
def partner_user(partner):
    return member(Role.PARTNER_STAFF, partner, email="staff@partner.example")


@pytest.fixture
def sda_reviewer(mn_agency):
    return member(Role.SDA_REVIEWER, mn_agency, email="reviewer@mn.example")


@pytest.fixture
def collab_admin(collaborative):
    return member(Role.COLLABORATIVE_ADMIN, collaborative, email="admin@lab.example")


@pytest.fixture
def reference_editor(db):
    """The national reference-data editor: per-meal values, rates, Section 4, the catalog."""
    return member(Role.REFERENCE_DATA, email="editor@reference.example")


@pytest.fixture
def outsider(other_district):
    """Manager of the other district: a real user, just not one of ours."""
    return member(Role.DISTRICT_MANAGER, other_district, email="manager@bravo.example")


@pytest.fixture
def nobody(db):
    return UserFactory(email="nobody@example.org")


ROLE_FIXTURES = ["manager", "viewer", "partner_user", "sda_reviewer", "collab_admin"]


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def client_for():
    return _client


@pytest.fixture
def api_for():
    return _api


@pytest.fixture
def member_client(manager):
    return _client(manager)


@pytest.fixture
def readonly_client(viewer):
    return _client(viewer)


@pytest.fixture
def outsider_client(outsider):
    return _client(outsider)


@pytest.fixture
def member_api(manager):
    return _api(manager)


@pytest.fixture
def outsider_api(outsider):
    return _api(outsider)
