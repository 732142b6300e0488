"""Pages for the available list, the preference survey and order windows: each renders for its
users, outsiders get 404, choice lists stay inside the user's states, the import reports every bad
cell by line and column and writes nothing, and the survey and window flows go through the real
services (emails after commit)."""

from __future__ import annotations

from datetime import timedelta
from html import unescape

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Membership, Role
from focus_lab.csv_import import RowError
from tests.conftest import ROLE_FIXTURES
from tests.factories import DistrictFactory, UserFactory, member
from tests.imports.flow import import_through_pages
from tests.usda_foods.ordering_fixtures import DURING_SY, SY, catalog_item, open_window
from usda_foods.models import CatalogItem, Order, OrderStatus, OrderWindow, Survey, SurveyResponse
from usda_foods.ordering.services.catalog import CATALOG_COLUMNS

pytestmark = pytest.mark.django_db

HEADER = ",".join((*CATALOG_COLUMNS, "is_bulk_for_processing"))
GOOD_CSV = f"""{HEADER}
2019-20,100117,"Beans, green, canned",vegetable,6/#10 cans,40.00,1400,21.50,false
2019-20,100046,"Cheese, mozzarella",dairy,4/5 lb bags,20.00,2000,52.80,true
"""
BAD_CSV = f"""{HEADER}
2019-20,100117,"Beans, green, canned",vegetable,6/#10 cans,40.00,1400,21.50,false
2019-20,100046,"Cheese, mozzarella",cheese,4/5 lb bags,20.00,2000,52.805,true
2019-20,100117,Beans again,vegetable,6/#10 cans,40.00,0,21.50,maybe
"""


def _survey(
    agency, *, opens_in=timedelta(days=-1), closes_in=timedelta(days=10), title="SY2019-20 preferences"
):
    now = timezone.now()
    return Survey.objects.create(
        state_agency=agency, school_year=SY, title=title, opens_at=now + opens_in, closes_at=now + closes_in
    )


def _upload(client, text: str, filename: str = "catalog.csv"):
    """The available list through the shared import pages (upload, columns, check, import)."""
    return import_through_pages(client, "catalog", text, filename=filename)


def _local(dt) -> str:
    return timezone.localtime(dt).strftime("%Y-%m-%dT%H:%M")


@pytest.fixture
def foods(district):
    """Two foods of SY2019-20; ``district`` makes Minnesota a state with an SFA."""
    return [
        catalog_item("100117", description="Beans, green"),
        catalog_item("100220", description="Apples, fresh"),
    ]


@pytest.fixture
def wi_reviewer(wi_agency):
    return member(Role.SDA_REVIEWER, wi_agency, email="reviewer@wi.example")


@pytest.fixture
def mn_survey(mn_agency, foods):
    return _survey(mn_agency)


@pytest.fixture
def mn_window(mn_agency, foods):
    return open_window(mn_agency, foods, name="Fall window")


# --- Rendering and tenancy -----------------------------------------------------------------------


@pytest.mark.parametrize("role", [*ROLE_FIXTURES, "superuser"])
def test_pages_render_for_every_role(request, client_for, role, district, partner, mn_survey, mn_window):
    user = (
        UserFactory(is_superuser=True, is_staff=True)
        if role == "superuser"
        else request.getfixturevalue(role)
    )
    client = client_for(user)
    for url, text in [
        (reverse("usda_foods:catalog-list"), "Beans, green"),
        (reverse("usda_foods:survey-list"), "SY2019-20 preferences"),
        (reverse("usda_foods:window-list"), "Fall window"),
        (mn_survey.get_absolute_url(), "SY2019-20 preferences"),
        (mn_window.get_absolute_url(), "Apples, fresh"),
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert text in response.content.decode(), url


def test_window_list_shows_the_derived_state(client_for, sda_reviewer, mn_agency, foods):
    open_window(
        mn_agency, foods, name="Spring window", opens_in=timedelta(days=30), closes_in=timedelta(days=40)
    )
    open_window(
        mn_agency, foods, name="Summer window", opens_in=timedelta(days=-40), closes_in=timedelta(days=-30)
    )
    open_window(mn_agency, foods, name="Fall window")
    html = client_for(sda_reviewer).get(reverse("usda_foods:window-list")).content.decode()
    assert ">Upcoming<" in html and ">Open<" in html and ">Closed<" in html


@pytest.mark.parametrize("role", ["wi_reviewer", "outsider"])
def test_other_states_survey_and_window_are_404(request, client_for, role, mn_survey, mn_window):
    client = client_for(request.getfixturevalue(role))
    for url in [
        mn_survey.get_absolute_url(),
        reverse("usda_foods:survey-respond", args=[mn_survey.pk]),
        mn_window.get_absolute_url(),
    ]:
        assert client.get(url).status_code == 404, url
    for name in ("survey-choose-offered", "survey-remind", "survey-respond"):
        assert client.post(reverse(f"usda_foods:{name}", args=[mn_survey.pk])).status_code == 404, name
    html = client.get(reverse("usda_foods:survey-list")).content.decode()
    assert mn_survey.title not in html
    assert "Fall window" not in client.get(reverse("usda_foods:window-list")).content.decode()


@pytest.mark.parametrize("role", ["manager", "viewer", "partner_user"])
def test_only_reviewers_create_surveys_and_windows(request, client_for, role, district, partner, mn_survey):
    client = client_for(request.getfixturevalue(role))
    for name in ("survey-create", "window-create", "catalog-import"):
        assert client.get(reverse(f"usda_foods:{name}")).status_code == 403, name
    for name in ("survey-choose-offered", "survey-remind"):
        assert client.post(reverse(f"usda_foods:{name}", args=[mn_survey.pk])).status_code == 403, name
    html = client.get(reverse("usda_foods:survey-list")).content.decode()
    assert "New survey" not in html


def test_anonymous_users_are_sent_to_log_in(client, mn_survey):
    for url in (
        reverse("usda_foods:catalog-list"),
        mn_survey.get_absolute_url(),
        reverse("usda_foods:window-create"),
    ):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("login")), url


def test_choice_lists_offer_only_the_reviewed_states(client_for, sda_reviewer, mn_agency, wi_agency, foods):
    client = client_for(sda_reviewer)
    for name in ("survey-create", "window-create"):
        form = client.get(reverse(f"usda_foods:{name}")).context["form"]
        assert list(form.fields["state_agency"].queryset) == [mn_agency], name
    now = timezone.now()
    data = {"state_agency": wi_agency.pk, "school_year": SY, "title": "Sneaky", "opens_at": _local(now),
            "closes_at": _local(now + timedelta(days=5))}  # fmt: skip
    response = client.post(reverse("usda_foods:survey-create"), data)
    assert "state_agency" in response.context["form"].errors
    assert not Survey.objects.exists()


# --- Catalog -------------------------------------------------------------------------------------


def test_catalog_import_through_the_page(client_for, reference_editor):
    client = client_for(reference_editor)
    response = client.get(reverse("usda_foods:catalog-import"))  # the old address leads there
    page = client.get(response.url).content.decode()
    assert (
        "Bulk for processing" in page and "Unit price ($ per case)" in page and "100117" in page
    )  # columns, example
    html = _upload(client, GOOD_CSV).content.decode()
    assert "2 created · 0 updated · 0 unchanged" in html
    beans = CatalogItem.objects.get(material_code="100117")
    assert (beans.description, str(beans.unit_price), beans.is_bulk_for_processing) == (
        "Beans, green, canned",
        "21.50",
        False,
    )
    assert CatalogItem.objects.get(material_code="100046").is_bulk_for_processing
    assert "This file was already imported" in _upload(client, GOOD_CSV).content.decode()  # once
    assert "0 created · 0 updated · 2 unchanged" in _upload(client, GOOD_CSV + "\n").content.decode()
    changed = GOOD_CSV.replace("21.50", "22.00")
    assert "0 created · 1 updated · 1 unchanged" in _upload(client, changed).content.decode()


def test_catalog_import_reports_every_bad_cell_and_writes_nothing(client_for, reference_editor):
    response = _upload(client_for(reference_editor), BAD_CSV)
    html = response.content.decode()
    assert "Nothing was imported" in html
    errors = [str(RowError(*problem)) for problem in response.import_run.problems]
    for where in ("line 3, column category", "line 3, column unit_price", "line 4, column cases_per_truckload",
                  "line 4, column is_bulk_for_processing"):  # fmt: skip
        assert any(e.startswith(where) for e in errors), where
    shown = unescape(html)
    assert all(error in shown for error in errors)  # "line N, column X: message", one row each
    assert CatalogItem.objects.count() == 0


def test_catalog_list_search_and_filters(client_for, manager):
    catalog_item("100117", description="Beans, green")
    catalog_item("200300", description="Cheese, cheddar", category="dairy", is_bulk_for_processing=True)
    CatalogItem.objects.create(school_year="2020-21", material_code="300400", description="Pears, canned",
                               category="fruit", pack_description="6/#10", net_case_weight_lb=40,
                               cases_per_truckload=900, unit_price=30)  # fmt: skip
    client = client_for(manager)
    url = reverse("usda_foods:catalog-list")

    def shown(**params) -> set[str]:
        return {i.material_code for i in client.get(url, params).context["object_list"]}

    assert shown() == {"100117", "200300", "300400"}
    assert shown(q="chees") == {"200300"}
    assert shown(q="1001") == {"100117"}
    assert shown(school_year="2020-21") == {"300400"}
    assert shown(category="dairy") == {"200300"}
    assert shown(is_bulk_for_processing="true") == {"200300"}
    assert shown(is_bulk_for_processing="false") == {"100117", "300400"}
    assert "Import CSV" not in client.get(url).content.decode()


def _count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_catalog_list_costs_constant_queries(client_for, sda_reviewer):
    client = client_for(sda_reviewer)
    url = reverse("usda_foods:catalog-list") + "?school_year=2019-20&q=food"
    for n in range(5):
        catalog_item(f"{n:06d}")
    client.get(url)  # warm the session
    with_five = _count_queries(client, url)
    for n in range(5, 50):
        catalog_item(f"{n:06d}")
    assert _count_queries(client, url) == with_five
    # session, user, roles (navigation and the Import button), the school years of the filter,
    # the paginator's count and the page
    assert with_five == 6


# --- Survey --------------------------------------------------------------------------------------


def test_survey_create_through_the_page(client_for, sda_reviewer, mn_agency, foods):
    client = client_for(sda_reviewer)
    now = timezone.now()
    data = {"state_agency": mn_agency.pk, "school_year": SY, "title": "What do you want?", "opens_at": _local(now),
            "closes_at": _local(now + timedelta(days=14))}  # fmt: skip
    response = client.post(reverse("usda_foods:survey-create"), data, follow=True)
    survey = Survey.objects.get()
    assert response.redirect_chain[-1][0] == survey.get_absolute_url()
    assert (survey.state_agency, survey.created_by, survey.title) == (
        mn_agency,
        sda_reviewer,
        "What do you want?",
    )
    again = client.post(reverse("usda_foods:survey-create"), {**data, "title": "Twice"})
    assert again.status_code == 200 and again.context["form"].errors
    assert "nothing was saved" in again.content.decode()
    assert Survey.objects.count() == 1


def test_survey_cycle_through_the_pages(
    client_for,
    manager,
    sda_reviewer,
    district,
    mn_agency,
    mn_survey,
    foods,
    django_capture_on_commit_callbacks,
):
    beans, apples = foods
    quiet = DistrictFactory(state_agency=mn_agency, name="Quiet Schools")
    member(Role.DISTRICT_MANAGER, quiet, email="staff@quiet.example")
    respond_url = reverse("usda_foods:survey-respond", args=[mn_survey.pk])
    staff = client_for(manager)

    page = staff.get(respond_url)
    assert page.status_code == 200 and "Beans, green" in page.content.decode()
    data = {"district": district.pk, f"cases_{beans.pk}": "120", f"cases_{apples.pk}": ""}
    response = staff.post(respond_url, data, follow=True)
    assert response.redirect_chain[-1][0] == mn_survey.get_absolute_url()
    assert "1 food wanted" in response.content.decode()
    answer = SurveyResponse.objects.get(survey=mn_survey, district=district)
    assert [(line.catalog_item, line.estimated_cases) for line in answer.lines.all()] == [(beans, 120)]
    assert staff.get(respond_url).context["form"][f"cases_{beans.pk}"].value() == 120  # prefilled
    assert "Change your answer" in staff.get(mn_survey.get_absolute_url()).content.decode()

    reviewer = client_for(sda_reviewer)
    context = reviewer.get(mn_survey.get_absolute_url()).context
    results = {row.item.material_code: (row.sfa_count, row.total_cases) for row in context["results"]}
    assert results == {"100117": (1, 120), "100220": (0, 0)}
    assert context["non_respondents"] == [quiet]

    reviewer.post(reverse("usda_foods:survey-choose-offered", args=[mn_survey.pk]), {"offered": [beans.pk]})
    assert list(mn_survey.offered_items.all()) == [beans]
    assert (
        f'value="{beans.pk}" id="offer-{beans.pk}" checked'
        in reviewer.get(mn_survey.get_absolute_url()).content.decode()
    )

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = reviewer.post(reverse("usda_foods:survey-remind", args=[mn_survey.pk]), follow=True)
    assert "Reminded 1 SFA by email" in response.content.decode()
    assert [m.to for m in mail.outbox] == [["staff@quiet.example"]]
    assert "Quiet Schools has not yet answered" in mail.outbox[0].body


def test_choose_offered_refuses_foods_of_another_year(client_for, sda_reviewer, mn_survey, foods):
    other_year = CatalogItem.objects.create(school_year="2020-21", material_code="999", description="Later food",
                                            category="fruit", pack_description="box", net_case_weight_lb=10,
                                            cases_per_truckload=100, unit_price=5)  # fmt: skip
    url = reverse("usda_foods:survey-choose-offered", args=[mn_survey.pk])
    response = client_for(sda_reviewer).post(url, {"offered": [other_year.pk]}, follow=True)
    assert "nothing was changed" in response.content.decode()
    assert not mn_survey.offered_items.exists()


def test_only_managers_of_the_state_answer(client_for, viewer, sda_reviewer, mn_survey, district):
    url = reverse("usda_foods:survey-respond", args=[mn_survey.pk])
    assert client_for(viewer).get(url).status_code == 403
    assert client_for(sda_reviewer).get(url).status_code == 403
    assert "Answer the survey" not in client_for(viewer).get(mn_survey.get_absolute_url()).content.decode()


def test_manager_of_several_districts_picks_one_of_theirs(
    client_for, manager, district, other_district, mn_agency, mn_survey, foods
):
    second = DistrictFactory(state_agency=mn_agency, name="Second Schools")
    Membership.objects.create(user=manager, role=Role.DISTRICT_MANAGER, district=second)
    client = client_for(manager)
    url = reverse("usda_foods:survey-respond", args=[mn_survey.pk])
    page = client.get(url, {"district": second.pk})
    assert [d.name for d in page.context["districts"]] == ["Alpha Public Schools", "Second Schools"]
    assert page.context["district"] == second
    beans = foods[0]
    client.post(url, {"district": second.pk, f"cases_{beans.pk}": "7"})
    assert SurveyResponse.objects.get(district=second).lines.get().estimated_cases == 7
    refused = client.post(url, {"district": other_district.pk, f"cases_{beans.pk}": "7"})
    assert refused.status_code == 200 and "district" in refused.context["form"].errors
    assert not SurveyResponse.objects.filter(district=other_district).exists()


def test_answer_refused_when_the_survey_is_closed(client_for, manager, district, mn_agency, foods):
    closed = _survey(mn_agency, opens_in=timedelta(days=-20), closes_in=timedelta(days=-1))
    url = reverse("usda_foods:survey-respond", args=[closed.pk])
    assert "This survey is closed" in client_for(manager).get(url).content.decode()
    response = client_for(manager).post(url, {"district": district.pk, f"cases_{foods[0].pk}": "3"})
    assert "not open" in response.content.decode()
    assert not SurveyResponse.objects.exists()


# --- Order windows -------------------------------------------------------------------------------


def _window_data(agency, items, **changes):
    now = timezone.now()
    data = {"state_agency": agency.pk, "school_year": SY, "foods_year": SY, "name": "Winter window",
            "opens_at": _local(now + timedelta(days=1)), "closes_at": _local(now + timedelta(days=8)),
            "delivery_start": "2020-01-06", "delivery_end": "2020-01-31", "reminder_days_before": "2",
            "offered_items": [i.pk for i in items]}  # fmt: skip
    data.update(changes)
    return data


@time_machine.travel(DURING_SY, tick=True)
def test_window_create_through_the_page(client_for, sda_reviewer, mn_agency, foods):
    client = client_for(sda_reviewer)
    response = client.post(
        reverse("usda_foods:window-create"), _window_data(mn_agency, foods[:1]), follow=True
    )
    window = OrderWindow.objects.get()
    assert response.redirect_chain[-1][0] == window.get_absolute_url()
    assert (window.name, window.reminder_days_before, window.created_by) == ("Winter window", 2, sda_reviewer)
    assert list(window.offered_items.all()) == foods[:1]
    assert "Upcoming" in response.content.decode()


@time_machine.travel(DURING_SY, tick=True)
def test_window_create_refuses_a_close_before_the_opening(client_for, sda_reviewer, mn_agency, foods):
    now = timezone.now()
    data = _window_data(
        mn_agency, foods, opens_at=_local(now + timedelta(days=5)), closes_at=_local(now + timedelta(days=2))
    )
    response = client_for(sda_reviewer).post(reverse("usda_foods:window-create"), data)
    assert response.status_code == 200
    assert response.context["form"].errors == {"closes_at": ["It must close after it opens."]}
    html = response.content.decode()
    assert "It must close after it opens." in html and "nothing was saved" in html
    late = _window_data(mn_agency, foods, delivery_start="2020-02-01", delivery_end="2020-01-31")
    response = client_for(sda_reviewer).post(reverse("usda_foods:window-create"), late)
    assert "delivery_end" in response.context["form"].errors
    assert not OrderWindow.objects.exists()


@time_machine.travel(DURING_SY, tick=True)
def test_window_create_refuses_another_states_agency_and_no_foods(
    client_for, sda_reviewer, wi_agency, mn_agency, foods
):
    client = client_for(sda_reviewer)
    response = client.post(reverse("usda_foods:window-create"), _window_data(wi_agency, foods))
    assert "state_agency" in response.context["form"].errors
    response = client.post(reverse("usda_foods:window-create"), _window_data(mn_agency, [], offered_items=[]))
    assert "Offer at least one food" in response.content.decode()
    assert not OrderWindow.objects.exists()


def test_window_form_preselects_the_surveys_offered_foods(
    client_for, sda_reviewer, mn_agency, mn_survey, foods
):
    mn_survey.offered_items.set(foods[1:])
    form = client_for(sda_reviewer).get(reverse("usda_foods:window-create")).context["form"]
    assert form.initial["offered_items"] == [foods[1].pk]
    assert list(form.fields["offered_items"].queryset) == [foods[1], foods[0]]  # Apples, Beans (by category)


def test_window_form_shows_the_foods_of_the_chosen_year(client_for, sda_reviewer, mn_agency, foods):
    later = CatalogItem.objects.create(school_year="2020-21", material_code="300400", description="Pears, canned",
                                       category="fruit", pack_description="6/#10", net_case_weight_lb=40,
                                       cases_per_truckload=900, unit_price=30)  # fmt: skip
    client = client_for(sda_reviewer)
    data = _window_data(mn_agency, foods, school_year="2020-21", show_foods="1")
    response = client.post(reverse("usda_foods:window-create"), data)
    assert list(response.context["form"].fields["offered_items"].queryset) == [later]
    assert response.context["form"].initial["name"] == "Winter window"
    assert not OrderWindow.objects.exists()


def test_window_detail_counts_orders_by_status(client_for, sda_reviewer, manager, district, mn_window):
    from tests.usda_foods.ordering_fixtures import fund

    entitlement = fund(district)
    Order.objects.create(
        district=district, window=mn_window, entitlement=entitlement, status=OrderStatus.SUBMITTED
    )
    other = DistrictFactory(state_agency=district.state_agency)
    Order.objects.create(district=other, window=mn_window, entitlement=fund(other), status=OrderStatus.DRAFT)
    counts = {
        v: n
        for v, _, n in client_for(sda_reviewer).get(mn_window.get_absolute_url()).context["status_counts"]
    }
    assert counts == {"draft": 1, "submitted": 1, "returned": 0, "approved": 0, "rejected": 0}
    mine = client_for(manager).get(mn_window.get_absolute_url()).context
    assert mine["order_total"] == 1  # a district sees its own orders only
