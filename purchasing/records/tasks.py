"""Thin task: re-classify the rows a changed local definition governs, with a progress bar.
Safe to run twice (the job claim guards, and re-classifying changes nothing the second time)."""

from __future__ import annotations

from celery import shared_task
from django.db import OperationalError

from focus_lab.jobs import services as jobs
from focus_lab.jobs.models import BackgroundJob
from focus_lab.tasks import RETRY
from purchasing.records import services


@shared_task(bind=True, **RETRY)
def reclassify_task(self, job_id: int) -> None:  # noqa: ARG001
    if not jobs.job_claim(job_id):
        return
    job = BackgroundJob.objects.get(pk=job_id)
    try:
        result = services.reclassify(definition_id=job.params["definition"], job_id=job_id)
    except OperationalError:
        jobs.job_release(job_id)
        raise
    jobs.job_finish(
        job_id,
        result={"districts": result.districts, "months": result.months},
        message=f"Re-classified the rows of {result.districts} district(s); {result.months} month(s) changed.",
    )
