"""Who sees purchase records, local definitions and the summaries (mechanism: districts/access.py).

A district's rows (purchases and their summaries) are seen by whoever sees the district: its
staff, its partners, its lab's admins and its state's reviewers; the lab's aggregates are read
through selectors that only ever return sums. Records are written by the import (district
managers, or partner staff for the districts they support) and the lab's admins. A lab's local
definition is read by its members and set by its admins; a district's own by its managers."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q

from accounts.models import Role
from districts import access
from purchasing.access import lab_ids

if TYPE_CHECKING:
    from accounts.models import User


def district_rows_q(user: User, *, write: bool) -> Q:
    from districts.models import District

    if write:
        writable = District.objects.filter(access.district_q(user, write=True))
        partnered = access.active_partnerships().filter(
            partner_id__in=access.memberships(user, Role.PARTNER_STAFF).values("partner_id")
        )
        return Q(district_id__in=writable.values("id")) | Q(district_id__in=partnered.values("district_id"))
    return Q(district_id__in=District.objects.filter(access.district_q(user, write=False)).values("id"))


def definition_q(user: User, *, write: bool) -> Q:
    if not write:
        return Q(collaborative_id__in=lab_ids(user))
    administered = access.memberships(user, Role.COLLABORATIVE_ADMIN).values("collaborative_id")
    managed = access.memberships(user, Role.DISTRICT_MANAGER).values("district_id")
    return Q(collaborative_id__in=administered) | Q(district_id__in=managed)


def register_rules() -> None:
    access.register(
        "purchasing.PurchaseRecord",
        district_rows_q,
        create=lambda user: bool(
            access.roles_for(user) & {Role.DISTRICT_MANAGER, Role.PARTNER_STAFF, Role.COLLABORATIVE_ADMIN}
        ),
    )
    access.register(
        "purchasing.LocalDefinition",
        definition_q,
        create=lambda user: bool(access.roles_for(user) & {Role.DISTRICT_MANAGER, Role.COLLABORATIVE_ADMIN}),
    )
    for label in ("purchasing.SpendSummary", "purchasing.ClaimSummary", "purchasing.VendorSummary"):
        access.register(label, district_rows_q)
