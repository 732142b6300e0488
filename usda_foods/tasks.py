"""Thin tasks: take ids, claim the work, call one service. Safe to run twice."""

from __future__ import annotations

from celery import shared_task
from django.core.exceptions import PermissionDenied
from django.db import OperationalError
from django.http import Http404

from accounts.models import User
from districts.models import District
from focus_lab.errors import DomainError
from usda_foods import jobs, services
from usda_foods.models import BackgroundJob, Entitlement, LunchCount

RETRY = {"autoretry_for": (OperationalError,), "retry_backoff": True, "retry_jitter": True, "max_retries": 5}


@shared_task(bind=True, **RETRY)
def entitlements_recompute_year(self, school_year: str, user_id: int | None = None) -> dict[str, int]:
    """After a per-meal value changes: recompute every district that has data for the year.
    Idempotent: recomputing unchanged inputs changes no row."""
    from usda_foods.entitlements import previous_school_year

    years = [school_year, previous_school_year(school_year)]
    district_ids = set(LunchCount.objects.filter(school_year__in=years).values_list("district_id", flat=True))
    district_ids |= set(
        Entitlement.objects.filter(school_year=school_year).values_list("district_id", flat=True)
    )
    user = User.objects.filter(pk=user_id).first() if user_id else None
    result = services.entitlements_recompute(
        school_year=school_year, districts=District.objects.filter(pk__in=district_ids), user=user
    )
    return result.as_dict()


@shared_task(bind=True, **RETRY)
def entitlements_recompute_job(self, job_id: int) -> None:
    """Recompute a state's or a collaborative's entitlements for a job a user started."""
    if not jobs.job_claim(job_id):
        return
    job = BackgroundJob.objects.select_related("created_by").get(pk=job_id)
    try:
        districts = services.recompute_scope(user=job.created_by, **job.params)
        result = services.entitlements_recompute(
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
        jobs.job_finish(job_id, result={}, message=str(exc) or services.CANNOT_RECOMPUTE, failed=True)
        return
    jobs.job_finish(job_id, result=result.as_dict(),
                    message=f"{result.created} created, {result.updated} updated, {result.unchanged} unchanged; "
                            f"{result.incomplete} cannot be computed yet.")  # fmt: skip


@shared_task(
    bind=True, autoretry_for=(OSError, OperationalError), retry_backoff=True, retry_jitter=True, max_retries=5
)
def send_district_email(self, district_id: int, subject: str, body: str) -> int:
    """Email a district's staff. Retries on SMTP/network errors with backoff."""
    from django.conf import settings
    from django.core.mail import send_mail

    recipients = services.district_recipients([district_id]).get(district_id, [])
    if not recipients:
        return 0
    return send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)


@shared_task(bind=True, **RETRY)
def ordering_tick(self) -> dict[str, list[int]]:
    """Beat, every minute: do each window's due side effect (open notice, reminder, close). Each
    is claimed with a compare-and-set stamp, so running twice, or late, changes nothing more."""
    due = services.window_due_work()
    done: dict[str, list[int]] = {"open": [], "remind": [], "close": []}
    actions = {
        "open": services.window_announce_open,
        "remind": services.window_remind,
        "close": services.window_close,
    }
    for kind, window_ids in due.items():
        for window_id in window_ids:
            if actions[kind](window_id=window_id):
                done[kind].append(window_id)
    return done


@shared_task(bind=True, **RETRY)
def shipment_plan_run(self, plan_id: int) -> None:
    """Plan a window's shipments. Claimed with a compare-and-set, so a second delivery of the
    message does nothing; progress is written per food for the plan page."""
    from usda_foods.models import JobStatus, ShipmentPlan

    if not ShipmentPlan.objects.filter(pk=plan_id, status=JobStatus.QUEUED).update(status=JobStatus.RUNNING):
        return
    try:
        services.shipment_plan_compute(
            plan_id=plan_id,
            progress=lambda done, total: ShipmentPlan.objects.filter(pk=plan_id).update(
                progress=done, total=total
            ),
        )
    except OperationalError:
        ShipmentPlan.objects.filter(pk=plan_id, status=JobStatus.RUNNING).update(status=JobStatus.QUEUED)
        raise
    except DomainError as exc:
        ShipmentPlan.objects.filter(pk=plan_id).update(status=JobStatus.FAILED, message=exc.message)
