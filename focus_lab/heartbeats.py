"""Heartbeats that /healthz reads instead of asking workers over the broker.

Each worker process writes its name and the time into one Redis hash (in the cache's Redis) every
``WORKER_INTERVAL`` seconds from a thread started on ``worker_ready``, and removes itself on a clean
shutdown. Beat's ``heartbeat`` task (run by a worker) writes ``beat:last_heartbeat``. A timestamp
older than its ``*_STALE_AFTER`` means that process is gone (killed, hung or cut off), which a hash
entry left behind by ``kill -9`` shows as well as a missing one. Reading them costs one round trip.
"""

from __future__ import annotations

import threading
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

import redis
from django.conf import settings
from django.utils import timezone

WORKERS_KEY = "health:worker_heartbeats"
WORKER_INTERVAL = 10.0
WORKER_STALE_AFTER = timedelta(seconds=3 * WORKER_INTERVAL)
BEAT_STALE_AFTER = timedelta(seconds=3 * 30)  # beat's heartbeat entry runs every 30 s
FORGET_AFTER = timedelta(days=1)  # entries of workers gone this long are dropped from the report


@lru_cache(maxsize=4)
def _client_for(url: str) -> redis.Redis:
    return redis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1, decode_responses=True)


def client() -> redis.Redis:
    return _client_for(settings.CACHES["default"]["LOCATION"])


def worker_beat(*, hostname: str, now: datetime | None = None) -> str:
    stamp = (now or timezone.now()).isoformat()
    client().hset(WORKERS_KEY, hostname, stamp)
    return stamp


def worker_forget(*, hostname: str) -> None:
    client().hdel(WORKERS_KEY, hostname)


def workers_report(*, now: datetime | None = None) -> dict[str, Any]:
    """``{"ok", "workers" (fresh names), "stale" (names gone quiet), "last_heartbeat" {name: iso}}``."""
    now = now or timezone.now()
    beats = client().hgetall(WORKERS_KEY)
    fresh, stale, forgotten = [], [], []
    for name, stamp in beats.items():
        age = now - datetime.fromisoformat(stamp)
        if age > FORGET_AFTER:
            forgotten.append(name)
        elif age > WORKER_STALE_AFTER:
            stale.append(name)
        else:
            fresh.append(name)
    if forgotten:
        client().hdel(WORKERS_KEY, *forgotten)
    shown = {name: beats[name] for name in sorted(fresh + stale)}
    return {"ok": bool(fresh), "workers": sorted(fresh), "stale": sorted(stale), "last_heartbeat": shown}


def beat_report(stamp: str | None, *, now: datetime | None = None) -> dict[str, Any]:
    if stamp is None:
        return {"ok": False, "last_heartbeat": None}
    age = (now or timezone.now()) - datetime.fromisoformat(stamp)
    return {"ok": age <= BEAT_STALE_AFTER, "last_heartbeat": stamp, "age_s": round(age.total_seconds(), 1)}


class WorkerHeart:
    """The thread a worker runs to keep its entry fresh. Failures to write are retried next tick:
    a Redis blip must not kill the worker, and a stale entry is exactly what /healthz should show."""

    def __init__(self, hostname: str, interval: float = WORKER_INTERVAL) -> None:
        self.hostname = hostname
        self.interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="health-heartbeat", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                worker_beat(hostname=self.hostname)
            except redis.RedisError:
                pass
            self._stop.wait(self.interval)

    def stop(self) -> None:
        self._stop.set()
        try:
            worker_forget(hostname=self.hostname)
        except redis.RedisError:
            pass
