from __future__ import annotations

from celery import shared_task
from django.db import OperationalError
from django.utils import timezone

RETRY = {"autoretry_for": (OperationalError,), "retry_backoff": True, "retry_jitter": True, "max_retries": 5}


@shared_task(bind=True, **RETRY)
def supplier_digest(self) -> int:
    """Beat, every morning: each person's digest of overdue follow-ups and expiring
    certifications. One per person per day (partners/contacts/digest.py), so a re-run, a retry or
    a second beat sends nothing more. Returns how many digests went out."""
    from partners.contacts.digest import digest_recipients, digest_send

    today = timezone.localdate()
    return sum(digest_send(user_id=user_id, today=today) for user_id in digest_recipients(today=today))
