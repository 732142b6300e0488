"""Who sees corrections proposed to a state's data (mechanism: districts/access.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q

from accounts.models import DISTRICT_ROLES, Role
from districts import access

if TYPE_CHECKING:
    from accounts.models import User


def correction_q(user: User, *, write: bool) -> Q:
    """Corrections proposed to a state's data: the district's staff see their district's, SDA
    reviewers their state's, collaborative admins their lab's. Only the correction services
    write them (propose, accept, reject), each checking its own rule."""
    from districts.models import District

    if write:
        return Q(pk__in=[])
    districts = District.objects.filter(
        Q(id__in=access.memberships(user, *DISTRICT_ROLES).values("district_id"))
        | access.reviewed_district_q(user)
        | Q(
            collaborative_id__in=access.memberships(user, Role.COLLABORATIVE_ADMIN).values("collaborative_id")
        )
    )
    return Q(district_id__in=districts.values("id"))


def register_rules() -> None:
    # Proposed by a district's managers; accepted or rejected by the state's reviewers (services).
    access.register(
        "usda_foods.DataCorrection", correction_q, create=access.holds_role(Role.DISTRICT_MANAGER)
    )
