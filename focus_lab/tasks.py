from __future__ import annotations

from smtplib import SMTPException
from typing import Any

from celery import shared_task
from django.conf import settings
from django.core.cache import cache
from django.core.mail import EmailMultiAlternatives
from django.db import OperationalError, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

# Retry what a moment later may succeed (a dropped connection, a deadlock victim), with backoff.
RETRY = {"autoretry_for": (OperationalError,), "retry_backoff": True, "retry_jitter": True, "max_retries": 5}


def enqueue(task_path: str, *args: Any) -> None:
    """Send the Celery task at ``task_path`` (e.g. ``usda_foods.shipping.tasks.plan_run``) once the
    current transaction commits, so the worker finds the rows it was sent for."""
    task = import_string(task_path)
    transaction.on_commit(lambda: task.delay(*args))


# An email is sent at most once per message id, however often the task runs (a retry after the
# SMTP server accepted it, a redelivered message): the id is claimed in the cache first.
SENT_KEY = "email:sent:{message_id}"
SENT_TTL = 7 * 24 * 3600


@shared_task
def heartbeat() -> str:
    """Record when beat last ran, so /healthz can show it. Idempotent: it only overwrites."""
    now = timezone.now().isoformat()
    cache.set("beat:last_heartbeat", now, timeout=None)
    return now


@shared_task
def ping(value: str) -> str:
    """A round trip through the broker and a worker, used by the health check and tests."""
    return value


@shared_task(bind=True, autoretry_for=(SMTPException, OSError), retry_backoff=True, retry_jitter=True,
             max_retries=5)  # fmt: skip
def send_email(
    self, message_id: str, subject: str, body: str, to: list[str], html_body: str | None = None
) -> bool:
    """Send one rendered email. Idempotent per ``message_id``; the claim is given back when the
    send fails, so the retry sends it."""
    key = SENT_KEY.format(message_id=message_id)
    if not cache.add(key, "1", timeout=SENT_TTL):
        return False
    try:
        message = EmailMultiAlternatives(subject, body, settings.DEFAULT_FROM_EMAIL, to)
        if html_body:
            message.attach_alternative(html_body, "text/html")
        message.send()
    except Exception:
        cache.delete(key)
        raise
    return True


@shared_task(bind=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=3)
def import_errors_purge(self) -> int:
    """Beat, hourly: delete stored import-problem lists whose download link has expired."""
    from focus_lab.import_errors import import_errors_purge as purge

    return purge()
