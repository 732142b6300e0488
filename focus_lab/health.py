"""Health probes for /healthz: database and broker asked directly, worker and beat read from the
heartbeats they keep fresh (focus_lab.heartbeats), so a call takes milliseconds."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import redis
from django.conf import settings
from django.core.cache import cache
from django.db import connection

from focus_lab import heartbeats


def check_database() -> dict[str, Any]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        return {"ok": True, "vendor": connection.vendor}
    except Exception as exc:  # noqa: BLE001 - any failure is "down", reported as text
        return {"ok": False, "error": str(exc)}


@lru_cache(maxsize=4)
def _broker(url: str) -> redis.Redis:
    """One connection pool per URL, so a probe does not open a new TCP connection each time."""
    return redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)


def check_broker() -> dict[str, Any]:
    try:
        _broker(settings.CELERY_BROKER_URL).ping()
        return {"ok": True}
    except Exception as exc:  # noqa: BLE001
        return {"ok": False, "error": str(exc)}


def check_workers() -> dict[str, Any]:
    """From the heartbeats workers write (focus_lab.heartbeats), not a broadcast ping: a ping
    without replies waits its whole timeout, which made every /healthz call last a second."""
    try:
        return heartbeats.workers_report()
    except Exception as exc:  # noqa: BLE001
        return {"ok": False, "workers": [], "error": str(exc)}


def health() -> tuple[bool, dict[str, Any]]:
    """Healthy means the database and broker answer. Workers and beat are reported beside, since
    the web app still serves pages while a worker restarts."""
    database = check_database()
    broker = check_broker()
    worker = check_workers() if broker["ok"] else {"ok": False, "workers": []}
    try:
        beat = heartbeats.beat_report(cache.get("beat:last_heartbeat"))
    except Exception:  # noqa: BLE001
        beat = {"ok": False, "last_heartbeat": None}
    healthy = database["ok"] and broker["ok"]
    return healthy, {"status": "ok" if healthy else "error", "database": database, "broker": broker,
                     "worker": worker, "beat": beat}  # fmt: skip
