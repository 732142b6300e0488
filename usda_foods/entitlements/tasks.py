"""Thin tasks: take ids, claim the work, call one service. Safe to run twice."""

from __future__ import annotations

from celery import shared_task
from django.core.exceptions import PermissionDenied
from django.db import OperationalError
from django.http import Http404

from accounts.models import User
from districts.models import District
from focus_lab.errors import DomainError
from focus_lab.jobs import services as jobs
from focus_lab.jobs.models import BackgroundJob
from focus_lab.tasks import RETRY
from usda_foods.entitlements.models import Entitlement, LunchCount
from usda_foods.entitlements.services.common import CANNOT_RECOMPUTE
from usda_foods.entitlements.services.entitlements import entitlements_recompute, recompute_scope


@shared_task(name="usda_foods.tasks.entitlements_recompute_year", bind=True, **RETRY)
def entitlements_recompute_year(self, school_year: str, user_id: int | None = None) -> dict[str, int]:
    """After a per-meal value changes: recompute every district that has data for the year.
    Idempotent: recomputing unchanged inputs changes no row."""
    from usda_foods.entitlements.rules.values import previous_school_year

    years = [school_year, previous_school_year(school_year)]
    district_ids = set(LunchCount.objects.filter(school_year__in=years).values_list("district_id", flat=True))
    district_ids |= set(
        Entitlement.objects.filter(school_year=school_year).values_list("district_id", flat=True)
    )
    user = User.objects.filter(pk=user_id).first() if user_id else None
    result = entitlements_recompute(
        school_year=school_year, districts=District.objects.filter(pk__in=district_ids), user=user
    )
    return result.as_dict()


@shared_task(name="usda_foods.tasks.entitlements_recompute_job", bind=True, **RETRY)
def entitlements_recompute_job(self, job_id: int) -> None:
    """Recompute a state's or a collaborative's entitlements for a job a user started."""
    if not jobs.job_claim(job_id):
        return
    job = BackgroundJob.objects.select_related("created_by").get(pk=job_id)
    try:
        districts = recompute_scope(user=job.created_by, **job.params)
        result = entitlements_recompute(
            school_year=job.params["school_year"], districts=districts, user=job.created_by,
            progress=lambda done, total: jobs.job_progress(job_id, done, total, f"{done} of {total} districts"),
        )  # fmt: skip
    except OperationalError:
        jobs.job_release(job_id)
        raise
    except DomainError as exc:
        jobs.job_finish(job_id, result={}, message=exc.message, failed=True)
        return
    except (PermissionDenied, Http404) as exc:  # the user's rights changed since the job started
        jobs.job_finish(job_id, result={}, message=str(exc) or CANNOT_RECOMPUTE, failed=True)
        return
    jobs.job_finish(job_id, result=result.as_dict(),
                    message=f"{result.created} created, {result.updated} updated, {result.unchanged} unchanged; "
                            f"{result.incomplete} cannot be computed yet.")  # fmt: skip
