from __future__ import annotations

from celery import shared_task
from django.core.cache import cache
from django.utils import timezone


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
