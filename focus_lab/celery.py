"""The Celery app. The beat schedule lives here, in code, where it is reviewed."""

from __future__ import annotations

import os

from celery import Celery
from celery.schedules import crontab
from celery.signals import worker_ready, worker_shutdown

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "focus_lab.settings.dev")

app = Celery("focus_lab", include=["focus_lab.tasks"])  # focus_lab is not an installed app
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()  # each installed app's tasks.py
# usda_foods keeps its tasks in its areas. Their names stay "usda_foods.tasks.<name>" (set on each
# task), so beat entries and messages already queued keep working across the move.
app.autodiscover_tasks(
    [
        "usda_foods.entitlements",
        "usda_foods.ordering",
        "usda_foods.shipping",
        "usda_foods.processing",
        "usda_foods.deliveries",
        "purchasing.records",
    ]
)

# Beat only triggers side effects; state such as "window open" is derived from timestamps.
app.conf.beat_schedule = {
    "heartbeat": {"task": "focus_lab.tasks.heartbeat", "schedule": 30.0},
    "ordering-tick": {"task": "usda_foods.tasks.ordering_tick", "schedule": 60.0},
    # Reviewers' digest of new orders, at 7:00 in the app's time zone (CELERY_TIMEZONE).
    "import-errors-purge": {"task": "focus_lab.tasks.import_errors_purge", "schedule": crontab(minute=17)},
    "import-runs-purge": {
        "task": "focus_lab.imports.tasks.import_runs_purge",
        "schedule": crontab(minute=23),
    },
    # Letters of agreement: expiry and reminders, each reminder step sent once per letter.
    "letters-tick": {"task": "agreements.tasks.letters_tick", "schedule": crontab(minute=7)},
    # Receipts due today are emailed, and those past due flagged late, once each (FD-062).
    "receipts-sweep": {"task": "usda_foods.tasks.receipts_sweep", "schedule": crontab(hour=6, minute=30)},
    "review-digest": {"task": "usda_foods.tasks.review_digest", "schedule": crontab(hour=7, minute=0)},
    # Partners' and owners' digest of overdue follow-ups and expiring certifications (one a day each).
    "supplier-digest": {"task": "partners.tasks.supplier_digest", "schedule": crontab(hour=6, minute=45)},
}

# Each worker keeps a heartbeat timestamp fresh for /healthz (focus_lab.heartbeats); a worker
# stopped cleanly removes it, one killed leaves it to go stale.
_hearts: dict[str, object] = {}


@worker_ready.connect
def _start_heartbeat(sender: object = None, **kwargs: object) -> None:
    from focus_lab.heartbeats import WorkerHeart

    hostname = getattr(sender, "hostname", None) or "worker"
    heart = WorkerHeart(hostname)
    heart.start()
    _hearts[hostname] = heart


@worker_shutdown.connect
def _stop_heartbeat(sender: object = None, **kwargs: object) -> None:
    for heart in _hearts.values():
        heart.stop()  # type: ignore[attr-defined]
    _hearts.clear()
