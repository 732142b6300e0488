"""The import pages, each rendered as its user: start, upload, columns, problems, preview,
confirm, history and undo; outsiders get 404; the history runs a constant number of queries."""

from __future__ import annotations

import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from python_calamine import CalamineWorkbook

from focus_lab.imports.models import ImportRun, RunStatus
from tests.conftest import ROLE_FIXTURES
from tests.imports.conftest import claims_xlsx, upload
from tests.imports.files import csv_bytes
from tests.imports.files import upload as uploaded_file
from usda_foods.models import LunchCount

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", [*ROLE_FIXTURES, "reference_editor"])
def test_imports_page_renders_for_every_role(role, request, client_for):
    user = request.getfixturevalue(role)
    response = client_for(user).get(reverse("imports:home"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "No imports yet." in html
    assert ('data-testid="import-kind-lunch-counts"' in html) == (role == "sda_reviewer")
    assert ('data-testid="import-kind-catalog"' in html) == (role == "reference_editor")
    # the lab's supplier directory is kept by its partner staff and admins
    assert ('data-testid="import-kind-suppliers"' in html) == (role in ("partner_user", "collab_admin"))
    # purchase records: whoever writes a district's rows (its managers, its partners, the lab's admins)
    purchases = role in ("manager", "partner_user", "collab_admin")
    assert ('data-testid="import-kind-purchases"' in html) == purchases
    if role not in ("sda_reviewer", "reference_editor") and not purchases:
        assert "Your role imports nothing" in html


def test_upload_page_is_for_those_who_may_import(client_for, sda_reviewer, manager):
    assert client_for(sda_reviewer).get(reverse("imports:upload", args=["lunch-counts"])).status_code == 200
    assert client_for(manager).get(reverse("imports:upload", args=["lunch-counts"])).status_code == 403
    assert client_for(sda_reviewer).get(reverse("imports:upload", args=["nope"])).status_code == 404


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_templates_have_the_columns_and_a_sample_row(client_for, reference_editor, fmt):
    response = client_for(reference_editor).get(reverse("imports:template", args=["catalog", fmt]))
    assert response.status_code == 200
    data = b"".join(response.streaming_content) if response.streaming else response.content
    if fmt == "xlsx":
        rows = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()
    else:
        rows = [line.split(",") for line in data.decode("utf-8-sig").splitlines()]
    assert rows[0][:2] == ["School year", "Material code"]
    assert str(rows[1][1]) == "100117"


def test_the_whole_flow_as_the_states_reviewer(client_for, sda_reviewer, district):
    client = client_for(sda_reviewer)
    response = client.post(reverse("imports:upload", args=["lunch-counts"]),
                           {"file": uploaded_file("claims.xlsx", claims_xlsx(district)), "source": "MDE claims"})  # fmt: skip
    run = ImportRun.objects.get()
    assert response.status_code == 302 and response.url == run.get_absolute_url()
    page = client.get(run.get_absolute_url()).content.decode()
    assert 'value="3" selected' in page  # "Free Meals" guessed for Free
    assert "Sponsor Name" in page.split('data-testid="unmapped"')[1]
    form = {f"col_{name}": str(index) for name, index in run.mapping.items()} | {"remember": "on"}
    response = client.post(reverse("imports:map", args=[run.pk]), form)
    assert response.status_code == 302
    page = client.get(run.get_absolute_url()).content.decode()
    assert 'data-testid="import-preview"' in page and "412,000" in page
    response = client.post(reverse("imports:confirm", args=[run.pk]), follow=True)
    assert "Imported: 1 new, 0 updated, 0 unchanged." in response.content.decode()
    assert LunchCount.objects.filter(district=district).count() == 1
    history = client.get(reverse("imports:home")).content.decode()
    assert "claims.xlsx" in history and "Imported" in history
    response = client.post(reverse("imports:undo", args=[run.pk]), follow=True)
    assert "The import was undone" in response.content.decode()
    assert not LunchCount.objects.exists()


def test_problems_are_shown_by_line_and_column(client_for, sda_reviewer, district):
    rows = [["State", "Agency code", "School year", "Free", "Reduced", "Paid"],
            ["MN", district.agency_code, "2024-25", "lots", 1, 1]]  # fmt: skip
    run = upload(get_kind("lunch-counts"), csv_bytes(rows), user=sda_reviewer, name="bad.csv")
    client = client_for(sda_reviewer)
    form = {f"col_{name}": str(index) for name, index in run.mapping.items()}
    client.post(reverse("imports:map", args=[run.pk]), form)
    page = client.get(run.get_absolute_url()).content.decode()
    assert "Nothing was imported: 1 problem to fix" in page
    assert "line 2, column Free: “lots” is not a whole number" in page
    assert 'data-testid="import-confirm"' not in page


def test_a_mapping_without_a_required_column_is_refused_on_the_page(client_for, sda_reviewer, district):
    run = upload(get_kind("lunch-counts"), claims_xlsx(district), user=sda_reviewer)
    form = {f"col_{name}": str(index) for name, index in run.mapping.items()} | {"col_free": ""}
    response = client_for(sda_reviewer).post(reverse("imports:map", args=[run.pk]), form)
    assert response.status_code == 400
    assert "Choose the column that holds “Free”" in response.content.decode()


def test_the_same_file_again_is_refused_on_the_upload_form(client_for, sda_reviewer, district):
    from focus_lab.imports import services

    run = upload(get_kind("lunch-counts"), claims_xlsx(district), user=sda_reviewer)
    services.import_confirm(run=services.import_map(run=run, columns=run.mapping, remember=False, user=sda_reviewer),
                            user=sda_reviewer)  # fmt: skip
    response = client_for(sda_reviewer).post(reverse("imports:upload", args=["lunch-counts"]),
                                             {"file": uploaded_file("again.xlsx", claims_xlsx(district))})  # fmt: skip
    assert response.status_code == 200
    assert f"This file was already imported: import #{run.pk}" in response.content.decode()


def test_outsiders_get_404_on_someone_elses_import(client_for, sda_reviewer, outsider, district):
    run = upload(get_kind("lunch-counts"), claims_xlsx(district), user=sda_reviewer)
    client = client_for(outsider)
    assert client.get(run.get_absolute_url()).status_code == 404
    for name in ("imports:map", "imports:confirm", "imports:undo"):
        assert client.post(reverse(name, args=[run.pk])).status_code == 404
    assert "claims.xlsx" not in client.get(reverse("imports:home")).content.decode()


def test_the_progress_partial_asks_for_a_refresh_when_done(client_for, sda_reviewer, district):
    run = upload(get_kind("lunch-counts"), claims_xlsx(district), user=sda_reviewer)
    response = client_for(sda_reviewer).get(run.get_absolute_url() + "?partial=1")
    assert response.status_code == 200 and response["HX-Refresh"] == "true"
    ImportRun.objects.filter(pk=run.pk).update(status=RunStatus.VALIDATING)
    response = client_for(sda_reviewer).get(run.get_absolute_url() + "?partial=1")
    assert "HX-Refresh" not in response and "hx-trigger" in response.content.decode()


def test_history_runs_a_constant_number_of_queries(client_for, sda_reviewer, district):
    client = client_for(sda_reviewer)
    kind = get_kind("lunch-counts")

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("imports:home")).status_code == 200
        return len(ctx)

    upload(kind, claims_xlsx(district, year="2020-21"), user=sda_reviewer)
    few = count()
    for year in ("2021-22", "2022-23", "2023-24", "2024-25"):
        upload(kind, claims_xlsx(district, year=year), user=sda_reviewer)
    # session, user, memberships (roles), the runs' count, the page of runs (with their uploader),
    # the navigation's lookups: the same at 1 and 5 runs
    assert count() == few


def get_kind(name):
    from focus_lab.imports.kinds import get_kind as found

    return found(name)


def test_an_import_job_shows_on_the_shared_job_page_with_the_way_back(
    client_for, sda_reviewer, district, monkeypatch
):
    from focus_lab.imports import services

    monkeypatch.setattr(services, "BACKGROUND_ROWS", 0)
    monkeypatch.setattr("focus_lab.jobs.services.enqueue", lambda path, *args: None)
    run = upload(get_kind("lunch-counts"), claims_xlsx(district), user=sda_reviewer)
    run = services.import_map(run=run, columns=run.mapping, remember=False, user=sda_reviewer)
    client = client_for(sda_reviewer)
    page = client.get(reverse("imports:detail", args=[run.pk])).content.decode()
    assert "Checking every row" in page and "Waiting for a worker" in page and "we email you" in page
    job_page = client.get(reverse("jobs:detail", args=[run.job_id])).content.decode()
    assert "Checking an import&#x27;s rows" in job_page or "Checking an import's rows" in job_page
    assert reverse("imports:detail", args=[run.pk]) in job_page
