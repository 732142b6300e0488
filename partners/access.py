"""Who sees and changes partner organisations, partnerships, the supplier directory and the contact
log (the mechanism is districts/access.py).

- Partner organisations and partnerships: see ``partner_q`` and ``partnership_q``.
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

from django.apps import apps
from django.db.models import Q, QuerySet

from accounts.models import DISTRICT_ROLES, Role
from districts import access

if TYPE_CHECKING:
    from accounts.models import User

NOTHING = Q(pk__in=[])


def partner_q(user: User, *, write: bool) -> Q:
    from districts.models import District

    own = Q(id__in=access.memberships(user, Role.PARTNER_STAFF).values("partner_id"))
    administered = Q(
        collaborative_id__in=access.memberships(user, Role.COLLABORATIVE_ADMIN).values("collaborative_id")
    )
    if write:
        return own | administered
    # District staff and SDA reviewers see the partners that serve the districts they see. Partner
    # staff do not see other partners through shared districts: that is not their business.
    served = District.objects.filter(access.district_q(user, write=False, via_partners=False)).values("id")
    return (
        own
        | administered
        | Q(id__in=access.active_partnerships().filter(district_id__in=served).values("partner_id"))
    )


def partnership_q(user: User, *, write: bool) -> Q:
    from districts.models import District

    administered = Q(
        district__collaborative_id__in=access.memberships(user, Role.COLLABORATIVE_ADMIN).values(
            "collaborative_id"
        )
    )
    if write:
        return administered
    own = Q(partner_id__in=access.memberships(user, Role.PARTNER_STAFF).values("partner_id"))
    seen = District.objects.filter(access.district_q(user, write=False, via_partners=False)).values("id")
    return administered | own | Q(district_id__in=seen)


def _administers_a_lab(user: User) -> bool:
    return Role.COLLABORATIVE_ADMIN in access.roles_for(user)


def own_partners(user: User) -> QuerySet:
    from partners.models import PartnerOrganisation

    return PartnerOrganisation.objects.filter(
        id__in=access.memberships(user, Role.PARTNER_STAFF).values("partner_id"), removed_on__isnull=True
    )


def lab_ids_for(user: User, *, write: bool = False) -> QuerySet:
    """The learning labs whose supplier directory the user sees (or, with ``write``, changes)."""
    from districts.models import Collaborative, District

    administered = Q(id__in=access.memberships(user, Role.COLLABORATIVE_ADMIN).values("collaborative_id"))
    partners = Q(id__in=own_partners(user).values("collaborative_id"))
    if write:
        return Collaborative.objects.filter(administered | partners).values("id")
    districts = District.objects.filter(
        id__in=access.memberships(user, *DISTRICT_ROLES).values("district_id")
    )
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
        | Q(author_district_id__in=access.memberships(user, *district_roles).values("district_id"))
        | Q(author_lab_id__in=access.memberships(user, Role.COLLABORATIVE_ADMIN).values("collaborative_id"))
    )


def interaction_q(user: User, *, write: bool) -> Q:
    from partners.models import Interaction

    own = author_org_q(user, write=write)
    if write:
        return own
    concerning = Interaction.districts.through.objects.filter(
        district_id__in=access.memberships(user, *DISTRICT_ROLES).values("district_id")
    ).values("interaction_id")
    lab = access.memberships(user, Role.COLLABORATIVE_ADMIN).values("collaborative_id")
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
    access.register("partners.PartnerOrganisation", partner_q, create=_administers_a_lab)
    access.register("partners.Partnership", partnership_q, create=_administers_a_lab)
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
    for label, rule in rules.items():
        access.register(label, rule, create=CREATE_RULES.get(label))


def can_create(user: User, label: str) -> bool:
    """``access.can_create`` by model label."""
    return access.can_create(user, apps.get_model(label))
