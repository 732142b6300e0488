"""Who may see and change what: the one place FOCUS Lab scopes querysets to a user.

Every page, form choice list, API endpoint and task reaches tenant data through ``scope`` (via the
models' ``for_user``) or ``get_for_user``. The rules:

- district staff (manager or viewer) see their district(s); managers change them;
- partner staff see the districts their organisation has an active partnership with (read) and
  change their own organisation;
- state agency (SDA) reviewers see the SFAs of their state;
- collaborative admins see and change their collaborative's districts and partners;
- national reference data (per-meal values, reimbursement rates, Section 4 payments, the USDA
  Foods available list) is read by everyone and changed only by national reference-data editors;
- lunch counts are the state's claims data: its SDA reviewers record them, districts propose
  corrections that those reviewers accept or reject;
- superusers see and change everything.

Each rule is a subquery, so scoping adds no queries: the filter is part of the one SQL statement.
An outsider gets 404 for an object it may not see, the same answer as for one that does not exist,
so a 403 never confirms that the object is there.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, TypeVar

from django.core.exceptions import PermissionDenied
from django.db.models import Model, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from accounts.models import DISTRICT_ROLES, Membership, Role

if TYPE_CHECKING:
    from accounts.models import User

M = TypeVar("M", bound=Model)


def roles_for(user: User) -> frozenset[str]:
    """The role names the user holds, memoised on the user object for the request."""
    cached = getattr(user, "_focus_roles", None)
    if cached is None:
        if not user.is_authenticated:
            cached = frozenset()
        else:
            cached = frozenset(Membership.objects.filter(user=user).values_list("role", flat=True))
            if user.is_superuser:
                cached = cached | {"superuser"}
        user._focus_roles = cached  # type: ignore[union-attr]
    return cached


def _memberships(user: User, *roles: str) -> QuerySet[Membership]:
    return Membership.objects.filter(user=user, role__in=roles)


def _today() -> date:
    return timezone.localdate()


def _active_partnerships() -> QuerySet:
    from partners.models import Partnership

    return Partnership.objects.filter(Q(end_date__isnull=True) | Q(end_date__gte=_today()))


def _district_q(user: User, *, write: bool, via_partners: bool = True) -> Q:
    managed = Q(id__in=_memberships(user, Role.DISTRICT_MANAGER).values("district_id"))
    administered = Q(
        collaborative_id__in=_memberships(user, Role.COLLABORATIVE_ADMIN).values("collaborative_id")
    )
    if write:
        return managed | administered
    q = (
        Q(id__in=_memberships(user, *DISTRICT_ROLES).values("district_id"))
        | administered
        | Q(state_agency_id__in=_memberships(user, Role.SDA_REVIEWER).values("state_agency_id"))
    )
    if via_partners:
        partner_ids = _memberships(user, Role.PARTNER_STAFF).values("partner_id")
        q |= Q(id__in=_active_partnerships().filter(partner_id__in=partner_ids).values("district_id"))
    return q


def district_ids_for(user: User, *, write: bool = False) -> QuerySet:
    """The ids of the districts the user may see (or, with ``write``, change), as a subquery."""
    from districts.models import District

    return scope(District.objects.all(), user, write=write).values("id")


def _partner_q(user: User, *, write: bool) -> Q:
    from districts.models import District

    own = Q(id__in=_memberships(user, Role.PARTNER_STAFF).values("partner_id"))
    administered = Q(
        collaborative_id__in=_memberships(user, Role.COLLABORATIVE_ADMIN).values("collaborative_id")
    )
    if write:
        return own | administered
    # District staff and SDA reviewers see the partners that serve the districts they see. Partner
    # staff do not see other partners through shared districts: that is not their business.
    served = District.objects.filter(_district_q(user, write=False, via_partners=False)).values("id")
    return (
        own
        | administered
        | Q(id__in=_active_partnerships().filter(district_id__in=served).values("partner_id"))
    )


def _partnership_q(user: User, *, write: bool) -> Q:
    from districts.models import District

    administered = Q(
        district__collaborative_id__in=_memberships(user, Role.COLLABORATIVE_ADMIN).values("collaborative_id")
    )
    if write:
        return administered
    own = Q(partner_id__in=_memberships(user, Role.PARTNER_STAFF).values("partner_id"))
    seen = District.objects.filter(_district_q(user, write=False, via_partners=False)).values("id")
    return administered | own | Q(district_id__in=seen)


def _site_q(user: User, *, write: bool) -> Q:
    from districts.models import District

    return Q(district_id__in=District.objects.filter(_district_q(user, write=write)).values("id"))


def _coop_q(user: User, *, write: bool) -> Q:
    from districts.models import Coop, District

    districts = District.objects.filter(_district_q(user, write=write)).values("id")
    if write:
        return Q(lead_district_id__in=districts)
    member_of = Coop.members.through.objects.filter(district_id__in=districts).values("coop_id")
    return Q(lead_district_id__in=districts) | Q(id__in=member_of)


def _collaborative_q(user: User, *, write: bool) -> Q:
    administered = Q(id__in=_memberships(user, Role.COLLABORATIVE_ADMIN).values("collaborative_id"))
    if write:
        return administered
    from districts.models import District
    from partners.models import PartnerOrganisation

    districts = District.objects.filter(_district_q(user, write=False)).values("collaborative_id")
    partners = PartnerOrganisation.objects.filter(
        id__in=_memberships(user, Role.PARTNER_STAFF).values("partner_id")
    ).values("collaborative_id")
    return administered | Q(id__in=districts) | Q(id__in=partners)


def _state_agency_q(user: User, *, write: bool) -> Q:
    # State agencies are public reference data: any signed-in user reads them; only superusers
    # (who never reach this rule) change them.
    return Q(pk__in=[]) if write else Q()


def _membership_q(user: User, *, write: bool) -> Q:
    return Q(pk__in=[]) if write else Q(user=user)


def edits_reference_data(user: User) -> bool:
    """National reference data is changed by a national role: superusers and the reference-data
    editors they grant. A lab's admins or a state's reviewers only read it: a change recomputes
    every lab's entitlements and every state's offers."""
    if not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or Role.REFERENCE_DATA in roles_for(user)


def _reference_q(user: User, *, write: bool) -> Q:
    """National reference data (per-meal values, rates, Section 4 payments): everyone reads;
    reference-data editors add and correct it."""
    if not write:
        return Q()
    return Q() if Role.REFERENCE_DATA in roles_for(user) else Q(pk__in=[])


def _reviewed_district_q(user: User) -> Q:
    """Districts whose USDA Foods data an SDA reviewer manages: the SFAs of their state."""
    return Q(state_agency_id__in=_memberships(user, Role.SDA_REVIEWER).values("state_agency_id"))


def lunch_count_districts(user: User, *, write: bool = True) -> QuerySet:
    """The districts whose lunch counts the user may see or change. Reimbursable lunches are the
    state's claims data: only SDA reviewers of the district's state record (or import) them.
    Everyone who sees the district reads them; its managers propose corrections instead."""
    from districts.models import District

    if not user.is_authenticated or not user.is_active:
        return District.objects.none()
    if user.is_superuser:
        return District.objects.all()
    rule = _reviewed_district_q(user) if write else _district_q(user, write=False)
    return District.objects.filter(rule)


def _lunch_count_q(user: User, *, write: bool) -> Q:
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
        rule = _reviewed_district_q(user) | Q(
            collaborative_id__in=_memberships(user, Role.COLLABORATIVE_ADMIN).values("collaborative_id")
        )
    else:
        rule = _district_q(user, write=False)
    return District.objects.filter(rule)


def can_set_pal(user: User, entitlement: Model) -> bool:
    """The planned assistance level is the state agency's to load: its reviewers (and superusers)."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    from districts.models import District

    return District.objects.filter(_reviewed_district_q(user), pk=entitlement.district_id).exists()


def _entitlement_q(user: User, *, write: bool) -> Q:
    return Q(district_id__in=entitlement_districts(user, write=write).values("id"))


def _drawdown_q(user: User, *, write: bool) -> Q:
    from usda_foods.models import Entitlement

    if write:  # only services write the ledger
        return Q(pk__in=[])
    return Q(entitlement_id__in=Entitlement.objects.filter(_entitlement_q(user, write=False)).values("id"))


def _catalog_q(user: User, *, write: bool) -> Q:
    """The USDA Foods available list is national (one list, offered in every state's windows):
    everyone reads; reference-data editors load and correct it. A state chooses what it offers
    from it in its own surveys and windows (``_state_activity_q``)."""
    if not write:
        return Q()
    return Q() if Role.REFERENCE_DATA in roles_for(user) else Q(pk__in=[])


def _reviewed_states(user: User) -> QuerySet:
    return _memberships(user, Role.SDA_REVIEWER).values("state_agency_id")


def _state_activity_q(user: User, *, write: bool) -> Q:
    """Surveys and order windows belong to a state agency: its reviewers run them; district users
    see those of the states their districts are in."""
    from districts.models import District

    if write:
        return Q(state_agency_id__in=_reviewed_states(user))
    visible_states = District.objects.filter(_district_q(user, write=False)).values("state_agency_id")
    return Q(state_agency_id__in=visible_states) | Q(state_agency_id__in=_reviewed_states(user))


def _survey_response_q(user: User, *, write: bool) -> Q:
    from districts.models import District

    districts = District.objects.filter(_district_q(user, write=write)).values("id")
    return Q(district_id__in=districts)


def _order_q(user: User, *, write: bool) -> Q:
    """Orders: district users see theirs, SDA reviewers their state's; only district managers
    (and admins) edit them. Reviewing is ``reviewable_orders``."""
    from districts.models import District

    return Q(district_id__in=District.objects.filter(_district_q(user, write=write)).values("id"))


def reviewed_state_agencies(user: User) -> QuerySet:
    """The state agencies whose surveys, windows and orders the user reviews (all for a superuser)."""
    from districts.models import StateAgency

    if not user.is_authenticated or not user.is_active:
        return StateAgency.objects.none()
    if user.is_superuser:
        return StateAgency.objects.all()
    return StateAgency.objects.filter(pk__in=_reviewed_states(user))


def reviews_state(user: User, state_agency_id: int) -> bool:
    """Whether the user is a reviewer of that state agency (or a superuser)."""
    if not user.is_authenticated or not user.is_active:
        return False
    return (
        user.is_superuser
        or _memberships(user, Role.SDA_REVIEWER).filter(state_agency_id=state_agency_id).exists()
    )


def reviewable_orders(user: User, queryset: QuerySet | None = None) -> QuerySet:
    """The orders an SDA reviewer may approve, return or reject: those of their state's SFAs."""
    from usda_foods.models import Order

    queryset = Order.objects.all() if queryset is None else queryset
    if not user.is_authenticated or not user.is_active:
        return queryset.none()
    if user.is_superuser:
        return queryset
    return queryset.filter(district__state_agency_id__in=_reviewed_states(user))


def _shipment_plan_q(user: User, *, write: bool) -> Q:
    """Plans belong to a window's state: its reviewers run and change them; district users see
    the plans of their state's windows (the pages then show them only their own drops)."""
    from usda_foods.models import OrderWindow

    return Q(window_id__in=OrderWindow.objects.filter(_state_activity_q(user, write=write)).values("id"))


def correction_districts(user: User) -> QuerySet:
    """The districts for which the user may propose a correction to the state's data (lunch
    counts, commodity-school status): those they manage."""
    from districts.models import District

    if not user.is_authenticated or not user.is_active:
        return District.objects.none()
    return District.objects.filter(id__in=_memberships(user, Role.DISTRICT_MANAGER).values("district_id"))


def _correction_q(user: User, *, write: bool) -> Q:
    """Corrections proposed to a state's data: the district's staff see their district's, SDA
    reviewers their state's, collaborative admins their lab's. Only the correction services
    write them (propose, accept, reject), each checking its own rule."""
    from districts.models import District

    if write:
        return Q(pk__in=[])
    districts = District.objects.filter(
        Q(id__in=_memberships(user, *DISTRICT_ROLES).values("district_id"))
        | _reviewed_district_q(user)
        | Q(collaborative_id__in=_memberships(user, Role.COLLABORATIVE_ADMIN).values("collaborative_id"))
    )
    return Q(district_id__in=districts.values("id"))


def _own_q(user: User, *, write: bool) -> Q:
    return Q(created_by=user)


Rule = Callable[..., Q]
_RULES: dict[str, Rule] = {}


def register(model_label: str, rule: Rule) -> None:
    """Later apps register their tenant-owned models' rules here, keeping them in one registry."""
    _RULES[model_label] = rule


for _label, _rule in {
    "districts.District": _district_q,
    "districts.Site": _site_q,
    "districts.Coop": _coop_q,
    "districts.Collaborative": _collaborative_q,
    "districts.StateAgency": _state_agency_q,
    "partners.PartnerOrganisation": _partner_q,
    "partners.Partnership": _partnership_q,
    "accounts.Membership": _membership_q,
    "usda_foods.PerMealValue": _reference_q,
    "usda_foods.ReimbursementRate": _reference_q,
    "usda_foods.Section4Payment": _reference_q,
    "usda_foods.LunchCount": _lunch_count_q,
    "usda_foods.Entitlement": _entitlement_q,
    "usda_foods.Drawdown": _drawdown_q,
    "usda_foods.BackgroundJob": _own_q,
    "usda_foods.CatalogItem": _catalog_q,
    "usda_foods.Survey": _state_activity_q,
    "usda_foods.OrderWindow": _state_activity_q,
    "usda_foods.SurveyResponse": _survey_response_q,
    "usda_foods.Order": _order_q,
    "usda_foods.ShipmentPlan": _shipment_plan_q,
    "usda_foods.DataCorrection": _correction_q,
}.items():
    register(_label, _rule)


def scope(queryset: QuerySet[M], user: User, *, write: bool = False) -> QuerySet[M]:
    """Narrow ``queryset`` to what ``user`` may see, or with ``write`` change. Unknown models fail
    loudly rather than leak."""
    if not user.is_authenticated or not user.is_active:
        return queryset.none()
    if user.is_superuser:
        return queryset
    label = queryset.model._meta.label
    try:
        rule = _RULES[label]
    except KeyError:
        raise LookupError(f"No access rule for {label}: register one in districts/access.py") from None
    return queryset.filter(rule(user, write=write))


def get_for_user(queryset: QuerySet[M], user: User, pk: object, *, write: bool = False) -> M:
    """The object with ``pk`` if the user may see it, else 404 (not yours and missing look alike).
    With ``write``, a user who may see but not change it gets PermissionDenied."""
    try:
        obj = scope(queryset, user).get(pk=pk)
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        raise Http404(f"No {queryset.model._meta.verbose_name} matches the given query.") from None
    if write and not can_write(user, obj):
        raise PermissionDenied("You can view this but not change it.")
    return obj


def can_write(user: User, obj: Model) -> bool:
    model = type(obj)
    return scope(model._default_manager.filter(pk=obj.pk), user, write=True).exists()


# National reference data: one set for every state and lab, changed by reference-data editors.
REFERENCE_MODELS = frozenset(
    {
        "usda_foods.PerMealValue",
        "usda_foods.ReimbursementRate",
        "usda_foods.Section4Payment",
        "usda_foods.CatalogItem",
    }
)


def can_create(user: User, model: type[Model]) -> bool:
    """Whether the user may create any object of ``model``: true when some parent it could attach
    the object to is writable (a district for a site, a collaborative for a district...)."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    roles = roles_for(user)
    label = model._meta.label
    if label in {"districts.Site", "districts.Coop"}:
        return bool(roles & {Role.DISTRICT_MANAGER, Role.COLLABORATIVE_ADMIN})
    if label in {"districts.District", "partners.PartnerOrganisation", "partners.Partnership"}:
        return Role.COLLABORATIVE_ADMIN in roles
    if label in REFERENCE_MODELS:
        return Role.REFERENCE_DATA in roles
    if label in {"usda_foods.Survey", "usda_foods.OrderWindow"}:
        return Role.SDA_REVIEWER in roles
    if label in {"usda_foods.Order", "usda_foods.SurveyResponse"}:
        return Role.DISTRICT_MANAGER in roles
    if label == "usda_foods.LunchCount":
        return Role.SDA_REVIEWER in roles
    if label == "usda_foods.DataCorrection":  # proposed by a district's managers
        return Role.DISTRICT_MANAGER in roles
    return False


# --- Field rights -------------------------------------------------------------------------------
#
# Tenancy says which objects a user may change; field rights say which of their fields. A district
# manager may change its district's contacts but not the state agency that reviews its orders: the
# field belongs to another owner (the state, the lab). Forms disable the fields outside the set
# (Django then keeps the stored value whatever is posted) and serializers make them read-only.

FieldRights = Callable[["User", Model | None], frozenset[str]]
_FIELD_RIGHTS: dict[str, FieldRights] = {}


def register_field_rights(model_label: str, rights: FieldRights) -> None:
    """Register ``rights(user, obj_or_None) -> field names`` for a model; ``None`` means the user is
    creating one. Superusers and unauthenticated users never reach it."""
    _FIELD_RIGHTS[model_label] = rights


def model_field_names(model: type[Model]) -> frozenset[str]:
    """Every field of ``model`` a form or serializer could set (many-to-many included; not the
    automatic id, nor fields only code sets, ``editable=False``)."""
    fields = (*model._meta.fields, *model._meta.many_to_many)
    return frozenset(f.name for f in fields if f.editable and not f.auto_created)


def writable_fields(user: User, obj: Model | None, model: type[Model]) -> frozenset[str]:
    """The fields of ``obj`` (or, with ``None``, of a new ``model``) that ``user`` may set. A model
    without registered rights is all-or-nothing: every field for whoever may write the object."""
    if not user.is_authenticated or not user.is_active:
        return frozenset()
    if user.is_superuser:
        return model_field_names(model)
    rights = _FIELD_RIGHTS.get(model._meta.label)
    if rights is not None:
        return rights(user, obj)
    allowed = can_create(user, model) if obj is None else can_write(user, obj)
    return model_field_names(model) if allowed else frozenset()


def membership_targets(user: User, role: str, target: str) -> frozenset[int]:
    """The ids of the organisations (``target``: district, partner, state_agency, collaborative) in
    which the user holds ``role``, memoised on the user object for the request."""
    cached = getattr(user, "_focus_membership_rows", None)
    if cached is None:
        cached = list(
            Membership.objects.filter(user=user).values_list(
                "role", "district_id", "partner_id", "state_agency_id", "collaborative_id"
            )
        )
        user._focus_membership_rows = cached  # type: ignore[union-attr]
    column = {"district": 1, "partner": 2, "state_agency": 3, "collaborative": 4}[target]
    return frozenset(row[column] for row in cached if row[0] == role and row[column] is not None)
