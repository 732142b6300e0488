"""The daily digest: each person gets one email a day listing their overdue and coming follow-ups
and the certifications expired or expiring in the labs whose directory they keep.

Idempotent per person per day whatever beat does: a ``DigestSent`` row (unique on user and day)
is claimed before the email is queued; a second run, a retry or a second beat finds the claim and
sends nothing. The email task is itself idempotent per message id."""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils.formats import date_format

from accounts.models import Membership, Role, User
from partners.access import lab_ids_for
from partners.contacts.models import DigestSent, FollowUp
from partners.contacts.selectors import CERT_WINDOW_DAYS
from partners.suppliers.models import Certification

DUE_SOON_DAYS = 3
EXPIRED_LOOKBACK_DAYS = 30
LISTED = 30


def _certs(user: User, today: date):  # noqa: ANN202
    return (
        Certification.objects.filter(supplier__collaborative_id__in=lab_ids_for(user, write=True),
                                     supplier__merged_into__isnull=True,
                                     expires_on__gte=today - timedelta(days=EXPIRED_LOOKBACK_DAYS),
                                     expires_on__lte=today + timedelta(days=CERT_WINDOW_DAYS))
        .select_related("supplier").order_by("expires_on", "pk")
    )  # fmt: skip


def digest_recipients(*, today: date) -> list[int]:
    """Owners of open follow-ups overdue or due within three days, and the partner staff and lab
    admins of labs with a certification expired in the last 30 days or expiring within 60."""
    owners = FollowUp.objects.filter(done_on__isnull=True, due_on__lte=today + timedelta(days=DUE_SOON_DAYS))
    labs = Certification.objects.filter(
        supplier__merged_into__isnull=True, expires_on__gte=today - timedelta(days=EXPIRED_LOOKBACK_DAYS),
        expires_on__lte=today + timedelta(days=CERT_WINDOW_DAYS),
    ).values("supplier__collaborative_id")  # fmt: skip
    keepers = Membership.objects.filter(
        Q(role=Role.COLLABORATIVE_ADMIN, collaborative_id__in=labs)
        | Q(role=Role.PARTNER_STAFF, partner__collaborative_id__in=labs, partner__removed_on__isnull=True)
    )
    ids = set(owners.values_list("owner_id", flat=True)) | set(keepers.values_list("user_id", flat=True))
    return sorted(User.objects.filter(pk__in=ids, is_active=True).values_list("pk", flat=True))


def digest_send(*, user_id: int, today: date) -> bool:
    """Claim today's digest for the user and queue it; False when already claimed or empty."""
    from focus_lab.tasks import send_email

    user = User.objects.get(pk=user_id)
    follow_ups = list(
        FollowUp.objects.filter(owner=user, done_on__isnull=True, due_on__lte=today + timedelta(days=DUE_SOON_DAYS))
        .select_related("interaction").order_by("due_on", "pk")[:LISTED]
    )  # fmt: skip
    certs = list(_certs(user, today)[:LISTED])
    if not follow_ups and not certs:
        return False
    try:
        with transaction.atomic():
            DigestSent.objects.create(user=user, day=today)
    except IntegrityError:
        return False  # already sent today
    sections = []
    if follow_ups:
        sections.append("Follow-ups:\n" + "\n".join(
            f"- {f.what} ({'OVERDUE since' if f.due_on < today else 'due'} {date_format(f.due_on)}): "
            f"{settings.SITE_URL}{f.interaction.get_absolute_url()}" for f in follow_ups))  # fmt: skip
    if certs:
        sections.append("Certifications:\n" + "\n".join(
            f"- {c.supplier.name}: {c.get_kind_display()} {'expired on' if c.expires_on < today else 'expires on'} "
            f"{date_format(c.expires_on)}" for c in certs))  # fmt: skip
    overdue = sum(1 for f in follow_ups if f.due_on < today)
    subject = f"Your suppliers today: {overdue:,} overdue follow-up{'s' if overdue != 1 else ''}, " \
              f"{len(certs):,} certification{'s' if len(certs) != 1 else ''} to check"  # fmt: skip
    body = (
        "\n\n".join(sections)
        + f"\n\nYour follow-ups: {settings.SITE_URL}{reverse('partners:follow-up-list')}?show=mine\n"
    )
    transaction.on_commit(lambda: send_email.delay(f"supplier-digest:{user.pk}:{today.isoformat()}", subject, body,
                                                   [user.email]))  # fmt: skip
    return True
