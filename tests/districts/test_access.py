"""The tenancy rules of districts/access.py, role by role."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone

from accounts.models import Role
from districts import access
from districts.models import Coop, District, Site
from partners.models import PartnerOrganisation, Partnership
from tests.factories import (
    CoopFactory,
    DistrictFactory,
    PartnerFactory,
    PartnershipFactory,
    SiteFactory,
    member,
)

pytestmark = pytest.mark.django_db


def names(queryset) -> set[str]:
    return {str(obj) for obj in queryset}


def test_district_staff_see_only_their_district(manager, viewer, district, other_district):
    for user in (manager, viewer):
        assert list(District.objects.for_user(user)) == [district]


def test_only_managers_change_their_district(manager, viewer, district):
    assert list(District.objects.for_user(manager, write=True)) == [district]
    assert list(District.objects.for_user(viewer, write=True)) == []


def test_sda_reviewer_sees_the_sfas_of_their_state(sda_reviewer, district, other_district, mn_agency):
    second_mn = DistrictFactory(state_agency=mn_agency, collaborative=None)
    assert set(District.objects.for_user(sda_reviewer)) == {district, second_mn}
    assert not District.objects.for_user(sda_reviewer, write=True).exists()


def test_partner_staff_see_partnered_districts_read_only(partner_user, partner, district, other_district):
    assert list(District.objects.for_user(partner_user)) == [district]
    assert not District.objects.for_user(partner_user, write=True).exists()
    assert list(PartnerOrganisation.objects.for_user(partner_user, write=True)) == [partner]


def test_partner_loses_sight_of_a_district_when_the_partnership_ends(partner_user, partner, district):
    Partnership.objects.filter(partner=partner).update(end_date=timezone.localdate() - timedelta(days=1))
    assert not District.objects.for_user(partner_user).exists()


def test_partner_staff_do_not_see_other_partners_of_their_districts(partner_user, district):
    rival = PartnerFactory(name="Rival Partner", collaborative=None)
    PartnershipFactory(partner=rival, district=district)
    assert rival not in PartnerOrganisation.objects.for_user(partner_user)


def test_district_staff_see_the_partners_serving_them(manager, partner):
    assert list(PartnerOrganisation.objects.for_user(manager)) == [partner]
    assert not PartnerOrganisation.objects.for_user(manager, write=True).exists()


def test_collaborative_admin_sees_and_changes_the_lab(
    collab_admin, collaborative, district, other_district, partner
):
    assert list(District.objects.for_user(collab_admin, write=True)) == [district]
    assert list(PartnerOrganisation.objects.for_user(collab_admin, write=True)) == [partner]
    assert list(Partnership.objects.for_user(collab_admin, write=True)) == list(
        Partnership.objects.filter(partner=partner)
    )


def test_sites_follow_their_district(manager, viewer, site, other_site):
    assert list(Site.objects.for_user(viewer)) == [site]
    assert list(Site.objects.for_user(manager, write=True)) == [site]
    assert not Site.objects.for_user(viewer, write=True).exists()


def test_coop_members_see_it_and_only_the_lead_changes_it(manager, district, other_district, outsider):
    coop = CoopFactory(lead_district=other_district, members=[district])
    assert list(Coop.objects.for_user(manager)) == [coop]
    assert not Coop.objects.for_user(manager, write=True).exists()
    assert list(Coop.objects.for_user(outsider, write=True)) == [coop]
    # One row even though the lead is also a member (no duplicates from the M2M join).
    assert Coop.objects.for_user(outsider).count() == 1


def test_user_with_no_membership_sees_nothing(nobody, district, site, partner):
    for model in (District, Site, Coop, PartnerOrganisation, Partnership):
        assert not model.objects.for_user(nobody).exists()


def test_superuser_sees_everything(district, other_district):
    root = member(Role.DISTRICT_VIEWER, district, is_superuser=True, is_staff=True)
    assert set(District.objects.for_user(root, write=True)) == {district, other_district}


def test_inactive_user_sees_nothing(manager, district):
    manager.is_active = False
    assert not District.objects.for_user(manager).exists()


def test_get_for_user_gives_404_to_outsiders_and_403_to_readers(manager, viewer, outsider, district):
    assert access.get_for_user(District.objects.all(), manager, district.pk, write=True) == district
    with pytest.raises(Http404):
        access.get_for_user(District.objects.all(), outsider, district.pk)
    with pytest.raises(Http404):
        access.get_for_user(District.objects.all(), manager, 999_999)
    with pytest.raises(Http404):
        access.get_for_user(District.objects.all(), manager, "not-a-number")
    with pytest.raises(PermissionDenied):
        access.get_for_user(District.objects.all(), viewer, district.pk, write=True)


def test_can_create_follows_roles(manager, viewer, partner_user, sda_reviewer, collab_admin):
    assert access.can_create(manager, Site) and access.can_create(collab_admin, Site)
    assert not any(access.can_create(u, Site) for u in (viewer, partner_user, sda_reviewer))
    assert access.can_create(collab_admin, District) and not access.can_create(manager, District)
    assert access.can_create(collab_admin, Partnership) and not access.can_create(partner_user, Partnership)


def test_scoping_an_unregistered_model_fails_loudly(manager):
    from rest_framework.authtoken.models import Token

    with pytest.raises(LookupError):
        access.scope(Token.objects.all(), manager)


def test_several_memberships_unite(manager, other_district, district):
    from accounts.models import Membership

    Membership.objects.create(user=manager, role=Role.DISTRICT_VIEWER, district=other_district)
    manager.__dict__.pop("_focus_roles", None)
    assert set(District.objects.for_user(manager)) == {district, other_district}
    assert list(District.objects.for_user(manager, write=True)) == [district]


def test_scoping_adds_no_query(manager, django_assert_num_queries, district):
    SiteFactory.create_batch(3, district=district)
    with django_assert_num_queries(1):  # the scoped SELECT, with the rules as subqueries
        list(Site.objects.for_user(manager))
