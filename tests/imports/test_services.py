"""The pipeline end to end on lunch counts and the catalog: guessed and remembered mappings,
every problem by line and column with nothing written, all-or-nothing writes, the same file
refused, the same rows unchanged, undo, and tenancy (a reviewer writes only its state's SFAs)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from focus_lab.errors import DomainError
from focus_lab.imports import services
from focus_lab.imports.models import ImportMapping, ImportRun, RunStatus
from tests.factories import DistrictFactory
from tests.imports.conftest import claims_csv, claims_xlsx, upload
from tests.imports.files import csv_bytes
from usda_foods.models import CatalogItem, LunchCount

pytestmark = pytest.mark.django_db

GUESSED = {"state": 0, "agency_code": 1, "school_year": 2, "free": 3, "reduced": 4, "paid": 5}


def _check(run, user, columns=None, remember=False):
    return services.import_map(run=run, columns=columns or dict(run.mapping), remember=remember, user=user)


def test_claims_export_with_other_names_is_guessed_and_imported(lunch_kind, sda_reviewer, district):
    run = upload(lunch_kind, claims_xlsx(district), user=sda_reviewer)
    assert run.header_line == 3 and run.row_count == 1  # title skipped, totals skipped
    assert run.mapping == GUESSED
    assert run.headers[6] == "Sponsor Name"
    run = _check(run, sda_reviewer)
    assert run.status == RunStatus.VALID, run.problems
    assert run.details["preview"][0][:4] == ["4", "MN", district.agency_code, "2024-25"]
    run = services.import_confirm(run=run, user=sda_reviewer)
    assert (run.status, run.created, run.updated, run.unchanged) == (RunStatus.DONE, 1, 0, 0)
    count = LunchCount.objects.get(district=district, school_year="2024-25")
    assert (count.free, count.reduced, count.paid) == (412_000, 61_500, 530_250)
    assert run.file.read()[:2] == b"PK"  # the file is kept


def test_every_problem_by_line_and_column_and_nothing_written(
    lunch_kind, sda_reviewer, district, other_district
):
    rows = [
        ["State", "Agency code", "School year", "Free", "Reduced price", "Paid"],
        ["MN", district.agency_code, "2024-25", "12.5", "1", "1"],  # 2: not whole
        ["Minnesota", district.agency_code, "2023-24", "1", "1", "1"],  # 3: state
        ["MN", district.agency_code, "2024", "1", "1", "1"],  # 4: school year
        ["WI", other_district.agency_code, "2024-25", "1", "1", "1"],  # 5: not the reviewer's state
        ["MN", district.agency_code, "2022-23", "", "1", "-4"],  # 6: required, minimum
        ["MN", district.agency_code, "2021-22", "1", "1", "1"],  # 7: fine
        ["MN", district.agency_code, "2021-22", "1", "1", "1"],  # 8: repeat of 7
        ["MN", "99999", "2021-22", "1", "1", "1"],  # 9: no such SFA
    ]
    run = _check(upload(lunch_kind, csv_bytes(rows), user=sda_reviewer, name="counts.csv"), sda_reviewer)
    assert run.status == RunStatus.INVALID
    problems = {(line, column): message for line, column, message in run.problems}
    assert problems[(2, "Free")] == "“12.5” is not a whole number"
    assert problems[(3, "State")] == "“MINNESOTA” is not a two-letter state code"
    assert "School year" in {c for (line, c) in problems if line == 4}
    assert "whose counts you record" in problems[(5, "Agency code")]
    assert problems[(6, "Free")] == "is required" and problems[(6, "Paid")] == "must be at least 0"
    assert problems[(8, "School year")].endswith("is already on line 7")
    assert "no SFA with code 99999" in problems[(9, "Agency code")]
    assert run.problem_rows == 7
    with pytest.raises(DomainError, match="has problems"):
        services.import_confirm(run=run, user=sda_reviewer)
    assert not LunchCount.objects.exists()


def test_the_same_file_is_refused_naming_the_earlier_import(lunch_kind, sda_reviewer, district):
    data = claims_xlsx(district)
    first = services.import_confirm(
        run=_check(upload(lunch_kind, data, user=sda_reviewer), sda_reviewer), user=sda_reviewer
    )
    with pytest.raises(DomainError, match=f"already imported: import #{first.pk}, .*1 rows"):
        upload(lunch_kind, data, user=sda_reviewer)


def test_the_same_rows_again_change_nothing(lunch_kind, sda_reviewer, district):
    services.import_confirm(run=_check(upload(lunch_kind, claims_xlsx(district), user=sda_reviewer), sda_reviewer),
                            user=sda_reviewer)  # fmt: skip
    again = upload(lunch_kind, claims_csv(district), user=sda_reviewer, name="claims.csv")
    again = services.import_confirm(run=_check(again, sda_reviewer), user=sda_reviewer)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1)


def test_mapping_is_remembered_per_source(lunch_kind, sda_reviewer, district):
    rows = [["Code", "Yr", "F", "R", "P", "ST"], [district.agency_code, "2024-25", 1, 2, 3, "MN"]]
    run = upload(lunch_kind, csv_bytes(rows), user=sda_reviewer, name="odd.csv", source="MDE Claims")
    assert "free" not in run.mapping  # nothing to guess from "F"
    chosen = {"agency_code": 0, "school_year": 1, "free": 2, "reduced": 3, "paid": 4, "state": 5}
    run = _check(run, sda_reviewer, chosen, remember=True)
    assert run.status == RunStatus.VALID
    assert (
        ImportMapping.objects.get(owner=sda_reviewer, kind="lunch-counts", source="mde claims").columns["F"]
        == "free"
    )
    rows[1][1] = "2023-24"
    same_source = upload(
        lunch_kind, csv_bytes(rows), user=sda_reviewer, name="odd2.csv", source="mde claims "
    )
    assert same_source.mapping == chosen and same_source.details["remembered"]
    other_source = upload(lunch_kind, csv_bytes(rows), user=sda_reviewer, name="odd3.csv", source="Other")
    assert "free" not in other_source.mapping


def test_a_mapping_missing_a_required_field_or_using_a_column_twice_is_refused(
    lunch_kind, sda_reviewer, district
):
    run = upload(lunch_kind, claims_xlsx(district), user=sda_reviewer)
    with pytest.raises(DomainError, match="“Free”: it is required"):
        _check(run, sda_reviewer, {**GUESSED, "free": None})
    with pytest.raises(DomainError, match="chosen for both"):
        _check(run, sda_reviewer, {**GUESSED, "paid": 3})


def test_undo_deletes_created_and_restores_updated(lunch_kind, sda_reviewer, district):
    LunchCount.objects.create(district=district, school_year="2023-24", free=1, reduced=1, paid=1)
    rows = [["State", "Agency code", "School year", "Free", "Reduced", "Paid"],
            ["MN", district.agency_code, "2023-24", 5, 5, 5], ["MN", district.agency_code, "2024-25", 7, 7, 7]]  # fmt: skip
    run = services.import_confirm(run=_check(upload(lunch_kind, csv_bytes(rows), user=sda_reviewer, name="u.csv"),
                                             sda_reviewer), user=sda_reviewer)  # fmt: skip
    assert (run.created, run.updated) == (1, 1)
    run = services.import_undo(run=run, user=sda_reviewer)
    assert run.status == RunStatus.UNDONE and run.undone_by == sda_reviewer
    assert list(LunchCount.objects.values_list("school_year", "free")) == [("2023-24", 1)]
    with pytest.raises(DomainError, match="Only a finished import can be undone"):
        services.import_undo(run=run, user=sda_reviewer)
    # undone, the same file may come in again
    again = upload(lunch_kind, csv_bytes(rows), user=sda_reviewer, name="u.csv")
    assert services.import_confirm(run=_check(again, sda_reviewer), user=sda_reviewer).updated == 1


def test_undo_waits_for_a_later_import_of_the_same_kind(lunch_kind, sda_reviewer, district):
    first = services.import_confirm(run=_check(upload(lunch_kind, claims_xlsx(district), user=sda_reviewer),
                                               sda_reviewer), user=sda_reviewer)  # fmt: skip
    later = upload(lunch_kind, claims_xlsx(district, free=1), user=sda_reviewer)
    later = services.import_confirm(run=_check(later, sda_reviewer), user=sda_reviewer)
    with pytest.raises(
        DomainError, match=f"Import #{later.pk} came after this one and changed the same rows"
    ):
        services.import_undo(run=first, user=sda_reviewer)
    other = upload(lunch_kind, claims_xlsx(district, year="2020-21"), user=sda_reviewer)  # other rows
    services.import_confirm(run=_check(other, sda_reviewer), user=sda_reviewer)
    services.import_undo(run=later, user=sda_reviewer)
    assert services.import_undo(run=first, user=sda_reviewer).status == RunStatus.UNDONE


def test_roles_that_do_not_record_counts_cannot_import(lunch_kind, manager, district):
    with pytest.raises(DomainError, match="cannot import lunch counts"):
        upload(lunch_kind, claims_xlsx(district), user=manager)


def test_a_reviewer_writes_only_its_states_sfas(lunch_kind, sda_reviewer, district):
    wi = DistrictFactory(state_agency__state="WI", agency_code=district.agency_code + "9")
    rows = [["State", "Agency code", "School year", "Free", "Reduced", "Paid"],
            ["MN", district.agency_code, "2024-25", 1, 1, 1], ["WI", wi.agency_code, "2024-25", 1, 1, 1]]  # fmt: skip
    run = _check(upload(lunch_kind, csv_bytes(rows), user=sda_reviewer, name="t.csv"), sda_reviewer)
    assert run.status == RunStatus.INVALID
    assert [(p[0], p[1]) for p in run.problems] == [(3, "Agency code")]
    assert not LunchCount.objects.exists()


def test_rows_that_stop_passing_after_the_preview_write_nothing(lunch_kind, sda_reviewer, district):
    run = _check(upload(lunch_kind, claims_xlsx(district), user=sda_reviewer), sda_reviewer)
    district.agency_code = "changed"
    district.save()
    run = services.import_confirm(run=run, user=sda_reviewer)
    assert run.status == RunStatus.INVALID and "no longer pass" in run.message
    assert not LunchCount.objects.exists()


CATALOG = ["School year", "Material code", "Description", "Category", "Pack", "Net case weight (lb)",
           "Cases per truckload", "Unit price ($ per case)", "Bulk"]  # fmt: skip


def test_catalog_codes_are_digits_and_prices_as_typed(catalog_kind, reference_editor):
    rows = [CATALOG, ["2025-26", "100117", "Apples", "Fruit", "40 lb", "40", "1,000", "$21.50", "no"],
            ["2025-26", "ABC-1", "Pears", "fruit", "40 lb", "40.001", "1000", "(2.00)", "maybe"]]  # fmt: skip
    run = _check(upload(catalog_kind, csv_bytes(rows), user=reference_editor, name="c.csv"), reference_editor)
    problems = {(line, column): message for line, column, message in run.problems}
    assert problems == {
        (3, "Material code"): "“ABC-1” is not a code of digits",
        (3, "Unit price ($ per case)"): "must be at least 0",
        (3, "Bulk"): "“maybe” is not yes or no (true or false)",
        (
            3,
            "Net case weight (lb)",
        ): "“40.001” has more than two decimal places",  # checked though the row is bad
    }
    rows.pop()
    run = _check(upload(catalog_kind, csv_bytes(rows), user=reference_editor, name="c.csv"), reference_editor)
    run = services.import_confirm(run=run, user=reference_editor)
    item = CatalogItem.objects.get()
    assert (item.material_code, item.unit_price, item.cases_per_truckload, item.category) == (
        "100117", Decimal("21.50"), 1000, "fruit")  # fmt: skip


def test_catalog_undo_is_refused_while_a_window_offers_its_foods(catalog_kind, reference_editor, mn_agency):
    from tests.usda_foods.ordering_fixtures import open_window

    rows = [CATALOG, ["2025-26", "100117", "Apples", "fruit", "40 lb", "40", "1000", "21.50", ""]]
    run = services.import_confirm(run=_check(upload(catalog_kind, csv_bytes(rows), user=reference_editor,
                                                    name="c.csv"), reference_editor), user=reference_editor)  # fmt: skip
    open_window(mn_agency, list(CatalogItem.objects.all()))
    with pytest.raises(DomainError, match="order windows"):
        services.import_undo(run=run, user=reference_editor)
    assert CatalogItem.objects.count() == 1
    assert ImportRun.objects.get(pk=run.pk).status == RunStatus.DONE


def test_a_long_file_runs_in_the_background_and_emails(lunch_kind, sda_reviewer, district, settings, mailoutbox,
                                                       django_capture_on_commit_callbacks, monkeypatch):  # fmt: skip
    monkeypatch.setattr(services, "BACKGROUND_ROWS", 0)
    run = upload(lunch_kind, claims_xlsx(district), user=sda_reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        run = _check(run, sda_reviewer)
    run.refresh_from_db()
    assert run.status == RunStatus.VALID and run.job.status == "done"
    assert "ready to import" in mailoutbox[-1].subject
    with django_capture_on_commit_callbacks(execute=True):
        services.import_confirm(run=run, user=sda_reviewer)
    run.refresh_from_db()
    assert run.status == RunStatus.DONE and run.job.message == "1 created, 0 updated, 0 unchanged."
    assert mailoutbox[-1].to == [sda_reviewer.email] and "imported" in mailoutbox[-1].subject


def test_two_uploads_of_one_file_import_once(lunch_kind, sda_reviewer, district):
    data = claims_xlsx(district)
    first, second = (_check(upload(lunch_kind, data, user=sda_reviewer), sda_reviewer) for _ in range(2))
    services.import_confirm(run=first, user=sda_reviewer)
    with pytest.raises(DomainError, match=f"import #{first.pk}"):
        services.import_confirm(run=second, user=sda_reviewer)
    # past the service's check (a race), the database's unique index refuses the second
    ImportRun.objects.filter(pk=second.pk).update(status=RunStatus.WRITING)
    second = services.import_write(run_id=second.pk)
    assert second.status == RunStatus.FAILED and f"import #{first.pk}" in second.message
    assert LunchCount.objects.count() == 1


def test_import_file_in_one_call_with_our_own_columns(lunch_kind, sda_reviewer, district):
    import io

    rows = [["state", "agency_code", "school_year", "free", "reduced", "paid"],
            ["MN", district.agency_code, "2024-25", 1, 2, 3]]  # fmt: skip
    run = services.import_file(
        kind=lunch_kind, file=io.BytesIO(csv_bytes(rows)), filename="a.csv", user=sda_reviewer
    )
    assert (run.status, run.created) == (RunStatus.DONE, 1)
    rows[1][3] = "x"
    run = services.import_file(
        kind=lunch_kind, file=io.BytesIO(csv_bytes(rows)), filename="b.csv", user=sda_reviewer
    )
    assert run.status == RunStatus.INVALID and run.problems == [[2, "free", "“x” is not a whole number"]]
    with pytest.raises(DomainError, match="missing column.s. Reduced price, Paid; the header must name"):
        services.import_file(kind=lunch_kind, file=io.BytesIO(csv_bytes([r[:4] for r in rows])), filename="c.csv",
                             user=sda_reviewer)  # fmt: skip


def test_import_file_of_a_long_file_imports_in_the_background_once_checked(
    lunch_kind, sda_reviewer, district, monkeypatch, django_capture_on_commit_callbacks, mailoutbox
):
    import io

    monkeypatch.setattr(services, "BACKGROUND_ROWS", 0)
    with django_capture_on_commit_callbacks(execute=True):
        run = services.import_file(kind=lunch_kind, file=io.BytesIO(claims_xlsx(district)), filename="a.xlsx",
                                   user=sda_reviewer)  # fmt: skip
    run.refresh_from_db()
    assert (run.status, run.created) == (RunStatus.DONE, 1)
    assert [m.subject for m in mailoutbox] == ["Lunch counts imported: a.xlsx"]


def test_a_remembered_mapping_is_its_owners_only(lunch_kind, sda_reviewer, district, mn_agency):
    from accounts.models import Role
    from tests.factories import member

    colleague = member(Role.SDA_REVIEWER, mn_agency, email="colleague@mn.example")
    rows = [["Code", "Yr", "F", "R", "P", "ST"], [district.agency_code, "2024-25", 1, 2, 3, "MN"]]
    run = upload(lunch_kind, csv_bytes(rows), user=sda_reviewer, name="odd.csv", source="MDE Claims")
    _check(run, sda_reviewer, {"agency_code": 0, "school_year": 1, "free": 2, "reduced": 3, "paid": 4, "state": 5},
           remember=True)  # fmt: skip
    theirs = upload(lunch_kind, csv_bytes(rows), user=colleague, name="odd.csv", source="MDE Claims")
    assert "free" not in theirs.mapping and not theirs.details["remembered"]
    assert ImportRun.objects.for_user(colleague).count() == 1  # and each sees only their own imports


def test_set_based_updates_record_each_changed_row_with_who_and_why(lunch_kind, sda_reviewer, district):
    """The import updates many counts in one statement; the statement-level audit trigger still
    records one event a changed row (none for an unchanged one), labelled with the importer and
    the action, and undo is recorded the same way."""
    other = DistrictFactory(state_agency=district.state_agency)
    kept = LunchCount.objects.create(district=other, school_year="2023-24", free=2, reduced=2, paid=2)
    counts = LunchCount.objects.create(district=district, school_year="2023-24", free=1, reduced=1, paid=1)
    before = counts.updated_at
    rows = [["State", "Agency code", "School year", "Free", "Reduced", "Paid"],
            ["MN", district.agency_code, "2023-24", 5, 6, 7], ["MN", other.agency_code, "2023-24", 2, 2, 2]]  # fmt: skip
    run = services.import_confirm(run=_check(upload(lunch_kind, csv_bytes(rows), user=sda_reviewer, name="a.csv"),
                                             sda_reviewer), user=sda_reviewer)  # fmt: skip
    assert (run.updated, run.unchanged) == (1, 1)
    counts.refresh_from_db()
    assert (counts.free, counts.reduced, counts.paid) == (5, 6, 7) and counts.updated_at > before
    [event] = counts.events.filter(pgh_label="update")
    assert (event.free, event.reduced, event.paid) == (5, 6, 7)
    assert event.pgh_context.metadata == {"user": sda_reviewer.pk, "action": "lunch_counts_import"}
    assert not kept.events.filter(pgh_label="update").exists()

    services.import_undo(run=run, user=sda_reviewer)
    undone = counts.events.filter(pgh_label="update").order_by("-pgh_id").first()
    assert (undone.free, undone.reduced, undone.paid) == (1, 1, 1)
    assert undone.pgh_context.metadata == {"user": sda_reviewer.pk, "action": "lunch_counts_import_undo"}
