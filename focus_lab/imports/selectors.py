from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import connection
from django.db.models import QuerySet

from focus_lab.csv_import import RowError
from focus_lab.import_errors import ErrorSummary
from focus_lab.imports.models import ImportMapping, ImportRun

if TYPE_CHECKING:
    from accounts.models import User


def import_run_list(*, user: User, kind: str = "") -> QuerySet[ImportRun]:
    runs = ImportRun.objects.for_user(user).select_related("created_by")
    return runs.filter(kind=kind) if kind else runs


def import_sources(*, user: User, kind: str) -> list[str]:
    """The sources this user has imported this kind from, most recent first."""
    names = (
        ImportRun.objects.for_user(user).filter(kind=kind).exclude(source="").values_list("source", flat=True)
    )
    remembered = ImportMapping.objects.for_user(user).filter(kind=kind).values_list("source", flat=True)
    return list(dict.fromkeys([*names[:50], *remembered[:50]]))


def later_import_touching(*, run: ImportRun, ids: list[int]) -> int | None:
    """The id of a finished import of the same kind, after ``run``, that created or changed any
    of ``ids`` (the rows ``run`` wrote): undoing ``run`` first would overwrite its work."""
    if not ids:
        return None
    query = """
        SELECT r.id FROM imports_importrun r JOIN imports_importbatch b ON b.run_id = r.id
        WHERE r.kind = %s AND r.status = 'done' AND r.finished_at > %s AND r.id <> %s AND (
            EXISTS (SELECT 1 FROM jsonb_array_elements_text(b.created_ids) c WHERE c::bigint = ANY(%s))
            OR EXISTS (SELECT 1 FROM jsonb_array_elements(b.previous) p WHERE (p->>0)::bigint = ANY(%s)))
        ORDER BY r.finished_at LIMIT 1
    """
    with connection.cursor() as cursor:
        cursor.execute(query, [run.kind, run.finished_at, run.pk, ids, ids])
        row = cursor.fetchone()
    return row[0] if row else None


def import_problems(run: ImportRun) -> ErrorSummary | None:
    """The run's stored problems in the shape the shared problems table shows."""
    if not run.problem_total:
        return None
    return ErrorSummary(
        shown=[RowError(line, column, message) for line, column, message in run.problems],
        total=run.problem_total,
        bad_rows=run.problem_rows,
        by_column=[(column, count) for column, count in run.problems_by_column],
        download_url=run.problems_download or None,
    )
