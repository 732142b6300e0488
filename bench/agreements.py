"""Benchmark: letters of agreement, one letter end to end and a batch of 200 (issue, render, ZIP).
Run it through ``make bench-agreements`` (a throwaway test database), or with pytest:

    DJANGO_SETTINGS_MODULE=focus_lab.settings.test .venv/bin/python -m pytest bench/agreements.py -s -p no:randomly \
        --import-mode=importlib

(``importlib``: the file shares its name with the ``agreements`` app.)

Prints seconds per letter and peak memory: the process's resident set (RSS) sampled after every
letter of the ZIP (flat = no growth with the batch) and the Python heap's peak (tracemalloc).
Goal: at most 0.3 s per letter.
"""

from __future__ import annotations

import time
import tracemalloc

import psutil
import pytest

BATCH_DISTRICTS, BATCH_PARTNERS = 150, 50


def _mb(n: float) -> str:
    return f"{n / 2**20:,.1f} MB"


@pytest.mark.django_db(transaction=False)
def test_letters_bench(settings, tmp_path, django_capture_on_commit_callbacks):
    from accounts.models import Role
    from agreements import services
    from agreements.pdf import letter_pdf
    from agreements.services.batches import letters_zip
    from tests.factories import (
        CollaborativeFactory,
        DistrictFactory,
        PartnerFactory,
        StateAgencyFactory,
        member,
    )

    settings.MEDIA_ROOT = tmp_path
    process = psutil.Process()
    lab = CollaborativeFactory(name="Bench Lab")
    agency = StateAgencyFactory(state="MN")
    admin = member(Role.COLLABORATIVE_ADMIN, lab, email="admin@bench.example")
    first = DistrictFactory(collaborative=lab, state_agency=agency, name="District 0000")
    manager = member(Role.DISTRICT_MANAGER, first, email="manager@bench.example")
    version = services.template_default(collaborative=lab, user=admin).current
    letter_pdf(
        services.letter_issue(version=version, party=first, school_year=2025, user=admin)
    )  # warm fonts

    # One letter, end to end: issue and send, a draft PDF, sign, countersign (renders and stores the final PDF/A).
    started, cpu = time.perf_counter(), time.process_time()
    with django_capture_on_commit_callbacks(execute=True):
        letter = services.letter_issue(version=version, party=first, school_year=2026, user=admin, send=True)
        letter_pdf(letter)
        services.letter_sign(letter=letter, user=manager, typed_name="Bench Manager", title="Director",
                             consent=True, letter_sha256=letter.text_sha256)  # fmt: skip
        services.letter_countersign(letter=letter, user=admin, typed_name="Bench Admin", title="Coordinator",
                                    consent=True, letter_sha256=letter.text_sha256)  # fmt: skip
    one, one_cpu = time.perf_counter() - started, time.process_time() - cpu

    # A batch of 200: issue to every party, then the ZIP (each letter rendered as it is written).
    districts = [first] + [
        DistrictFactory(collaborative=lab, state_agency=agency) for _ in range(BATCH_DISTRICTS - 1)
    ]
    partners = [PartnerFactory(collaborative=lab) for _ in range(BATCH_PARTNERS)]
    rss: list[int] = []
    started, cpu = time.perf_counter(), time.process_time()
    with django_capture_on_commit_callbacks(execute=True):
        result = services.letters_issue(version=version, school_year=2027, user=admin, districts=districts,
                                        partners=partners, send=True)  # fmt: skip
    issued = time.perf_counter() - started
    name, count = letters_zip(lab_id=lab.pk, school_year=2027, user=admin,
                              progress=lambda done, total: rss.append(process.memory_info().rss))  # fmt: skip
    total, total_cpu = time.perf_counter() - started, time.process_time() - cpu
    # The Python heap's peak over a second ZIP, traced apart (tracemalloc slows everything down).
    tracemalloc.start()
    letters_zip(lab_id=lab.pk, school_year=2027, user=admin)
    _, heap_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    n = len(result.issued)
    assert n == count == BATCH_DISTRICTS + BATCH_PARTNERS
    size = (tmp_path / name).stat().st_size
    print(
        f"\nLoad average when done: {psutil.getloadavg()[0]:.1f} on {psutil.cpu_count()} CPUs (wall time grows with it; "
        "CPU time is this process's own)"
    )
    print(f"One letter (issue, send, draft PDF, sign, countersign + final PDF/A stored): {one:.2f} s wall, "
          f"{one_cpu:.2f} s CPU")  # fmt: skip
    print(f"Batch of {n}: issue+send {issued:.2f} s ({issued / n:.3f} s/letter); issue+render+ZIP {total:.2f} s "
          f"({total / n:.3f} s/letter wall, {total_cpu / n:.3f} s/letter CPU); ZIP {_mb(size)}")  # fmt: skip
    print(f"Memory: RSS after letter 1 {_mb(rss[0])}, 50 {_mb(rss[49])}, 100 {_mb(rss[99])}, 200 {_mb(rss[-1])} "
          f"(growth over the last 150: {_mb(rss[-1] - rss[49])}); peak RSS {_mb(max(rss))}; "
          f"Python heap peak while zipping {_mb(heap_peak)}")  # fmt: skip


if __name__ == "__main__":  # make bench-agreements: the test database comes from pytest-django
    import sys
    from pathlib import Path

    sys.path[0] = str(
        Path(__file__).resolve().parents[1]
    )  # the project, not bench/ (this file is "agreements")
    sys.exit(pytest.main([__file__, "-s", "-q", "-p", "no:randomly", "-p", "no:cacheprovider",
                          "--import-mode=importlib"]))  # fmt: skip
