"""Who sees and changes the supplier directory and the contact log (mechanism: districts/access.py).

- Suppliers (and their origins, people, products, practices, certifications) are shared within a
  learning lab: every member of the lab (its districts' staff, its partners' staff, its admins)
  sees them; partner staff and the lab's admins create and change them.
- A note (interaction) belongs to its author's organisation and to the districts it concerns:
  the author's organisation sees and changes it; staff of a district it concerns see it; the
  lab's admins see all of the lab's. A private note stays with its author's organisation.
  Another partner never sees it.
- A follow-up is seen with its note; its owner and the note's organisation change it.

Every rule is a subquery: scoping adds no query.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet

from accounts.models import DISTRICT_ROLES, Membership, Role
from districts import access

if TYPE_CHECKING:
    from accounts.models import User

NOTHING = Q(pk__in=[])


def _roles(user: User, *roles: str) -> QuerySet[Membership]:
    return Membership.objects.filter(user=user, role__in=roles)


def own_partners(user: User) -> QuerySet:
    from partners.models import PartnerOrganisation

    return PartnerOrganisation.objects.filter(
        id__in=_roles(user, Role.PARTNER_STAFF).values("partner_id"), removed_on__isnull=True
    )


def lab_ids_for(user: User, *, write: bool = False) -> QuerySet:
    """The learning labs whose supplier directory the user sees (or, with ``write``, changes)."""
    from districts.models import Collaborative, District

    administered = Q(id__in=_roles(user, Role.COLLABORATIVE_ADMIN).values("collaborative_id"))
    partners = Q(id__in=own_partners(user).values("collaborative_id"))
    if write:
        return Collaborative.objects.filter(administered | partners).values("id")
    districts = District.objects.filter(id__in=_roles(user, *DISTRICT_ROLES).values("district_id"))
    return Collaborative.objects.filter(
        administered | partners | Q(id__in=districts.values("collaborative_id"))
    ).values("id")


def supplier_q(user: User, *, write: bool) -> Q:
    return Q(collaborative_id__in=lab_ids_for(user, write=write))


def supplier_child_q(user: User, *, write: bool) -> Q:
    return Q(supplier__collaborative_id__in=lab_ids_for(user, write=write))


def merge_q(user: User, *, write: bool) -> Q:
    return NOTHING if write else Q(kept__collaborative_id__in=lab_ids_for(user))


def can_create_supplier(user: User) -> bool:
    return bool(access.roles_for(user) & {Role.PARTNER_STAFF, Role.COLLABORATIVE_ADMIN, "superuser"})


def can_merge_suppliers(user: User) -> bool:
    """Merging rewrites other organisations' notes' links: the lab's admins (and superusers)."""
    return bool(access.roles_for(user) & {Role.COLLABORATIVE_ADMIN, "superuser"})


def author_org_q(user: User, *, write: bool) -> Q:
    district_roles = (Role.DISTRICT_MANAGER,) if write else DISTRICT_ROLES
    return (
        Q(author_partner_id__in=own_partners(user).values("id"))
        | Q(author_district_id__in=_roles(user, *district_roles).values("district_id"))
        | Q(author_lab_id__in=_roles(user, Role.COLLABORATIVE_ADMIN).values("collaborative_id"))
    )


def interaction_q(user: User, *, write: bool) -> Q:
    from partners.models import Interaction

    own = author_org_q(user, write=write)
    if write:
        return own
    concerning = Interaction.districts.through.objects.filter(
        district_id__in=_roles(user, *DISTRICT_ROLES).values("district_id")
    ).values("interaction_id")
    lab = _roles(user, Role.COLLABORATIVE_ADMIN).values("collaborative_id")
    return own | Q(private=False) & (Q(id__in=concerning) | Q(collaborative_id__in=lab))


def visible_interactions(user: User) -> QuerySet:
    from partners.models import Interaction

    return access.scope(Interaction.objects.all(), user)


def follow_up_q(user: User, *, write: bool) -> Q:
    from partners.models import Interaction

    notes = Interaction.objects.filter(interaction_q(user, write=write)).values("id")
    return Q(interaction_id__in=notes) | Q(owner=user)


def can_log_interaction(user: User) -> bool:
    roles = access.roles_for(user)
    return bool(roles & {Role.PARTNER_STAFF, Role.DISTRICT_MANAGER, Role.COLLABORATIVE_ADMIN, "superuser"})


def internal_q(user: User, *, write: bool) -> Q:
    """Bookkeeping rows (the search vocabulary, digest claims, contact rows) only code reaches."""
    return NOTHING


CREATE_RULES = {
    "partners.Supplier": can_create_supplier,
    "partners.Origin": can_create_supplier,
    "partners.SupplierPerson": can_create_supplier,
    "partners.Product": can_create_supplier,
    "partners.ProductionPractice": can_create_supplier,
    "partners.Certification": can_create_supplier,
    "partners.Interaction": can_log_interaction,
    "partners.FollowUp": can_log_interaction,
}


def register_rules() -> None:
    rules = {
        "partners.Supplier": supplier_q,
        "partners.Origin": supplier_child_q,
        "partners.SupplierPerson": supplier_child_q,
        "partners.Product": supplier_child_q,
        "partners.ProductionPractice": supplier_child_q,
        "partners.Certification": supplier_child_q,
        "partners.SupplierMerge": merge_q,
        "partners.Interaction": interaction_q,
        "partners.FollowUp": follow_up_q,
        "partners.SearchWord": internal_q,
        "partners.InteractionSupplier": internal_q,
        "partners.DigestSent": internal_q,
    }
    for label in CREATE_RULES:
        access.register_field_rights(label, _all_or_nothing(label))
    for label, rule in rules.items():
        create = CREATE_RULES.get(label)
        try:
            access.register(label, rule, create=create)  # type: ignore[call-arg]
        except TypeError:  # before the registry learns ``create=`` (the layout change on main)
            access.register(label, rule)


def _all_or_nothing(label: str):  # noqa: ANN202
    """Field rights for this app's models: every editable field for whoever may create (no object)
    or change (an object) it, none otherwise."""

    def rights(user: User, obj: object) -> frozenset[str]:
        from django.apps import apps

        model = apps.get_model(label)
        allowed = can_create(user, label) if obj is None else access.can_write(user, obj)  # type: ignore[arg-type]
        return access.model_field_names(model) if allowed else frozenset()

    return rights


def can_create(user: User, label: str) -> bool:
    """Creation rights for this app's models, whichever version of the registry is running."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    rule = CREATE_RULES.get(label)
    return bool(rule and rule(user))
