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

from django.apps import apps
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


def memberships(user: User, *roles: str) -> QuerySet[Membership]:
    return Membership.objects.filter(user=user, role__in=roles)


def today() -> date:
    return timezone.localdate()


def active_partnerships() -> QuerySet:
    # Looked up by name: partners builds on districts, so districts does not import it.
    Partnership = apps.get_model("partners", "Partnership")
    return Partnership.objects.filter(Q(end_date__isnull=True) | Q(end_date__gte=today()))


def district_q(user: User, *, write: bool, via_partners: bool = True) -> Q:
    managed = Q(id__in=memberships(user, Role.DISTRICT_MANAGER).values("district_id"))
    administered = Q(
        collaborative_id__in=memberships(user, Role.COLLABORATIVE_ADMIN).values("collaborative_id")
    )
    if write:
        return managed | administered
    q = (
        Q(id__in=memberships(user, *DISTRICT_ROLES).values("district_id"))
        | administered
        | Q(state_agency_id__in=memberships(user, Role.SDA_REVIEWER).values("state_agency_id"))
    )
    if via_partners:
        partner_ids = memberships(user, Role.PARTNER_STAFF).values("partner_id")
        q |= Q(id__in=active_partnerships().filter(partner_id__in=partner_ids).values("district_id"))
    return q


def district_ids_for(user: User, *, write: bool = False) -> QuerySet:
    """The ids of the districts the user may see (or, with ``write``, change), as a subquery."""
    from districts.models import District

    return scope(District.objects.all(), user, write=write).values("id")


def site_q(user: User, *, write: bool) -> Q:
    from districts.models import District

    return Q(district_id__in=District.objects.filter(district_q(user, write=write)).values("id"))


def coop_q(user: User, *, write: bool) -> Q:
    from districts.models import Coop, District

    districts = District.objects.filter(district_q(user, write=write)).values("id")
    if write:
        return Q(lead_district_id__in=districts)
    member_of = Coop.members.through.objects.filter(district_id__in=districts).values("coop_id")
    return Q(lead_district_id__in=districts) | Q(id__in=member_of)


def collaborative_q(user: User, *, write: bool) -> Q:
    administered = Q(id__in=memberships(user, Role.COLLABORATIVE_ADMIN).values("collaborative_id"))
    if write:
        return administered
    from districts.models import District

    PartnerOrganisation = apps.get_model("partners", "PartnerOrganisation")

    districts = District.objects.filter(district_q(user, write=False)).values("collaborative_id")
    partners = PartnerOrganisation.objects.filter(
        id__in=memberships(user, Role.PARTNER_STAFF).values("partner_id")
    ).values("collaborative_id")
    return administered | Q(id__in=districts) | Q(id__in=partners)


def state_agency_q(user: User, *, write: bool) -> Q:
    # State agencies are public reference data: any signed-in user reads them; only superusers
    # (who never reach this rule) change them.
    return Q(pk__in=[]) if write else Q()


def edits_reference_data(user: User) -> bool:
    """National reference data is changed by a national role: superusers and the reference-data
    editors they grant. A lab's admins or a state's reviewers only read it: a change recomputes
    every lab's entitlements and every state's offers."""
    if not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or Role.REFERENCE_DATA in roles_for(user)


def reviewed_district_q(user: User) -> Q:
    """Districts whose USDA Foods data an SDA reviewer manages: the SFAs of their state."""
    return Q(state_agency_id__in=memberships(user, Role.SDA_REVIEWER).values("state_agency_id"))


def reviewed_states(user: User) -> QuerySet:
    return memberships(user, Role.SDA_REVIEWER).values("state_agency_id")


Rule = Callable[..., Q]
CreateRule = Callable[["User"], bool]
_RULES: dict[str, Rule] = {}
_CREATE: dict[str, CreateRule] = {}


def register(model_label: str, rule: Rule, *, create: CreateRule | None = None) -> None:
    """Register the tenancy rule of a tenant-owned model: ``rule(user, write=...) -> Q`` filters
    what the user may see (or change), ``create(user) -> bool`` says whether they may create one
    (when some parent they could attach it to is theirs). Each app registers its own models from
    its ``access.py`` in ``AppConfig.ready``; a model without ``create`` is made by services only."""
    _RULES[model_label] = rule
    _CREATE[model_label] = create or (lambda user: False)


def register_child(model_label: str, *, parent: str, via: str) -> None:
    """A row that only exists inside its parent (an order's lines, a plan's trucks) is seen and
    changed by whoever sees and changes the parent: ``via`` is the lookup from the child to it."""

    def rule(user: User, *, write: bool) -> Q:
        parents = scope(apps.get_model(parent)._default_manager.all(), user, write=write)
        return Q(**{f"{via}__in": parents.values("pk")})

    register(model_label, rule)


def holds_role(role: str) -> CreateRule:
    """A ``create`` rule: the user holds ``role`` somewhere (the form then offers only the parents
    the role lets them write)."""
    return lambda user: role in roles_for(user)


def unregister(model_label: str) -> None:
    """Forget a model's rule (tests that register a throwaway model)."""
    _RULES.pop(model_label, None)
    _CREATE.pop(model_label, None)


def registered_labels() -> frozenset[str]:
    """The models that have a tenancy rule (the architecture test checks every model has one)."""
    return frozenset(_RULES)


def register_rules() -> None:
    """The districts app's own models."""
    register(
        "districts.District", district_q, create=lambda user: Role.COLLABORATIVE_ADMIN in roles_for(user)
    )
    register("districts.Site", site_q, create=_manages_a_district)
    register("districts.Coop", coop_q, create=_manages_a_district)
    register("districts.Collaborative", collaborative_q)
    register("districts.StateAgency", state_agency_q)


def _manages_a_district(user: User) -> bool:
    return bool(roles_for(user) & {Role.DISTRICT_MANAGER, Role.COLLABORATIVE_ADMIN})


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
        raise LookupError(f"No access rule for {label}: register one from its app's access.py") from None
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


def can_create(user: User, model: type[Model]) -> bool:
    """Whether the user may create any object of ``model``: true when some parent it could attach
    the object to is writable (a district for a site, a collaborative for a district...)."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    rule = _CREATE.get(model._meta.label)
    return rule is not None and rule(user)


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
