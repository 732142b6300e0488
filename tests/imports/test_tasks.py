"""The import tasks: thin, idempotent (a second delivery does nothing), retried on a transient
database error with the job put back in the queue."""

from __future__ import annotations

import pytest
from django.db import OperationalError

from focus_lab.imports import services, tasks
from focus_lab.imports.models import RunStatus
from focus_lab.jobs.models import BackgroundJob, JobStatus
from tests.imports.conftest import claims_xlsx, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def queued_check(lunch_kind, sda_reviewer, district, monkeypatch):
    monkeypatch.setattr(services, "BACKGROUND_ROWS", 0)
    monkeypatch.setattr("focus_lab.jobs.services.enqueue", lambda path, *args: None)
    run = upload(lunch_kind, claims_xlsx(district), user=sda_reviewer)
    run = services.import_map(run=run, columns=run.mapping, remember=False, user=sda_reviewer)
    assert run.status == RunStatus.VALIDATING and run.job.status == JobStatus.QUEUED
    return run


def test_delay_checks_and_a_second_delivery_does_nothing(queued_check, mailoutbox):
    tasks.import_check_task.delay(queued_check.job_id)
    queued_check.refresh_from_db()
    assert queued_check.status == RunStatus.VALID and queued_check.job.status == JobStatus.DONE
    assert len(mailoutbox) == 1
    tasks.import_check_task.delay(queued_check.job_id)
    assert len(mailoutbox) == 1


def test_delay_writes_once(queued_check, sda_reviewer):
    tasks.import_check_task.delay(queued_check.job_id)
    queued_check.refresh_from_db()
    run = services.import_confirm(run=queued_check, user=sda_reviewer)
    assert run.status == RunStatus.WRITING
    tasks.import_write_task.delay(run.job_id)
    tasks.import_write_task.delay(run.job_id)
    run.refresh_from_db()
    assert (run.status, run.created) == (RunStatus.DONE, 1)


def test_a_transient_error_puts_the_job_back_for_the_retry(queued_check, monkeypatch):
    def flaky(**kwargs):
        raise OperationalError("the database went away")

    monkeypatch.setattr(services, "import_check", flaky)
    with pytest.raises(OperationalError):
        tasks._run(queued_check.job_id, "check")
    assert BackgroundJob.objects.get(pk=queued_check.job_id).status == JobStatus.QUEUED
    monkeypatch.undo()
    tasks.import_check_task.delay(queued_check.job_id)
    queued_check.refresh_from_db()
    assert queued_check.status == RunStatus.VALID


def test_uploads_never_imported_are_purged_a_week_on(lunch_kind, sda_reviewer, district):
    from datetime import timedelta

    from django.core.files.storage import default_storage
    from django.utils import timezone

    from focus_lab.imports.models import ImportRun

    waiting = upload(lunch_kind, claims_xlsx(district, year="2020-21"), user=sda_reviewer)
    done = upload(lunch_kind, claims_xlsx(district), user=sda_reviewer)
    services.import_confirm(run=services.import_map(run=done, columns=done.mapping, remember=False,
                                                    user=sda_reviewer), user=sda_reviewer)  # fmt: skip
    assert tasks.import_runs_purge.delay().get() == 0
    later = timezone.now() + timedelta(days=8)
    assert services.import_runs_purge(now=later) == 1
    assert list(ImportRun.objects.values_list("pk", flat=True)) == [done.pk]
    assert not default_storage.exists(waiting.file.name) and default_storage.exists(done.file.name)
    assert services.import_runs_purge(now=later) == 0
