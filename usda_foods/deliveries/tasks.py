"""Thin, idempotent tasks of deliveries (beat: the nightly receipt sweep)."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from focus_lab.tasks import RETRY
from usda_foods.deliveries.services import receipts_sweep


@shared_task(name="usda_foods.tasks.receipts_sweep", bind=True, **RETRY)
def receipts_sweep_run(self) -> dict[str, int]:
    """Beat, daily: email the receipts due today, flag those past due. Running it twice changes
    nothing more (rows are stamped; emails carry a message id)."""
    return receipts_sweep(today=timezone.localdate())
