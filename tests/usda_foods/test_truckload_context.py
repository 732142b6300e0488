"""Truckload context while ordering (issue 18 item 5) and the words and units of shipping pages
(item 6): each food's truckload size and where the state's demand stands, on the order page, in
the survey and on the SDA's demand-versus-truckload page, with hand-checked numbers and constant
queries; "1 truck" not "1 trucks", thousands separators, miles."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from focus_lab.text import count_of, distance
from tests.factories import DistrictFactory, SiteFactory, member
from tests.usda_foods.ordering_fixtures import catalog_item, fund, open_window
from usda_foods.models import Survey
from usda_foods.ordering.services.orders import order_create, order_line_set, order_reject, order_submit
from usda_foods.ordering.services.surveys import survey_respond
from usda_foods.ordering.truckload import TruckloadContext, share_of_truck

pytestmark = pytest.mark.django_db


def url(name: str, *args: object) -> str:
    return reverse(f"usda_foods:{name}", args=args)


# --- Pure wording ----------------------------------------------------------------------------------


def test_the_issues_sentence_and_shares_of_a_truck():
    assert TruckloadContext(capacity=1800, cases=600, state_cases=1400).sentence == (
        "600 cases = 1/3 of a truck; the state has 1,400 of 1,800 for the next full truck"
    )
    assert TruckloadContext(capacity=1000, cases=2250, state_cases=3000).sentence == (
        "2,250 cases = 2 trucks and 1/4; the state's 3,000 cases fill 3 trucks exactly"
    )
    assert TruckloadContext(capacity=1000, cases=250, state_cases=1250).state_progress == (
        "the state has 250 of 1,000 for the next full truck after 1 truck"
    )
    assert TruckloadContext(capacity=1000, cases=0, state_cases=0).sentence == (
        "No cases asked for in the state yet; a truck holds 1,000"
    )
    assert TruckloadContext(capacity=1000, cases=0, state_cases=1250).still_needed == 750
    assert share_of_truck(1000, 1000) == "1 truck"
    assert share_of_truck(437, 1000) == "about 44% of a truck"
    assert share_of_truck(1500, 1000) == "1 truck and 1/2"
    assert share_of_truck(3, 1000) == "less than 1% of a truck"
    assert share_of_truck(1003, 1000) == "about 1 truck" and share_of_truck(1999, 1000) == "about 2 trucks"


def test_count_of_and_distance():
    assert (count_of(1, "truck"), count_of(2, "truck"), count_of(0, "truck")) == (
        "1 truck",
        "2 trucks",
        "0 trucks",
    )
    assert count_of(1400, "case") == "1,400 cases"
    assert count_of(1, "box", "boxes") == "1 box" and count_of(3, "box", "boxes") == "3 boxes"
    assert distance(16.09344) == "10 miles" and distance(1.609344) == "1 mile"
    assert distance(3218.688) == "2,000 miles" and distance(12.5, "km") == "12.5 km"


# --- Order page and survey ---------------------------------------------------------------------------


@pytest.fixture
def state(mn_agency, sda_reviewer):
    """Beans at 1,800 cases a truck; three MN districts. Alpha's draft of 600 and Bravo's submitted
    800 count (1,400); Charlie's 900, rejected, does not."""
    beans = catalog_item("100117", "10.00", per_truck=1800, description="Beans, green, canned")
    apples = catalog_item("100220", "10.00", per_truck=1000, description="Apples, fresh")
    window = open_window(mn_agency, [beans, apples])
    people = {}
    for name in ("Alpha", "Bravo", "Charlie"):
        district = DistrictFactory(state_agency=mn_agency, name=name)
        SiteFactory(district=district, name=f"{name} Kitchen")
        fund(district, lunches=1_000_000)
        people[name] = (
            district,
            member(Role.DISTRICT_MANAGER, district, email=f"{name.lower()}@example.org"),
        )
    orders = {}
    for name, cases in (("Alpha", 600), ("Bravo", 800), ("Charlie", 900)):
        district, manager = people[name]
        orders[name] = order_create(district=district, window=window, user=manager)
        order_line_set(order_id=orders[name].pk, catalog_item=beans, cases=cases, delivery_site=district.sites.get(),
                       user=manager)  # fmt: skip
    for name in ("Bravo", "Charlie"):
        order_submit(order_id=orders[name].pk, user=people[name][1])
    order_reject(order_id=orders["Charlie"].pk, user=sda_reviewer, comment="Duplicate")
    return {"beans": beans, "apples": apples, "window": window, "people": people, "orders": orders}


def sentences(html: str) -> list[str]:
    return [
        re.sub(r"\s+", " ", s).strip()
        for s in re.findall(r'data-testid="truckload-sentence">(.*?)</td>', html, re.S)
    ]


def test_order_page_shows_each_foods_truckload_and_the_states_demand(state, client_for):
    _, manager = state["people"]["Alpha"]
    html = client_for(manager).get(state["orders"]["Alpha"].get_absolute_url()).content.decode()
    assert sentences(html) == [
        "No cases asked for in the state yet; a truck holds 1,000",  # apples
        "600 cases = 1/3 of a truck; the state has 1,400 of 1,800 for the next full truck",  # beans
    ]
    assert "1,800 cases" in html and "1,000 cases" in html


def test_order_page_truckloads_cost_the_same_queries_for_2_or_12_foods(state, client_for, mn_agency):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _, manager = state["people"]["Alpha"]
    client = client_for(manager)
    page = state["orders"]["Alpha"].get_absolute_url()

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(page).status_code == 200
        return len(ctx.captured_queries)

    before = count()
    state["window"].offered_items.add(*(catalog_item(f"2000{n:02d}", per_truck=900 + n) for n in range(10)))
    assert count() == before


def test_survey_shows_the_states_answers_against_a_truck(state, mn_agency, client_for):
    now = timezone.now()
    survey = Survey.objects.create(state_agency=mn_agency, school_year="2019-20", title="Preferences",
                                   opens_at=now - timedelta(days=1), closes_at=now + timedelta(days=9))  # fmt: skip
    for name, cases in (("Alpha", 600), ("Bravo", 2800)):
        district, manager = state["people"][name]
        survey_respond(survey=survey, district=district, lines=[(state["beans"], cases)], user=manager)
    _, manager = state["people"]["Alpha"]
    html = client_for(manager).get(url("survey-respond", survey.pk)).content.decode()
    found = sentences(html)
    beans = next(s for s in found if "1/3" in s)
    # 600 + 2,800 = 3,400: one full truck of 1,800 and 1,600 toward the next.
    assert beans == ("A truck holds 1,800 cases. 600 cases = 1/3 of a truck; the state has 1,600 of 1,800 "
                     "for the next full truck after 1 truck (the state's answers so far).")  # fmt: skip


# --- The SDA's demand-versus-truckload page ---------------------------------------------------------


def test_demand_page_per_food_hand_checked(state, sda_reviewer, client_for):
    html = client_for(sda_reviewer).get(url("window-truckloads", state["window"].pk)).content.decode()
    row = re.search(r'<tr data-food="100117">(.*?)</tr>', html, re.S).group(1)
    cells = [re.sub(r"<[^>]+>|\s+", " ", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
    # Beans: 600 (Alpha, draft) + 800 (Bravo) = 1,400; 0 full trucks; 1,400 toward the next; 400
    # still needed; Charlie's rejected 900 is left out.
    assert cells[1:7] == ["1,800 cases", "1,400 cases", "0 trucks", "1,400 cases",
                          "1,400 of 1,800: 400 cases still needed", "Bravo (800), Alpha (600)"]  # fmt: skip
    assert "Carry-over is not recorded yet" in html
    apples = re.search(r'<tr data-food="100220">(.*?)</tr>', html, re.S).group(1)
    assert "nothing asked for yet" in apples and "none yet" in apples


def test_demand_page_is_the_state_reviewers_only_with_constant_queries(state, sda_reviewer, client_for,
                                                                         django_assert_max_num_queries, wi_agency):  # fmt: skip
    target = url("window-truckloads", state["window"].pk)
    _, manager = state["people"]["Alpha"]
    assert client_for(manager).get(target).status_code == 403
    outsider = member(Role.SDA_REVIEWER, wi_agency, email="r@wi.example")
    assert client_for(outsider).get(target).status_code == 404
    client = client_for(sda_reviewer)
    state["window"].offered_items.add(*(catalog_item(f"2000{n:02d}", per_truck=900 + n) for n in range(10)))
    with django_assert_max_num_queries(8):
        assert client.get(target).status_code == 200


# --- Words and units on the shipping pages ---------------------------------------------------------


def test_plan_page_speaks_miles_and_plain_words(mn_agency, sda_reviewer, client_for):
    from tests.usda_foods.shipping_fixtures import approve, build_lab, run_plan

    lab = build_lab(mn_agency)
    approve(lab, sda_reviewer, [100])  # one full truck to Kitchen 0
    plan = run_plan(lab["window"], sda_reviewer)
    client = client_for(sda_reviewer)
    html = client.get(plan.get_absolute_url()).content.decode()
    assert plan.message == "1 truck for 100 cases; 0 cases changed from the orders."
    assert "1 truck " in html and "1 trucks" not in html
    figures, details = html.split('data-testid="plan-details"')
    assert "lower bound" not in figures and "optimal for this objective" not in figures
    assert "0 miles" in figures  # a single stop: no distance between stops
    assert "lower bound 0" in details and "optimal for this objective" in details
    plans_page = client.get(url("window-plans", lab["window"].pk)).content.decode()
    assert "0 miles" in plans_page and "Demand and truckloads" in plans_page
