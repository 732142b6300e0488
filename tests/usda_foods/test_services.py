"""Entitlement services on real PostgreSQL: recompute, corrections, PAL, the drawdown ledger and
the lunch-count import."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, connection, transaction
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from districts.models import District
from focus_lab.errors import DomainError
from tests.factories import DistrictFactory
from usda_foods.entitlements.services.drawdowns import drawdown_finalize, drawdown_post, drawdown_release
from usda_foods.entitlements.services.entitlements import (
    RecomputeResult,
    entitlement_set_pal,
    entitlements_recompute,
    recompute_scope,
    recompute_start,
)
from usda_foods.entitlements.services.lunch_counts import lunch_count_save, lunch_counts_import
from usda_foods.entitlements.services.reference import per_meal_value_create, reference_value_save
from usda_foods.models import (
    Drawdown,
    DrawdownStatus,
    Entitlement,
    LunchCount,
    PerMealValue,
    Section4Payment,
)

pytestmark = pytest.mark.django_db

SY = "2019-20"  # per-meal value 23.75 cents (seeded by migration), rates 3.41 / 3.01 / 0.32


def lunches(district: District, year: str, free: int, reduced: int, paid: int) -> LunchCount:
    return LunchCount.objects.create(
        district=district, school_year=year, free=free, reduced=reduced, paid=paid
    )


def recompute(*districts: District, year: str = SY) -> RecomputeResult:
    return entitlements_recompute(
        school_year=year, districts=District.objects.filter(pk__in=[d.pk for d in districts])
    )


def entitlement(district: District, year: str = SY) -> Entitlement:
    return Entitlement.objects.get(district=district, school_year=year)


def test_cov_uses_the_prior_years_lunches(district):
    lunches(district, "2018-19", 600_000, 100_000, 300_000)  # 1,000,000 lunches in SY2018-19
    lunches(district, SY, 1, 1, 1)  # this year's own count must not drive the COV
    recompute(district)
    row = entitlement(district)
    # 23.75 cents x 1,000,000 = $237,500.00
    assert row.commodity_offer_value == Decimal("237500.00")
    assert row.prior_year_lunches == 1_000_000
    assert row.planned_assistance_level == Decimal("237500.00")
    assert row.missing == []


def test_rounds_half_up_once(district):
    lunches(district, "2018-19", 6, 0, 0)  # 23.75 x 6 = 142.5 cents = $1.425 -> $1.43 (banker's: $1.42)
    recompute(district)
    assert entitlement(district).commodity_offer_value == Decimal("1.43")


def test_missing_inputs_are_reported_never_zero(district):
    recompute(district)
    row = entitlement(district)
    assert row.commodity_offer_value is None and row.planned_assistance_level is None
    assert any("2018-19" in reason for reason in row.missing)
    recompute(district, year="2030-31")  # no per-meal value published for that year
    assert any("per-meal value" in r.lower() for r in entitlement(district, "2030-31").missing)


def test_a_correction_supersedes_and_recomputes(district, django_capture_on_commit_callbacks):
    lunches(district, "2005-06", 1000, 0, 0)
    recompute(district, year="2006-07")
    # 2006-07: first published 16.75, corrected to 17.00 (both seeded): 17.00 x 1000 = $170.00
    assert entitlement(district, "2006-07").commodity_offer_value == Decimal("170.00")
    with django_capture_on_commit_callbacks(execute=True):
        per_meal_value_create(school_year="2006-07", cents=Decimal("17.25"), citation="Second correction",
                                       published_on=date(2007, 9, 1), user=None)  # fmt: skip
    assert entitlement(district, "2006-07").commodity_offer_value == Decimal("172.50")
    assert PerMealValue.objects.filter(school_year="2006-07").count() == 3  # history kept


def test_non_quarter_cent_value_is_refused(db):
    with pytest.raises(DomainError) as excinfo:
        per_meal_value_create(school_year="2020-21", cents=Decimal("23.70"), citation="x",
                                       published_on=date(2020, 7, 1), user=None)  # fmt: skip
    assert excinfo.value.field == "cents" and "1/4 cent" in excinfo.value.message
    assert not PerMealValue.objects.filter(school_year="2020-21").exists()


def test_commodity_school_adds_section_4(district):
    district.is_commodity_school = True
    district.save()
    Section4Payment.objects.create(school_year=SY, cents=Decimal("8.50"), citation="FR notice")
    lunches(district, "2018-19", 1000, 0, 0)
    recompute(district)
    # (23.75 + 8.50) cents x 1000 = $322.50
    assert entitlement(district).commodity_offer_value == Decimal("322.50")


def test_twelve_percent_check_is_stored(district):
    lunches(district, "2018-19", 1000, 0, 0)
    lunches(district, SY, 100, 50, 200)
    recompute(district)
    row = entitlement(district)
    # cash = 100 x 3.41 + 50 x 3.01 + 200 x 0.32 = 341 + 150.50 + 64 = $555.50; C = COV = $237.50
    assert row.twelve_cash == Decimal("555.50")
    assert row.twelve_usda_foods == Decimal("237.50")
    # share = 237.50 / 793.00 = 0.29949... -> 0.2995; needed = 0.12/0.88 x 555.50 = 75.75
    assert row.twelve_share == Decimal("0.2995")
    assert row.twelve_needed == Decimal("75.75")


def test_recompute_twice_changes_nothing(district, other_district):
    lunches(district, "2018-19", 1000, 0, 0)
    first = recompute(district, other_district)
    assert (first.created, first.updated) == (2, 0)
    second = recompute(district, other_district)
    assert (second.created, second.updated, second.unchanged) == (0, 0, 2)


def test_recompute_keeps_the_ledger_and_records_history(district, sda_reviewer):
    lunches(district, "2018-19", 10_000, 0, 0)
    recompute(district)
    row = entitlement(district)
    drawdown_post(entitlement_id=row.pk, amount=Decimal("100.00"), user=None)
    lunch_count_save(
        district=district, school_year="2018-19", free=20_000, reduced=0, paid=0, user=sda_reviewer
    )
    row.refresh_from_db()
    assert row.commodity_offer_value == Decimal("4750.00")
    assert row.drawn == Decimal("100.00")
    events = list(row.events.order_by("pgh_id").values_list("commodity_offer_value", "pgh_context__metadata"))
    assert events[-1][0] == Decimal("4750.00")
    assert events[-1][1]["user"] == sda_reviewer.pk  # who changed it, through the lunch-count save
    assert LunchCount.objects.get(district=district).events.count() == 2  # created, then changed


def test_recompute_runs_bounded_queries_whatever_the_number_of_districts(collaborative, mn_agency):
    def run(n: int) -> int:
        made = DistrictFactory.create_batch(n, collaborative=collaborative, state_agency=mn_agency)
        LunchCount.objects.bulk_create(
            [LunchCount(district=d, school_year="2018-19", free=1000, reduced=10, paid=5) for d in made]
        )
        with CaptureQueriesContext(connection) as ctx:
            result = recompute(*made)
        assert result.created == n
        return len(ctx.captured_queries)

    assert run(5) == run(60)


def test_sda_sets_a_pal_above_the_cov_with_a_reason(district, sda_reviewer):
    lunches(district, "2018-19", 1000, 0, 0)
    recompute(district)
    row = entitlement_set_pal(entitlement=entitlement(district), amount=Decimal("300"),
                                       reason="Bonus dollars", user=sda_reviewer)  # fmt: skip
    assert (row.planned_assistance_level, row.pal_overridden, row.pal_set_by) == (
        Decimal("300.00"),
        True,
        sda_reviewer,
    )
    recompute(district)  # a recompute keeps the SDA's PAL
    assert entitlement(district).planned_assistance_level == Decimal("300.00")


@pytest.mark.parametrize(("amount", "reason", "message"), [
    (Decimal("100"), "why", "below the commodity offer value"),
    (Decimal("300"), "  ", "Say why"),
])  # fmt: skip
def test_pal_refusals(district, sda_reviewer, amount, reason, message):
    lunches(district, "2018-19", 1000, 0, 0)
    recompute(district)
    with pytest.raises(DomainError, match=message):
        entitlement_set_pal(
            entitlement=entitlement(district), amount=amount, reason=reason, user=sda_reviewer
        )
    assert entitlement(district).pal_overridden is False


def _funded(district: District, lunch_total: int = 1000) -> Entitlement:
    lunches(district, "2018-19", lunch_total, 0, 0)
    recompute(district)
    return entitlement(district)  # $237.50 for 1,000 lunches


def test_drawdown_reduces_remaining_and_refuses_overdraw(district):
    row = _funded(district)
    drawdown_post(entitlement_id=row.pk, amount=Decimal("200.00"), user=None)
    with pytest.raises(DomainError, match=r"\$37.50 remaining"):
        drawdown_post(entitlement_id=row.pk, amount=Decimal("37.51"), user=None)
    drawdown_post(entitlement_id=row.pk, amount=Decimal("37.50"), user=None)
    row.refresh_from_db()
    assert row.remaining == Decimal("0.00")


def test_release_gives_the_amount_back_and_is_idempotent(district):
    row = _funded(district)
    drawdown = drawdown_post(entitlement_id=row.pk, amount=Decimal("100"), user=None)
    drawdown_release(drawdown_id=drawdown.pk, user=None)
    drawdown_release(drawdown_id=drawdown.pk, user=None)
    row.refresh_from_db()
    assert row.drawn == Decimal("0.00")
    assert Drawdown.objects.get(pk=drawdown.pk).status == DrawdownStatus.CANCELLED
    with pytest.raises(DomainError):
        drawdown_finalize(drawdown_id=drawdown.pk, user=None)


def test_finalize_keeps_the_amount_drawn(district):
    row = _funded(district)
    drawdown = drawdown_post(entitlement_id=row.pk, amount=Decimal("100"), user=None)
    drawdown_finalize(drawdown_id=drawdown.pk, user=None)
    drawdown_finalize(drawdown_id=drawdown.pk, user=None)
    row.refresh_from_db()
    assert row.drawn == Decimal("100.00")
    with pytest.raises(DomainError):
        drawdown_release(drawdown_id=drawdown.pk, user=None)


def test_no_drawdown_without_an_allocation(district):
    recompute(district)
    with pytest.raises(DomainError, match="no planned assistance level"):
        drawdown_post(entitlement_id=entitlement(district).pk, amount=Decimal("1"), user=None)


def test_the_database_refuses_an_overdraw_even_past_the_service(district):
    row = _funded(district)
    with pytest.raises(IntegrityError), transaction.atomic():
        Entitlement.objects.filter(pk=row.pk).update(drawn=Decimal("237.51"))


# --- Lunch-count import -------------------------------------------------------------------------

GOOD = """state,agency_code,school_year,free,reduced,paid
MN,{a},2018-19,"600,000",100000,300000
MN,{a},2019-20,1,2,3
"""


def test_import_writes_all_rows_and_recomputes(district, sda_reviewer):
    report = lunch_counts_import(data=GOOD.format(a=district.agency_code), user=sda_reviewer)
    assert report.ok and (report.created, report.updated, report.unchanged) == (2, 0, 0)
    assert LunchCount.objects.get(district=district, school_year="2018-19").total == 1_000_000
    assert entitlement(district).commodity_offer_value == Decimal("237500.00")


def test_reimport_changes_nothing(district, sda_reviewer):
    data = GOOD.format(a=district.agency_code)
    first = lunch_counts_import(data=data, user=sda_reviewer)
    before = list(LunchCount.objects.values_list("id", "free", "updated_at"))
    refused = lunch_counts_import(data=data, user=sda_reviewer)  # the same file is imported once
    assert f"already imported: import #{first.run.pk}" in refused.errors[0].message
    report = lunch_counts_import(data=data + "\n", user=sda_reviewer)  # the same rows, another file
    assert (report.created, report.updated, report.unchanged) == (0, 0, 2)
    assert list(LunchCount.objects.values_list("id", "free", "updated_at")) == before


def test_import_reports_every_bad_row_and_writes_none(district, other_district, sda_reviewer):
    data = (
        "state,agency_code,school_year,free,reduced,paid\n"
        f"MN,{district.agency_code},2018-19,10,10,10\n"  # good, but must not be written
        f"MN,{district.agency_code},2019-2020,ten,-1,5\n"  # three bad cells
        f"WI,{other_district.agency_code},2018-19,1,1,1\n"  # not this reviewer's state
        f"MN,{district.agency_code},2018-19,1,1,1\n"  # repeats line 2
        "M,,2018-19,1,1,\n"
    )
    report = lunch_counts_import(data=data, user=sda_reviewer)
    assert not report.ok
    found = {(e.line, e.column) for e in report.errors}
    assert {(3, "school_year"), (3, "free"), (3, "reduced"), (4, "agency_code"), (5, "school_year"),
            (6, "state"), (6, "agency_code"), (6, "paid")} <= found  # fmt: skip
    assert LunchCount.objects.count() == 0
    assert "line 3, column free: “ten” is not a whole number" in [str(e) for e in report.errors]


@pytest.mark.parametrize(("data", "message"), [
    ("", "empty"),
    ("state,agency_code,school_year,free\nMN,1,2018-19,4\n", "missing column"),
    # a column we do not know is left out (the pipeline lists it), not refused
    ("state,agency_code,school_year,free,reduced,paid,colour\n", "no rows"),
    ("state,agency_code,school_year,free,reduced,paid\n", "no rows"),
])  # fmt: skip
def test_import_file_level_errors(district, sda_reviewer, data, message):
    report = lunch_counts_import(data=data, user=sda_reviewer)
    assert not report.ok and message in report.errors[0].message


def test_viewer_cannot_import(district, viewer):
    report = lunch_counts_import(data=GOOD.format(a=district.agency_code), user=viewer)
    assert not report.ok and LunchCount.objects.count() == 0


# --- Recompute scope and jobs -------------------------------------------------------------------


def test_recompute_job_for_a_state(district, sda_reviewer, django_capture_on_commit_callbacks):
    lunches(district, "2018-19", 1000, 0, 0)
    with django_capture_on_commit_callbacks(execute=True):
        job = recompute_start(user=sda_reviewer, school_year=SY, state="MN")
    job.refresh_from_db()
    assert job.status == "done" and job.result["created"] == 1 and job.percent == 100
    from usda_foods.entitlements.tasks import entitlements_recompute_job

    entitlements_recompute_job.delay(job.pk)  # a second delivery does nothing
    job.refresh_from_db()
    assert job.result["created"] == 1


def test_recompute_scope_refuses_other_states_and_labs(sda_reviewer, collab_admin, other_district, district):
    with pytest.raises(Http404):  # none of its SFAs is theirs to see
        recompute_scope(user=sda_reviewer, school_year=SY, state="WI")
    with pytest.raises(Http404):
        recompute_scope(user=collab_admin, school_year=SY, collaborative=other_district.collaborative_id)
    DistrictFactory(state_agency=district.state_agency)  # a Minnesota SFA outside the lab
    with pytest.raises(PermissionDenied):  # sees the state's SFA of its lab, may not recompute the state
        recompute_scope(user=collab_admin, school_year=SY, state="MN")
    assert list(recompute_scope(user=collab_admin, school_year=SY,
                                         collaborative=district.collaborative_id)) == [district]  # fmt: skip
    with pytest.raises(DomainError):
        recompute_scope(user=sda_reviewer, school_year="2019", state="MN")


def test_only_the_state_agency_sets_the_pal(district, collab_admin):
    lunches(district, "2018-19", 1000, 0, 0)
    recompute(district)
    with pytest.raises(PermissionDenied, match="Only the state agency's reviewers"):
        entitlement_set_pal(
            entitlement=entitlement(district), amount=Decimal("300"), reason="x", user=collab_admin
        )


def test_saving_a_rate_recomputes_the_twelve_percent_check(
    district, reference_editor, django_capture_on_commit_callbacks
):
    from usda_foods.models import ReimbursementRate

    PerMealValue.objects.create(
        school_year="2030-31", cents=Decimal("30.00"), citation="FR", published_on=date(2030, 7, 1)
    )
    lunches(district, "2029-30", 1000, 0, 0)
    lunches(district, "2030-31", 100, 0, 0)
    recompute(district, year="2030-31")
    assert entitlement(district, "2030-31").twelve_cash is None
    with django_capture_on_commit_callbacks(execute=True):
        for category, dollars in (("free", "5.00"), ("reduced", "4.60"), ("paid", "0.50")):
            reference_value_save(
                value=ReimbursementRate(
                    school_year="2030-31", category=category, dollars=Decimal(dollars), citation="FR"
                ),
                user=reference_editor,
            )
    assert entitlement(district, "2030-31").twelve_cash == Decimal("500.00")  # 100 free lunches x $5.00
