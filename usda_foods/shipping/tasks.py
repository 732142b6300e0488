"""Thin tasks: take ids, claim the work, call one service. Safe to run twice."""

from __future__ import annotations

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.db import OperationalError

from focus_lab.errors import DomainError
from focus_lab.jobs import services as jobs
from focus_lab.jobs.models import BackgroundJob, JobStatus
from focus_lab.tasks import RETRY
from usda_foods.ordering.models import OrderWindow
from usda_foods.shipping.models import ShipmentPlan
from usda_foods.shipping.services import (
    shipment_plan_compute,
    shipment_plan_start,
    shipment_preview_compute,
)

# Planning is CPU-bound and bounded by usda_foods.bounds; these limits stop a worker
# being held past any real plan (the soft limit lets the task record the failure first). A
# window's plan covers every food (2 s of CP-SAT each, at most); a preview at most 10 foods.
PLAN_SOFT_TIME_LIMIT_S, PLAN_TIME_LIMIT_S = 10 * 60, 11 * 60
PREVIEW_SOFT_TIME_LIMIT_S, PREVIEW_TIME_LIMIT_S = 3 * 60, 4 * 60
TOO_LONG = "Planning took longer than {minutes} minutes and was stopped."


@shared_task(
    name="usda_foods.tasks.shipment_plan_run",
    bind=True,
    soft_time_limit=PLAN_SOFT_TIME_LIMIT_S,
    time_limit=PLAN_TIME_LIMIT_S,
    **RETRY,
)
def shipment_plan_run(self, plan_id: int) -> None:
    """Plan a window's shipments. Claimed with a compare-and-set, so a second delivery of the
    message does nothing; progress is written per food for the plan page."""
    from usda_foods.shipping.models import ShipmentPlan

    if not ShipmentPlan.objects.filter(pk=plan_id, status=JobStatus.QUEUED).update(status=JobStatus.RUNNING):
        return
    try:
        shipment_plan_compute(
            plan_id=plan_id,
            progress=lambda done, total: ShipmentPlan.objects.filter(pk=plan_id).update(
                progress=done, total=total
            ),
        )
    except OperationalError:
        ShipmentPlan.objects.filter(pk=plan_id, status=JobStatus.RUNNING).update(status=JobStatus.QUEUED)
        raise
    except DomainError as exc:
        ShipmentPlan.objects.filter(pk=plan_id).update(status=JobStatus.FAILED, message=exc.message)
    except SoftTimeLimitExceeded:
        message = TOO_LONG.format(minutes=PLAN_SOFT_TIME_LIMIT_S // 60)
        ShipmentPlan.objects.filter(pk=plan_id).update(status=JobStatus.FAILED, message=message)


@shared_task(
    name="usda_foods.tasks.shipment_preview_run",
    bind=True,
    soft_time_limit=PREVIEW_SOFT_TIME_LIMIT_S,
    time_limit=PREVIEW_TIME_LIMIT_S,
    **RETRY,
)
def shipment_preview_run(self, job_id: int) -> None:
    """Plan a preview too big for a request (``shipment_preview_start``). Claimed with a
    compare-and-set, so a second delivery does nothing; progress is written per food."""
    if not jobs.job_claim(job_id):
        return
    job = BackgroundJob.objects.get(pk=job_id)
    try:
        result = shipment_preview_compute(
            params=job.params,
            progress=lambda done, total: jobs.job_progress(
                job_id, done, total, f"{done} of {total} foods planned"
            ),
        )
    except OperationalError:
        jobs.job_release(job_id)
        raise
    except DomainError as exc:
        jobs.job_finish(job_id, result={}, message=exc.message, failed=True)
        return
    except SoftTimeLimitExceeded:
        jobs.job_finish(job_id, result={}, message=TOO_LONG.format(minutes=PREVIEW_SOFT_TIME_LIMIT_S // 60),
                        failed=True)  # fmt: skip
        return
    summary = result["summary"]
    jobs.job_finish(job_id, result=result,
                    message=f"{summary['trucks']} trucks for {summary['requested_cases']:,} cases; "
                            f"{summary['adjusted_cases']:,} cases adjusted.")  # fmt: skip


@shared_task(name="usda_foods.shipping.tasks.window_shipments_plan", bind=True, **RETRY)
def window_shipments_plan(self, window_id: int) -> int | None:
    """Sent by the ordering area when a window closes with approved orders: plan its shipments.
    Once per window: a second delivery finds the system's plan already made."""
    window = OrderWindow.objects.get(pk=window_id)
    if ShipmentPlan.objects.filter(window=window, created_by__isnull=True).exists():
        return None
    return shipment_plan_start(window=window, user=None).pk
