"""District-side rules shared by the pages and the API."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.db.models import QuerySet

from accounts.models import DISTRICT_ROLES, Membership
from districts.models import Coop, District
from focus_lab.tasks import enqueue

if TYPE_CHECKING:
    from accounts.models import User


def coop_members_merge(*, coop: Coop | None, chosen: Iterable[District], user: User) -> list[District]:
    """The member list to store when ``user`` saves ``coop`` with ``chosen`` ticked.

    A co-op spans districts the lead's manager cannot see, and the form lists only the visible
    ones: saving must not drop the others. So the user decides membership among the districts
    they see and the rest stays as it is: ``chosen ∩ visible ∪ (current − visible)``."""
    visible = District.objects.for_user(user)
    picked = list(visible.filter(pk__in=[district.pk for district in chosen]))
    if coop is None or coop.pk is None:
        return picked
    hidden = coop.members.exclude(pk__in=visible.values("pk"))
    return picked + list(hidden)


# --- Email --------------------------------------------------------------------------------------


def district_recipients(district_ids: Iterable[int] | QuerySet) -> dict[int, list[str]]:
    rows = Membership.objects.filter(
        district_id__in=district_ids, role__in=DISTRICT_ROLES, user__is_active=True
    )
    recipients: dict[int, list[str]] = {}
    for district_id, email in rows.values_list("district_id", "user__email"):
        recipients.setdefault(district_id, []).append(email)
    return recipients


def district_email_later(*, district_id: int, subject: str, body: str) -> None:
    """Email the district's staff once the transaction commits (a Celery task, retried)."""
    enqueue("districts.tasks.send_district_email", district_id, subject, body)
