"""Benchmark: the lunch-count import (the shared import pipeline's pages) answering a 4.8 MB file of
230,000 bad rows (one bad cell each), as an SDA reviewer. Run it with pytest (it needs the test database), not in ``make test``:

    DJANGO_SETTINGS_MODULE=focus_lab.settings.test .venv/bin/python -m pytest bench/import_errors_render.py -s -p no:randomly

Prints the seconds the request took and the size of the HTML. Before the page summarised its
problems it rendered all 230,000 of them.
"""

from __future__ import annotations

import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

BAD_ROWS = 230_000


@pytest.mark.django_db
def test_render_230k_bad_rows(settings, tmp_path):
    # Imported here so the file also runs as a script (pytest sets Django up first).
    from accounts.models import Role
    from tests.factories import StateAgencyFactory, member

    settings.MEDIA_ROOT = tmp_path
    reviewer = member(Role.SDA_REVIEWER, StateAgencyFactory(state="MN"), email="bench@mn.example")
    body = "state,agency_code,school_year,free,reduced,paid\n" + "MN,0001,2018-19,x,1,1\n" * BAD_ROWS
    client = Client()
    client.force_login(reviewer)
    upload = SimpleUploadedFile("counts.csv", body.encode(), content_type="text/csv")
    from focus_lab.imports import services
    from focus_lab.imports.models import ImportRun

    services.BACKGROUND_ROWS = 10**9  # checked in the request here; a worker runs the same service
    started = time.perf_counter()
    response = client.post("/usda-foods/lunch-counts/import/", {"file": upload})  # the upload page
    run = ImportRun.objects.get()
    columns = {f"col_{name}": str(index) for name, index in run.mapping.items()}
    response = client.post(f"/imports/{run.pk}/mapping/", columns, follow=True)  # check every row
    elapsed = time.perf_counter() - started
    assert response.status_code == 200
    started = time.perf_counter()
    page = client.get(f"/imports/{run.pk}/")
    shown = time.perf_counter() - started
    assert page.status_code == 200 and b"Nothing was imported" in page.content
    print(
        f"\n{BAD_ROWS:,} bad rows: upload and check {elapsed:.2f} s; the problems page {shown:.2f} s, "
        f"{len(page.content) / 1e6:.2f} MB of HTML"
    )


if __name__ == "__main__":  # make bench-import-errors: the test database comes from pytest-django
    import sys

    sys.exit(pytest.main([__file__, "-s", "-q", "-p", "no:randomly", "-p", "no:cacheprovider"]))
