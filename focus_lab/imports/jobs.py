"""How an import's background jobs show on the shared job page: the way back is the import."""

from __future__ import annotations

from django.urls import reverse

from focus_lab.jobs.models import BackgroundJob
from focus_lab.jobs.services import JobKind, job_kind_register


def _back(job: BackgroundJob) -> tuple[str | None, str]:
    run_id = job.params.get("import")
    return (reverse("imports:detail", args=[run_id]), "The import") if run_id else (None, "")


def register_job_kinds() -> None:
    job_kind_register("import_check", JobKind("Checking an import's rows", _back))
    job_kind_register("import_write", JobKind("Importing rows", _back))
