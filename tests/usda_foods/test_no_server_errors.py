"""Issue 8, item 6: inputs that answered 500 now answer a clear 4xx and write nothing: catalog and
lunch-count values beyond their real bounds, oversized cells and NUL bytes in imports, deleting a
site something still uses (409), survey actions with a ``.json`` suffix; and an import with
thousands of bad rows shows the first few hundred, the counts, and a download only its uploader
can fetch."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from focus_lab.csv_import import RowError
from tests.exports import csv_body
from tests.factories import CoopFactory, DistrictFactory, UserFactory
from tests.imports.flow import import_through_pages
from tests.usda_foods.ordering_fixtures import SY, catalog_item, fund, open_window
from tests.usda_foods.shipping_fixtures import build_lab, stored_plan
from usda_foods.models import CatalogItem, Entitlement, LunchCount
from usda_foods.ordering.services.catalog import catalog_import
from usda_foods.ordering.services.orders import order_create, order_line_set
from usda_foods.ordering.services.surveys import survey_open, survey_respond

pytestmark = pytest.mark.django_db

CATALOG_HEADER = (
    "school_year,material_code,description,category,pack_description,net_case_weight_lb,"
    "cases_per_truckload,unit_price,is_bulk_for_processing\n"
)
CATALOG_ROW = {
    "school_year": "2019-20", "material_code": "100117", "description": "Beans, green", "category": "vegetable",
    "pack_description": "6/#10 cans", "net_case_weight_lb": "40.50", "cases_per_truckload": "1400",
    "unit_price": "23.10", "is_bulk_for_processing": "false",
}  # fmt: skip
LUNCH_HEADER = "state,agency_code,school_year,free,reduced,paid\n"


@pytest.fixture
def superuser(db):
    """Loads the national catalog whoever else may (the reference-data role is another item's)."""
    return UserFactory(is_superuser=True, is_staff=True, email="root@example.org")


def catalog_csv(**changes: str) -> str:
    row = {**CATALOG_ROW, **changes}
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(row.values())
    return CATALOG_HEADER + buffer.getvalue()


def lunch_csv(district, free="600000", reduced="100000", paid="300000", agency_code=None) -> str:
    return LUNCH_HEADER + f"MN,{agency_code or district.agency_code},2018-19,{free},{reduced},{paid}\n"


# --- Catalog: import, API ---------------------------------------------------------------------------

UNREAL_CATALOG = [
    ("unit_price", "1e308", "must be at most 100,000"),
    ("unit_price", "100000000", "must be at most 100,000"),
    ("unit_price", "100000.01", "must be at most 100,000"),
    ("net_case_weight_lb", "1000000", "must be at most 5,000"),
    ("net_case_weight_lb", "5000.01", "must be at most 5,000"),
    ("cases_per_truckload", "2147483648", "must be at most 5,000"),
    ("cases_per_truckload", "9", "must be at least 10"),
    ("description", "x" * 201, "is 201 characters long; at most 200"),
    ("material_code", "1" * 21, "is 21 characters long; at most 20"),
]


@pytest.mark.parametrize(("column", "value", "message"), UNREAL_CATALOG)
def test_catalog_import_refuses_unreal_values_with_a_400(api_for, superuser, column, value, message):
    response = api_for(superuser).generic(
        "POST", "/api/v1/catalog-items/import/", catalog_csv(**{column: value}), content_type="text/csv"
    )
    assert response.status_code == 400
    assert response.json() == {"errors": [{"line": 2, "column": column, "message": message}]}
    assert not CatalogItem.objects.exists()


def test_catalog_import_takes_the_real_extremes(superuser):
    text = catalog_csv(unit_price="100000", net_case_weight_lb="5000", cases_per_truckload="10",
                       description="d" * 200, material_code="1" * 20)  # fmt: skip
    assert catalog_import(data=text, user=superuser).created == 1


API_ITEM = {**CATALOG_ROW, "is_bulk_for_processing": False}


@pytest.mark.parametrize(
    ("field", "value"),
    [("unit_price", 1e308), ("unit_price", "99999999.99"), ("unit_price", "100000.01"),
     ("net_case_weight_lb", "999999.99"), ("net_case_weight_lb", 1e6), ("cases_per_truckload", 2**31),
     ("cases_per_truckload", 5_001), ("description", "x" * 201), ("material_code", "1" * 21)],
)  # fmt: skip
def test_catalog_api_refuses_unreal_values_on_create_and_update(api_for, superuser, field, value):
    api = api_for(superuser)
    created = api.post("/api/v1/catalog-items/", {**API_ITEM, field: value}, format="json")
    assert created.status_code == 400 and field in created.json()
    assert not CatalogItem.objects.exists()
    item = catalog_item()
    updated = api.put(f"/api/v1/catalog-items/{item.pk}/", {**API_ITEM, field: value}, format="json")
    assert updated.status_code == 400 and field in updated.json()
    assert CatalogItem.objects.get(pk=item.pk).cases_per_truckload == 1000


def test_the_database_refuses_an_unreal_catalog_item_too():
    from django.db import IntegrityError, transaction

    for values in ({"cases_per_truckload": 1}, {"unit_price": 10**6}, {"net_case_weight_lb": 10**5}):
        with pytest.raises(IntegrityError), transaction.atomic():
            catalog_item(code="999", **values)


# --- Lunch counts: import, API ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("counts", "column", "message"),
    [
        ({"free": "2147483648"}, "free", "must be at most 300,000,000"),
        ({"paid": "300000001"}, "paid", "must be at most 300,000,000"),
        ({"free": "200000000", "reduced": "200000000", "paid": "200000000"}, "free, reduced, paid",
         "free + reduced + paid is 600,000,000; at most 300,000,000 lunches a year"),
        ({"free": "1000000000", "reduced": "1000000000", "paid": "1000000000"}, "free",
         "must be at most 300,000,000"),
    ],
)  # fmt: skip
def test_lunch_count_import_refuses_unreal_counts(
    client_for, sda_reviewer, district, counts, column, message
):
    response = _lunch_upload(client_for(sda_reviewer), lunch_csv(district, **counts))
    assert response.status_code == 200
    assert [(e.column, e.message) for e in _problems(response)][0] == (column, message)
    assert "Nothing was imported" in response.content.decode()
    assert not LunchCount.objects.exists() and not Entitlement.objects.exists()


@pytest.mark.parametrize(
    ("counts", "field"),
    [({"free": 2**31}, "free"), ({"free": 300_000_001}, "free"),
     ({"free": 1_000_000_000, "reduced": 1_000_000_000, "paid": 1_000_000_000}, "free"),
     ({"free": 200_000_000, "reduced": 200_000_000, "paid": 200_000_000}, "__all__")],  # the model's clean()
)  # fmt: skip
def test_lunch_count_put_refuses_unreal_counts(api_for, sda_reviewer, district, counts, field):
    count = LunchCount.objects.create(district=district, school_year="2018-19", free=10, reduced=5, paid=5)
    body = {"district": district.pk, "school_year": "2018-19", "free": 10, "reduced": 5, "paid": 5, **counts}
    response = api_for(sda_reviewer).put(f"/api/v1/lunch-counts/{count.pk}/", body, format="json")
    assert response.status_code == 400 and field in response.json(), response.json()
    count.refresh_from_db()
    assert (count.free, count.reduced, count.paid) == (10, 5, 5)
    assert not Entitlement.objects.exists()


# --- Any import: a cell over 131,072 characters, a NUL byte ------------------------------------------


def _lunch_upload(client, text: str):
    """Through the shared import pages: upload, the guessed columns, check (import when all pass)."""
    return import_through_pages(client, "lunch-counts", text, filename="counts.csv")


def _catalog_upload(client, text: str):
    return import_through_pages(client, "catalog", text, filename="catalog.csv")


def _problems(response) -> list[RowError]:
    """The import's problems, or the upload form's refusal of the whole file (line, message)."""
    if response.import_run is None:
        message = response.context["form"].errors["file"][0]
        line, _, reason = message.partition(": ")
        return [RowError(int(line.removeprefix("Line ")), "", reason)]
    return [RowError(*problem) for problem in response.import_run.problems]


BROKEN_CELLS = [
    ("a cell over 131,072 characters", "y" * 131_073, "a cell is longer than 131,072 characters"),
    ("a NUL byte", "Bea\x00ns", "contains a NUL byte: save the file as UTF-8 CSV"),
]


@pytest.mark.parametrize(("case", "cell", "message"), BROKEN_CELLS)
def test_catalog_import_page_reports_a_broken_cell(client_for, superuser, case, cell, message):
    response = _catalog_upload(client_for(superuser), catalog_csv(description=cell))
    assert response.status_code == 200
    assert [(e.line, e.message) for e in _problems(response)] == [(2, message)]
    assert not CatalogItem.objects.exists()


@pytest.mark.parametrize(("case", "cell", "message"), BROKEN_CELLS)
def test_catalog_import_api_reports_a_broken_cell(api_for, superuser, case, cell, message):
    response = api_for(superuser).generic(
        "POST",
        "/api/v1/catalog-items/import/",
        catalog_csv(description=cell).encode(),
        content_type="text/csv",
    )
    assert response.status_code == 400
    assert response.json() == {"errors": [{"line": 2, "column": "", "message": message}]}


@pytest.mark.parametrize(("case", "cell", "message"), BROKEN_CELLS)
def test_lunch_count_import_reports_a_broken_cell(client_for, sda_reviewer, district, case, cell, message):
    response = _lunch_upload(client_for(sda_reviewer), lunch_csv(district, agency_code=cell))
    assert response.status_code == 200
    assert [(e.line, e.message) for e in _problems(response)] == [(2, message)]
    assert not LunchCount.objects.exists()


def test_a_long_cell_within_the_reader_limit_is_named_and_clipped(client_for, sda_reviewer, district):
    response = _lunch_upload(client_for(sda_reviewer), lunch_csv(district, agency_code="9" * 100_000))
    [error] = _problems(response)
    assert (error.column, error.message) == ("agency_code", "is 100,000 characters long; at most 20")
    response = _lunch_upload(client_for(sda_reviewer), lunch_csv(district, free="z" * 100_000))
    [error] = _problems(response)
    assert error.column == "free" and len(error.message) < 100


# --- Deleting a site something still uses: 409 -----------------------------------------------------


def test_deleting_a_site_an_order_uses_is_a_409_saying_what_holds_it(
    api_for, manager, district, site, mn_agency
):
    beans = catalog_item()
    fund(district)
    order = order_create(district=district, window=open_window(mn_agency, [beans]), user=manager)
    order_line_set(order_id=order.pk, catalog_item=beans, cases=10, delivery_site=site, user=manager)
    response = api_for(manager).delete(f"/api/v1/sites/{site.pk}/")
    assert response.status_code == 409
    assert response.json() == {
        "detail": "This site cannot be deleted: 1 order line still uses it. Nothing was deleted."
    }
    assert order.lines.filter(delivery_site=site).exists()


def test_deleting_a_coops_receiving_site_is_a_409(api_for, manager, district, site):
    CoopFactory(lead_district=district, receiving_site=site)
    response = api_for(manager).delete(f"/api/v1/sites/{site.pk}/")
    assert response.status_code == 409 and "1 co-op still uses it" in response.json()["detail"]


def test_deleting_a_site_in_a_shipment_plan_is_a_409(api_for, mn_agency, sda_reviewer):
    lab = build_lab(mn_agency)
    stored_plan(lab, sda_reviewer, trucks=1)
    district, manager = lab["districts"][1]  # a stop of truck 1, and an adjustment
    site = district.sites.get()
    response = api_for(manager).delete(f"/api/v1/sites/{site.pk}/")
    assert response.status_code == 409
    assert response.json()["detail"] == (
        "This site cannot be deleted: 1 plan adjustment and 1 plan stop still use it. Nothing was deleted."
    )
    assert district.sites.filter(pk=site.pk).exists()


def test_deleting_an_unused_site_still_works_and_outsiders_get_404(
    api_for, manager, outsider, district, site
):
    assert api_for(outsider).delete(f"/api/v1/sites/{site.pk}/").status_code == 404
    assert api_for(manager).delete(f"/api/v1/sites/{site.pk}/").status_code == 204


# --- Survey actions with a format suffix ----------------------------------------------------------


def test_survey_results_and_non_respondents_answer_with_a_json_suffix(
    api_for, sda_reviewer, manager, district, mn_agency
):
    from datetime import timedelta

    from django.utils import timezone

    beans = catalog_item()
    quiet = DistrictFactory(state_agency=mn_agency, name="Quiet Schools")
    now = timezone.now()
    survey = survey_open(state_agency=mn_agency, school_year=SY, title="Preferences", user=sda_reviewer,
                                  opens_at=now - timedelta(days=1), closes_at=now + timedelta(days=9))  # fmt: skip
    survey_respond(survey=survey, district=district, lines=[(beans, 120)], user=manager)
    api, url = api_for(sda_reviewer), f"/api/v1/surveys/{survey.pk}"
    results = api.get(f"{url}/results.json")
    assert results.status_code == 200 and results["Content-Type"] == "application/json"
    assert results.json() == api.get(f"{url}/results/").json()
    assert results.json()[0]["total_cases"] == 120
    missing = api.get(f"{url}/non_respondents.json")
    assert missing.status_code == 200 and [d["id"] for d in missing.json()] == [quiet.pk]
    assert api.get(f"{url}.json").json()["id"] == survey.pk
    assert api_for(manager).get(f"{url}/results.json").status_code == 403


def test_an_action_with_a_json_suffix_posts_too(api_for, manager, district, site, mn_agency):
    beans = catalog_item()
    fund(district)
    order = order_create(district=district, window=open_window(mn_agency, [beans]), user=manager)
    line = {"catalog_item": beans.pk, "cases": 10, "delivery_site": site.pk}
    response = api_for(manager).post(f"/api/v1/orders/{order.pk}/lines.json", line, format="json")
    assert response.status_code == 200 and len(response.json()["lines"]) == 1


# --- Thousands of bad rows: the first few hundred, the counts, a download ---------------------------


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def test_an_import_with_many_bad_rows_shows_the_first_200_counts_and_a_download(
    client_for, sda_reviewer, collab_admin, district, media
):
    from focus_lab.import_errors import MAX_SHOWN_ERRORS

    rows = "".join(f"MN,{district.agency_code},2018-19,lots,1,{'x' if n % 2 else 1}\n" for n in range(450))
    client = client_for(sda_reviewer)
    response = _lunch_upload(client, LUNCH_HEADER + rows)
    html = response.content.decode()
    problems = response.context["problems"]
    assert (problems.total, problems.bad_rows, len(problems.shown)) == (675, 450, MAX_SHOWN_ERRORS)
    assert problems.by_column == [("free", 450), ("paid", 225)]
    assert html.count("<tr><td>") == MAX_SHOWN_ERRORS  # not 675 rows of HTML
    assert "Nothing was imported: 675 problems to fix" in html and "450 lines with problems" in html
    assert "Showing the first 200 of 675." in html
    download = client.get(problems.download_url)
    assert download.status_code == 200 and download["Content-Type"] == "text/csv"
    lines = list(csv.reader(io.StringIO(csv_body(download))))  # opens with the BOM Excel needs
    assert lines[0] == ["line", "column", "message"] and len(lines) == 676
    assert lines[1] == ["2", "free", "“lots” is not a whole number"]
    # only the uploader fetches it; an altered link is a 404 too
    assert client_for(collab_admin).get(problems.download_url).status_code == 404
    assert client.get(problems.download_url.replace(":", "x", 1)).status_code == 404
    assert client_for(UserFactory()).get(problems.download_url).status_code == 404
    assert not LunchCount.objects.exists()


def test_a_few_bad_rows_are_all_shown_without_a_download(client_for, sda_reviewer, district, media):
    response = _lunch_upload(client_for(sda_reviewer), lunch_csv(district, free="lots"))
    problems = response.context["problems"]
    assert problems.total == 1 and problems.download_url is None and not problems.truncated
    assert not (media / "import-errors").exists()  # only the uploaded file is kept


def test_the_download_needs_a_login(client, sda_reviewer, media):
    from focus_lab.csv_import import RowError
    from focus_lab.import_errors import import_errors_store

    token = import_errors_store(errors=[RowError(2, "free", "=cmd|' /C calc'!A0")], user=sda_reviewer)
    url = reverse("import-errors-download", args=[token])
    assert client.get(url).status_code == 302
    client.force_login(sda_reviewer)
    body = csv_body(client.get(url))
    assert "'=cmd" in body  # a spreadsheet shows it as text, never runs it


def test_the_lunch_total_is_checked_on_the_model_too(district):
    from django.core.exceptions import ValidationError

    count = LunchCount(
        district=district, school_year="2018-19", free=200_000_000, reduced=200_000_000, paid=1
    )
    with pytest.raises(ValidationError, match="at most 300,000,000 lunches a year"):
        count.full_clean()


def test_expired_problem_lists_are_purged_by_the_hourly_task(sda_reviewer, media):
    """The download link lives 24 hours; the stored file goes with it (running again deletes
    nothing more). The CSV opens with the byte-order mark Excel needs."""
    import os
    import time

    from focus_lab.csv_import import RowError
    from focus_lab.import_errors import STORAGE_DIR, import_errors_store
    from focus_lab.tasks import import_errors_purge

    import_errors_store(errors=[RowError(2, "free", "old")], user=sda_reviewer)
    old = next((media / STORAGE_DIR).iterdir())
    assert old.read_bytes().startswith("\ufeff".encode())
    day_and_a_bit_ago = time.time() - 25 * 3600
    os.utime(old, (day_and_a_bit_ago, day_and_a_bit_ago))
    import_errors_store(errors=[RowError(3, "free", "new")], user=sda_reviewer)
    assert import_errors_purge.delay().get() == 1
    assert [p.name for p in (media / STORAGE_DIR).iterdir()] != [old.name]
    assert len(list((media / STORAGE_DIR).iterdir())) == 1
    assert import_errors_purge.delay().get() == 0
