"""Each role's dashboard lists its real to-dos with counts and links, not "Nothing outstanding"
while work waits; and the page costs the same queries however much is waiting."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Membership, Role
from tests.factories import DistrictFactory, SiteFactory, member
from tests.usda_foods.ordering_fixtures import SY, catalog_item, fund, open_window
from tests.usda_foods.shipping_fixtures import build_lab, stored_plan
from usda_foods.models import Entitlement, Survey, SurveyResponse
from usda_foods.ordering.services.orders import order_create, order_line_set, order_return, order_submit

pytestmark = pytest.mark.django_db


def todos(client) -> list[tuple[str, str]]:
    """(text, link) of every to-do on the dashboard."""
    response = client.get(reverse("dashboard"))
    assert response.status_code == 200
    return [(todo.text, todo.url) for section in response.context["sections"] for todo in section.todos]


def texts(client) -> str:
    return "\n".join(text for text, _ in todos(client))


def survey(agency, title="SY2019-20 preferences"):
    now = timezone.now()
    return Survey.objects.create(state_agency=agency, school_year=SY, title=title,
                                 opens_at=now - timedelta(days=1), closes_at=now + timedelta(days=10))  # fmt: skip


@pytest.fixture
def window(mn_agency):
    return open_window(mn_agency, [catalog_item("100117", "10.00")], name="Spring window",
                       closes_in=timedelta(days=3))  # fmt: skip


def submitted_order(district, window, manager):
    fund(district)
    order = order_create(district=district, window=window, user=manager)
    order_line_set(order_id=order.pk, catalog_item=window.offered_items.get(), cases=2,
                            delivery_site=SiteFactory(district=district), user=manager)  # fmt: skip
    return order_submit(order_id=order.pk, user=manager)


# --- SDA reviewers ----------------------------------------------------------------------------------


def test_reviewer_sees_orders_waiting_for_review(client_for, sda_reviewer, district, manager, window):
    submitted_order(district, window, manager)
    found = todos(client_for(sda_reviewer))
    text, url = next((t, u) for t, u in found if "waiting for your review" in t)
    assert text == "1 order waiting for your review."
    assert url == reverse("usda_foods:order-review-queue") + "?status=submitted"


def test_reviewer_sees_windows_closing_soon(client_for, sda_reviewer, district, manager, window):
    submitted_order(district, window, manager)
    text, url = next(
        (t, u) for t, u in todos(client_for(sda_reviewer)) if t.startswith("Spring window closes")
    )
    assert "1 order submitted so far" in text and url == window.get_absolute_url()


def test_reviewer_sees_plans_with_open_adjustments(client_for, sda_reviewer, mn_agency):
    lab = build_lab(mn_agency)
    plan = stored_plan(lab, sda_reviewer, trucks=2)
    text, url = next((t, u) for t, u in todos(client_for(sda_reviewer)) if "Shipment plan" in t)
    assert (
        text
        == f"Shipment plan #{plan.pk} for {lab['window'].name} has 4 adjustments to send to the districts "
        "or override."
    )
    assert url == plan.get_absolute_url() + "#adjustments"


def test_reviewer_sees_surveys_with_non_respondents(client_for, sda_reviewer, district, mn_agency):
    DistrictFactory(state_agency=mn_agency)
    open_survey = survey(mn_agency)
    SurveyResponse.objects.create(survey=open_survey, district=district, submitted_at=timezone.now())
    text, url = next((t, u) for t, u in todos(client_for(sda_reviewer)) if "not answered" in t)
    assert (
        text == "SY2019-20 preferences: 1 SFA of 2 has not answered."
        and url == open_survey.get_absolute_url()
    )


def test_reviewer_of_another_state_sees_none_of_it(client_for, district, manager, window, wi_agency):
    submitted_order(district, window, manager)
    wi_reviewer = member(Role.SDA_REVIEWER, wi_agency, email="reviewer@wi.example")
    assert "waiting for your review" not in texts(client_for(wi_reviewer))


# --- District staff ---------------------------------------------------------------------------------


def test_manager_sees_an_open_window_without_an_order(client_for, manager, district, window):
    text, url = next((t, u) for t, u in todos(client_for(manager)) if "has no order yet" in t)
    assert text.startswith("Spring window is open until") and district.name in text
    assert url == reverse("usda_foods:order-list")


def test_manager_sees_a_draft_to_submit_and_a_returned_order(
    client_for, manager, sda_reviewer, district, window
):
    fund(district)
    draft = order_create(district=district, window=window, user=manager)
    assert (f"{district.name}' order in Spring window is a draft", draft.get_absolute_url()) in [
        (t.split(":")[0], u) for t, u in todos(client_for(manager))
    ]
    order_line_set(order_id=draft.pk, catalog_item=window.offered_items.get(), cases=2,
                            delivery_site=SiteFactory(district=district), user=manager)  # fmt: skip
    order_submit(order_id=draft.pk, user=manager)
    order_return(order_id=draft.pk, user=sda_reviewer, comment="Too many beans")
    found = todos(client_for(manager))
    assert (f"{district.name}' order in Spring window was returned for changes: fix it and submit it again.",
            draft.get_absolute_url()) in found  # fmt: skip


def test_manager_sees_an_unanswered_survey(client_for, manager, district, mn_agency):
    open_survey = survey(mn_agency)
    text, url = next((t, u) for t, u in todos(client_for(manager)) if "has not answered" in t)
    assert district.name in text and url == reverse("usda_foods:survey-respond", args=[open_survey.pk])
    SurveyResponse.objects.create(survey=open_survey, district=district, submitted_at=timezone.now())
    assert "has not answered" not in texts(client_for(manager))


def test_manager_sees_adjustments_proposed_at_their_sites(client_for, mn_agency, sda_reviewer):
    lab = build_lab(mn_agency)
    plan = stored_plan(lab, sda_reviewer, trucks=1)
    district, manager = lab["districts"][0]
    expected = ("The state proposes 1 change to your approved orders to fill trucks: accept or decline it.",
                reverse("usda_foods:proposal-list"))  # fmt: skip
    assert expected not in todos(client_for(manager))  # the planner's, not yet sent by the state
    plan.adjustments.filter(site__district=district).update(status="offered")
    assert expected in todos(client_for(manager))


def test_viewer_sees_the_same_work_as_information(client_for, viewer, district, window):
    response = client_for(viewer).get(reverse("dashboard"))
    todo = next(t for s in response.context["sections"] for t in s.todos if "has no order yet" in t.text)
    assert todo.level == "info"


# --- Collaborative admins ---------------------------------------------------------------------------


def test_admin_sees_districts_whose_entitlement_cannot_be_computed(client_for, collab_admin, district, collaborative,
                                                                   mn_agency):  # fmt: skip
    fund(district)
    blocked = DistrictFactory(name="Delta Schools", collaborative=collaborative, state_agency=mn_agency)
    Entitlement.objects.create(district=blocked, school_year=SY, commodity_offer_value=None,
                               missing=["no lunch counts for SY 2018-19"])  # fmt: skip
    silent = DistrictFactory(name="Echo Schools", collaborative=collaborative, state_agency=mn_agency)
    found = dict(todos(client_for(collab_admin)))
    assert f"Delta Schools: SY {SY} entitlement cannot be computed: no lunch counts for SY 2018-19." in found
    assert found[f"Echo Schools: SY {SY} entitlement cannot be computed: no lunch counts."] == (
        reverse("usda_foods:lunch-count-list") + f"?district={silent.pk}"
    )
    assert not any(text.startswith(district.name + ":") for text in found)  # computed fine: nothing to do


# --- Cost ----------------------------------------------------------------------------------------------


def _dashboard_queries(client) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse("dashboard")).status_code == 200
    return len(ctx.captured_queries)


def test_dashboard_queries_do_not_grow_with_waiting_work(
    client_for, mn_agency, collaborative, district, manager
):
    """A user holding every role: the page costs the same with 2 or 12 districts' orders waiting."""
    everyone = member(Role.SDA_REVIEWER, mn_agency, email="all@example.org")
    Membership.objects.create(user=everyone, role=Role.COLLABORATIVE_ADMIN, collaborative=collaborative)
    Membership.objects.create(user=everyone, role=Role.DISTRICT_MANAGER, district=district)
    window = open_window(mn_agency, [catalog_item("100117", "10.00")], name="Spring window")
    survey(mn_agency)

    def grow(n: int) -> None:
        for _ in range(n):
            other = DistrictFactory(state_agency=mn_agency, collaborative=collaborative)
            Membership.objects.create(user=everyone, role=Role.DISTRICT_MANAGER, district=other)
            submitted_order(other, window, everyone)

    client = client_for(everyone)
    grow(2)
    few = _dashboard_queries(client)
    grow(10)
    assert _dashboard_queries(client) == few
