"""Who sees purchase records, local definitions and the summaries (mechanism: districts/access.py).

A district's rows (purchases and their summaries) are seen by whoever sees the district: its
staff, its partners, its lab's admins and its state's reviewers; the lab's aggregates are read
through selectors that only ever return sums. Records are written by the import (district
managers, or partner staff for the districts they support) and the lab's admins. A lab's local
definition is read by its members and set by its admins; a district's own by its managers."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet

from accounts.models import Role
from districts import access
from purchasing.access import lab_ids

if TYPE_CHECKING:
    from accounts.models import User


def _district_ids(user: User, *, write: bool) -> list[QuerySet]:
    """The districts whose rows the user sees (or writes), as id subqueries."""
    from districts.models import District

    if write:
        writable = District.objects.filter(access.district_q(user, write=True))
        partnered = access.active_partnerships().filter(
            partner_id__in=access.memberships(user, Role.PARTNER_STAFF).values("partner_id")
        )
        return [writable.values("id"), partnered.values("district_id")]
    return [District.objects.filter(access.district_q(user, write=False)).values("id")]


def district_rows_q(user: User, *, write: bool) -> Q:
    q = Q(pk__in=[])
    for ids in _district_ids(user, write=write):
        q |= Q(district_id__in=ids)
    return q


def districts_q(user: User, *, write: bool) -> Q:
    """The same rule on District itself (the districts a user may import purchases for)."""
    q = Q(pk__in=[])
    for ids in _district_ids(user, write=write):
        q |= Q(id__in=ids)
    return q


def definition_q(user: User, *, write: bool) -> Q:
    if not write:
        return Q(collaborative_id__in=lab_ids(user))
    administered = access.memberships(user, Role.COLLABORATIVE_ADMIN).values("collaborative_id")
    managed = access.memberships(user, Role.DISTRICT_MANAGER).values("district_id")
    return Q(collaborative_id__in=administered) | Q(district_id__in=managed)


def alias_q(user: User, *, write: bool) -> Q:
    """A lab's vendor matches: seen by its members, decided by those who import for it."""
    return Q(collaborative_id__in=lab_ids(user, write=write))


def keyword_rule_q(user: User, *, write: bool) -> Q:
    """A lab's keyword rules: seen by its members, kept by its admins."""
    if write:
        return Q(
            collaborative_id__in=access.memberships(user, Role.COLLABORATIVE_ADMIN).values("collaborative_id")
        )
    return Q(collaborative_id__in=lab_ids(user))


def register_rules() -> None:
    access.register("purchasing.VendorAlias", alias_q)
    access.register(
        "purchasing.KeywordRule", keyword_rule_q, create=access.holds_role(Role.COLLABORATIVE_ADMIN)
    )
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
