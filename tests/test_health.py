"""/healthz against the real test database and Redis: healthy means the database and the broker
answer; a dead broker turns it into a 503; beat's heartbeat shows up in the report."""

from __future__ import annotations

from datetime import datetime

import pytest
from django.core.cache import cache
from django.utils import timezone

from focus_lab.health import health
from focus_lab.tasks import heartbeat

pytestmark = pytest.mark.django_db

UNREACHABLE_BROKER = "redis://127.0.0.1:1/0"  # port 1: nothing listens there


def test_healthz_reports_database_and_broker_ok(client):
    """Anonymous on purpose: load balancers and compose healthchecks call it without a login."""
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert "no-cache" in response["Cache-Control"]
    report = response.json()
    assert report["status"] == "ok"
    assert report["database"] == {"ok": True, "vendor": "postgresql"}
    assert report["broker"] == {"ok": True}
    # No worker runs in the test process; the report says so without failing the check.
    assert set(report["worker"]) >= {"ok", "workers"}
    assert "last_heartbeat" in report["beat"]


def test_healthz_is_503_when_the_broker_is_unreachable(client, settings):
    settings.CELERY_BROKER_URL = UNREACHABLE_BROKER

    response = client.get("/healthz")

    assert response.status_code == 503
    report = response.json()
    assert report["status"] == "error"
    assert report["database"]["ok"] is True
    assert report["broker"]["ok"] is False
    assert report["broker"]["error"]
    # With the broker down the worker is not even asked.
    assert report["worker"] == {"ok": False, "workers": []}


def test_heartbeat_task_records_the_beat_timestamp():
    cache.delete("beat:last_heartbeat")
    before = timezone.now()

    result = heartbeat.delay()  # eager in test settings

    written = result.get(timeout=5)
    healthy, report = health()
    assert healthy
    reported = report["beat"]["last_heartbeat"]
    assert reported is not None
    # >= rather than ==: a beat elsewhere on the same Redis may tick in between; it only moves on.
    assert datetime.fromisoformat(reported) >= datetime.fromisoformat(written) >= before


def test_heartbeat_is_idempotent_it_only_overwrites():
    first = heartbeat.delay().get(timeout=5)
    second = heartbeat.delay().get(timeout=5)

    assert second >= first
    assert cache.get("beat:last_heartbeat") >= second
