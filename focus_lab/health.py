"""Health probes for /healthz: database, broker, worker and beat."""

from __future__ import annotations

from typing import Any

import redis
from django.conf import settings
from django.core.cache import cache
from django.db import connection


def check_database() -> dict[str, Any]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        return {"ok": True, "vendor": connection.vendor}
    except Exception as exc:  # noqa: BLE001 - any failure is "down", reported as text
        return {"ok": False, "error": str(exc)}


def check_broker() -> dict[str, Any]:
    try:
        client = redis.Redis.from_url(settings.CELERY_BROKER_URL, socket_timeout=2, socket_connect_timeout=2)
        client.ping()
        return {"ok": True}
    except Exception as exc:  # noqa: BLE001
        return {"ok": False, "error": str(exc)}


def check_workers(timeout: float = 1.0) -> dict[str, Any]:
    from focus_lab.celery import app

    try:
        replies = app.control.ping(timeout=timeout) or []
        names = sorted(name for reply in replies for name in reply)
        return {"ok": bool(names), "workers": names}
    except Exception as exc:  # noqa: BLE001
        return {"ok": False, "workers": [], "error": str(exc)}


def health() -> tuple[bool, dict[str, Any]]:
    """Healthy means the database and broker answer. Workers and beat are reported beside, since
    the web app still serves pages while a worker restarts."""
    database = check_database()
    broker = check_broker()
    worker = check_workers() if broker["ok"] else {"ok": False, "workers": []}
    try:
        beat = {"last_heartbeat": cache.get("beat:last_heartbeat")}
    except Exception:  # noqa: BLE001
        beat = {"last_heartbeat": None}
    healthy = database["ok"] and broker["ok"]
    return healthy, {"status": "ok" if healthy else "error", "database": database, "broker": broker,
                     "worker": worker, "beat": beat}  # fmt: skip
