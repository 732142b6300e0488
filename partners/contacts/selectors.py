"""What a partner's day looks like: follow-ups, certifications, suppliers gone quiet, recent notes.
Each figure is one aggregate or one short list: the cost does not grow with the directory."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Window

from accounts.models import DISTRICT_ROLES, Role
from districts import access
from partners import access as partner_access
from partners.contacts.models import FollowUp, Interaction, InteractionSupplier
from partners.suppliers.models import Certification, Supplier

if TYPE_CHECKING:
    from accounts.models import User

CERT_WINDOW_DAYS = 60
QUIET_DAYS = 183  # six months
UPCOMING_DAYS = 14
LIST_SIZE = 5


@dataclass
class PartnerDay:
    overdue: int = 0
    upcoming: int = 0
    follow_ups: list[FollowUp] = field(default_factory=list)
    certs_due: int = 0
    certs: list[Certification] = field(default_factory=list)
    quiet: int = 0
    quiet_suppliers: list[Supplier] = field(default_factory=list)
    recent: list[Interaction] = field(default_factory=list)


def open_follow_ups(user: User) -> QuerySet[FollowUp]:
    """Open follow-ups of the notes the user's organisation wrote, and those the user owns: both
    inside the follow-up read rule, so this needs no scoping subquery over every readable note
    (which costs a hash of the whole log)."""
    own_org = (
        Q(author_partner_id__in=partner_access.own_partners(user).values("id"))
        | Q(author_district_id__in=access.memberships(user, *DISTRICT_ROLES).values("district_id"))
        | Q(author_lab_id__in=access.memberships(user, Role.COLLABORATIVE_ADMIN).values("collaborative_id"))
    )
    return FollowUp.objects.filter(done_on__isnull=True).filter(own_org | Q(owner=user))


def certs_expiring(user: User, *, today: date) -> QuerySet[Certification]:
    """Certifications of the lab's current suppliers expired or expiring within 60 days."""
    return Certification.objects.for_user(user).filter(
        supplier__merged_into__isnull=True, expires_on__lte=today + timedelta(days=CERT_WINDOW_DAYS)
    )


def quiet_suppliers(user: User, *, today: date) -> QuerySet[Supplier]:
    """The lab's suppliers nobody of the user's organisation(s) contacted in six months."""
    own = partner_access.own_partners(user).values("id")
    recent = InteractionSupplier.objects.filter(supplier=OuterRef("pk"), author_partner_id__in=own,
                                                occurred_on__gte=today - timedelta(days=QUIET_DAYS))  # fmt: skip
    return Supplier.objects.for_user(user).filter(merged_into__isnull=True).filter(~Exists(recent))


def partner_day(user: User, *, today: date) -> PartnerDay:
    day = PartnerDay()
    follow_ups = open_follow_ups(user)
    counts = follow_ups.aggregate(overdue=Count("id", filter=Q(due_on__lt=today)),
                                  upcoming=Count("id", filter=Q(due_on__gte=today,
                                                                due_on__lte=today + timedelta(days=UPCOMING_DAYS))))  # fmt: skip
    day.overdue, day.upcoming = counts["overdue"], counts["upcoming"]
    day.follow_ups = list(follow_ups.filter(due_on__lte=today + timedelta(days=UPCOMING_DAYS))
                          .select_related("owner", "interaction").order_by("due_on", "id")[:LIST_SIZE])  # fmt: skip
    certs = certs_expiring(user, today=today)
    day.certs_due = certs.count()
    day.certs = list(certs.select_related("supplier").order_by("expires_on", "id")[:LIST_SIZE])
    # The count rides along with the first rows (a window over the whole result): one query.
    quiet = list(
        quiet_suppliers(user, today=today)
        .annotate(total=Window(Count("id")))
        .order_by("name", "pk")[:LIST_SIZE]
    )
    day.quiet = quiet[0].total if quiet else 0
    day.quiet_suppliers = quiet
    day.recent = list(
        access.scope(Interaction.objects.all(), user)
        .filter(occurred_on__gte=today - timedelta(days=30))
        .select_related("author_partner", "author_district", "author_lab")
        .order_by("-occurred_on", "-id")[:LIST_SIZE]
    )
    return day


def supplier_notes(*, user: User, supplier: Supplier) -> QuerySet[Interaction]:
    """The notes about ``supplier`` the user may read, newest first."""
    return (
        access.scope(Interaction.objects.all(), user)
        .filter(id__in=InteractionSupplier.objects.filter(supplier=supplier).values("interaction_id"))
        .select_related("author_partner", "author_district", "author_lab", "author")
        .order_by("-occurred_on", "-id")
    )


def interaction_list(*, user: User) -> QuerySet[Interaction]:
    return (
        access.scope(Interaction.objects.all(), user)
        .select_related("author_partner", "author_district", "author_lab", "author")
        .prefetch_related("suppliers", "districts", "follow_ups")
        .order_by("-occurred_on", "-id")
    )
