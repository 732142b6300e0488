"""Batch pages (a job's progress, the ZIP download) and the public verify page."""

from __future__ import annotations

import hashlib

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from agreements import jobs
from agreements.forms import VerifyForm, ZipForm
from agreements.models import Letter
from districts import access


def _job(request: HttpRequest, pk: int) -> object:
    job = access.get_for_user(jobs.BackgroundJob.objects.all(), request.user, pk)
    if job.kind not in {jobs.ISSUE_ALL, jobs.ZIP_ALL}:
        raise Http404("No such job.")
    return job


@login_required
def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A batch's progress; the bar polls ``?partial=1`` with htmx until it is done or failed."""
    job = _job(request, pk)
    running = job.status in {"queued", "running"}
    template = "agreements/_job_progress.html" if request.GET.get("partial") else "agreements/job_detail.html"
    return render(request, template, {"job": job, "running": running})


@login_required
def zip_download(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job(request, pk)
    name = job.result.get("file") if job.status == "done" else None
    if not name or not default_storage.exists(name):
        raise Http404("The ZIP is not ready.")
    return FileResponse(default_storage.open(name, "rb"), as_attachment=True, filename=name.rsplit("/", 1)[-1],
                        content_type="application/zip")  # fmt: skip


@login_required
@require_POST
def zip_start(request: HttpRequest) -> HttpResponse:
    form = ZipForm(request.POST, user=request.user)
    if not form.is_valid():
        messages.error(request, "Choose the lab and the school year.")
        return redirect("agreements:overview")
    job = jobs.zip_start(user=request.user, lab_id=form.cleaned_data["collaborative"].pk,
                         school_year=form.cleaned_data["school_year"])  # fmt: skip
    return redirect("agreements:job-detail", job.pk)


def verify(request: HttpRequest) -> HttpResponse:
    """Public: upload a PDF; its SHA-256 is looked up among the stored final PDFs of complete
    letters. Only an exact byte-for-byte copy matches."""
    posted = request.method == "POST"
    form = VerifyForm(request.POST if posted else None, request.FILES if posted else None)
    context: dict[str, object] = {"form": form}
    if posted and form.is_valid():
        digest = hashlib.sha256()
        for chunk in form.cleaned_data["pdf"].chunks():
            digest.update(chunk)
        context["digest"] = digest.hexdigest()
        context["match"] = (Letter.objects.filter(pdf_sha256=context["digest"], state="countersigned")
                            .select_related("collaborative", "district", "partner").first())  # fmt: skip
        context["checked"] = True
    return render(request, "agreements/verify.html", context)
