"""Who sees and sets spending goals (mechanism: districts/access.py).

A lab's goals are read by its members (its districts' staff, its partners' staff, its admins); a
goal for one district only by whoever sees that district, so no district reads another's target.
The lab's admins set them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q

from accounts.models import Role
from districts import access
from purchasing.access import lab_ids

if TYPE_CHECKING:
    from accounts.models import User


def administered_lab_ids(user: User):
    return access.memberships(user, Role.COLLABORATIVE_ADMIN).values("collaborative_id")


def goal_q(user: User, *, write: bool) -> Q:
    if write:
        return Q(collaborative_id__in=administered_lab_ids(user))
    return Q(collaborative_id__in=lab_ids(user)) & (
        Q(district__isnull=True) | Q(district_id__in=access.district_ids_for(user))
    )


def register_rules() -> None:
    access.register("purchasing.Goal", goal_q, create=access.holds_role(Role.COLLABORATIVE_ADMIN))
