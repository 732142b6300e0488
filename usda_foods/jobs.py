"""Claiming and reporting progress of BackgroundJob rows, for thin idempotent tasks."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from usda_foods.models import BackgroundJob, JobStatus


def job_create(*, kind: str, user: Any, params: dict[str, Any], start: Any) -> BackgroundJob:
    """Create a job and enqueue ``start(job_id)`` once the transaction commits."""
    job = BackgroundJob.objects.create(kind=kind, params=params, created_by=user)
    transaction.on_commit(lambda: start(job.pk))
    return job


def job_claim(job_id: int) -> bool:
    """Compare-and-set QUEUED -> RUNNING: only one worker runs a job, and a re-delivered message
    for a finished job does nothing."""
    return bool(
        BackgroundJob.objects.filter(pk=job_id, status=JobStatus.QUEUED).update(status=JobStatus.RUNNING)
    )


def job_progress(job_id: int, done: int, total: int, message: str = "") -> None:
    BackgroundJob.objects.filter(pk=job_id).update(progress=done, total=total, message=message)


def job_finish(job_id: int, *, result: dict[str, Any], message: str, failed: bool = False) -> None:
    BackgroundJob.objects.filter(pk=job_id).update(
        status=JobStatus.FAILED if failed else JobStatus.DONE,
        result=result,
        message=message,
        finished_at=timezone.now(),
    )


def job_release(job_id: int) -> None:
    """Put a job back in the queue before a retry, so the retry can claim it again."""
    BackgroundJob.objects.filter(pk=job_id, status=JobStatus.RUNNING).update(status=JobStatus.QUEUED)
