"""Pages: start an import (with templates), upload, choose columns, preview with problems,
confirm, follow progress, history with undo. Thin: each calls one service."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from districts import access
from focus_lab.errors import DomainError
from focus_lab.exports import table_response
from focus_lab.imports import selectors, services
from focus_lab.imports.forms import MappingForm, UploadForm
from focus_lab.imports.kinds import ImportKind, all_kinds, get_kind, kinds_for
from focus_lab.imports.mapping import unmapped_columns
from focus_lab.imports.models import ImportRun, RunStatus

PAGE_SIZE = 25


def _kind_for_user(request: HttpRequest, name: str) -> ImportKind:
    kind = get_kind(name)
    if kind is None:
        raise Http404("No such import.")
    if not kind.can_import(request.user):
        raise PermissionDenied(services.CANNOT_IMPORT.format(label=kind.label.lower()))
    return kind


@login_required
def import_home(request: HttpRequest) -> HttpResponse:
    """The imports this user may start, and their past imports (newest first)."""
    runs = selectors.import_run_list(user=request.user, kind=request.GET.get("kind", ""))
    page = Paginator(runs, PAGE_SIZE).get_page(request.GET.get("page"))
    labels = {k.name: k.label for k in all_kinds()}
    for run in page:
        run.kind_label = labels.get(run.kind, run.kind)
    return render(request, "imports/home.html", {"kinds": kinds_for(request.user), "page_obj": page})


@login_required
def import_template(request: HttpRequest, kind: str, fmt: str) -> HttpResponse:
    """A file with the kind's columns and one sample row, as CSV or XLSX."""
    found = _kind_for_user(request, kind)
    if fmt not in ("csv", "xlsx"):
        raise Http404("Templates come as .csv or .xlsx.")
    return table_response(fmt=fmt, filename=f"{found.name}-template",
                          header=[f.label for f in found.fields], rows=[found.sample_row()])  # fmt: skip


@login_required
def import_upload(request: HttpRequest, kind: str) -> HttpResponse:
    found = _kind_for_user(request, kind)
    sources = selectors.import_sources(user=request.user, kind=found.name)
    form = UploadForm(request.POST or None, request.FILES or None, kind=found, sources=sources)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            run = services.import_upload(kind=found, file=upload.file, filename=upload.name,
                                         source=form.cleaned_data["source"], sheet=form.cleaned_data["sheet"],
                                         user=request.user)  # fmt: skip
        except DomainError as exc:
            form.add_error("file" if exc.field == "file" else None, exc.message)
        else:
            return redirect(run)
    return render(request, "imports/upload.html", {"kind": found, "form": form})


def _run(request: HttpRequest, pk: int) -> ImportRun:
    return access.get_for_user(ImportRun.objects.select_related("job"), request.user, pk)


@login_required
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One import, at whatever step it is: the columns, the problems, the preview, the progress,
    the result."""
    run = _run(request, pk)
    kind = get_kind(run.kind)
    if request.GET.get("partial"):
        response = render(request, "imports/_progress.html", {"run": run})
        if not run.is_running:
            response["HX-Refresh"] = "true"  # the next step is a different page section
        return response
    form = None
    if kind is not None and run.status in (RunStatus.UPLOADED, RunStatus.INVALID, RunStatus.VALID):
        form = MappingForm(kind=kind, headers=run.headers, mapping=run.mapping,
                           options=run.details.get("options"))  # fmt: skip
    return render(request, "imports/detail.html", _detail_context(run, kind, form))


def _detail_context(run: ImportRun, kind: ImportKind | None, form: MappingForm | None) -> dict[str, Any]:
    mapping = {k: int(v) for k, v in run.mapping.items()}
    return {"run": run, "kind": kind, "form": form, "problems": selectors.import_problems(run),
            "unmapped": unmapped_columns(run.headers, mapping),
            "sample": run.details.get("sample", []), "preview": run.details.get("preview", [])}  # fmt: skip


@login_required
@require_POST
def import_map(request: HttpRequest, pk: int) -> HttpResponse:
    run = _run(request, pk)
    kind = services.kind_for(run)
    form = MappingForm(request.POST, kind=kind, headers=run.headers, mapping=run.mapping)
    if form.is_valid():
        try:
            services.import_map(run=run, columns=form.columns(), remember=form.cleaned_data["remember"],
                                user=request.user, options=form.options())  # fmt: skip
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            return redirect(run)
    return render(request, "imports/detail.html", _detail_context(run, kind, form), status=400)


@login_required
@require_POST
def import_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    run = _run(request, pk)
    try:
        run = services.import_confirm(run=run, user=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        if run.status == RunStatus.DONE:
            messages.success(request, f"Imported: {run.created:,} new, {run.updated:,} updated, "
                                      f"{run.unchanged:,} unchanged.")  # fmt: skip
    return redirect(run)


@login_required
@require_POST
def import_undo(request: HttpRequest, pk: int) -> HttpResponse:
    run = _run(request, pk)
    try:
        services.import_undo(run=run, user=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, "The import was undone: what it created is deleted, what it changed is restored."
        )
    return redirect(run)
