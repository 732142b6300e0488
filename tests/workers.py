"""A real Celery worker as a subprocess, for the tests that prove the wiring eager mode hides."""

from __future__ import annotations

import contextlib
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CELERY = str(Path(sys.executable).parent / "celery")


@contextlib.contextmanager
def celery_worker(
    env: dict[str, str], log: Path, *, hostname: str, extra: Sequence[str] = ()
) -> Iterator[subprocess.Popen[bytes]]:
    """Start ``celery -A focus_lab worker`` (solo pool) logging to ``log``; stop it warmly after."""
    with log.open("wb") as out:
        # Not PYTEST_XDIST_WORKER: the test settings would move the worker to another Redis database.
        env = {name: value for name, value in env.items() if name != "PYTEST_XDIST_WORKER"}
        worker = subprocess.Popen(
            [CELERY, "-A", "focus_lab", "worker", "--pool", "solo", "--loglevel", "INFO", "--hostname", hostname,
             "--without-mingle", "--without-gossip", *extra],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        try:
            yield worker
        finally:
            if worker.poll() is None:
                worker.send_signal(signal.SIGTERM)  # warm shutdown
                try:
                    worker.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    worker.kill()
                    worker.wait(timeout=5)


def wait_until_ready(worker: subprocess.Popen[bytes], log: Path, timeout: float = 30) -> str:
    """The worker's start banner once it says it is ready; fails early, with the log, if it dies."""
    deadline = time.monotonic() + timeout
    while " ready." not in (text := log.read_text()):
        assert worker.poll() is None, f"the worker died:\n{text}"
        assert time.monotonic() < deadline, f"the worker was not ready after {timeout}s:\n{text}"
        time.sleep(0.1)
    return text


def wait_for_result(result, worker: subprocess.Popen[bytes], log: Path, timeout: float = 30) -> object:  # noqa: ANN001
    """The task's result; fails early, with the worker's log, if the worker dies or time runs out."""
    deadline = time.monotonic() + timeout
    while not result.ready():
        assert worker.poll() is None, f"the worker died:\n{log.read_text()}"
        assert time.monotonic() < deadline, f"no result after {timeout}s; worker log:\n{log.read_text()}"
        time.sleep(0.05)
    return result.get(timeout=30)
