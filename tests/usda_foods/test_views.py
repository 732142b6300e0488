"""USDA Foods pages: each renders for its users, outsiders get 404, forms refuse what the services
refuse and write nothing, imports report every bad cell, and the entitlement tables cost a constant
number of queries. Real services throughout (no mocks); SY 2019-20 uses the seeded 23.75 cents."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Membership, Role
from focus_lab.jobs.models import BackgroundJob, JobStatus
from tests.conftest import ROLE_FIXTURES
from tests.exports import XLSX, csv_body, xlsx_rows
from tests.factories import CollaborativeFactory, DistrictFactory, PartnerFactory, UserFactory, member
from tests.imports.flow import import_through_pages
from tests.usda_foods.helpers import COV, PRIOR, YEAR, compute, entitlement, lunch_count
from usda_foods.entitlements.school_years import current_school_year
from usda_foods.entitlements.services.drawdowns import drawdown_post
from usda_foods.entitlements.services.entitlements import entitlement_set_pal
from usda_foods.models import (
    Entitlement,
    LunchCount,
    PerMealValue,
    ReimbursementRate,
    Section4Payment,
)

pytestmark = pytest.mark.django_db


def detail_url(district, year: str = YEAR) -> str:
    return reverse("usda_foods:entitlement-detail", args=[district.pk, year])


def state_url(state: str = "MN", **params: str) -> str:
    url = reverse("usda_foods:state-entitlements", args=[state])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")


def collab_url(collaborative, **params: str) -> str:
    url = reverse("usda_foods:collaborative-entitlements", args=[collaborative.pk])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")


def html_of(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


# --- Every page renders for its users ------------------------------------------------------------


@pytest.mark.parametrize("role", ROLE_FIXTURES)
def test_entitlement_page_shows_the_figures_chart_ledger_and_inputs(
    request, client_for, role, district, partner
):
    e = entitlement(district, with_current_year=True)
    drawdown_post(entitlement_id=e.pk, amount=Decimal("12345.67"), user=None, reference="PO-1")
    user = request.getfixturevalue(role)

    html = html_of(client_for(user).get(detail_url(district)))

    assert "$237,500.00" in html  # COV (= PAL): 23.75 cents x 1,000,000 lunches
    assert "$12,345.67" in html and "PO-1" in html  # the ledger
    assert "$225,154.33" in html  # remaining
    assert "5.20%" in html  # utilisation
    assert 'id="drawdown-chart"' in html and 'id="drawdown-data"' in html
    assert "entitlement_chart.js" in html and "vendor/chartjs/chart.umd.min.js" in html
    assert "23.75¢" in html and "Federal Register notice, July 2019" in html
    assert "1,000,000" in html  # prior-year lunches
    # 12 percent share: cash 580,000 x 3.41 + 110,000 x 3.01 + 320,000 x 0.32 = $2,411,300.00
    assert "8.97%" in html and "$2,411,300.00" in html
    assert "42 USC 1755(e)" in html and "never a failure" in html
    assert ("Set the PAL" in html) == (role == "sda_reviewer")  # the PAL is the state agency's


def test_entitlement_page_chart_data_is_the_cumulative_series(client_for, sda_reviewer, district):
    e = entitlement(district)
    for amount in ("100.00", "250.50"):
        drawdown_post(entitlement_id=e.pk, amount=Decimal(amount), user=None)
    response = client_for(sda_reviewer).get(detail_url(district))
    chart = response.context["chart"]
    assert chart["start"] == "2019-07-01" and chart["end"] == "2020-06-30"
    assert chart["pal"] == "237500.00" and chart["points"][-1]["drawn"] == "350.50"


def test_entitlement_page_before_computing_lists_what_is_missing(client_for, sda_reviewer, district):
    client = client_for(sda_reviewer)
    html = html_of(client.get(detail_url(district)))
    assert "Not computed yet" in html and "Cannot compute:" in html
    assert "no reimbursable lunch count for SY 2018-19" in html
    assert "drawdown-chart" not in html

    html = html_of(client.get(detail_url(district, "2031-32")))
    assert "no national per-meal value of USDA Foods for SY 2031-32" in html

    lunch_count(district)
    html = html_of(client.get(detail_url(district)))
    assert "would be <strong>$237,500.00</strong>" in html
    assert not Entitlement.objects.exists()  # a GET writes nothing


def test_computed_entitlement_lists_what_is_still_missing(client_for, manager, district):
    entitlement(district)  # no 2019-20 counts: the 12 percent share cannot be computed
    html = html_of(client_for(manager).get(detail_url(district)))
    # said under the figure it blocks: the COV is there, the 12 percent share is not
    assert "The 12 percent share cannot be worked out:" in html
    assert "The commodity offer value cannot be computed" not in html
    assert "no free, reduced-price and paid lunch count for SY 2019-20" in html
    assert "$237,500.00" in html


def test_sda_reviewer_computes_an_entitlement_on_post(client_for, sda_reviewer, district):
    lunch_count(district)
    response = client_for(sda_reviewer).post(detail_url(district), {"action": "compute"})
    assert response.status_code == 302 and response.url == detail_url(district)
    assert Entitlement.objects.get(district=district, school_year=YEAR).commodity_offer_value == COV


@pytest.mark.parametrize("role", ["manager", "viewer", "partner_user"])
def test_district_staff_and_partners_cannot_compute_or_set_the_pal(
    request, client_for, role, district, partner
):
    e = entitlement(district)
    client = client_for(request.getfixturevalue(role))
    assert client.post(detail_url(district), {"action": "compute"}).status_code == 403
    data = {"action": "set_pal", "amount": "300000", "reason": "more"}
    assert client.post(detail_url(district), data).status_code == 403
    e.refresh_from_db()
    assert e.planned_assistance_level == COV and not e.pal_overridden


def test_pal_form_refuses_below_the_cov_with_a_message(client_for, sda_reviewer, district):
    e = entitlement(district)
    response = client_for(sda_reviewer).post(
        detail_url(district), {"action": "set_pal", "amount": "200000.00", "reason": "Trying less"}
    )
    html = html_of(response)
    assert response.context["pal_form"].errors["amount"] == [
        "The PAL cannot be below the commodity offer value ($237,500.00), which the SDA must offer "
        "(7 CFR 250.58(b))."
    ]
    assert "The planned assistance level was not changed" in html
    e.refresh_from_db()
    assert e.planned_assistance_level == COV and not e.pal_overridden


def test_pal_form_asks_for_a_reason(client_for, sda_reviewer, district):
    entitlement(district)
    response = client_for(sda_reviewer).post(
        detail_url(district), {"action": "set_pal", "amount": "250000", "reason": "   "}
    )
    assert "reason" in response.context["pal_form"].errors
    assert not Entitlement.objects.get(district=district).pal_overridden


def test_sda_reviewer_sets_the_pal_with_a_reason(client_for, sda_reviewer, district):
    entitlement(district)
    client = client_for(sda_reviewer)
    data = {"action": "set_pal", "amount": "250000.00", "reason": "Bonus chicken and 12 percent provision"}
    response = client.post(detail_url(district), data, follow=True)
    html = html_of(response)
    assert "Planned assistance level saved." in html
    assert "$250,000.00" in html and "Set by the state agency" in html
    assert "Bonus chicken and 12 percent provision" in html and str(sda_reviewer) in html
    e = Entitlement.objects.get(district=district)
    assert e.planned_assistance_level == Decimal("250000.00") and e.pal_set_by == sda_reviewer


def test_year_switcher_lists_known_years_and_neighbours(client_for, manager, district):
    entitlement(district)
    response = client_for(manager).get(detail_url(district))
    assert {YEAR, current_school_year()} <= set(response.context["years"])
    html = response.content.decode()
    assert detail_url(district, "2018-19") in html and detail_url(district, "2020-21") in html


def test_bad_school_year_in_the_url_is_404(member_client, district):
    assert member_client.get(detail_url(district, "2019-21")).status_code == 404


def test_district_page_links_to_its_entitlement(member_client, district):
    entitlement(district)
    html = html_of(member_client.get(district.get_absolute_url()))
    latest = reverse("usda_foods:entitlement-latest", args=[district.pk])
    assert latest in html
    assert member_client.get(latest).url == detail_url(district, YEAR)


@pytest.mark.parametrize(
    "role,expected",
    [
        ("sda_reviewer", "state"),
        ("collab_admin", "collaborative"),
        ("manager", "district"),
        ("viewer", "district"),
    ],
)
def test_navigation_entitlements_link_fits_the_role(
    request, client_for, role, expected, district, collaborative
):
    client = client_for(request.getfixturevalue(role))
    html = html_of(client.get(reverse("dashboard")))
    assert f'href="{reverse("usda_foods:my-entitlements")}?for={expected}"' in html
    assert reverse("usda_foods:lunch-count-list") in html
    response = client.get(reverse("usda_foods:my-entitlements"))
    target = {
        "state": reverse("usda_foods:state-entitlements", args=["MN"]),
        "collaborative": reverse("usda_foods:collaborative-entitlements", args=[collaborative.pk]),
        "district": reverse("usda_foods:entitlement-latest", args=[district.pk]),
    }[expected]
    assert response.status_code == 302 and response.url == target


@pytest.mark.parametrize("url_name", ["usda_foods:state-entitlements"])
@pytest.mark.parametrize("role", ROLE_FIXTURES)
def test_state_page_renders_for_every_role_that_sees_an_sfa(
    request, client_for, role, url_name, district, partner
):
    entitlement(district)
    html = html_of(client_for(request.getfixturevalue(role)).get(reverse(url_name, args=["MN"])))
    assert district.name in html and "$237,500.00" in html
    assert detail_url(district) in html
    # The admin may too, here: every MN SFA is in their lab (recompute_scope).
    assert ("Recompute SY 2019-20" in html) == (role in {"sda_reviewer", "collab_admin"})


@pytest.mark.parametrize("role", ROLE_FIXTURES)
def test_collaborative_page_renders_for_every_role(
    request, client_for, role, district, partner, collaborative
):
    entitlement(district)
    html = html_of(client_for(request.getfixturevalue(role)).get(collab_url(collaborative)))
    assert district.name in html and "$237,500.00" in html
    # The reviewer may too, here: every district of the lab is in their state.
    assert ("Recompute SY 2019-20" in html) == (role in {"sda_reviewer", "collab_admin"})


@pytest.mark.parametrize("role", ROLE_FIXTURES)
@pytest.mark.parametrize(
    "url_name",
    [
        "usda_foods:lunch-count-list",
        "usda_foods:per-meal-value-list",
        "usda_foods:reimbursement-rate-list",
        "usda_foods:section4-payment-list",
    ],
)
def test_list_pages_render_for_every_role(request, client_for, role, url_name, district, partner):
    lunch_count(district)
    assert client_for(request.getfixturevalue(role)).get(reverse(url_name)).status_code == 200


def test_anonymous_users_are_sent_to_log_in(client, district):
    for url in (detail_url(district), state_url(), reverse("usda_foods:lunch-count-list"),
                reverse("usda_foods:lunch-count-import"), reverse("usda_foods:per-meal-value-create")):  # fmt: skip
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("login")), url


# --- Outsiders -------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLE_FIXTURES + ["outsider"])
def test_other_tenants_objects_are_404(
    request, client_for, role, district, other_district, partner, collaborative
):
    ours, theirs = lunch_count(district), lunch_count(other_district)
    compute(district, other_district)
    stranger_job = BackgroundJob.objects.create(kind="entitlements_recompute", created_by=UserFactory())
    if role == "outsider":  # the manager of the other district: everything of ours is hidden
        target, count, state, lab = district, ours, "MN", collaborative.pk
    else:
        target, count, state, lab = other_district, theirs, "WI", other_district.collaborative_id
    client = client_for(request.getfixturevalue(role))
    urls = [
        detail_url(target),
        reverse("usda_foods:entitlement-latest", args=[target.pk]),
        reverse("usda_foods:lunch-count-update", args=[count.pk]),
        reverse("usda_foods:state-entitlements", args=[state]),
        reverse("usda_foods:state-entitlements", args=[state]) + "?format=csv",
        reverse("usda_foods:collaborative-entitlements", args=[lab]),
        reverse("jobs:detail", args=[stranger_job.pk]),
        reverse("jobs:detail", args=[stranger_job.pk]) + "?partial=1",
    ]
    for url in urls:
        assert client.get(url).status_code == 404, url
        assert client.post(url, {"action": "compute", "free": "1"}).status_code in (404, 405), url
    assert not BackgroundJob.objects.exclude(pk=stranger_job.pk).exists()


def test_unknown_state_is_404(client_for, sda_reviewer):
    assert client_for(sda_reviewer).get(state_url("ZZ")).status_code == 404


def test_lists_hide_other_districts(member_client, district, other_district):
    lunch_count(district)
    lunch_count(other_district)
    response = member_client.get(reverse("usda_foods:lunch-count-list"))
    html = html_of(response)
    assert district.name in html and other_district.name not in html
    assert list(response.context["filter"].form.fields["district"].queryset) == [district]


# --- Lunch counts ----------------------------------------------------------------------------------


def test_lunch_count_form_offers_only_the_reviewers_districts(
    client_for, sda_reviewer, district, other_district
):
    form = client_for(sda_reviewer).get(reverse("usda_foods:lunch-count-create")).context["form"]
    assert list(form.fields["district"].queryset) == [district]


def test_lunch_count_form_refuses_another_district_and_writes_nothing(
    client_for, sda_reviewer, other_district
):
    data = {"district": other_district.pk, "school_year": PRIOR, "free": "1", "reduced": "2", "paid": "3"}
    response = client_for(sda_reviewer).post(reverse("usda_foods:lunch-count-create"), data)
    assert "district" in response.context["form"].errors
    assert "Select a valid choice" in html_of(response)
    assert not LunchCount.objects.exists()


def test_reviewer_enters_a_lunch_count_and_the_entitlement_follows(client_for, sda_reviewer, district):
    member_client = client_for(sda_reviewer)  # lunch counts are the state's claims data
    data = {
        "district": district.pk,
        "school_year": PRIOR,
        "free": "600000",
        "reduced": "100000",
        "paid": "300000",
    }
    response = member_client.post(reverse("usda_foods:lunch-count-create"), data, follow=True)
    html = html_of(response)
    assert "saved; the SY 2018-19 and SY 2019-20 entitlements were recomputed" in html
    count = LunchCount.objects.get(district=district, school_year=PRIOR)
    assert count.total == 1_000_000
    assert Entitlement.objects.get(district=district, school_year=YEAR).commodity_offer_value == COV


def test_lunch_count_form_names_bad_fields_and_writes_nothing(client_for, sda_reviewer, district):
    member_client = client_for(sda_reviewer)
    data = {"district": district.pk, "school_year": "2018-2019", "free": "-1", "reduced": "", "paid": "x"}
    response = member_client.post(reverse("usda_foods:lunch-count-create"), data)
    errors = response.context["form"].errors
    assert {"school_year", "free", "reduced", "paid"} <= set(errors)
    assert "nothing was saved" in html_of(response)
    assert not LunchCount.objects.exists()


def test_reviewer_edits_a_lunch_count_and_cannot_move_it(client_for, sda_reviewer, district, other_district):
    member_client = client_for(sda_reviewer)
    count = lunch_count(district)
    compute(district)
    url = reverse("usda_foods:lunch-count-update", args=[count.pk])
    form = member_client.get(url).context["form"]
    assert form.fields["district"].disabled and form.fields["school_year"].disabled
    data = {"district": other_district.pk, "school_year": "2030-31", "free": "700000", "reduced": "100000",
            "paid": "300000"}  # fmt: skip
    assert member_client.post(url, data).status_code == 302
    count.refresh_from_db()
    assert (count.district, count.school_year, count.total) == (district, PRIOR, 1_100_000)
    assert LunchCount.objects.count() == 1
    # 23.75 cents x 1,100,000 = $261,250.00
    assert Entitlement.objects.get(district=district, school_year=YEAR).commodity_offer_value == Decimal(
        "261250.00"
    )


def test_viewer_cannot_enter_edit_or_import_lunch_counts(readonly_client, district):
    count = lunch_count(district)
    assert readonly_client.get(reverse("usda_foods:lunch-count-create")).status_code == 403
    assert readonly_client.get(reverse("usda_foods:lunch-count-update", args=[count.pk])).status_code == 403
    assert readonly_client.get(reverse("usda_foods:lunch-count-import")).status_code == 403
    assert readonly_client.get(reverse("imports:upload", args=["lunch-counts"])).status_code == 403
    html = html_of(readonly_client.get(reverse("usda_foods:lunch-count-list")))
    assert "New lunch count" not in html and "Edit" not in html


def test_lunch_count_list_filters_by_year(member_client, district):
    lunch_count(district, PRIOR)
    lunch_count(district, YEAR)
    response = member_client.get(reverse("usda_foods:lunch-count-list"), {"school_year": YEAR})
    assert [c.school_year for c in response.context["object_list"]] == [YEAR]


def _upload(client, text: str, filename: str = "counts.csv"):
    """The lunch-count import through the shared import pages (upload, columns, check, import)."""
    return import_through_pages(client, "lunch-counts", text, filename=filename)


def test_import_page_shows_the_expected_columns_and_an_example(client_for, sda_reviewer, district):
    client = client_for(sda_reviewer)
    response = client.get(reverse("usda_foods:lunch-count-import"))  # the old address leads there
    assert response.status_code == 302 and response.url == reverse("imports:upload", args=["lunch-counts"])
    html = html_of(client.get(response.url))
    for label in ("State", "Agency code", "School year", "Free", "Reduced price", "Paid"):
        assert f"<td>{label}" in html
    assert reverse("imports:template", args=["lunch-counts", "csv"]) in html


def test_import_writes_good_rows_and_reimporting_changes_nothing(client_for, sda_reviewer, district):
    client = client_for(sda_reviewer)
    text = (f"state,agency_code,school_year,free,reduced,paid\n"
            f"MN,{district.agency_code},{PRIOR},600000,100000,300000\n"
            f"mn,{district.agency_code},{YEAR},580000,110000,320000\n")  # fmt: skip
    html = html_of(_upload(client, text))
    assert "Imported: 2 new, 0 updated, 0 unchanged." in html
    assert LunchCount.objects.filter(district=district).count() == 2
    e = Entitlement.objects.get(district=district, school_year=YEAR)
    assert e.commodity_offer_value == COV and e.twelve_share is not None
    before = list(
        LunchCount.objects.order_by("pk").values_list("pk", "free", "reduced", "paid", "updated_at")
    )
    entitlements_before = list(Entitlement.objects.order_by("pk").values_list("pk", "computed_at"))

    assert "This file was already imported" in html_of(_upload(client, text))  # the same file, once
    html = html_of(_upload(client, text + "\n", filename="counts-again.csv"))  # the same rows
    assert "Imported: 0 new, 0 updated, 2 unchanged." in html
    assert (
        list(LunchCount.objects.order_by("pk").values_list("pk", "free", "reduced", "paid", "updated_at"))
        == before
    )
    assert list(Entitlement.objects.order_by("pk").values_list("pk", "computed_at")) == entitlements_before


def test_import_reports_every_bad_cell_by_line_and_column_and_writes_nothing(
    client_for, sda_reviewer, district, other_district
):
    text = (
        "state,agency_code,school_year,free,reduced,paid\n"
        f"MN,{district.agency_code},{PRIOR},600000,100000,300000\n"  # line 2: fine
        f"MN,{district.agency_code},2018-2019,lots,100000,300000\n"  # line 3: two bad cells
        f"WI,{other_district.agency_code},{PRIOR},1,2,3\n"  # line 4: not the reviewer's state
        f"MN,{district.agency_code},{PRIOR},1,2,3\n"  # line 5: repeats line 2
    )
    response = _upload(client_for(sda_reviewer), text)
    html = html_of(response)
    assert "Nothing was imported" in html
    errors = [(line, column) for line, column, _ in response.import_run.problems]
    assert errors == [(3, "free"), (3, "school_year"), (4, "agency_code"), (5, "school_year")]
    assert "line 3, column free: “lots” is not a whole number" in html
    assert f"line 4, column agency_code: no SFA with code {other_district.agency_code} in WI" in html
    assert "is already on line 2" in html
    assert not LunchCount.objects.exists() and not Entitlement.objects.exists()


def test_import_with_a_wrong_header_says_which_columns(client_for, sda_reviewer):
    response = _upload(client_for(sda_reviewer), "state,code,year\nMN,1,2018-19\n")
    assert response.status_code == 400
    html = response.content.decode()
    # the columns the file lacks are asked for before anything is checked
    assert response.import_run.status == "uploaded" and "Nothing was imported" not in html
    for label in ("Agency code", "Free", "Reduced price", "Paid"):
        assert f"Choose the column that holds “{label}”: it is required." in html


# --- Reference data ---------------------------------------------------------------------------------


def test_per_meal_value_form_refuses_a_value_off_the_quarter_cent(client_for, reference_editor):
    before = PerMealValue.objects.count()
    data = {
        "school_year": "2031-32",
        "cents": "23.70",
        "citation": "Typo notice",
        "published_on": "2031-07-01",
    }
    response = client_for(reference_editor).post(reverse("usda_foods:per-meal-value-create"), data)
    assert response.context["form"].errors["cents"] == [
        "23.70 cents is not a multiple of 1/4 cent (42 USC 1755(c)); did you mean 23.75 or 23.50?"
    ]
    assert "nothing was saved" in html_of(response)
    assert PerMealValue.objects.count() == before


def test_a_correction_supersedes_and_recomputes(
    client_for, reference_editor, district, django_capture_on_commit_callbacks
):
    entitlement(district)
    data = {"school_year": YEAR, "cents": "24.00", "citation": "Correction notice (test)",
            "published_on": "2019-09-01", "notes": "corrects 23.75"}  # fmt: skip
    client = client_for(reference_editor)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("usda_foods:per-meal-value-create"), data)
    assert response.status_code == 302
    # 24.00 cents x 1,000,000 lunches
    assert Entitlement.objects.get(district=district).commodity_offer_value == Decimal("240000.00")
    rows = html_of(client.get(reverse("usda_foods:per-meal-value-list"))).split("<tbody>")[1].split("<tr")
    current = next(r for r in rows if "24.00¢" in r)
    superseded = next(r for r in rows if "23.75¢" in r)
    assert "Current" in current and "Superseded" in superseded and "Correction notice (test)" in current


def test_per_meal_value_list_marks_the_2006_07_correction(member_client):
    html = html_of(member_client.get(reverse("usda_foods:per-meal-value-list")))
    rows = html.split("<tbody>")[1].split("<tr")
    assert "Superseded" in next(r for r in rows if "16.75¢" in r)
    assert "Current" in next(r for r in rows if "17.00¢" in r)
    assert "FNS correction notice, May 2007" in html
    assert "New per-meal value" not in html


@pytest.mark.parametrize("role", ["manager", "viewer", "partner_user", "sda_reviewer", "collab_admin"])
def test_only_reference_editors_add_reference_data(request, client_for, role, partner):
    client = client_for(request.getfixturevalue(role))
    for name in ("per-meal-value-create", "reimbursement-rate-create", "section4-payment-create"):
        assert client.get(reverse(f"usda_foods:{name}")).status_code == 403, name


def test_editor_adds_a_reimbursement_rate_and_a_duplicate_is_refused(client_for, reference_editor):
    client = client_for(reference_editor)
    data = {"school_year": "2031-32", "category": "free", "dollars": "5.1000", "citation": "Test notice"}
    assert client.post(reverse("usda_foods:reimbursement-rate-create"), data).status_code == 302
    assert ReimbursementRate.objects.filter(school_year="2031-32").count() == 1
    response = client.post(reverse("usda_foods:reimbursement-rate-create"), data)
    assert response.status_code == 200 and response.context["form"].errors
    assert ReimbursementRate.objects.filter(school_year="2031-32").count() == 1
    html = html_of(client.get(reverse("usda_foods:reimbursement-rate-list")))
    assert "$5.10" in html and "$4.43" in html  # ours and the seeded 2024-25 free rate


def test_editor_adds_a_section4_payment(client_for, reference_editor):
    client = client_for(reference_editor)
    data = {"school_year": YEAR, "cents": "9.00", "citation": "Test notice"}
    assert client.post(reverse("usda_foods:section4-payment-create"), data).status_code == 302
    assert Section4Payment.objects.get().cents == Decimal("9.00")
    assert "9.00¢" in html_of(client.get(reverse("usda_foods:section4-payment-list")))


def test_commodity_school_shows_its_section4_input(client_for, sda_reviewer, district):
    district.is_commodity_school = True
    district.save()
    Section4Payment.objects.create(school_year=YEAR, cents=Decimal("9.00"), citation="Test notice")
    e = entitlement(district)
    assert e.commodity_offer_value == Decimal("327500.00")  # (23.75 + 9.00) cents x 1,000,000
    html = html_of(client_for(sda_reviewer).get(detail_url(district)))
    assert "Section 4 cash per lunch" in html and "9.00¢" in html and "$327,500.00" in html


# --- The state and collaborative tables -------------------------------------------------------------


def _grow(n: int, **district_kwargs) -> list:
    districts = [DistrictFactory(**district_kwargs) for _ in range(n)]
    for i, d in enumerate(districts):
        lunch_count(d, free=600_000 + i)
    compute(*districts)
    return districts


def test_state_page_paginates_totals_all_rows_and_exports_them_all(client_for, sda_reviewer, mn_agency):
    _grow(60, state_agency=mn_agency)
    client = client_for(sda_reviewer)
    response = client.get(state_url())
    html = html_of(response)
    assert len(response.context["entitlements"]) == 50 and "Page 1 of 2" in html
    totals = response.context["totals"]
    expected = sum((Decimal("237500.00") + Decimal(i) * Decimal("0.2375")).quantize(Decimal("0.01"), ROUND_HALF_UP)
                   for i in range(60))  # fmt: skip
    assert totals["cov"] == expected
    assert f"${expected:,.2f}" in html and "60 SFAs" in html

    export = client.get(state_url(format="csv"))
    assert export["Content-Type"].startswith("text/csv")
    assert "attachment" in export["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(csv_body(export))))
    assert rows[0][:5] == ["state", "agency_code", "district", "school_year", "commodity_offer_value"]
    assert len(rows) == 61
    assert rows[1][4] == "237500.00" and rows[1][5] == "237500.00" and rows[1][7] == "0.00"
    assert sum(Decimal(r[4]) for r in rows[1:]) == expected

    workbook = client.get(state_url(format="xlsx"))
    assert workbook["Content-Type"] == XLSX and ".xlsx" in workbook["Content-Disposition"]
    sheet = xlsx_rows(workbook)
    assert sheet[0] == rows[0] and len(sheet) == 61
    assert sheet[1][4] == 237500.0 and sheet[1][2] == rows[1][2]  # money as numbers, names as text


def test_state_page_sorts_by_clicking_headers(client_for, sda_reviewer, mn_agency):
    small, large = (
        DistrictFactory(name="Small", state_agency=mn_agency),
        DistrictFactory(name="Large", state_agency=mn_agency),
    )
    lunch_count(small, free=1000, reduced=0, paid=0)
    lunch_count(large)
    compute(small, large)
    client = client_for(sda_reviewer)
    by = lambda sort: [e.district.name for e in client.get(state_url(sort=sort)).context["entitlements"]]  # noqa: E731
    assert by("-cov") == ["Large", "Small"]
    assert by("cov") == ["Small", "Large"]
    assert by("district") == ["Large", "Small"]
    html = html_of(client.get(state_url(sort="cov")))
    assert 'aria-sort="ascending"' in html and "sort=-cov" in html
    assert by("nonsense") == ["Large", "Small"]  # unknown sorts fall back to the name


def test_state_page_filters_search_and_incomplete(client_for, sda_reviewer, mn_agency):
    done, todo = (
        DistrictFactory(name="Maple Schools", state_agency=mn_agency),
        DistrictFactory(name="Oak Schools", state_agency=mn_agency),
    )
    lunch_count(done)
    lunch_count(done, YEAR)
    compute(done, todo)  # Oak has no lunch counts: its COV cannot be computed
    client = client_for(sda_reviewer)
    names = lambda **p: [e.district.name for e in client.get(state_url(**p)).context["entitlements"]]  # noqa: E731
    assert names(q="maple") == ["Maple Schools"]
    assert names(incomplete="on") == ["Oak Schools"]
    html = html_of(client.get(state_url()))
    assert "Cannot compute" in html and "Complete" in html


def test_state_page_year_defaults_to_the_latest_visible_else_today(client_for, sda_reviewer, district):
    client = client_for(sda_reviewer)
    assert client.get(state_url()).context["school_year"] == current_school_year()
    entitlement(district)
    assert client.get(state_url()).context["school_year"] == YEAR
    assert client.get(state_url(year="2018-19")).context["school_year"] == "2018-19"


@pytest.mark.parametrize(
    "today,expected",
    [(date(2026, 6, 30), "2025-26"), (date(2026, 7, 1), "2026-27"), (date(2000, 1, 1), "1999-00")],
)
def test_current_school_year_starts_on_july_first(today, expected):
    assert current_school_year(today) == expected


def test_collaborative_page_sums_its_districts_across_states(
    client_for, collab_admin, collaborative, wi_agency, district
):
    wi = DistrictFactory(name="Lakeside WI", collaborative=collaborative, state_agency=wi_agency)
    lunch_count(district)
    lunch_count(wi, free=200_000, reduced=0, paid=0)
    compute(district, wi)
    response = client_for(collab_admin).get(collab_url(collaborative))
    html = html_of(response)
    assert response.context["totals"]["cov"] == Decimal("285000.00")  # 237,500 + 47,500
    assert "$285,000.00" in html and ">WI<" in html


def _count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("page", ["state", "collaborative"])
def test_tables_cost_constant_queries(client_for, sda_reviewer, collab_admin, mn_agency, collaborative, page):
    if page == "state":
        client, url = client_for(sda_reviewer), state_url()
    else:
        client, url = client_for(collab_admin), collab_url(collaborative)
    grown = _grow(5, state_agency=mn_agency, collaborative=collaborative)
    entitlement_set_pal(entitlement=Entitlement.objects.get(district=grown[0]), amount=Decimal("300000"),
                                 reason="bonus", user=UserFactory(is_superuser=True))  # fmt: skip
    client.get(url)  # warm the session
    with_five = _count_queries(client, url)
    _grow(45, state_agency=mn_agency, collaborative=collaborative)
    assert _count_queries(client, url) == with_five
    assert _count_queries(client, url + "?sort=-utilisation&incomplete=on&q=district") == with_five


def test_state_page_query_budget(client_for, sda_reviewer, mn_agency, django_assert_num_queries):
    _grow(20, state_agency=mn_agency)
    client = client_for(sda_reviewer)
    client.get(state_url())  # warm the session
    # session, user, the reviewer sees an SFA of the state (EXISTS), the years with entitlements,
    # recompute allowed (one count of the state's districts and of those not the user's), the page
    # of rows with their districts, the totals with the count the paginator reuses, and the roles
    # for the navigation
    with django_assert_num_queries(8):
        response = client.get(state_url())
    assert response.context["paginator"].count == 20
    assert response.context["totals"]["count"] == 20


def test_recompute_button_starts_a_job_and_the_job_page_reports_it(
    client_for, sda_reviewer, mn_agency, django_capture_on_commit_callbacks
):
    districts = [DistrictFactory(state_agency=mn_agency) for _ in range(3)]
    for d in districts:
        lunch_count(d)
    client = client_for(sda_reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(state_url(), {"year": YEAR})
    job = BackgroundJob.objects.get()
    assert response.status_code == 302 and response.url == job.get_absolute_url()
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.created_by == sda_reviewer
    assert Entitlement.objects.filter(school_year=YEAR).count() == 3
    html = html_of(client.get(job.get_absolute_url()))
    assert "100%" in html and "3 created" in html and 'hx-trigger="every 1s"' not in html
    assert state_url() + "?year=2019-20" in html  # the link back


def test_collab_admin_recomputes_their_lab(
    client_for, collab_admin, collaborative, district, django_capture_on_commit_callbacks
):
    lunch_count(district)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(collab_admin).post(collab_url(collaborative), {"year": YEAR})
    assert response.status_code == 302
    assert BackgroundJob.objects.get().status == JobStatus.DONE
    assert Entitlement.objects.get(district=district).commodity_offer_value == COV


@pytest.mark.parametrize("role", ["manager", "viewer", "partner_user"])
def test_others_cannot_recompute_a_state(request, client_for, role, district, partner):
    """They see one of the state's SFAs but may not recompute the state: 403, as in the API."""
    client = client_for(request.getfixturevalue(role))
    assert client.post(state_url(), {"year": YEAR}).status_code == 403
    assert client.post(collab_url(district.collaborative), {"year": YEAR}).status_code == 403
    assert "Recompute SY" not in html_of(client.get(state_url()))
    assert not BackgroundJob.objects.exists()


def test_job_page_polls_while_running_and_stops_when_done(client_for, sda_reviewer):
    job = BackgroundJob.objects.create(kind="entitlements_recompute", created_by=sda_reviewer, status=JobStatus.RUNNING,
                                       progress=40, total=200, params={"school_year": YEAR, "state": "MN"})  # fmt: skip
    client = client_for(sda_reviewer)
    url = job.get_absolute_url()
    html = html_of(client.get(url))
    assert "<nav" in html and 'hx-trigger="every 1s"' in html and f'hx-get="{url}?partial=1"' in html
    assert 'style="width: 20%"' in html
    partial = html_of(client.get(url, {"partial": "1"}))
    assert "<nav" not in partial and 'hx-trigger="every 1s"' in partial
    BackgroundJob.objects.filter(pk=job.pk).update(status=JobStatus.FAILED, message="Something broke")
    partial = html_of(client.get(url, {"partial": "1"}))
    assert "hx-trigger" not in partial and "Something broke" in partial and "Failed" in partial


def test_reviewer_of_two_states_sees_both(client_for, sda_reviewer, wi_agency, other_district):
    Membership.objects.create(user=sda_reviewer, role=Role.SDA_REVIEWER, state_agency=wi_agency)
    assert client_for(sda_reviewer).get(state_url("WI")).status_code == 200


def test_partner_sees_only_the_districts_it_serves_in_a_state(client_for, partner_user, district, mn_agency):
    unserved = DistrictFactory(
        name="Unserved Schools", state_agency=mn_agency, collaborative=CollaborativeFactory()
    )
    lunch_count(district)
    lunch_count(unserved)
    compute(district, unserved)
    html = html_of(client_for(partner_user).get(state_url()))
    assert district.name in html and "Unserved Schools" not in html


def test_user_without_membership_is_sent_to_the_district_list(client_for):
    user = member(Role.PARTNER_STAFF, PartnerFactory())
    response = client_for(user).get(reverse("usda_foods:my-entitlements"))
    assert response.status_code == 302 and response.url == reverse("districts:district-list")
