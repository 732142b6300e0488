"""Reads for the letters pages, the party pages and the dashboard: scoped, aggregated, a fixed
number of queries whatever the number of letters."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from accounts.models import Role, User
from agreements.models import Letter, LetterTemplate
from agreements.rules import AWAITING_PARTY, State
from districts import access


def letter_list(*, user: User) -> QuerySet[Letter]:
    return (Letter.objects.for_user(user).select_related("collaborative", "district", "partner", "version")
            .order_by("-school_year", "state", "district__name", "partner__name", "id"))  # fmt: skip


def state_counts(queryset: QuerySet[Letter]) -> list[tuple[str, int]]:
    """Letters per state, every state listed (zeros too), in the order of a letter's life."""
    found = dict(queryset.order_by().values_list("state").annotate(n=Count("id")))
    return [(state.value, found.get(state.value, 0)) for state in State]


def awaiting_party(queryset: QuerySet[Letter]) -> QuerySet[Letter]:
    return queryset.filter(state__in=sorted(AWAITING_PARTY))


def awaiting_user_signature(*, user: User) -> QuerySet[Letter]:
    """Letters the user signs for their party that wait for a signature."""
    districts = access.membership_targets(user, Role.DISTRICT_MANAGER, "district")
    partners = access.membership_targets(user, Role.PARTNER_STAFF, "partner")
    return Letter.objects.filter(Q(district_id__in=districts) | Q(partner_id__in=partners),
                                 state__in=sorted(AWAITING_PARTY))  # fmt: skip


def party_letters(
    *, user: User, district_id: int | None = None, partner_id: int | None = None
) -> QuerySet[Letter]:
    queryset = Letter.objects.for_user(user).select_related("collaborative")
    if district_id is not None:
        return queryset.filter(district_id=district_id).order_by("-school_year", "-id")
    return queryset.filter(partner_id=partner_id).order_by("-school_year", "-id")


def template_list(*, user: User) -> QuerySet[LetterTemplate]:
    return (LetterTemplate.objects.for_user(user).select_related("collaborative")
            .annotate(version_count=Count("versions", distinct=True)).order_by("collaborative__name", "name"))  # fmt: skip
