"""The SDA reviewers' daily digest: the orders their state's SFAs submitted since the last one.

Beat runs it every morning. Each state's digest is claimed with a compare-and-set on
``StateAgency.review_digest_sent_at`` (as the order windows' side effects are), so a second run
the same day, or a re-delivered message, sends nothing more."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from accounts.models import Membership, Role
from districts.models import StateAgency
from focus_lab.text import possessive
from usda_foods.ordering.models import Order, OrderStatus

MIN_GAP = timedelta(hours=20)  # one digest a day, however the beat schedule drifts
FIRST_LOOKBACK = timedelta(days=1)
LISTED = 50


def review_digest_due(now: datetime | None = None) -> list[int]:
    """The state agencies with reviewers whose digest has not gone out in the last 20 hours."""
    now = now or timezone.now()
    reviewed = Membership.objects.filter(role=Role.SDA_REVIEWER).values("state_agency_id")
    return list(
        StateAgency.objects.filter(pk__in=reviewed)
        .filter(Q(review_digest_sent_at__isnull=True) | Q(review_digest_sent_at__lte=now - MIN_GAP))
        .values_list("pk", flat=True)
    )


def review_digest_send(*, state_agency_id: int, now: datetime | None = None) -> int:
    """Email the state's reviewers the orders submitted since the last digest; returns how many
    orders it listed (0 when it was not due, was claimed by another run, or nothing arrived)."""
    from focus_lab.tasks import send_email

    now = now or timezone.now()
    agency = StateAgency.objects.get(pk=state_agency_id)
    previous = agency.review_digest_sent_at
    if previous is not None and previous > now - MIN_GAP:
        return 0
    if not StateAgency.objects.filter(pk=agency.pk, review_digest_sent_at=previous).update(
        review_digest_sent_at=now
    ):
        return 0  # another run claimed it
    since = previous or now - FIRST_LOOKBACK
    new = (Order.objects.filter(district__state_agency=agency, status=OrderStatus.SUBMITTED,
                                submitted_at__gte=since, submitted_at__lt=now)
           .select_related("district", "window").order_by("submitted_at"))  # fmt: skip
    count = new.count()
    recipients = sorted(
        set(
            Membership.objects.filter(role=Role.SDA_REVIEWER, state_agency=agency).values_list(
                "user__email", flat=True
            )
        )
    )
    if not count or not recipients:
        return 0
    queue = settings.SITE_URL + reverse("usda_foods:order-review-queue") + "?status=submitted"
    lines = [f"- Order #{o.pk}: {o.district.name}, {o.window.name}, ${o.value:,}" for o in new[:LISTED]]
    if count > LISTED:
        lines.append(f"- … and {count - LISTED:,} more")
    local = timezone.localtime(since)
    subject = f"{count:,} new USDA Foods order{'s' if count != 1 else ''} to review ({agency.state})"
    body = (f"Since {local:%b %-d, %Y at %-I:%M %p}, {possessive(agency.name)} SFAs submitted {count:,} "
            f"order{'s' if count != 1 else ''} for review:\n\n" + "\n".join(lines) + f"\n\nReview them: {queue}\n")  # fmt: skip
    send_email.delay(f"review-digest:{agency.pk}:{now.isoformat()}", subject, body, recipients)
    return count
