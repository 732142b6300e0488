"""Who sees and changes the USDA Foods program's data (the mechanism is districts/access.py).

- national reference data (per-meal values, reimbursement rates, Section 4 payments, the USDA Foods
  available list) is read by everyone and changed only by national reference-data editors;
- lunch counts are the state's claims data: its SDA reviewers record them, districts propose
  corrections that those reviewers accept or reject;
- surveys, order windows and shipment plans belong to a state agency; orders and survey answers to
  their district, reviewed by the state's SDA reviewers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Model, Q, QuerySet

from accounts.models import DISTRICT_ROLES, Role
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
    from usda_foods.models import Entitlement

    if write:  # only services write the ledger
        return Q(pk__in=[])
    return Q(entitlement_id__in=Entitlement.objects.filter(entitlement_q(user, write=False)).values("id"))


def catalog_q(user: User, *, write: bool) -> Q:
    """The USDA Foods available list is national (one list, offered in every state's windows):
    everyone reads; reference-data editors load and correct it. A state chooses what it offers
    from it in its own surveys and windows (``state_activity_q``)."""
    if not write:
        return Q()
    return Q() if Role.REFERENCE_DATA in access.roles_for(user) else Q(pk__in=[])


def state_activity_q(user: User, *, write: bool) -> Q:
    """Surveys and order windows belong to a state agency: its reviewers run them; district users
    see those of the states their districts are in."""
    from districts.models import District

    if write:
        return Q(state_agency_id__in=access.reviewed_states(user))
    visible_states = District.objects.filter(access.district_q(user, write=False)).values("state_agency_id")
    return Q(state_agency_id__in=visible_states) | Q(state_agency_id__in=access.reviewed_states(user))


def survey_response_q(user: User, *, write: bool) -> Q:
    from districts.models import District

    districts = District.objects.filter(access.district_q(user, write=write)).values("id")
    return Q(district_id__in=districts)


def order_q(user: User, *, write: bool) -> Q:
    """Orders: district users see theirs, SDA reviewers their state's; only district managers
    (and admins) edit them. Reviewing is ``reviewable_orders``."""
    from districts.models import District

    return Q(district_id__in=District.objects.filter(access.district_q(user, write=write)).values("id"))


def reviewed_state_agencies(user: User) -> QuerySet:
    """The state agencies whose surveys, windows and orders the user reviews (all for a superuser)."""
    from districts.models import StateAgency

    if not user.is_authenticated or not user.is_active:
        return StateAgency.objects.none()
    if user.is_superuser:
        return StateAgency.objects.all()
    return StateAgency.objects.filter(pk__in=access.reviewed_states(user))


def reviews_state(user: User, state_agency_id: int) -> bool:
    """Whether the user is a reviewer of that state agency (or a superuser)."""
    if not user.is_authenticated or not user.is_active:
        return False
    return (
        user.is_superuser
        or access.memberships(user, Role.SDA_REVIEWER).filter(state_agency_id=state_agency_id).exists()
    )


def reviewable_orders(user: User, queryset: QuerySet | None = None) -> QuerySet:
    """The orders an SDA reviewer may approve, return or reject: those of their state's SFAs."""
    from usda_foods.models import Order

    queryset = Order.objects.all() if queryset is None else queryset
    if not user.is_authenticated or not user.is_active:
        return queryset.none()
    if user.is_superuser:
        return queryset
    return queryset.filter(district__state_agency_id__in=access.reviewed_states(user))


def shipment_plan_q(user: User, *, write: bool) -> Q:
    """Plans belong to a window's state: its reviewers run and change them; district users see
    the plans of their state's windows (the pages then show them only their own drops)."""
    from usda_foods.models import OrderWindow

    return Q(window_id__in=OrderWindow.objects.filter(state_activity_q(user, write=write)).values("id"))


def correction_districts(user: User) -> QuerySet:
    """The districts for which the user may propose a correction to the state's data (lunch
    counts, commodity-school status): those they manage."""
    from districts.models import District

    if not user.is_authenticated or not user.is_active:
        return District.objects.none()
    return District.objects.filter(
        id__in=access.memberships(user, Role.DISTRICT_MANAGER).values("district_id")
    )


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


def _holds(role: str):
    return lambda user: role in access.roles_for(user)


def register_rules() -> None:
    reference, reviewer, manager = (
        _holds(Role.REFERENCE_DATA),
        _holds(Role.SDA_REVIEWER),
        _holds(Role.DISTRICT_MANAGER),
    )
    for label in ("PerMealValue", "ReimbursementRate", "Section4Payment"):
        access.register(f"usda_foods.{label}", reference_q, create=reference)
    access.register("usda_foods.CatalogItem", catalog_q, create=reference)
    access.register("usda_foods.LunchCount", lunch_count_q, create=reviewer)
    # Entitlements, their ledger and shipment plans are made by services (recompute, plan), never a form.
    access.register("usda_foods.Entitlement", entitlement_q)
    access.register("usda_foods.Drawdown", drawdown_q)
    access.register("usda_foods.ShipmentPlan", shipment_plan_q)
    access.register("usda_foods.Survey", state_activity_q, create=reviewer)
    access.register("usda_foods.OrderWindow", state_activity_q, create=reviewer)
    access.register("usda_foods.SurveyResponse", survey_response_q, create=manager)
    access.register("usda_foods.Order", order_q, create=manager)
    access.register(
        "usda_foods.DataCorrection", correction_q, create=manager
    )  # proposed by a district's managers
