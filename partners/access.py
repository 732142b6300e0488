"""Who sees and changes partner organisations and partnerships (the mechanism is districts/access.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q

from accounts.models import Role
from districts import access

if TYPE_CHECKING:
    from accounts.models import User


def partner_q(user: User, *, write: bool) -> Q:
    from districts.models import District

    own = Q(id__in=access.memberships(user, Role.PARTNER_STAFF).values("partner_id"))
    administered = Q(
        collaborative_id__in=access.memberships(user, Role.COLLABORATIVE_ADMIN).values("collaborative_id")
    )
    if write:
        return own | administered
    # District staff and SDA reviewers see the partners that serve the districts they see. Partner
    # staff do not see other partners through shared districts: that is not their business.
    served = District.objects.filter(access.district_q(user, write=False, via_partners=False)).values("id")
    return (
        own
        | administered
        | Q(id__in=access.active_partnerships().filter(district_id__in=served).values("partner_id"))
    )


def partnership_q(user: User, *, write: bool) -> Q:
    from districts.models import District

    administered = Q(
        district__collaborative_id__in=access.memberships(user, Role.COLLABORATIVE_ADMIN).values(
            "collaborative_id"
        )
    )
    if write:
        return administered
    own = Q(partner_id__in=access.memberships(user, Role.PARTNER_STAFF).values("partner_id"))
    seen = District.objects.filter(access.district_q(user, write=False, via_partners=False)).values("id")
    return administered | own | Q(district_id__in=seen)


def _administers_a_lab(user: User) -> bool:
    return Role.COLLABORATIVE_ADMIN in access.roles_for(user)


def register_rules() -> None:
    access.register("partners.PartnerOrganisation", partner_q, create=_administers_a_lab)
    access.register("partners.Partnership", partnership_q, create=_administers_a_lab)
