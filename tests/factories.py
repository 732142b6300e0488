"""factory_boy factories with consistent object graphs: a site's state is its district's, a
membership's role matches the organisation it points at."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import factory

from accounts.models import ROLE_TARGET, Membership, Role, User
from districts.models import Collaborative, Coop, District, Site, StateAgency
from partners.models import PartnerOrganisation, Partnership

PASSWORD = "correct-horse-battery"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.org")
    first_name = "Pat"
    last_name = factory.Sequence(lambda n: f"Tester{n}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):  # noqa: N805
        if create:
            obj.save()


class CollaborativeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Collaborative

    name = factory.Sequence(lambda n: f"Learning Lab {n}")
    slug = factory.Sequence(lambda n: f"lab-{n}")


_STATES = ["MN", "WI", "IA", "IL", "MI", "OH", "IN", "MO", "ND", "SD", "NE", "KS"]


class StateAgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StateAgency
        django_get_or_create = ("state",)

    state = factory.Iterator(_STATES)
    name = factory.LazyAttribute(lambda o: f"{o.state} Department of Education")


class DistrictFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = District

    name = factory.Sequence(lambda n: f"District {n:04d}")
    state_agency = factory.SubFactory(StateAgencyFactory, state="MN")
    agency_code = factory.Sequence(lambda n: f"{n:05d}")
    enrollment = 12_000
    collaborative = factory.SubFactory(CollaborativeFactory)


class SiteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Site

    district = factory.SubFactory(DistrictFactory)
    name = factory.Sequence(lambda n: f"School {n}")
    kind = "school"
    street = "100 Main St"
    city = "Springfield"
    state = factory.LazyAttribute(lambda o: o.district.state_agency.state)
    postal_code = "55401"
    latitude = Decimal("44.977800")
    longitude = Decimal("-93.265000")


class CoopFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Coop
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Co-op {n}")
    lead_district = factory.SubFactory(DistrictFactory)
    receiving_site = factory.LazyAttribute(lambda o: SiteFactory(district=o.lead_district))

    @factory.post_generation
    def members(obj, create, extracted, **kwargs):  # noqa: N805
        if create:
            obj.members.add(obj.lead_district, *(extracted or []))


class PartnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PartnerOrganisation

    name = factory.Sequence(lambda n: f"Farm to School Partner {n}")
    kind = "nonprofit"
    collaborative = factory.SubFactory(CollaborativeFactory)


class PartnershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Partnership

    partner = factory.SubFactory(PartnerFactory)
    district = factory.SubFactory(DistrictFactory)
    start_date = date(2025, 8, 1)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    role = Role.DISTRICT_MANAGER


def member(role: str, target: object = None, **user_kwargs: object) -> User:
    """A new user holding ``role`` in ``target`` (a district, partner, state agency or
    collaborative; none for a national role such as the reference-data editor)."""
    field = ROLE_TARGET[Role(role)]
    user = UserFactory(**user_kwargs)
    Membership.objects.create(user=user, role=role, **({field: target} if field else {}))
    return user
