"""Who sees and changes priority items (mechanism: districts/access.py).

Priority items belong to a learning lab (collaborative). Its members see them all: the staff of
its districts, the staff of its partner organisations and its admins (not state reviewers, who
belong to no lab). District managers, partner staff and admins propose and revise them; a
district's managers answer for their district and record its menu commitments; the lab's admins
set its consensus rule."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet

from accounts.models import DISTRICT_ROLES, Role
from districts import access

if TYPE_CHECKING:
    from accounts.models import User

WRITERS = (Role.DISTRICT_MANAGER, Role.PARTNER_STAFF, Role.COLLABORATIVE_ADMIN)


def lab_ids(user: User, *, write: bool = False) -> QuerySet:
    """The collaboratives the user is a member of (with ``write``: may propose items in), as a
    subquery."""
    from districts.models import Collaborative, District
    from partners.models import PartnerOrganisation

    district_roles = (Role.DISTRICT_MANAGER,) if write else DISTRICT_ROLES
    districts = District.objects.filter(
        id__in=access.memberships(user, *district_roles).values("district_id")
    )
    partners = PartnerOrganisation.objects.filter(
        id__in=access.memberships(user, Role.PARTNER_STAFF).values("partner_id"), removed_on__isnull=True
    )
    return Collaborative.objects.filter(
        Q(id__in=access.memberships(user, Role.COLLABORATIVE_ADMIN).values("collaborative_id"))
        | Q(id__in=districts.values("collaborative_id"))
        | Q(id__in=partners.values("collaborative_id"))
    ).values("id")


def managed_district_ids(user: User) -> QuerySet:
    return access.memberships(user, Role.DISTRICT_MANAGER).values("district_id")


def item_q(user: User, *, write: bool) -> Q:
    return Q(collaborative_id__in=lab_ids(user, write=write))


def version_q(user: User, *, write: bool) -> Q:
    return Q(item__collaborative_id__in=lab_ids(user, write=write))


def endorsement_q(user: User, *, write: bool) -> Q:
    # Answers are given through endorsement_record only (it checks the district's manager).
    if write:
        return Q(
            district_id__in=managed_district_ids(user), version__item__collaborative_id__in=lab_ids(user)
        )
    return Q(version__item__collaborative_id__in=lab_ids(user))


def commitment_q(user: User, *, write: bool) -> Q:
    """The lab sees every district's commitment (the pooled demand); a district's managers change
    their district's."""
    in_lab = Q(item__collaborative_id__in=lab_ids(user))
    return in_lab & Q(district_id__in=managed_district_ids(user)) if write else in_lab


def rule_q(user: User, *, write: bool) -> Q:
    if write:
        return Q(
            collaborative_id__in=access.memberships(user, Role.COLLABORATIVE_ADMIN).values("collaborative_id")
        )
    return Q(collaborative_id__in=lab_ids(user))


def register_rules() -> None:
    access.register(
        "purchasing.PriorityItem", item_q, create=lambda user: bool(access.roles_for(user) & set(WRITERS))
    )
    access.register("purchasing.SpecVersion", version_q)
    access.register("purchasing.Endorsement", endorsement_q)
    access.register(
        "purchasing.MenuCommitment", commitment_q, create=access.holds_role(Role.DISTRICT_MANAGER)
    )
    access.register("purchasing.ConsensusRule", rule_q)
