from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from accounts.models import Membership, Role, User
from districts.models import Site
from tests.factories import CoopFactory, DistrictFactory, PartnershipFactory, SiteFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_membership_must_point_at_the_organisation_of_its_role(district, collaborative):
    user = UserFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(user=user, role=Role.DISTRICT_MANAGER, collaborative=collaborative)
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(user=user, role=Role.COLLABORATIVE_ADMIN)
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(
            user=user, role=Role.DISTRICT_VIEWER, district=district, collaborative=collaborative
        )
    Membership.objects.create(user=user, role=Role.DISTRICT_VIEWER, district=district)


def test_membership_is_unique_per_user_role_and_target(district):
    user = UserFactory()
    Membership.objects.create(user=user, role=Role.DISTRICT_VIEWER, district=district)
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(user=user, role=Role.DISTRICT_VIEWER, district=district)


def test_users_log_in_by_email_and_it_is_normalised():
    user = User.objects.create_user("Pat@Example.ORG", "pw-12345678")
    assert user.email == "pat@example.org"
    assert User.USERNAME_FIELD == "email"
    with pytest.raises(ValueError):
        User.objects.create_user("", "pw")


def test_agency_code_is_unique_within_a_state(mn_agency):
    DistrictFactory(state_agency=mn_agency, agency_code="0001")
    with pytest.raises(IntegrityError), transaction.atomic():
        DistrictFactory(state_agency=mn_agency, agency_code="0001")


def test_site_coordinates_must_be_on_the_globe(district):
    site = SiteFactory.build(district=district, latitude=Decimal("91"), longitude=Decimal("-93"))
    with pytest.raises(ValidationError) as excinfo:
        site.full_clean()
    assert "latitude" in excinfo.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        Site.objects.bulk_create([site])


def test_coop_receiving_site_must_belong_to_the_lead(district, other_site):
    coop = CoopFactory.build(lead_district=district, receiving_site=other_site)
    with pytest.raises(ValidationError) as excinfo:
        coop.full_clean()
    assert "receiving_site" in excinfo.value.message_dict


def test_partnership_cannot_end_before_it_starts(partner, other_district):
    partnership = PartnershipFactory.build(
        partner=partner, district=other_district, start_date=date(2025, 8, 1), end_date=date(2025, 7, 1)
    )
    with pytest.raises(ValidationError):
        partnership.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        partnership.save()


def test_district_state_comes_from_its_agency(district):
    assert district.state == "MN"
