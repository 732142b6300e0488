"""A real Celery worker, started as a subprocess on Redis, running tasks against the test database.

Most tests run tasks eagerly (test settings); this one proves the wiring eager mode hides: the
task is found by name, its arguments and result go through the broker and the result backend as
JSON, and the worker sees what the test committed. It uses its own Redis database number, so it
never consumes another process's messages.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote, urlsplit

import kombu.pools
import pytest
import redis
from celery.result import AsyncResult, EagerResult
from django.conf import settings
from django.db import connection

from focus_lab import heartbeats
from focus_lab.celery import app as celery_app
from focus_lab.tasks import ping
from tests.usda_foods.ordering_fixtures import catalog_item, open_window
from tests.workers import celery_worker, wait_for_result
from usda_foods.ordering.tasks import ordering_tick

ROOT = Path(__file__).resolve().parents[1]
CELERY = str(Path(sys.executable).parent / "celery")
BROKER_DB = 5
WORKER_NAME = f"worker-test-{os.getpid()}@{socket.gethostname()}"


def _test_database_url() -> str:
    """A URL for the database this test runs in (test_<name>), TCP or Unix socket alike."""
    db = connection.settings_dict
    auth = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        auth += ":" + quote(db["PASSWORD"], safe="")
    host, port, name = str(db["HOST"] or ""), str(db["PORT"] or ""), quote(db["NAME"], safe="")
    if host.startswith("/"):
        query = f"?host={quote(host, safe='')}" + (f"&port={port}" if port else "")
        return f"postgres://{auth}@/{name}{query}"
    return f"postgres://{auth}@{host}{':' + port if port else ''}/{name}"


def _broker_url() -> str:
    return urlsplit(settings.REDIS_URL)._replace(path=f"/{BROKER_DB}").geturl()


def _reset_connections() -> None:
    """Close and forget the app's broker pools and result backend, so the next call reads the
    conf. kombu keeps its pools in a registry keyed by URL: ``reset`` empties it, where closing one
    pool would leave a closed pool there for later (eager) sends to trip on."""
    kombu.pools.reset()
    celery_app._pool = None
    celery_app.amqp._producer_pool = None
    celery_app._backend_cache = None
    vars(celery_app._local).pop("backend", None)


@contextlib.contextmanager
def sending_through(broker_url: str) -> Iterator[None]:
    """Send this process's tasks to ``broker_url`` for real (not eagerly), then restore."""
    conf = celery_app.conf
    saved = {key: conf[key] for key in ("broker_url", "result_backend", "task_always_eager")}
    conf.update(broker_url=broker_url, result_backend=broker_url, task_always_eager=False)
    _reset_connections()
    try:
        yield
    finally:
        conf.update(saved)
        _reset_connections()


def _result(result: AsyncResult, worker: subprocess.Popen[bytes], log: Path, timeout: float) -> object:
    assert not isinstance(result, EagerResult), "the task ran eagerly in the test process"
    return wait_for_result(result, worker, log, timeout)


@pytest.mark.django_db(transaction=True)
def test_real_worker_runs_the_ordering_tick_once_and_pings(mn_agency, tmp_path):
    window = open_window(mn_agency, [catalog_item()])  # opened yesterday: its open notice is due
    broker_url = _broker_url()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "focus_lab.settings.test",
           "DATABASE_URL": _test_database_url(), "REDIS_URL": broker_url}  # fmt: skip
    log = tmp_path / "worker.log"
    started = time.monotonic()
    with sending_through(broker_url):
        celery_app.control.purge()  # nothing left over from an earlier, interrupted run
        with celery_worker(
            env, log, hostname=WORKER_NAME, extra=("--concurrency", "1", "-Q", "celery")
        ) as worker:
            assert _result(ping.delay("pong"), worker, log, timeout=25) == "pong"
            # Ready, it keeps a heartbeat in its cache's Redis for /healthz (focus_lab.heartbeats).
            beats = redis.Redis.from_url(broker_url, decode_responses=True)
            assert beats.hget(heartbeats.WORKERS_KEY, WORKER_NAME), log.read_text()

            first = _result(ordering_tick.delay(), worker, log, timeout=10)
            assert first == {"open": [window.pk], "remind": [], "close": []}
            window.refresh_from_db()
            assert window.opened_notice_sent_at is not None
            assert window.reminder_sent_at is None and window.closed_processed_at is None

            second = _result(ordering_tick.delay(), worker, log, timeout=10)
            assert second == {"open": [], "remind": [], "close": []}  # claimed once: nothing new

            worker.send_signal(signal.SIGTERM)
            assert worker.wait(timeout=10) == 0, log.read_text()
            assert beats.hget(heartbeats.WORKERS_KEY, WORKER_NAME) is None  # stopped cleanly: removed
    text = log.read_text()
    assert "Task usda_foods.tasks.ordering_tick" in text and "Task focus_lab.tasks.ping" in text
    assert celery_app.conf.task_always_eager is True  # the other tests run eagerly again
    assert time.monotonic() - started < 40
