"""Benchmark: the import pipeline on 100,000 rows of the USDA Foods available list, from CSV and
from XLSX, through reading, checking and writing; a bare PostgreSQL COPY of the same rows is the
anchor the ratio is taken against.

Run: make bench-imports   (or: DATABASE_URL=... REDIS_URL=... .venv/bin/python bench/imports.py)
     BENCH_ROWS=20000 for a quicker run.

It works in a throwaway database (test_<name>, dropped at the end) and a temporary media folder,
and prints for each file: seconds and rows per second for the upload (hash, header, count), the
check and the write, end to end, and the peak memory (RSS above the start of each step, sampled
every 20 ms), at two sizes to show memory stays flat. Figures, not assertions.
"""

from __future__ import annotations

import csv
import io
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "focus_lab.settings.test")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import setup_databases, setup_test_environment, teardown_databases  # noqa: E402

ROWS = int(os.environ.get("BENCH_ROWS", "100000"))
HEADER = ["SY", "Material No", "Material Description", "Food Group", "Pack Size", "Net Wt", "Cases/Truck",
          "Price per Case", "Bulk"]  # fmt: skip
CATEGORIES = ["fruit", "vegetable", "grain", "meat", "dairy", "oil", "other"]


def rows(n: int, year: str = "2025-26"):
    for i in range(n):
        yield [year, str(100000 + i), f"Food number {i}, frozen", CATEGORIES[i % 7], "6/#10 cans",
               f"{20 + i % 30}.50", f"{1000 + i % 500:,}",
               f"${10 + i % 90}.25", "no" if i % 5 else "yes"]  # fmt: skip


def csv_file(n: int, year: str) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["Acme Foodservice — USDA Foods available list"])
    writer.writerow(HEADER)
    writer.writerows(rows(n, year))
    return out.getvalue().encode("utf-8-sig")


def xlsx_file(n: int, year: str) -> bytes:
    import xlsxwriter

    out = io.BytesIO()
    book = xlsxwriter.Workbook(
        out, {"constant_memory": True, "in_memory": False, "tmpdir": tempfile.gettempdir()}
    )
    sheet = book.add_worksheet("Available list")
    sheet.write_row(0, 0, ["Acme Foodservice — USDA Foods available list"])
    sheet.write_row(1, 0, HEADER)
    for r, row in enumerate(rows(n, year), start=2):
        # numbers as a spreadsheet holds them: weight and truckload as numbers, price as text "$12.25"
        sheet.write_row(r, 0, [*row[:5], float(row[5]), int(row[6].replace(",", "")), row[7], row[8]])
    book.close()
    return out.getvalue()


class PeakRss:
    """The process's resident memory, sampled every 20 ms, above what it was at the start."""

    def __enter__(self) -> PeakRss:
        self.start = self.peak = _rss()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def _sample(self) -> None:
        while not self._stop.wait(0.02):
            self.peak = max(self.peak, _rss())

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, _rss())

    @property
    def mb(self) -> float:
        return (self.peak - self.start) / 1024 / 1024


def _rss() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def step(label: str, n: int, work):
    with PeakRss() as memory:
        started = time.perf_counter()
        result = work()
        seconds = time.perf_counter() - started
    print(
        f"  {label:<9} {seconds:7.2f} s  {n / seconds:>10,.0f} rows/s  peak +{memory.mb:6.1f} MB", flush=True
    )
    return result, seconds


def pipeline(name: str, data: bytes, n: int, user) -> float:
    from focus_lab.imports import services
    from focus_lab.imports.kinds import get_kind
    from focus_lab.imports.models import RunStatus

    kind = get_kind("catalog")
    print(f"{name}: {n:,} rows, {len(data) / 1e6:.1f} MB", flush=True)
    run, up = step("upload", n, lambda: services.import_upload(kind=kind, file=io.BytesIO(data), filename=name,
                                                               source="Acme", user=user))  # fmt: skip
    run, check = step(
        "check", n, lambda: services.import_map(run=run, columns=run.mapping, remember=True, user=user)
    )
    assert run.status == RunStatus.VALID, run.problems[:3]
    run, write = step("write", n, lambda: services.import_confirm(run=run, user=user))
    assert run.status == RunStatus.DONE and run.created + run.updated + run.unchanged == n, run.message
    total = up + check + write
    print(f"  {'end to end':<9} {total:7.2f} s  {n / total:>10,.0f} rows/s  "
          f"({run.created:,} created, {run.updated:,} updated, {run.unchanged:,} unchanged)", flush=True)  # fmt: skip
    return total


def copy_anchor(n: int) -> float:
    """The same rows straight into the table with COPY: no parsing, no checks, no Django."""
    from usda_foods.models import CatalogItem

    table = CatalogItem._meta.db_table
    columns = ["school_year", "material_code", "description", "category", "pack_description",
               "net_case_weight_lb", "cases_per_truckload", "unit_price", "is_bulk_for_processing"]  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {table} CASCADE")  # noqa: S608 - our own table name
        started = time.perf_counter()
        with cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:  # noqa: S608
            for row in rows(n, "2025-26"):
                copy.write_row([row[0], row[1], row[2], row[3], row[4], row[5], row[6].replace(",", ""),
                                row[7].lstrip("$"), row[8] == "yes"])  # fmt: skip
        seconds = time.perf_counter() - started
        cursor.execute(f"TRUNCATE {table} CASCADE")  # noqa: S608
    print(f"COPY anchor: {n:,} rows {seconds:.2f} s, {n / seconds:,.0f} rows/s", flush=True)
    return seconds


def main() -> None:
    from django.conf import settings

    from accounts.models import Role
    from focus_lab.imports import services
    from tests.factories import member
    from usda_foods.models import CatalogItem

    services.BACKGROUND_ROWS = 10**9  # in this process: the worker would run the same two services
    settings.MEDIA_ROOT = tempfile.mkdtemp(prefix="bench-imports-")
    editor = member(Role.REFERENCE_DATA, email="bench@reference.example")
    anchor = copy_anchor(ROWS)
    results = {}
    small = max(ROWS // 5, 1)
    for label, make in (("csv", csv_file), ("xlsx", xlsx_file)):
        for n, year in ((small, "2023-24"), (ROWS, "2025-26")):
            results[(label, n)] = pipeline(f"available-list-{n}.{label}", make(n, year), n, editor)
        CatalogItem.objects.all().delete()
    first = csv_file(ROWS, "2024-25")
    pipeline(f"sy2024-25-{ROWS}.csv", first, ROWS, editor)
    pipeline("the same rows in another file.csv", first + b"\r\n", ROWS, editor)  # all unchanged
    print()
    for (label, n), seconds in results.items():
        if n == ROWS:
            print(
                f"{label.upper()}: {n / seconds:,.0f} rows/s end to end, {seconds / anchor:.1f}x a bare COPY"
            )


if __name__ == "__main__":
    setup_test_environment()
    config = setup_databases(verbosity=0, interactive=False)
    try:
        main()
    finally:
        teardown_databases(config, verbosity=0)
