"""Contact log services: log an interaction (with its follow-ups), complete a follow-up, and the
daily digest."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from django.db import connection, transaction

from accounts.models import DISTRICT_ROLES, Membership, Role
from districts.models import District
from focus_lab.errors import DomainError
from partners.contacts.models import FollowUp, Interaction, InteractionSupplier
from partners.suppliers.models import Product, Supplier, SupplierPerson

if TYPE_CHECKING:
    from accounts.models import User


@dataclass(frozen=True)
class AuthorOrg:
    partner_id: int | None = None
    district_id: int | None = None
    lab_id: int | None = None


def author_orgs(user: User) -> list[tuple[AuthorOrg, str]]:
    """The organisations on whose behalf the user may log a note, with a label: their partner
    organisations, the districts they manage, the labs they administer."""
    orgs = []
    for m in Membership.objects.filter(user=user).select_related("partner", "district", "collaborative"):
        if m.role == Role.PARTNER_STAFF and m.partner and m.partner.removed_on is None:
            orgs.append((AuthorOrg(partner_id=m.partner_id), m.partner.name))
        elif m.role == Role.DISTRICT_MANAGER and m.district:
            orgs.append((AuthorOrg(district_id=m.district_id), m.district.name))
        elif m.role == Role.COLLABORATIVE_ADMIN and m.collaborative:
            orgs.append((AuthorOrg(lab_id=m.collaborative_id), m.collaborative.name))
    return orgs


def org_lab_id(org: AuthorOrg) -> int | None:
    from partners.models import PartnerOrganisation

    if org.lab_id:
        return org.lab_id
    if org.partner_id:
        return (
            PartnerOrganisation.objects.filter(pk=org.partner_id)
            .values_list("collaborative_id", flat=True)
            .first()
        )
    return District.objects.filter(pk=org.district_id).values_list("collaborative_id", flat=True).first()


def org_members(org: AuthorOrg) -> list[int]:
    """The users of an organisation: who may own its follow-ups."""
    if org.partner_id:
        rows = Membership.objects.filter(partner_id=org.partner_id, role=Role.PARTNER_STAFF)
    elif org.district_id:
        rows = Membership.objects.filter(district_id=org.district_id, role__in=DISTRICT_ROLES)
    else:
        rows = Membership.objects.filter(collaborative_id=org.lab_id, role=Role.COLLABORATIVE_ADMIN)
    return list(rows.values_list("user_id", flat=True))


@dataclass(frozen=True)
class FollowUpInput:
    what: str
    due_on: date
    owner_id: int


def _org_of(interaction: Interaction) -> AuthorOrg:
    return AuthorOrg(interaction.author_partner_id, interaction.author_district_id, interaction.author_lab_id)


def _check_links(*, lab_id: int, supplier_ids: Sequence[int], district_ids: Sequence[int],
                 person_ids: Sequence[int], product_ids: Sequence[int]) -> None:  # fmt: skip
    if not supplier_ids:
        raise DomainError("Name at least one supplier the interaction was with.", field="suppliers")
    suppliers = Supplier.objects.filter(
        pk__in=supplier_ids, collaborative_id=lab_id, merged_into__isnull=True
    )
    if suppliers.count() != len(set(supplier_ids)):
        raise DomainError("Choose suppliers from your learning lab's directory.", field="suppliers")
    if District.objects.filter(pk__in=district_ids, collaborative_id=lab_id).count() != len(
        set(district_ids)
    ):
        raise DomainError("Choose districts of your learning lab.", field="districts")
    if SupplierPerson.objects.filter(pk__in=person_ids, supplier_id__in=supplier_ids).count() != len(
        set(person_ids)
    ):
        raise DomainError("The people present must work for the suppliers named.", field="people")
    if Product.objects.filter(pk__in=product_ids, supplier_id__in=supplier_ids).count() != len(
        set(product_ids)
    ):
        raise DomainError("The products discussed must be the named suppliers' products.", field="products")


def _check_owners(org: AuthorOrg, follow_ups: Iterable[FollowUpInput]) -> None:
    members = set(org_members(org))
    for follow_up in follow_ups:
        if follow_up.owner_id not in members:
            raise DomainError("A follow-up's owner must be someone of your organisation.", field="owner")


INTERACTION_VECTOR_SQL = """
UPDATE partners_interaction SET search_vector =
    to_tsvector('english', replace(kind, '_', ' ') || ' ' || notes)
WHERE id = %s
"""


@transaction.atomic
def interaction_log(
    *, user: User, org: AuthorOrg, occurred_on: date, kind: str, notes: str = "", private: bool = False,
    supplier_ids: Sequence[int], district_ids: Sequence[int] = (), person_ids: Sequence[int] = (),
    product_ids: Sequence[int] = (), follow_ups: Sequence[FollowUpInput] = (),
) -> Interaction:  # fmt: skip
    """Log an interaction on behalf of ``org`` (one of ``author_orgs(user)``), with the suppliers,
    districts, people and products it concerns and its follow-ups (owners from the same
    organisation)."""
    if org not in {o for o, _ in author_orgs(user)} and not user.is_superuser:
        raise DomainError("You can log notes only for your own organisation.")
    lab_id = org_lab_id(org)
    if lab_id is None:
        raise DomainError("Your organisation belongs to no learning lab yet.")
    _check_links(lab_id=lab_id, supplier_ids=supplier_ids, district_ids=district_ids, person_ids=person_ids,
                 product_ids=product_ids)  # fmt: skip
    _check_owners(org, follow_ups)
    interaction = Interaction(collaborative_id=lab_id, occurred_on=occurred_on, kind=kind, notes=notes,
                              private=private, author=user, author_partner_id=org.partner_id,
                              author_district_id=org.district_id, author_lab_id=org.lab_id)  # fmt: skip
    interaction.full_clean(exclude=["search_vector"])
    interaction.save()
    _set_links(interaction, supplier_ids, district_ids, person_ids, product_ids)
    FollowUp.objects.bulk_create([FollowUp(interaction=interaction, what=f.what, due_on=f.due_on, owner_id=f.owner_id,
                                           author_partner_id=org.partner_id, author_district_id=org.district_id,
                                           author_lab_id=org.lab_id) for f in follow_ups])  # fmt: skip
    return interaction


def _set_links(interaction: Interaction, supplier_ids: Sequence[int], district_ids: Sequence[int],
               person_ids: Sequence[int], product_ids: Sequence[int]) -> None:  # fmt: skip
    InteractionSupplier.objects.filter(interaction=interaction).exclude(supplier_id__in=supplier_ids).delete()
    InteractionSupplier.objects.filter(interaction=interaction).update(
        occurred_on=interaction.occurred_on, author_partner_id=interaction.author_partner_id
    )
    InteractionSupplier.objects.bulk_create(
        [InteractionSupplier(interaction=interaction, supplier_id=pk, occurred_on=interaction.occurred_on,
                             author_partner_id=interaction.author_partner_id) for pk in set(supplier_ids)],
        ignore_conflicts=True,
    )  # fmt: skip
    interaction.districts.set(list(district_ids))
    interaction.people.set(list(person_ids))
    interaction.products.set(list(product_ids))
    with connection.cursor() as cursor:
        cursor.execute(INTERACTION_VECTOR_SQL, [interaction.pk])


@transaction.atomic
def interaction_update(
    *, interaction: Interaction, occurred_on: date, kind: str, notes: str, private: bool,
    supplier_ids: Sequence[int], district_ids: Sequence[int], person_ids: Sequence[int],
    product_ids: Sequence[int],
) -> Interaction:  # fmt: skip
    _check_links(lab_id=interaction.collaborative_id, supplier_ids=supplier_ids, district_ids=district_ids,
                 person_ids=person_ids, product_ids=product_ids)  # fmt: skip
    interaction.occurred_on, interaction.kind, interaction.notes, interaction.private = (
        occurred_on, kind, notes, private)  # fmt: skip
    interaction.full_clean(exclude=["search_vector"])
    interaction.save()
    _set_links(interaction, supplier_ids, district_ids, person_ids, product_ids)
    return interaction


@transaction.atomic
def follow_up_add(*, interaction: Interaction, what: str, due_on: date, owner_id: int) -> FollowUp:
    _check_owners(_org_of(interaction), [FollowUpInput(what, due_on, owner_id)])
    follow_up = FollowUp(interaction=interaction, what=what, due_on=due_on, owner_id=owner_id)
    follow_up.full_clean()
    follow_up.save()
    return follow_up


def follow_up_complete(*, follow_up: FollowUp, on: date) -> FollowUp:
    """Mark done (idempotent: a done follow-up keeps its date)."""
    FollowUp.objects.filter(pk=follow_up.pk, done_on__isnull=True).update(done_on=on)
    follow_up.refresh_from_db(fields=["done_on"])
    return follow_up
