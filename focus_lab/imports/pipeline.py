"""The two passes over a stored file: checking every row (nothing written), then writing them all
in one transaction, in batches. Both re-read the file as they go, so memory does not grow with it.
"""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from itertools import islice
from typing import IO, TYPE_CHECKING, Any

from focus_lab.csv_import import RowError
from focus_lab.imports import readers
from focus_lab.imports.kinds import ImportKind, Row, WriteCounts
from focus_lab.imports.mapping import header_score
from focus_lab.imports.parsers import ParseError

if TYPE_CHECKING:
    from accounts.models import User
    from focus_lab.imports.models import ImportRun

Progress = Callable[[int, int], None]
MAX_KEPT_PROBLEMS = 50_000  # counted past this, not kept: nobody reads more; the file needs fixing
PROGRESS_EVERY_ROWS = 2000
PREVIEW_ROWS = 10


@contextmanager
def open_run_table(run: ImportRun, kind: ImportKind) -> Iterator[readers.Table]:
    """The run's stored file as a table, with the header row it had at upload."""
    with run.file.open("rb") as stored:
        raw: IO[bytes] = getattr(stored, "file", stored)
        yield readers.open_table(
            raw, filename=run.filename, sheet=run.sheet or None, header_score=header_score(kind.fields)
        )


@dataclass
class CheckResult:
    problems: list[RowError]
    problem_total: int
    problem_rows: int
    rows: int
    preview: list[list[str]]  # the first good rows as they will be written, for the person to see

    @property
    def ok(self) -> bool:
        return self.problem_total == 0


class _Problems:
    def __init__(self, run: ImportRun, kind: ImportKind) -> None:
        self.kept: list[RowError] = []
        self.total = 0
        self.lines: set[int] = set()  # the lines with problems, counted past the kept ones
        self.columns = {f.name: _column_name(run, f.name, f.label) for f in kind.fields}

    def add(self, line: int, field: str, message: str) -> None:
        """``field`` is a field's name, several joined by ", " (a rule over them), or "" (the row)."""
        self.total += 1
        self.lines.add(line)
        if len(self.kept) < MAX_KEPT_PROBLEMS:
            if ", " in field:
                column = ", ".join(self.columns.get(f, f) for f in field.split(", "))
            else:
                column = self.columns.get(field, field)
            self.kept.append(RowError(line, column, message))


def _column_name(run: ImportRun, field: str, label: str) -> str:
    """A problem names the column as the file does; a field the file lacks, by its label."""
    index = run.mapping.get(field)
    if index is not None and index < len(run.headers) and run.headers[index]:
        return str(run.headers[index])
    return label


def typed_rows(
    run: ImportRun, kind: ImportKind, table: readers.Table, problems: _Problems | None
) -> Iterator[Row | None]:
    """Each data row with its cells parsed by field type; ``None`` for a row with a bad cell (its
    problems go to ``problems``)."""
    nowhere = sys.maxsize  # a field the file lacks reads as an empty cell
    plan = [(f.name, f.parser, nowhere if (i := run.mapping.get(f.name)) is None else i) for f in kind.fields]
    for line, cells in table.rows:
        values: dict[str, Any] = {}
        bad: list[str] = []
        width = len(cells)
        for name, parse, index in plan:
            try:
                values[name] = parse(cells[index] if index < width else None)
            except ParseError as exc:
                values[name] = None
                bad.append(name)
                if problems is not None:
                    problems.add(line, name, exc.message)
        yield Row(line=line, values=values, bad=frozenset(bad)) if bad else Row(line=line, values=values)


def _batches(rows: Iterator[Row], size: int) -> Iterator[tuple[list[Row], int]]:
    """Batches of rows, with how many rows each holds."""
    while True:
        chunk = list(islice(rows, size))
        if not chunk:
            return
        yield chunk, len(chunk)


def check_rows(
    *, run: ImportRun, kind: ImportKind, user: User, progress: Progress | None = None
) -> CheckResult:
    """Every row parsed and checked by the kind; nothing written. The file's own problems (a
    broken line, too many rows) end the pass as a problem too."""
    problems = _Problems(run, kind)
    seen = 0
    state = pass_state(run)
    preview: list[list[str]] = []
    try:
        with open_run_table(run, kind) as table:
            for good, consumed in _batches(typed_rows(run, kind, table, problems), kind.batch_size):
                for line, field, message in kind.check_batch(good, user=user, state=state):
                    problems.add(line, field, message)
                for row in [r for r in good if not r.bad][: PREVIEW_ROWS - len(preview)]:
                    preview.append([str(row.line), *(_shown(row.values.get(f.name)) for f in kind.fields)])
                seen += consumed
                if progress and seen % PROGRESS_EVERY_ROWS < consumed:
                    progress(seen, run.row_count)
    except readers.TableError as exc:
        problems.add(exc.line, "", exc.message)
    else:
        if not problems.total:
            for line, field, message in kind.check_end(user=user, state=state):
                problems.add(line, field, message)
    if seen == 0 and problems.total == 0:
        problems.add(run.header_line + 1, "", "The file has a header but no rows.")
    problems.kept.sort(key=lambda e: (e.line, e.column))
    return CheckResult(problems=problems.kept, problem_total=problems.total, problem_rows=len(problems.lines),
                       rows=seen, preview=preview)  # fmt: skip


def _shown(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | Decimal):
        return f"{value:,}"
    return str(value)[:80]


class RowsChanged(Exception):
    """A row that passed the check fails now (the data it refers to changed meanwhile)."""

    def __init__(self, problems: list[RowError], total: int, rows: int) -> None:
        super().__init__(f"{total} problem(s)")
        self.problems, self.total, self.rows = problems, total, rows


Record = Callable[[list[int], list[tuple[int, dict[str, Any]]]], None]


def write_rows(
    *, run: ImportRun, kind: ImportKind, user: User, record: Record, progress: Progress | None = None
) -> WriteCounts:
    """Write every row, batch by batch; call inside ``transaction.atomic``. Each batch is checked
    again just before it is written (the database may have changed since the preview): a problem
    raises ``RowsChanged`` so the caller's transaction rolls everything back."""
    problems = _Problems(run, kind)
    totals = WriteCounts()
    check_state = pass_state(run)
    write_state = pass_state(run)
    seen = 0
    with open_run_table(run, kind) as table:
        for good, consumed in _batches(typed_rows(run, kind, table, problems), kind.batch_size):
            for line, field, message in kind.check_batch(good, user=user, state=check_state):
                problems.add(line, field, message)
            if problems.total:
                raise RowsChanged(problems.kept, problems.total, len(problems.lines))
            counts = kind.write_batch(good, user=user, state=write_state)
            totals.add(counts)
            if counts.created_ids or counts.previous:
                record(counts.created_ids, counts.previous)
            seen += consumed
            if progress and seen % PROGRESS_EVERY_ROWS < consumed:
                progress(seen, run.row_count)
    for line, field, message in kind.check_end(user=user, state=check_state):
        problems.add(line, field, message)
    if problems.total:
        raise RowsChanged(problems.kept, problems.total, len(problems.lines))
    after = kind.after_write(user=user, state=write_state)
    if after is not None:
        totals.add(after)
        if after.created_ids or after.previous:
            record(after.created_ids, after.previous)
    return totals


def pass_state(run: ImportRun) -> dict[str, Any]:
    """What every call of a pass shares: the import's options and its id."""
    return {"options": dict(run.details.get("options") or {}), "run_id": run.pk}


def by_column(problems: list[RowError]) -> list[tuple[str, int]]:
    return Counter(e.column or "(whole row)" for e in problems).most_common()
