"""How re-classification jobs show on the shared job page: the way back is the definition page."""

from __future__ import annotations

from django.urls import reverse

from focus_lab.jobs.models import BackgroundJob
from focus_lab.jobs.services import JobKind, job_kind_register
from purchasing.records.services import RECLASSIFY_JOB


def _back(job: BackgroundJob) -> tuple[str | None, str]:
    return reverse("purchasing:local-definitions"), "Definitions of local"


def register_job_kinds() -> None:
    job_kind_register(RECLASSIFY_JOB, JobKind("Re-classifying purchases as local, regional or other", _back))
