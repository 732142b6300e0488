"""Who may bring whom in: the rules for invitations and for managing memberships (the mechanism,
``scope`` and ``get_for_user``, is in districts/access.py; ``register`` runs in AppConfig.ready).

An organisation's people are managed by whoever administers it:

- a learning lab's collaborative admins: the managers and viewers of the lab's districts and the
  staff of the lab's partner organisations (not other admins: superusers appoint those);
- a state agency's reviewers: the state's reviewers (and nobody else's);
- superusers: everyone, the collaborative admins and the national reference-data editors included.

The same rule says which invitations a user sees and may revoke or resend, which memberships they
may change or end, and which roles and organisations the invite form offers. Each rule is a
subquery on the user's own memberships, so scoping adds no queries.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db.models import Model, Q, QuerySet
from django.http import Http404

from accounts.models import DISTRICT_ROLES, ROLE_TARGET, Membership, Role

if TYPE_CHECKING:
    from accounts.models import User

# The roles each administering role may grant.
LAB_ROLES = (Role.DISTRICT_MANAGER, Role.DISTRICT_VIEWER, Role.PARTNER_STAFF)
STATE_ROLES = (Role.SDA_REVIEWER,)


def _active(user: User) -> bool:
    return user.is_authenticated and user.is_active


def _labs(user: User) -> QuerySet:
    return Membership.objects.filter(user=user, role=Role.COLLABORATIVE_ADMIN).values("collaborative_id")


def _states(user: User) -> QuerySet:
    return Membership.objects.filter(user=user, role=Role.SDA_REVIEWER).values("state_agency_id")


def _granted_q(user: User) -> Q:
    """Rows (memberships or invitations: both have ``role`` and the four target keys) of a role in
    an organisation the user administers."""
    labs = _labs(user)
    return (
        Q(role__in=DISTRICT_ROLES, district__collaborative_id__in=labs)
        | Q(role=Role.PARTNER_STAFF, partner__collaborative_id__in=labs)
        | Q(role=Role.SDA_REVIEWER, state_agency_id__in=_states(user))
    )


def invitation_rule(user: User, *, write: bool) -> Q:
    """Invitations to a role the user could grant: seen, resent and revoked by the same people."""
    return _granted_q(user)


def manages_people(user: User) -> bool:
    """Whether the People page has anything for the user: superusers, lab admins, reviewers."""
    if not _active(user):
        return False
    from districts.access import roles_for

    return user.is_superuser or bool(roles_for(user) & {Role.COLLABORATIVE_ADMIN, Role.SDA_REVIEWER})


def people_memberships(user: User, *, write: bool = False) -> QuerySet[Membership]:
    """The memberships on the user's People page (``write``: those they may change or end). Besides
    the roles they grant, lab admins see their fellow admins, and may end their own admin
    membership (leave the lab; the service refuses it for the lab's last admin)."""
    queryset = Membership.objects.all()
    if not _active(user):
        return queryset.none()
    if user.is_superuser:
        return queryset
    own_admin = Q(user=user, role=Role.COLLABORATIVE_ADMIN)
    if write:
        return queryset.filter(_granted_q(user) | own_admin)
    return queryset.filter(
        _granted_q(user) | Q(role=Role.COLLABORATIVE_ADMIN, collaborative_id__in=_labs(user))
    )


def get_membership_for_user(user: User, pk: object, *, write: bool = False) -> Membership:
    """A membership on the user's People page, else 404 (not theirs and missing look alike); with
    ``write``, one they may see but not change (a fellow admin's) is PermissionDenied."""
    visible = people_memberships(user).select_related(
        "user", "district", "partner", "state_agency", "collaborative"
    )
    try:
        membership = visible.get(pk=pk)
    except (Membership.DoesNotExist, ValueError, TypeError):
        raise Http404("No membership matches the given query.") from None
    if write and not people_memberships(user, write=True).filter(pk=membership.pk).exists():
        raise PermissionDenied("You can see this membership but not change it.")
    return membership


def manageable_q(user: User) -> Q:
    """``people_memberships(user, write=True)`` as a condition, to mark rows of the read list."""
    if user.is_superuser:
        return Q(pk__isnull=False)
    return _granted_q(user) | Q(user=user, role=Role.COLLABORATIVE_ADMIN)


def invitable_roles(user: User) -> list[Role]:
    """The roles the user may invite people to, in the order of ``Role``."""
    if not _active(user):
        return []
    if user.is_superuser:
        return list(Role)
    from districts.access import roles_for

    roles = roles_for(user)
    allowed: set[str] = set()
    if Role.COLLABORATIVE_ADMIN in roles:
        allowed |= set(LAB_ROLES)
    if Role.SDA_REVIEWER in roles:
        allowed |= set(STATE_ROLES)
    return [role for role in Role if role in allowed]


def invitable_targets(user: User, target: str) -> QuerySet:
    """The organisations of kind ``target`` (district, partner, state_agency, collaborative) the
    user may invite people to. A removed partner takes no new staff."""
    from districts.models import Collaborative, District, StateAgency
    from partners.models import PartnerOrganisation

    model: type[Model] = {
        "district": District,
        "partner": PartnerOrganisation,
        "state_agency": StateAgency,
        "collaborative": Collaborative,
    }[target]
    queryset = model._default_manager.all()
    if target == "partner":
        queryset = queryset.filter(removed_on__isnull=True)
    if not _active(user):
        return queryset.none()
    if user.is_superuser:
        return queryset
    if target in ("district", "partner"):
        return queryset.filter(collaborative_id__in=_labs(user))
    if target == "state_agency":
        return queryset.filter(pk__in=_states(user))
    return queryset.none()


def may_invite(user: User, role: str, target: Model | None) -> bool:
    """Whether the user may grant ``role`` in ``target`` (None for a national role)."""
    if role not in invitable_roles(user):
        return False
    field = ROLE_TARGET[Role(role)]
    if field is None:
        return target is None and user.is_superuser
    if target is None:
        return False
    targets = invitable_targets(user, field)
    return isinstance(target, targets.model) and targets.filter(pk=target.pk).exists()


def register() -> None:
    from districts import access

    # Invitations are made by services/forms that check ``may_invite`` themselves.
    access.register("accounts.Invitation", invitation_rule)
    access.register("accounts.Membership", membership_q)


def membership_q(user: User, *, write: bool) -> Q:
    """A user sees their own memberships here; the People pages use ``people_memberships``."""
    return Q(pk__in=[]) if write else Q(user=user)
