"""Background jobs of the letters (issue to all, download all), on the shared BackgroundJob and
its claim/progress helpers (focus_lab.jobs)."""

from __future__ import annotations

from django.urls import reverse

from accounts.models import User
from agreements.models import TemplateVersion
from focus_lab.jobs.models import BackgroundJob
from focus_lab.jobs.services import (
    JobKind,
    job_claim,
    job_create,
    job_finish,
    job_kind_register,
    job_progress,
    job_release,
)

ISSUE_ALL = "agreements_issue_all"
ZIP_ALL = "agreements_zip"

__all__ = ["ISSUE_ALL", "ZIP_ALL", "BackgroundJob", "issue_all_start", "job_claim", "job_finish", "job_progress",
           "job_release", "register_kinds", "zip_start"]  # fmt: skip


def register_kinds() -> None:
    back = lambda job: (reverse("agreements:overview"), "Letters of agreement")  # noqa: E731
    job_kind_register(ISSUE_ALL, JobKind("Issuing letters of agreement to every party", back=back))
    job_kind_register(ZIP_ALL, JobKind("Building the ZIP of letters", back=back, show_result=False))


def issue_all_start(*, user: User, version: TemplateVersion, school_year: int, send: bool) -> BackgroundJob:
    params = {"version_id": version.pk, "school_year": school_year, "send": send,
              "collaborative_id": version.template.collaborative_id}  # fmt: skip
    return job_create(kind=ISSUE_ALL, user=user, params=params, task="agreements.tasks.letters_issue_all_job")


def zip_start(*, user: User, lab_id: int, school_year: int) -> BackgroundJob:
    params = {"collaborative_id": lab_id, "school_year": school_year}
    return job_create(kind=ZIP_ALL, user=user, params=params, task="agreements.tasks.letters_zip_job")
