"""Creating, claiming and reporting progress of background jobs, for thin idempotent tasks.

Services start a job's task by its dotted path (``enqueue``), not by importing the task: tasks
import services, so a service importing its task would close an import loop."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from focus_lab.jobs.models import BackgroundJob, JobStatus
from focus_lab.tasks import enqueue


def job_create(*, kind: str, user: Any, params: dict[str, Any], task: str) -> BackgroundJob:
    """Create a job and enqueue the task at dotted path ``task`` with the job's id once the
    transaction commits."""
    job = BackgroundJob.objects.create(kind=kind, params=params, created_by=user)
    enqueue(task, job.pk)
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


# --- How each kind of job presents itself on the job page -----------------------------------------


@dataclass(frozen=True)
class JobKind:
    """The job page's title for a kind, where "back" leads (``back(job) -> (url, label)``, or
    ``None``), and whether its result is shown (a shipment preview's result is a whole plan, for
    the API; its message sums it up)."""

    title: str
    back: Callable[[BackgroundJob], tuple[str | None, str]] | None = None
    show_result: bool = True


_KINDS: dict[str, JobKind] = {}


def job_kind_register(kind: str, presentation: JobKind) -> None:
    """Areas describe their kinds of job from their ``AppConfig.ready``."""
    _KINDS[kind] = presentation


def job_kind(kind: str) -> JobKind:
    return _KINDS.get(kind, JobKind(title=kind[:1].upper() + kind[1:]))
