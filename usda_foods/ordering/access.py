"""Who sees and changes the catalog, surveys, order windows and orders (mechanism: districts/access.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet

from accounts.models import Role
from districts import access

if TYPE_CHECKING:
    from accounts.models import User


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
    from usda_foods.ordering.models import Order

    queryset = Order.objects.all() if queryset is None else queryset
    if not user.is_authenticated or not user.is_active:
        return queryset.none()
    if user.is_superuser:
        return queryset
    return queryset.filter(district__state_agency_id__in=access.reviewed_states(user))


def register_rules() -> None:
    access.register("usda_foods.CatalogItem", catalog_q, create=access.holds_role(Role.REFERENCE_DATA))
    reviewer, manager = access.holds_role(Role.SDA_REVIEWER), access.holds_role(Role.DISTRICT_MANAGER)
    access.register("usda_foods.Survey", state_activity_q, create=reviewer)
    access.register("usda_foods.OrderWindow", state_activity_q, create=reviewer)
    access.register("usda_foods.SurveyResponse", survey_response_q, create=manager)
    access.register("usda_foods.Order", order_q, create=manager)
    access.register_child("usda_foods.SurveyResponseLine", parent="usda_foods.SurveyResponse", via="response")
    access.register_child("usda_foods.OrderLine", parent="usda_foods.Order", via="order")
    access.register_child("usda_foods.OrderTransition", parent="usda_foods.Order", via="order")
