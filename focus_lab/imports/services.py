"""The import pipeline's operations: upload, choose the columns, check, confirm, undo.

A small file is checked and written in the request; past ``BACKGROUND_ROWS`` rows both run in
Celery with a progress bar, and the uploader gets an email when done.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import IO, TYPE_CHECKING, Any

from django.conf import settings
from django.core.files.base import File
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError, RestrictedError
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from focus_lab.csv_import import RowError
from focus_lab.errors import DomainError, in_use_message
from focus_lab.import_errors import import_errors_summarize
from focus_lab.imports import mapping as mappings
from focus_lab.imports import pipeline, readers, selectors
from focus_lab.imports.kinds import ImportKind, get_kind
from focus_lab.imports.models import ImportBatch, ImportMapping, ImportRun, RunStatus
from focus_lab.jobs import services as jobs
from focus_lab.jobs.models import BackgroundJob

if TYPE_CHECKING:
    from accounts.models import User

BACKGROUND_ROWS = 3000
ABANDONED_AFTER = timedelta(days=7)
SAMPLE_ROWS = 3
CHECK_JOB, WRITE_JOB = "import_check", "import_write"
CANNOT_IMPORT = "Your role cannot import {label}."
ALREADY_IMPORTED = (
    "This file was already imported: import #{pk}, {when}, {rows:,} rows. "
    "Undo that import first to import the same file again."
)
NOT_READY = "This import is {status}: it cannot be {verb} now."
NOTHING_TO_UNDO = "Only a finished import can be undone; this one is {status}."
LATER_IMPORT = "Import #{pk} came after this one and changed the same rows: undo it first."


class FileRefused(DomainError):
    """The file cannot be read as a table; ``line`` is where (0: the file as a whole)."""

    def __init__(self, reason: str, *, line: int = 0) -> None:
        super().__init__(f"Line {line}: {reason}" if line else reason, field="file")
        self.reason, self.line = reason, line


def kind_for(run: ImportRun) -> ImportKind:
    kind = get_kind(run.kind)
    if kind is None:  # a kind removed from the code; its runs stay as history
        raise DomainError(f"Imports of “{run.kind}” are no longer offered.")
    return kind


def _check_can_import(kind: ImportKind, user: User) -> None:
    if not kind.can_import(user):
        raise DomainError(CANNOT_IMPORT.format(label=kind.label.lower()))


def _sha256(file: IO[bytes]) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    file.seek(0)
    while chunk := file.read(1 << 20):
        digest.update(chunk)
        size += len(chunk)
    file.seek(0)
    return digest.hexdigest(), size


def _earlier_import(kind: str, sha256: str) -> ImportRun | None:
    return ImportRun.objects.filter(kind=kind, sha256=sha256, status=RunStatus.DONE).first()


def _refuse_duplicate(run_or_kind: str, sha256: str) -> None:
    earlier = _earlier_import(run_or_kind, sha256)
    if earlier is not None:
        when = date_format(timezone.localtime(earlier.finished_at or earlier.created_at), "DATETIME_FORMAT")
        raise DomainError(
            ALREADY_IMPORTED.format(pk=earlier.pk, when=when, rows=earlier.row_count), field="file"
        )


def remembered_mapping(*, kind: str, source: str, user: User) -> dict[str, str]:
    if not source:
        return {}
    saved = ImportMapping.objects.filter(owner=user, kind=kind, source=source.strip().lower()).first()
    return dict(saved.columns) if saved else {}


def import_upload(
    *, kind: ImportKind, file: IO[bytes], filename: str, source: str = "", sheet: str = "", user: User
) -> ImportRun:
    """Keep the file, read its header and count its rows, and guess the columns (first from the
    mapping confirmed for this kind and source). The same file already imported is refused."""
    _check_can_import(kind, user)
    sha256, size = _sha256(file)
    _refuse_duplicate(kind.name, sha256)
    try:
        table = readers.open_table(
            file, filename=filename, sheet=sheet or None, header_score=mappings.header_score(kind.fields)
        )
        sample, rows = [], 0
        for _, cells in table.rows:
            rows += 1
            if rows <= SAMPLE_ROWS:
                sample.append([readers.cell_text(c)[:60] for c in cells[: len(table.headers)]])
    except readers.TableError as exc:
        raise FileRefused(exc.message, line=exc.line) from None
    remembered = remembered_mapping(kind=kind.name, source=source, user=user)
    guess = mappings.guess_mapping(table.headers, kind.fields, remembered=remembered)
    run = ImportRun(
        kind=kind.name, source=source.strip(), filename=filename[-255:], sha256=sha256, size=size,
        sheet=table.sheet, headers=table.headers, header_line=table.header_line, mapping=guess, row_count=rows,
        details={"format": table.file_format, "encoding": table.encoding, "delimiter": table.delimiter,
                 "sheets": table.sheet_names, "remembered": bool(remembered), "sample": sample},
        created_by=user,
    )  # fmt: skip
    file.seek(0)
    run.file.save(filename[-80:], File(file), save=False)
    run.save()
    return run


def import_map(
    *,
    run: ImportRun,
    columns: dict[str, int | None],
    remember: bool,
    user: User,
    options: dict[str, bool] | None = None,
) -> ImportRun:
    """Set the columns the person chose (and the kind's options), remember the columns for the
    kind and source, and check the rows (in the background for a long file)."""
    kind = kind_for(run)
    _check_can_import(kind, user)
    if run.status not in (RunStatus.UPLOADED, RunStatus.INVALID, RunStatus.VALID):
        raise DomainError(NOT_READY.format(status=run.get_status_display().lower(), verb="checked"))
    problems = mappings.mapping_problems(columns, kind.fields, run.headers)
    if problems:
        raise DomainError(" ".join(problems), field="mapping")
    run.mapping = {name: index for name, index in columns.items() if index is not None}
    if options is not None:
        offered = {o.name for o in kind.options}
        run.details = {**run.details, "options": {k: bool(v) for k, v in options.items() if k in offered}}
    if remember and run.source:
        ImportMapping.objects.update_or_create(
            owner=user, kind=kind.name, source=run.source.lower(),
            defaults={"columns": {run.headers[i]: name for name, i in run.mapping.items() if run.headers[i]}},
        )  # fmt: skip
    run.status = RunStatus.VALIDATING
    run.save(update_fields=["mapping", "status", "details"])
    if run.row_count > BACKGROUND_ROWS:
        _start_job(run, CHECK_JOB, user)
    else:
        import_check(run_id=run.pk)
        run.refresh_from_db()
    return run


def import_file(
    *,
    kind: ImportKind,
    file: IO[bytes],
    filename: str,
    user: User,
    source: str = "",
    sheet: str = "",
    options: dict[str, bool] | None = None,
) -> ImportRun:
    """Upload, check and import in one call, with the columns guessed from the headers (for
    scripts and API clients that send our own column names). A file whose headers leave a required
    field unmatched is refused; a long file goes on in the background and is imported as soon as
    every row passes. The run says how it went: imported, or its problems."""
    run = import_upload(kind=kind, file=file, filename=filename, source=source, sheet=sheet, user=user)
    missing = [f.label for f in kind.fields if f.required and f.name not in run.mapping]
    if missing:
        expected = ", ".join(f.label for f in kind.fields if f.required)
        run.status, run.message = RunStatus.FAILED, f"No column for: {', '.join(missing)}."
        run.save(update_fields=["status", "message"])
        raise DomainError(
            f"missing column(s) {', '.join(missing)}; the header must name: {expected}.", field="file"
        )
    run.details = {**run.details, "confirm_when_valid": True}
    run.save(update_fields=["details"])
    run = import_map(run=run, columns=dict(run.mapping), remember=False, user=user, options=options)
    if run.status == RunStatus.VALID:
        run = import_confirm(run=run, user=user)
    return run


@dataclass
class ImportReport:
    """What a one-call import did: its problems (by line and column; the first 200 when there are
    more, with ``problem_total``), or its counts. ``run`` is the import, ``None`` when the file was
    refused whole (its one problem says why)."""

    errors: list[RowError] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    problem_total: int = 0
    run: ImportRun | None = None

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def pending(self) -> bool:
        """A long file still being checked or imported in the background."""
        return self.run is not None and self.run.status in (RunStatus.VALIDATING, RunStatus.WRITING)

    def summary(self) -> str:
        if self.errors:
            return f"Nothing was imported: {self.problem_total or len(self.errors)} problem(s) to fix."
        if self.pending and self.run is not None:
            return f"Import #{self.run.pk}: {self.run.row_count:,} rows are being checked and imported."
        return f"Imported: {self.created} new, {self.updated} updated, {self.unchanged} unchanged."


def import_data(
    *,
    kind: str,
    data: bytes | str,
    user: User,
    filename: str = "upload.csv",
    source: str = "",
    options: dict[str, bool] | None = None,
) -> ImportReport:
    """``import_file`` for a body of bytes (CSV or a workbook) or text, answered as a report."""
    found = get_kind(kind)
    if found is None:
        raise DomainError(f"Imports of “{kind}” are not offered.")
    raw = data.encode("utf-8") if isinstance(data, str) else data
    try:
        run = import_file(
            kind=found, file=io.BytesIO(raw), filename=filename, user=user, source=source, options=options
        )
    except FileRefused as exc:
        return ImportReport(errors=[RowError(exc.line, "", exc.reason)], problem_total=1)
    except DomainError as exc:
        return ImportReport(errors=[RowError(0, "", exc.message)], problem_total=1)
    if run.status == RunStatus.INVALID or run.status == RunStatus.FAILED:
        errors = [RowError(line, column, message) for line, column, message in run.problems]
        errors = errors or [RowError(0, "", run.message or "Nothing was imported.")]
        return ImportReport(errors=errors, problem_total=max(run.problem_total, len(errors)), run=run)
    return ImportReport(created=run.created, updated=run.updated, unchanged=run.unchanged, run=run)


def _start_job(run: ImportRun, job_kind: str, user: User) -> None:
    task = (
        "focus_lab.imports.tasks.import_check_task"
        if job_kind == CHECK_JOB
        else "focus_lab.imports.tasks.import_write_task"
    )
    job = jobs.job_create(kind=job_kind, user=user, params={"import": run.pk, "kind": run.kind}, task=task)
    BackgroundJob.objects.filter(pk=job.pk).update(total=run.row_count)
    run.job = job
    run.save(update_fields=["job"])


def _progress(run: ImportRun, verb: str) -> pipeline.Progress | None:
    if run.job_id is None:
        return None
    job_id = run.job_id
    return lambda done, total: jobs.job_progress(job_id, done, total, f"{verb} {done:,} of {total:,} rows")


def import_check(*, run_id: int) -> ImportRun:
    """Parse and check every row of a run waiting to be checked; store its problems. Running it
    again on a checked run does nothing."""
    run = ImportRun.objects.select_related("created_by").get(pk=run_id)
    if run.status != RunStatus.VALIDATING:
        return run
    kind = kind_for(run)
    result = pipeline.check_rows(run=run, kind=kind, user=run.created_by, progress=_progress(run, "Checked"))
    _store_problems(run, result.problems, result.problem_total, result.problem_rows)
    run.details = {**run.details, "preview": result.preview}
    run.status = RunStatus.INVALID if result.problem_total else RunStatus.VALID
    run.checked_at = timezone.now()
    run.save()
    return run


def _store_problems(run: ImportRun, problems: list[RowError], total: int, rows: int) -> None:
    summary = import_errors_summarize(errors=problems, user=run.created_by)
    run.problem_total = total
    run.problem_rows = rows
    run.problems = [[e.line, e.column, e.message] for e in summary.shown]
    run.problems_by_column = [list(pair) for pair in summary.by_column]
    run.problems_download = summary.download_url or ""


def import_confirm(*, run: ImportRun, user: User) -> ImportRun:
    """Write a checked run (in the background for a long file)."""
    kind = kind_for(run)
    _check_can_import(kind, user)
    if run.status != RunStatus.VALID:
        raise DomainError(NOT_READY.format(status=run.get_status_display().lower(), verb="imported"))
    _refuse_duplicate(run.kind, run.sha256)
    updated = ImportRun.objects.filter(pk=run.pk, status=RunStatus.VALID).update(status=RunStatus.WRITING)
    if not updated:  # confirmed twice at once: the other request writes it
        run.refresh_from_db()
        return run
    run.status = RunStatus.WRITING
    if run.row_count > BACKGROUND_ROWS:
        _start_job(run, WRITE_JOB, user)
    else:
        import_write(run_id=run.pk)
        run.refresh_from_db()
    if run.status == RunStatus.FAILED:
        raise DomainError(run.message)
    return run


def import_write(*, run_id: int) -> ImportRun:
    """Write every row of a confirmed run in one transaction; record counts and what to undo.
    Idempotent: a run already written (or failed) is left as it is."""
    run = ImportRun.objects.select_related("created_by").get(pk=run_id)
    if run.status != RunStatus.WRITING:
        return run
    kind = kind_for(run)

    def record(created_ids: list[int], previous: list[tuple[int, dict[str, Any]]]) -> None:
        ImportBatch.objects.create(run=run, created_ids=created_ids, previous=[[i, v] for i, v in previous])

    try:
        with transaction.atomic():
            locked = ImportRun.objects.select_for_update().get(pk=run_id)
            if locked.status != RunStatus.WRITING:
                return locked
            counts = pipeline.write_rows(
                run=run, kind=kind, user=run.created_by, record=record, progress=_progress(run, "Imported")
            )
            run.created, run.updated, run.unchanged = counts.created, counts.updated, counts.unchanged
            run.status, run.finished_at, run.message = RunStatus.DONE, timezone.now(), ""
            run.save()
    except pipeline.RowsChanged as exc:
        _store_problems(run, exc.problems, exc.total, exc.rows)
        run.status = RunStatus.INVALID
        run.message = "Some rows no longer pass since the preview; nothing was imported."
        run.save()
    except IntegrityError:  # the same file was imported meanwhile (import_file_once), or a rule
        run.status, run.message = RunStatus.FAILED, "The database refused a row; nothing was imported."
        earlier = _earlier_import(run.kind, run.sha256)
        if earlier is not None:
            run.message = (
                f"This file was imported meanwhile (import #{earlier.pk}); nothing was imported again."
            )
        run.save(update_fields=["status", "message"])
    except DomainError as exc:
        run.status, run.message = RunStatus.FAILED, exc.message
        run.save(update_fields=["status", "message"])
    return run


def import_notify(*, run: ImportRun) -> int:
    """Tell the uploader a background check or import has finished."""
    if not run.created_by.email:
        return 0
    url = settings.SITE_URL + reverse("imports:detail", args=[run.pk])
    kind = kind_for(run)
    if run.status == RunStatus.DONE:
        subject = f"{kind.label} imported: {run.filename}"
        body = f"{run.created:,} created, {run.updated:,} updated, {run.unchanged:,} unchanged."
    elif run.status == RunStatus.VALID:
        subject = f"{kind.label} checked: {run.filename} is ready to import"
        body = f"All {run.row_count:,} rows passed. Confirm the import on its page."
    else:
        subject = f"{kind.label}: {run.filename} has problems"
        body = (
            run.message
            or f"{run.problem_total:,} problems in {run.problem_rows:,} rows; nothing was imported."
        )
    return send_mail(subject, f"{body}\n\n{url}\n", settings.DEFAULT_FROM_EMAIL, [run.created_by.email])


def import_undo(*, run: ImportRun, user: User) -> ImportRun:
    """Delete what the import created and restore what it changed, while nothing depends on it
    (the kind checks; the database's protections hold too). All or nothing."""
    kind = kind_for(run)
    _check_can_import(kind, user)
    if run.status != RunStatus.DONE:
        raise DomainError(NOTHING_TO_UNDO.format(status=run.get_status_display().lower()))
    created: list[int] = []
    previous: list[tuple[int, dict[str, Any]]] = []
    for batch in run.batches.all():
        created.extend(batch.created_ids)
        previous.extend((i, v) for i, v in batch.previous)
    later = selectors.later_import_touching(run=run, ids=[*created, *(i for i, _ in previous)])
    if later is not None:
        raise DomainError(LATER_IMPORT.format(pk=later))
    try:
        with transaction.atomic():
            if not ImportRun.objects.filter(pk=run.pk, status=RunStatus.DONE).update(
                status=RunStatus.UNDONE, undone_at=timezone.now(), undone_by=user
            ):
                raise DomainError(NOTHING_TO_UNDO.format(status="changed meanwhile"))
            kind.undo(created_ids=created, previous=previous, user=user)
    except (ProtectedError, RestrictedError) as exc:
        raise DomainError(in_use_message(exc, what="This import")) from None
    run.refresh_from_db()
    return run


def import_runs_purge(*, now: datetime | None = None) -> int:
    """Delete the uploads never imported (waiting, checked, refused or failed) a week after they
    came in, with their files; imports done or undone stay as history. Returns how many; running
    it again deletes nothing more."""
    cutoff = (now or timezone.now()) - ABANDONED_AFTER
    stale = ImportRun.objects.filter(
        created_at__lt=cutoff,
        status__in=[RunStatus.UPLOADED, RunStatus.INVALID, RunStatus.VALID, RunStatus.FAILED],
    )
    removed = 0
    for run in stale.iterator():
        run.file.delete(save=False)
        run.delete()
        removed += 1
    return removed
