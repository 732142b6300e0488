"""Who sees and changes reference data, lunch counts, entitlements and their ledger, and for which
districts a user may propose corrections to the state's data (mechanism: districts/access.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Model, Q, QuerySet

from accounts.models import Role
from districts import access

if TYPE_CHECKING:
    from accounts.models import User


def reference_q(user: User, *, write: bool) -> Q:
    """National reference data (per-meal values, rates, Section 4 payments): everyone reads;
    reference-data editors add and correct it."""
    if not write:
        return Q()
    return Q() if Role.REFERENCE_DATA in access.roles_for(user) else Q(pk__in=[])


def lunch_count_districts(user: User, *, write: bool = True) -> QuerySet:
    """The districts whose lunch counts the user may see or change. Reimbursable lunches are the
    state's claims data: only SDA reviewers of the district's state record (or import) them.
    Everyone who sees the district reads them; its managers propose corrections instead."""
    from districts.models import District

    if not user.is_authenticated or not user.is_active:
        return District.objects.none()
    if user.is_superuser:
        return District.objects.all()
    rule = access.reviewed_district_q(user) if write else access.district_q(user, write=False)
    return District.objects.filter(rule)


def lunch_count_q(user: User, *, write: bool) -> Q:
    return Q(district_id__in=lunch_count_districts(user, write=write).values("id"))


def entitlement_districts(user: User, *, write: bool = True) -> QuerySet:
    """The districts whose entitlements the user may see or, with ``write``, manage: the PAL is
    the SDA's to set, and collaborative admins may recompute their lab."""
    from districts.models import District

    if not user.is_authenticated or not user.is_active:
        return District.objects.none()
    if user.is_superuser:
        return District.objects.all()
    if write:
        rule = access.reviewed_district_q(user) | Q(
            collaborative_id__in=access.memberships(user, Role.COLLABORATIVE_ADMIN).values("collaborative_id")
        )
    else:
        rule = access.district_q(user, write=False)
    return District.objects.filter(rule)


def can_set_pal(user: User, entitlement: Model) -> bool:
    """The planned assistance level is the state agency's to load: its reviewers (and superusers)."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    from districts.models import District

    return District.objects.filter(access.reviewed_district_q(user), pk=entitlement.district_id).exists()


def entitlement_q(user: User, *, write: bool) -> Q:
    return Q(district_id__in=entitlement_districts(user, write=write).values("id"))


def drawdown_q(user: User, *, write: bool) -> Q:
    from usda_foods.entitlements.models import Entitlement

    if write:  # only services write the ledger
        return Q(pk__in=[])
    return Q(entitlement_id__in=Entitlement.objects.filter(entitlement_q(user, write=False)).values("id"))


def register_rules() -> None:
    reference = access.holds_role(Role.REFERENCE_DATA)
    for label in ("PerMealValue", "ReimbursementRate", "Section4Payment"):
        access.register(f"usda_foods.{label}", reference_q, create=reference)
    access.register("usda_foods.LunchCount", lunch_count_q, create=access.holds_role(Role.SDA_REVIEWER))
    # Entitlements and their ledger are made by services (recompute, post), never by a form.
    access.register("usda_foods.Entitlement", entitlement_q)
    access.register("usda_foods.Drawdown", drawdown_q)


def correction_districts(user: User) -> QuerySet:
    """The districts for which the user may propose a correction to the state's data (lunch
    counts, commodity-school status): those they manage."""
    from districts.models import District

    if not user.is_authenticated or not user.is_active:
        return District.objects.none()
    return District.objects.filter(
        id__in=access.memberships(user, Role.DISTRICT_MANAGER).values("district_id")
    )
