"""Thin tasks: take ids, claim the work, call one service. Safe to run twice."""

from __future__ import annotations

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.core.exceptions import PermissionDenied
from django.db import OperationalError
from django.http import Http404

from accounts.models import User
from districts.models import District
from focus_lab.errors import DomainError
from focus_lab.jobs import services as jobs
from focus_lab.jobs.models import BackgroundJob, JobStatus
from usda_foods import services
from usda_foods.models import Entitlement, LunchCount

RETRY = {"autoretry_for": (OperationalError,), "retry_backoff": True, "retry_jitter": True, "max_retries": 5}

# Planning is CPU-bound and bounded by usda_foods.shipping.bounds; these limits stop a worker
# being held past any real plan (the soft limit lets the task record the failure first). A
# window's plan covers every food (2 s of CP-SAT each, at most); a preview at most 10 foods.
PLAN_SOFT_TIME_LIMIT_S, PLAN_TIME_LIMIT_S = 10 * 60, 11 * 60
PREVIEW_SOFT_TIME_LIMIT_S, PREVIEW_TIME_LIMIT_S = 3 * 60, 4 * 60
TOO_LONG = "Planning took longer than {minutes} minutes and was stopped."


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


@shared_task(bind=True, soft_time_limit=PLAN_SOFT_TIME_LIMIT_S, time_limit=PLAN_TIME_LIMIT_S, **RETRY)
def shipment_plan_run(self, plan_id: int) -> None:
    """Plan a window's shipments. Claimed with a compare-and-set, so a second delivery of the
    message does nothing; progress is written per food for the plan page."""
    from usda_foods.models import ShipmentPlan

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
    except SoftTimeLimitExceeded:
        message = TOO_LONG.format(minutes=PLAN_SOFT_TIME_LIMIT_S // 60)
        ShipmentPlan.objects.filter(pk=plan_id).update(status=JobStatus.FAILED, message=message)


@shared_task(bind=True, **RETRY)
def review_digest(self) -> dict[int, int]:
    """Beat, every morning: each state's reviewers get the orders submitted since their last
    digest. Claimed per state, so running twice sends nothing more."""
    return {
        state_id: services.review_digest_send(state_agency_id=state_id)
        for state_id in services.review_digest_due()
    }


@shared_task(bind=True, **RETRY)
def orders_bulk_approve_job(self, job_id: int) -> None:
    """Approve the orders a reviewer selected with "all matching", one transaction each, with
    progress. Claimed once; an order already approved is reported as refused, never approved twice."""
    if not jobs.job_claim(job_id):
        return
    job = BackgroundJob.objects.select_related("created_by").get(pk=job_id)
    ids = [int(pk) for pk in job.params.get("order_ids", [])]
    approved: list[int] = []
    refused: dict[str, str] = {}
    try:
        for done, order_id in enumerate(ids, start=1):
            result = services.orders_bulk_approve(order_ids=[order_id], user=job.created_by)
            approved += result.approved
            refused.update({str(pk): reason for pk, reason in result.refused.items()})
            jobs.job_progress(job_id, done, len(ids), f"{done:,} of {len(ids):,} orders")
    except OperationalError:
        jobs.job_release(job_id)
        raise
    message = f"Approved {len(approved):,} order{'s' if len(approved) != 1 else ''}"
    message += f"; {len(refused):,} refused." if refused else "."
    jobs.job_finish(job_id, result={"approved": approved, "refused": refused}, message=message)


@shared_task(bind=True, soft_time_limit=PREVIEW_SOFT_TIME_LIMIT_S, time_limit=PREVIEW_TIME_LIMIT_S, **RETRY)
def shipment_preview_run(self, job_id: int) -> None:
    """Plan a preview too big for a request (``services.shipment_preview_start``). Claimed with a
    compare-and-set, so a second delivery does nothing; progress is written per food."""
    if not jobs.job_claim(job_id):
        return
    job = BackgroundJob.objects.get(pk=job_id)
    try:
        result = services.shipment_preview_compute(
            params=job.params,
            progress=lambda done, total: jobs.job_progress(
                job_id, done, total, f"{done} of {total} foods planned"
            ),
        )
    except OperationalError:
        jobs.job_release(job_id)
        raise
    except DomainError as exc:
        jobs.job_finish(job_id, result={}, message=exc.message, failed=True)
        return
    except SoftTimeLimitExceeded:
        jobs.job_finish(job_id, result={}, message=TOO_LONG.format(minutes=PREVIEW_SOFT_TIME_LIMIT_S // 60),
                        failed=True)  # fmt: skip
        return
    summary = result["summary"]
    jobs.job_finish(job_id, result=result,
                    message=f"{summary['trucks']} trucks for {summary['requested_cases']:,} cases; "
                            f"{summary['adjusted_cases']:,} cases adjusted.")  # fmt: skip
