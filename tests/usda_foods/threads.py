"""Run a service call from several real threads at once (each with its own database
connection), for the concurrency tests."""

from __future__ import annotations

import threading
from collections.abc import Callable

from django.db import connection

from focus_lab.errors import DomainError


def at_once(call: Callable[[], object], times: int) -> list[str]:
    """Start ``times`` threads that wait on a barrier and then make ``call``; return each outcome:
    "ok", a DomainError's message, or "error ..." for anything else (a failure to look at)."""
    barrier = threading.Barrier(times)
    outcomes: list[str] = []

    def run() -> None:
        try:
            barrier.wait()
            call()
            outcomes.append("ok")
        except DomainError as exc:
            outcomes.append(exc.message)
        except Exception as exc:  # noqa: BLE001 - surfaces in the test's assertion
            outcomes.append(f"error {exc!r}")
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes
