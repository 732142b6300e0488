"""Thin, idempotent Celery tasks: beat's reminders and expiry, and the two batch jobs."""

from __future__ import annotations

from celery import shared_task
from django.core.exceptions import PermissionDenied
from django.db import OperationalError
from django.http import Http404

from agreements import jobs, services
from agreements.models import TemplateVersion
from agreements.services.batches import letters_zip
from agreements.services.letters import lab_parties
from focus_lab.errors import DomainError


@shared_task(
    bind=True, autoretry_for=(OperationalError,), retry_backoff=True, retry_jitter=True, max_retries=5
)
def letters_tick(self) -> dict[str, int]:
    """Beat, hourly: expire unsigned letters past their date, then send the reminders due. Each
    reminder step is claimed once per letter, so running this twice sends nothing twice."""
    return {"expired": services.letters_expire_due(), "reminded": services.letters_remind_due()}


@shared_task(bind=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3)
def letters_issue_all_job(self, job_id: int) -> None:
    """Issue the template version's letter to every district and partner of its lab."""
    if not jobs.job_claim(job_id):
        return
    job = jobs.BackgroundJob.objects.select_related("created_by").get(pk=job_id)
    try:
        version = TemplateVersion.objects.select_related("template").get(pk=job.params["version_id"])
        districts, partners = lab_parties(version.template.collaborative_id)
        result = services.letters_issue(
            version=version, school_year=job.params["school_year"], user=job.created_by, districts=districts,
            partners=partners, send=job.params.get("send", False),
            progress=lambda done, total: jobs.job_progress(job_id, done, total, f"{done:,} of {total:,} parties"),
        )  # fmt: skip
    except OperationalError:
        jobs.job_release(job_id)
        raise
    except (DomainError, PermissionDenied, Http404, TemplateVersion.DoesNotExist) as exc:
        jobs.job_finish(job_id, result={}, message=getattr(exc, "message", str(exc)), failed=True)
        return
    jobs.job_finish(job_id, result={"issued": len(result.issued), "skipped": len(result.skipped)},
                    message=f"{len(result.issued):,} letters issued, {len(result.skipped):,} skipped "
                            "(they already had one for the year).")  # fmt: skip


@shared_task(bind=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3)
def letters_zip_job(self, job_id: int) -> None:
    """Build the ZIP of every letter of a lab's school year."""
    if not jobs.job_claim(job_id):
        return
    job = jobs.BackgroundJob.objects.select_related("created_by").get(pk=job_id)
    try:
        name, count = letters_zip(
            lab_id=job.params["collaborative_id"], school_year=job.params["school_year"], user=job.created_by,
            progress=lambda done, total: jobs.job_progress(job_id, done, total, f"{done:,} of {total:,} letters"),
        )  # fmt: skip
    except OperationalError:
        jobs.job_release(job_id)
        raise
    except PermissionDenied as exc:
        jobs.job_finish(job_id, result={}, message=str(exc), failed=True)
        return
    jobs.job_finish(job_id, result={"letters": count, "file": name}, message=f"ZIP ready: {count:,} letters.")
