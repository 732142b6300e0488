"""How the USDA Foods areas' background jobs present themselves on the shared job page."""

from __future__ import annotations

from django.urls import reverse

from focus_lab.jobs.models import BackgroundJob
from focus_lab.jobs.services import JobKind, job_kind_register
from focus_lab.links import with_query


def _back_to_entitlements(job: BackgroundJob) -> tuple[str | None, str]:
    year = job.params.get("school_year", "")
    if job.params.get("state"):
        url = reverse("usda_foods:state-entitlements", args=[job.params["state"]])
        return with_query(url, year=year), "Entitlements"
    if job.params.get("collaborative"):
        url = reverse("usda_foods:collaborative-entitlements", args=[job.params["collaborative"]])
        return with_query(url, year=year), "Entitlements"
    return None, "Entitlements"


def _back_to_review_queue(job: BackgroundJob) -> tuple[str | None, str]:
    return reverse("usda_foods:order-review-queue"), "Review queue"


def register_job_kinds() -> None:
    job_kind_register("entitlements_recompute", JobKind("Recomputing entitlements", _back_to_entitlements))
    job_kind_register("orders_bulk_approve", JobKind("Approving orders", _back_to_review_queue))
    # A preview's result is a whole plan (for the API); its message sums it up.
    job_kind_register(
        "shipment-preview", JobKind("Shipment-preview", _back_to_entitlements, show_result=False)
    )
