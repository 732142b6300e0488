"""Who may change which field of a partner organisation or partnership (mechanism: districts/access.py).

Partner staff keep their organisation's own description up to date; which learning lab it works
with is the lab's decision, so only the lab's admins set it (and only to a lab they administer).
Partnerships are the lab's record of who serves which district: its admins keep them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Model

from accounts.models import Role
from districts import access

if TYPE_CHECKING:
    from accounts.models import User

PARTNER_OWN_FIELDS = frozenset({"name", "kind", "city", "state", "website", "email", "description"})
PARTNER_LAB_FIELDS = PARTNER_OWN_FIELDS | {"collaborative"}


def partner_rights(user: User, partner: Model | None) -> frozenset[str]:
    administered = access.membership_targets(user, Role.COLLABORATIVE_ADMIN, "collaborative")
    if partner is None:
        return PARTNER_LAB_FIELDS if administered else frozenset()
    if partner.collaborative_id in administered:
        return PARTNER_LAB_FIELDS
    if partner.pk in access.membership_targets(user, Role.PARTNER_STAFF, "partner"):
        return PARTNER_OWN_FIELDS
    return frozenset()


def partnership_rights(user: User, partnership: Model | None) -> frozenset[str]:
    from partners.models import Partnership

    allowed = (
        access.can_create(user, Partnership) if partnership is None else access.can_write(user, partnership)
    )
    return access.model_field_names(Partnership) if allowed else frozenset()


def can_remove_partner(user: User, partner: Model) -> bool:
    """Removing a partner ends the lab's partnerships: the lab's admins (and superusers) decide it,
    not the partner's own staff."""
    if not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or partner.collaborative_id in access.membership_targets(
        user, Role.COLLABORATIVE_ADMIN, "collaborative"
    )


def register() -> None:
    access.register_field_rights("partners.PartnerOrganisation", partner_rights)
    access.register_field_rights("partners.Partnership", partnership_rights)
