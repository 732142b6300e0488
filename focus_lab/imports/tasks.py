"""Thin tasks for long files: take the run's id, claim its job, call one service. Safe to run
twice (the job claim and the run's status both guard), retried on transient database errors."""

from __future__ import annotations

from celery import shared_task
from django.db import OperationalError

from focus_lab.errors import DomainError
from focus_lab.imports import services
from focus_lab.imports.models import ImportRun, RunStatus
from focus_lab.jobs import services as jobs

RETRY = {"autoretry_for": (OperationalError,), "retry_backoff": True, "retry_jitter": True, "max_retries": 5}


def _run(job_id: int, work: str) -> None:
    if not jobs.job_claim(job_id):
        return
    run = ImportRun.objects.filter(job_id=job_id).first()
    if run is None:  # the run was deleted meanwhile
        jobs.job_finish(job_id, result={}, message="The import no longer exists.", failed=True)
        return
    try:
        run = (
            services.import_check(run_id=run.pk) if work == "check" else services.import_write(run_id=run.pk)
        )
    except OperationalError:
        jobs.job_release(job_id)
        raise
    except DomainError as exc:  # the kind is no longer offered
        jobs.job_finish(job_id, result={"import": run.pk}, message=exc.message, failed=True)
        return
    if work == "check" and run.status == RunStatus.VALID and run.details.get("confirm_when_valid"):
        try:
            run = services.import_confirm(run=run, user=run.created_by)
        except DomainError as exc:
            run.message = exc.message
        if run.status == RunStatus.WRITING:  # its own job writes it, and tells the uploader
            message = f"All {run.row_count:,} rows passed: importing."
            jobs.job_finish(job_id, result={"import": run.pk, "status": run.status}, message=message)
            return
    failed = run.status in (RunStatus.INVALID, RunStatus.FAILED)
    if run.status == RunStatus.DONE:
        message = f"{run.created:,} created, {run.updated:,} updated, {run.unchanged:,} unchanged."
    elif run.status == RunStatus.VALID:
        message = f"All {run.row_count:,} rows passed: ready to import."
    else:
        message = run.message or f"{run.problem_total:,} problems to fix; nothing was imported."
    jobs.job_finish(job_id, result={"import": run.pk, "status": run.status}, message=message, failed=failed)
    services.import_notify(run=run)


@shared_task(bind=True, **RETRY)
def import_check_task(self, job_id: int) -> None:  # noqa: ARG001
    _run(job_id, "check")


@shared_task(bind=True, **RETRY)
def import_write_task(self, job_id: int) -> None:  # noqa: ARG001
    _run(job_id, "write")


@shared_task(bind=True, **RETRY)
def import_runs_purge(self) -> int:  # noqa: ARG001
    """Beat, hourly: uploads never imported are deleted a week on, with their files."""
    return services.import_runs_purge()
