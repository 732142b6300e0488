"""Who may change which field of a district, site or co-op (the mechanism is in districts/access.py).

A district has three owners. Its manager keeps its contacts and enrollment up to date; its learning
lab (the collaborative's admins) names it and decides it belongs to the lab; its state agency owns
the agency code and the commodity-school status, the facts the state's USDA Foods programme runs
on. Moving a district to another state re-routes its orders to another state's reviewers, so only
superusers do it once the district exists.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Model

from accounts.models import Role
from districts import access

if TYPE_CHECKING:
    from accounts.models import User

DISTRICT_CONTACTS = frozenset({"contact_name", "contact_email", "contact_phone"})
DISTRICT_MANAGER_FIELDS = DISTRICT_CONTACTS | {"enrollment"}
DISTRICT_LAB_FIELDS = DISTRICT_CONTACTS | {"name", "enrollment", "collaborative"}
DISTRICT_STATE_FIELDS = frozenset({"agency_code", "is_commodity_school"})
DISTRICT_CREATE_FIELDS = DISTRICT_LAB_FIELDS | DISTRICT_STATE_FIELDS | {"state_agency"}


def district_rights(user: User, district: Model | None) -> frozenset[str]:
    if district is None:
        return DISTRICT_CREATE_FIELDS if Role.COLLABORATIVE_ADMIN in access.roles_for(user) else frozenset()
    fields: frozenset[str] = frozenset()
    if district.pk in access.membership_targets(user, Role.DISTRICT_MANAGER, "district"):
        fields |= DISTRICT_MANAGER_FIELDS
    if district.collaborative_id in access.membership_targets(
        user, Role.COLLABORATIVE_ADMIN, "collaborative"
    ):
        fields |= DISTRICT_LAB_FIELDS
    if district.state_agency_id in access.membership_targets(user, Role.SDA_REVIEWER, "state_agency"):
        fields |= DISTRICT_STATE_FIELDS
    return fields


def site_rights(user: User, site: Model | None) -> frozenset[str]:
    """Whoever may write the site changes all of it except its district: a site never moves to
    another district (its orders and deliveries stay with the district they were made for)."""
    from districts.models import Site

    every = access.model_field_names(Site)
    if site is None:
        return every if access.can_create(user, Site) else frozenset()
    return every - {"district"} if access.can_write(user, site) else frozenset()


def coop_rights(user: User, coop: Model | None) -> frozenset[str]:
    """The lead district is fixed once the co-op exists: it is what makes the co-op its lead's."""
    from districts.models import Coop

    every = access.model_field_names(Coop)
    if coop is None:
        return every if access.can_create(user, Coop) else frozenset()
    return every - {"lead_district"} if access.can_write(user, coop) else frozenset()


def register() -> None:
    access.register_field_rights("districts.District", district_rights)
    access.register_field_rights("districts.Site", site_rights)
    access.register_field_rights("districts.Coop", coop_rights)
