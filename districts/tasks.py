"""Thin tasks for districts: email a district's staff."""

from __future__ import annotations

from celery import shared_task
from django.db import OperationalError

from districts.services import district_recipients


@shared_task(
    name="usda_foods.tasks.send_district_email",
    bind=True,
    autoretry_for=(OSError, OperationalError),
    retry_backoff=True,
    retry_jitter=True,
    max_retries=5,
)
def send_district_email(self, district_id: int, subject: str, body: str) -> int:
    """Email a district's staff. Retries on SMTP/network errors with backoff."""
    from django.conf import settings
    from django.core.mail import send_mail

    recipients = district_recipients([district_id]).get(district_id, [])
    if not recipients:
        return 0
    return send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)
