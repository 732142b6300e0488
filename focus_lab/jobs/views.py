"""A job's page: its progress bar, then its outcome and the way back to where it was started."""

from __future__ import annotations

from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.cache import never_cache

from districts import access
from focus_lab.jobs.models import BackgroundJob, JobStatus
from focus_lab.jobs.services import job_kind


@method_decorator(never_cache, name="dispatch")
class JobDetail(LoginRequiredMixin, View):
    """A job's progress. The bar polls ``?partial=1`` every second with htmx until the job is done
    or failed. Users see their own jobs only."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        job = access.get_for_user(BackgroundJob.objects.all(), request.user, pk)
        kind = job_kind(job.kind)
        back_url, back_label = kind.back(job) if kind.back else (None, "")
        context = {"job": job, "title": kind.title, "back_url": back_url, "back_label": back_label,
                   "result": job.result if kind.show_result else {},
                   "running": job.status in (JobStatus.QUEUED, JobStatus.RUNNING)}  # fmt: skip
        template = "jobs/_progress.html" if request.GET.get("partial") else "jobs/detail.html"
        return render(request, template, context)
