"""Thin tasks: take ids, claim the work, call one service. Safe to run twice."""

from __future__ import annotations

from celery import shared_task
from django.db import OperationalError

from focus_lab.jobs import services as jobs
from focus_lab.jobs.models import BackgroundJob
from focus_lab.tasks import RETRY
from usda_foods.ordering.services.digest import review_digest_due, review_digest_send
from usda_foods.ordering.services.orders import orders_bulk_approve
from usda_foods.ordering.services.windows import (
    window_announce_open,
    window_close,
    window_due_work,
    window_remind,
)


@shared_task(name="usda_foods.tasks.ordering_tick", bind=True, **RETRY)
def ordering_tick(self) -> dict[str, list[int]]:
    """Beat, every minute: do each window's due side effect (open notice, reminder, close). Each
    is claimed with a compare-and-set stamp, so running twice, or late, changes nothing more."""
    due = window_due_work()
    done: dict[str, list[int]] = {"open": [], "remind": [], "close": []}
    actions = {
        "open": window_announce_open,
        "remind": window_remind,
        "close": window_close,
    }
    for kind, window_ids in due.items():
        for window_id in window_ids:
            if actions[kind](window_id=window_id):
                done[kind].append(window_id)
    return done


@shared_task(name="usda_foods.tasks.review_digest", bind=True, **RETRY)
def review_digest(self) -> dict[int, int]:
    """Beat, every morning: each state's reviewers get the orders submitted since their last
    digest. Claimed per state, so running twice sends nothing more."""
    return {state_id: review_digest_send(state_agency_id=state_id) for state_id in review_digest_due()}


@shared_task(name="usda_foods.tasks.orders_bulk_approve_job", bind=True, **RETRY)
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
            result = orders_bulk_approve(order_ids=[order_id], user=job.created_by)
            approved += result.approved
            refused.update({str(pk): reason for pk, reason in result.refused.items()})
            jobs.job_progress(job_id, done, len(ids), f"{done:,} of {len(ids):,} orders")
    except OperationalError:
        jobs.job_release(job_id)
        raise
    message = f"Approved {len(approved):,} order{'s' if len(approved) != 1 else ''}"
    message += f"; {len(refused):,} refused." if refused else "."
    jobs.job_finish(job_id, result={"approved": approved, "refused": refused}, message=message)
