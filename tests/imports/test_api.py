"""The import API: upload, preview, confirm, progress, undo and history, as the state's reviewer;
outsiders get 404, roles that import nothing get 403, bad input 400 (never 500)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from focus_lab.imports.models import ImportRun
from tests.imports.conftest import claims_xlsx
from tests.imports.files import csv_bytes
from tests.imports.files import upload as uploaded_file
from usda_foods.models import LunchCount

pytestmark = pytest.mark.django_db


def _upload(api, data, name="claims.xlsx", kind="lunch-counts", **extra):
    return api.post(reverse("import-list"), {"kind": kind, "file": uploaded_file(name, data), **extra},
                    format="multipart")  # fmt: skip


def test_upload_preview_confirm_progress_undo(api_for, sda_reviewer, district):
    api = api_for(sda_reviewer)
    response = _upload(api, claims_xlsx(district), source="MDE claims")
    assert response.status_code == 201, response.json()
    run = response.json()
    assert run["mapping"] == {
        "state": 0,
        "agency_code": 1,
        "school_year": 2,
        "free": 3,
        "reduced": 4,
        "paid": 5,
    }
    assert run["headers"][6] == "Sponsor Name" and run["row_count"] == 1 and run["status"] == "uploaded"
    response = api.post(reverse("import-preview", args=[run["id"]]), {"remember": True}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "valid"
    response = api.post(reverse("import-confirm", args=[run["id"]]))
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["created"]) == ("done", 1)
    assert api.get(reverse("import-progress", args=[run["id"]])).json()["progress"] == 100
    history = api.get(reverse("import-list")).json()
    assert [r["id"] for r in history["results"]] == [run["id"]]
    response = api.post(reverse("import-undo", args=[run["id"]]))
    assert response.status_code == 200 and response.json()["status"] == "undone"
    assert not LunchCount.objects.exists()


def test_preview_reports_problems_by_line_and_column(api_for, sda_reviewer, district):
    api = api_for(sda_reviewer)
    rows = [["State", "Agency code", "School year", "Free", "Reduced", "Paid"],
            ["MN", district.agency_code, "2024-25", "1", "2", "x"]]  # fmt: skip
    run = _upload(api, csv_bytes(rows), name="c.csv").json()
    response = api.post(reverse("import-preview", args=[run["id"]]), {}, format="json")
    assert response.json()["problems"] == [
        {"line": 2, "column": "Paid", "message": "“x” is not a whole number"}
    ]
    response = api.post(reverse("import-confirm", args=[run["id"]]))
    assert response.status_code == 400 and "has problems" in response.json()["detail"][0]


def test_a_mapping_with_a_missing_column_is_a_400(api_for, sda_reviewer, district):
    api = api_for(sda_reviewer)
    run = _upload(api, claims_xlsx(district)).json()
    mapping = {**run["mapping"], "free": None}
    response = api.post(reverse("import-preview", args=[run["id"]]), {"mapping": mapping}, format="json")
    assert response.status_code == 400 and "Free" in response.json()["mapping"][0]


def test_the_same_file_twice_is_a_400_naming_the_import(api_for, sda_reviewer, district):
    api = api_for(sda_reviewer)
    run = _upload(api, claims_xlsx(district)).json()
    api.post(reverse("import-preview", args=[run["id"]]), {}, format="json")
    api.post(reverse("import-confirm", args=[run["id"]]))
    response = _upload(api, claims_xlsx(district))
    assert response.status_code == 400
    assert f"import #{run['id']}" in response.json()["file"][0]


def test_roles_that_import_nothing_get_403_and_outsiders_404(
    api_for, sda_reviewer, manager, outsider, district
):
    assert _upload(api_for(manager), claims_xlsx(district)).status_code == 403
    run = _upload(api_for(sda_reviewer), claims_xlsx(district)).json()
    api = api_for(outsider)
    assert api.get(reverse("import-detail", args=[run["id"]])).status_code == 404
    assert api.get(reverse("import-progress", args=[run["id"]])).status_code == 404
    for name in ("import-preview", "import-confirm", "import-undo"):
        assert api.post(reverse(name, args=[run["id"]]), {}, format="json").status_code == 404
    assert api.get(reverse("import-list")).json()["count"] == 0


def test_kinds_list_what_the_user_may_import(api_for, sda_reviewer, manager):
    kinds = api_for(sda_reviewer).get(reverse("import-kinds")).json()
    assert [k["name"] for k in kinds] == ["end-products", "lunch-counts"]  # sorted by label
    assert {"name": "free", "type": "integer", "required": True}.items() <= kinds[1]["fields"][3].items()
    assert {"name": "processor", "type": "text", "required": True}.items() <= kinds[0]["fields"][0].items()
    # a district manager imports the distributors' purchase reports (issue 15), nothing else
    assert [k["name"] for k in api_for(manager).get(reverse("import-kinds")).json()] == ["purchases"]


def test_unreadable_file_and_unknown_kind_are_400s(api_for, sda_reviewer):
    api = api_for(sda_reviewer)
    assert _upload(api, b"PK\x03\x04broken", name="x.xlsx").status_code == 400
    assert _upload(api, b"a,b\n", kind="nope").status_code == 400
    assert ImportRun.objects.count() == 0


def test_history_list_runs_a_constant_number_of_queries(
    api_for, sda_reviewer, district, django_assert_num_queries
):
    from focus_lab.imports.kinds import get_kind
    from tests.imports.conftest import upload

    api = api_for(sda_reviewer)
    kind = get_kind("lunch-counts")
    upload(kind, claims_xlsx(district, year="2020-21"), user=sda_reviewer)
    # the count, the page of runs (with their job, one join)
    with django_assert_num_queries(2):
        assert api.get(reverse("import-list")).json()["count"] == 1
    for year in ("2021-22", "2022-23", "2023-24"):
        upload(kind, claims_xlsx(district, year=year), user=sda_reviewer)
    with django_assert_num_queries(2):
        assert api.get(reverse("import-list")).json()["count"] == 4
