"""Background jobs of the letters (issue to all, download all), on the shared BackgroundJob and
its claim/progress helpers."""

from __future__ import annotations

from typing import Any

from django.apps import apps

if apps.is_installed("focus_lab.jobs"):  # the shared jobs app replaces usda_foods' helpers
    from focus_lab.jobs.models import BackgroundJob
    from focus_lab.jobs.services import job_claim, job_create, job_finish, job_progress, job_release
else:  # pragma: no cover - before the layout change lands
    from usda_foods.jobs import job_claim, job_create, job_finish, job_progress, job_release
    from usda_foods.models import BackgroundJob

from accounts.models import User
from agreements.models import TemplateVersion

ISSUE_ALL = "agreements_issue_all"
ZIP_ALL = "agreements_zip"

__all__ = ["ISSUE_ALL", "ZIP_ALL", "BackgroundJob", "issue_all_start", "job_claim", "job_finish", "job_progress",
           "job_release", "zip_start"]  # fmt: skip


def issue_all_start(*, user: User, version: TemplateVersion, school_year: int, send: bool) -> Any:
    from agreements.tasks import letters_issue_all_job

    params = {"version_id": version.pk, "school_year": school_year, "send": send,
              "collaborative_id": version.template.collaborative_id}  # fmt: skip
    return job_create(kind=ISSUE_ALL, user=user, params=params, start=letters_issue_all_job.delay)


def zip_start(*, user: User, lab_id: int, school_year: int) -> Any:
    from agreements.tasks import letters_zip_job

    params = {"collaborative_id": lab_id, "school_year": school_year}
    return job_create(kind=ZIP_ALL, user=user, params=params, start=letters_zip_job.delay)
