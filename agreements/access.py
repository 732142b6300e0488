"""Who sees, issues and signs letters of agreement. Registered with districts/access.py from
``AgreementsConfig.ready``.

- the lab's collaborative admins see, issue, send, withdraw and countersign their lab's letters
  and edit its templates;
- a district's staff (managers and viewers) see the district's letters; only its managers sign;
- a partner's staff see and sign the partner's letters;
- superusers see everything but sign for no party (a signature is a person of the party).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet

from accounts.models import DISTRICT_ROLES, Membership, Role
from districts import access

if TYPE_CHECKING:
    from accounts.models import User
    from agreements.models import Letter


def _held(user: User, *roles: str) -> QuerySet[Membership]:
    return access.memberships(user, *roles)


def _admin_labs(user: User) -> QuerySet:
    return _held(user, Role.COLLABORATIVE_ADMIN).values("collaborative_id")


def letter_q(user: User, *, write: bool) -> Q:
    administered = Q(collaborative_id__in=_admin_labs(user))
    if write:
        return administered
    return (
        administered
        | Q(district_id__in=_held(user, *DISTRICT_ROLES).values("district_id"))
        | Q(partner_id__in=_held(user, Role.PARTNER_STAFF).values("partner_id"))
    )


def template_q(user: User, *, write: bool) -> Q:
    return Q(collaborative_id__in=_admin_labs(user))


def version_q(user: User, *, write: bool) -> Q:
    return Q(template__collaborative_id__in=_admin_labs(user))


def letter_child_q(user: User, *, write: bool) -> Q:
    """Signatures and events: read with their letter; only the services write them."""
    if write:
        return Q(pk__in=[])
    from agreements.models import Letter

    return Q(letter_id__in=Letter.objects.filter(letter_q(user, write=False)).values("id"))


def administers(user: User) -> bool:
    """Whether the user may issue letters at all (admins of some lab, superusers)."""
    if not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or Role.COLLABORATIVE_ADMIN in access.roles_for(user)


def administers_lab(user: User, lab_id: int) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or lab_id in access.membership_targets(
        user, Role.COLLABORATIVE_ADMIN, "collaborative"
    )


def can_administer(user: User, letter: Letter) -> bool:
    return administers_lab(user, letter.collaborative_id)


def can_sign(user: User, letter: Letter) -> bool:
    """The party's authorised signatories: a manager of the district, staff of the partner."""
    if not user.is_authenticated or not user.is_active:
        return False
    if letter.party_kind == "district":
        return letter.district_id in access.membership_targets(user, Role.DISTRICT_MANAGER, "district")
    return letter.partner_id in access.membership_targets(user, Role.PARTNER_STAFF, "partner")


def is_party_member(user: User, letter: Letter) -> bool:
    """Whether the user belongs to the letter's party (any role): their opening it counts as the
    party having viewed it."""
    if not user.is_authenticated:
        return False
    if letter.party_kind == "district":
        return any(
            letter.district_id in access.membership_targets(user, role, "district") for role in DISTRICT_ROLES
        )
    return letter.partner_id in access.membership_targets(user, Role.PARTNER_STAFF, "partner")


def register_rules() -> None:
    access.register("agreements.Letter", letter_q, create=administers)
    access.register("agreements.LetterTemplate", template_q, create=administers)
    access.register("agreements.TemplateVersion", version_q, create=administers)
    access.register("agreements.Signature", letter_child_q)  # written by the services only
    access.register("agreements.LetterEvent", letter_child_q)
