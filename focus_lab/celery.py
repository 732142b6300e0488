"""The Celery app. The beat schedule lives here, in code, where it is reviewed."""

from __future__ import annotations

import os

from celery import Celery
from celery.schedules import crontab

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
    ]
)

# Beat only triggers side effects; state such as "window open" is derived from timestamps.
app.conf.beat_schedule = {
    "heartbeat": {"task": "focus_lab.tasks.heartbeat", "schedule": 30.0},
    "ordering-tick": {"task": "usda_foods.tasks.ordering_tick", "schedule": 60.0},
    # Reviewers' digest of new orders, at 7:00 in the app's time zone (CELERY_TIMEZONE).
    "import-errors-purge": {"task": "focus_lab.tasks.import_errors_purge", "schedule": crontab(minute=17)},
    # Receipts due today are emailed, and those past due flagged late, once each (FD-062).
    "receipts-sweep": {"task": "usda_foods.tasks.receipts_sweep", "schedule": crontab(hour=6, minute=30)},
    "review-digest": {"task": "usda_foods.tasks.review_digest", "schedule": crontab(hour=7, minute=0)},
}
