"""Every order transition and every refusal, with the message the user sees."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone

from focus_lab.errors import DomainError
from tests.factories import CoopFactory
from tests.usda_foods.ordering_fixtures import catalog_item, fund, open_window
from usda_foods.models import Drawdown, DrawdownStatus, Order, OrderStatus, OrderWindow
from usda_foods.ordering.services.catalog import catalog_import
from usda_foods.ordering.services.orders import (
    order_approve,
    order_create,
    order_line_set,
    order_reject,
    order_return,
    order_submit,
    orders_bulk_approve,
)
from usda_foods.ordering.services.surveys import (
    survey_choose_offered,
    survey_non_respondents,
    survey_open,
    survey_remind,
    survey_respond,
    survey_results,
)
from usda_foods.ordering.tasks import ordering_tick

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(district, site, mn_agency, manager, sda_reviewer):
    beans, apples, cheese = (
        catalog_item("100117", "25.00"),
        catalog_item("100220", "30.00"),
        catalog_item("100036", "50.00"),
    )
    entitlement = fund(district)  # $23,750.00
    window = open_window(mn_agency, [beans, apples])
    order = order_create(district=district, window=window, user=manager)
    return {"beans": beans, "apples": apples, "cheese": cheese, "entitlement": entitlement, "window": window,
            "order": order, "site": site}  # fmt: skip


def add(setup, manager, item="beans", cases=10, site=None):
    return order_line_set(order_id=setup["order"].pk, catalog_item=setup[item], cases=cases,
                                   delivery_site=site or setup["site"], user=manager)  # fmt: skip


def test_lines_update_the_value(setup, manager):
    add(setup, manager, cases=10)  # 10 x 25.00
    order = add(setup, manager, "apples", cases=3)  # + 3 x 30.00
    assert order.value == Decimal("340.00")
    order = add(setup, manager, cases=0)  # removes the beans line
    assert order.value == Decimal("90.00") and order.lines.count() == 1


def test_submit_posts_a_pending_drawdown(setup, manager, django_capture_on_commit_callbacks):
    add(setup, manager, cases=100)
    with django_capture_on_commit_callbacks(execute=True):
        order = order_submit(order_id=setup["order"].pk, user=manager)
    assert order.status == OrderStatus.SUBMITTED
    assert (order.drawdown.amount, order.drawdown.status) == (Decimal("2500.00"), DrawdownStatus.PENDING)
    setup["entitlement"].refresh_from_db()
    assert setup["entitlement"].drawn == Decimal("2500.00")
    assert [t.to_status for t in order.transitions.all()] == ["draft", "submitted"]
    assert mail.outbox[-1].subject.startswith(f"Order #{order.pk} submitted")


def test_submit_refuses_over_balance_with_the_message(setup, manager):
    add(setup, manager, cases=1000)  # $25,000 > $23,750
    with pytest.raises(
        DomainError, match=r"overdraw the entitlement: \$25,000.00 asked, \$23,750.00 remaining"
    ):
        order_submit(order_id=setup["order"].pk, user=manager)
    assert Order.objects.get(pk=setup["order"].pk).status == OrderStatus.DRAFT
    assert not Drawdown.objects.exists()


def test_submit_refuses_an_empty_order(setup, manager):
    with pytest.raises(DomainError, match="Add at least one line"):
        order_submit(order_id=setup["order"].pk, user=manager)


def test_food_not_offered_is_refused(setup, manager):
    with pytest.raises(DomainError, match="is not offered in the window"):
        add(setup, manager, "cheese")


def test_food_withdrawn_after_adding_is_refused_at_submit(setup, manager):
    add(setup, manager)
    setup["window"].offered_items.remove(setup["beans"])
    with pytest.raises(DomainError, match="is not offered"):
        order_submit(order_id=setup["order"].pk, user=manager)


def test_delivery_site_must_be_the_districts_or_its_coops(
    setup, manager, district, other_district, other_site
):
    with pytest.raises(DomainError, match="is not a delivery site of"):
        add(setup, manager, site=other_site)
    coop = CoopFactory(lead_district=other_district, receiving_site=other_site, members=[district])
    order = add(setup, manager, site=coop.receiving_site)
    assert order.lines.get().delivery_site == other_site


def test_closed_window_refuses_edits_and_submission(setup, manager):
    add(setup, manager)
    OrderWindow.objects.filter(pk=setup["window"].pk).update(closes_at=timezone.now() - timedelta(minutes=1))
    with pytest.raises(DomainError, match="is closed: orders can only be submitted while it is open"):
        order_submit(order_id=setup["order"].pk, user=manager)
    with pytest.raises(DomainError, match="is closed"):
        add(setup, manager, cases=5)


def test_upcoming_window_refuses_new_orders(mn_agency, district, manager):
    fund(district)
    window = open_window(mn_agency, [catalog_item()], opens_in=timedelta(days=2), closes_in=timedelta(days=9))
    with pytest.raises(DomainError, match="is upcoming"):
        order_create(district=district, window=window, user=manager)


def test_no_order_without_an_entitlement(mn_agency, district, manager):
    window = open_window(mn_agency, [catalog_item()])
    with pytest.raises(DomainError, match="no SY2019-20 entitlement"):
        order_create(district=district, window=window, user=manager)


def test_no_edit_after_submission(setup, manager):
    add(setup, manager)
    order_submit(order_id=setup["order"].pk, user=manager)
    with pytest.raises(DomainError, match="This order is submitted and can no longer be changed"):
        add(setup, manager, cases=20)
    with pytest.raises(DomainError, match="can no longer be changed"):
        order_submit(order_id=setup["order"].pk, user=manager)


def test_approve_makes_the_drawdown_final_once(setup, manager, sda_reviewer):
    add(setup, manager)
    order_submit(order_id=setup["order"].pk, user=manager)
    order = order_approve(order_id=setup["order"].pk, user=sda_reviewer)
    assert order.status == OrderStatus.APPROVED
    assert Drawdown.objects.get().status == DrawdownStatus.POSTED
    with pytest.raises(DomainError, match="Only a submitted order can be approved; this one is approved"):
        order_approve(order_id=setup["order"].pk, user=sda_reviewer)


def test_return_releases_and_allows_fix_and_resubmit(
    setup, manager, sda_reviewer, django_capture_on_commit_callbacks
):
    add(setup, manager, cases=100)
    order_submit(order_id=setup["order"].pk, user=manager)
    with pytest.raises(DomainError, match="Say what needs to change"):
        order_return(order_id=setup["order"].pk, user=sda_reviewer, comment=" ")
    with django_capture_on_commit_callbacks(execute=True):
        order = order_return(order_id=setup["order"].pk, user=sda_reviewer, comment="Use 80 cases")
    setup["entitlement"].refresh_from_db()
    assert order.status == OrderStatus.RETURNED and setup["entitlement"].drawn == Decimal("0.00")
    assert "Comment: Use 80 cases" in mail.outbox[-1].body
    add(setup, manager, cases=80)
    order_submit(order_id=setup["order"].pk, user=manager)
    order_approve(order_id=setup["order"].pk, user=sda_reviewer)
    setup["entitlement"].refresh_from_db()
    assert setup["entitlement"].drawn == Decimal("2000.00")
    statuses = list(
        Order.objects.get(pk=setup["order"].pk).transitions.values_list("to_status", "user__email")
    )
    assert [s for s, _ in statuses] == ["draft", "submitted", "returned", "submitted", "approved"]
    assert statuses[2][1] == sda_reviewer.email


def test_reject_releases_the_drawdown(setup, manager, sda_reviewer):
    add(setup, manager)
    order_submit(order_id=setup["order"].pk, user=manager)
    order_reject(order_id=setup["order"].pk, user=sda_reviewer, comment="Duplicate")
    setup["entitlement"].refresh_from_db()
    assert setup["entitlement"].drawn == Decimal("0.00")
    assert Drawdown.objects.get().status == DrawdownStatus.CANCELLED
    with pytest.raises(DomainError, match="this one is rejected"):
        order_approve(order_id=setup["order"].pk, user=sda_reviewer)


def test_only_the_states_reviewers_review(setup, manager, outsider):
    add(setup, manager)
    order_submit(order_id=setup["order"].pk, user=manager)
    for user in (manager, outsider):
        with pytest.raises(DomainError, match="You cannot review this order"):
            order_approve(order_id=setup["order"].pk, user=user)


def test_bulk_approve_reports_each_refusal(setup, manager, sda_reviewer, mn_agency, district):
    add(setup, manager)
    order_submit(order_id=setup["order"].pk, user=manager)
    draft = order_create(district=district, window=open_window(mn_agency, [setup["beans"]], name="Winter"),
                                  user=manager)  # fmt: skip
    result = orders_bulk_approve(order_ids=[setup["order"].pk, draft.pk], user=sda_reviewer)
    assert result.approved == [setup["order"].pk]
    assert "this one is draft" in result.refused[draft.pk]


def test_beat_tick_does_each_side_effect_once(setup, manager, district, django_capture_on_commit_callbacks):
    add(setup, manager)
    window = setup["window"]
    mail.outbox.clear()

    def tick() -> dict:
        with django_capture_on_commit_callbacks(execute=True):
            return ordering_tick.delay().get()

    first = tick()
    assert first["open"] == [window.pk] and first["remind"] == [] and first["close"] == []
    assert len(mail.outbox) == 1 and "is open" in mail.outbox[0].body
    assert tick() == {"open": [], "remind": [], "close": []}  # twice: nothing more
    assert len(mail.outbox) == 1
    OrderWindow.objects.filter(pk=window.pk).update(closes_at=timezone.now() + timedelta(days=1))
    assert tick()["remind"] == [window.pk]
    assert "has not submitted an order" in mail.outbox[-1].body
    OrderWindow.objects.filter(pk=window.pk).update(closes_at=timezone.now() - timedelta(seconds=1))
    assert tick()["close"] == [window.pk]
    assert Order.objects.get(pk=setup["order"].pk).locked
    assert tick() == {"open": [], "remind": [], "close": []}
    with pytest.raises(DomainError, match="locked"):
        order_submit(order_id=setup["order"].pk, user=manager)


def test_a_late_tick_still_closes_and_skips_stale_notices(setup):
    OrderWindow.objects.filter(pk=setup["window"].pk).update(closes_at=timezone.now() - timedelta(hours=5))
    done = ordering_tick.delay().get()
    assert done == {"open": [], "remind": [], "close": [setup["window"].pk]}


def test_catalog_import_good_bad_and_reimport(reference_editor):
    header = "school_year,material_code,description,category,pack_description,net_case_weight_lb,cases_per_truckload,unit_price,is_bulk_for_processing\n"
    good = header + "2019-20,100117,Beans green canned,vegetable,6/#10 cans,40.5,1400,23.10,false\n" \
                    "2019-20,100101,Chicken bulk,meat,40 lb box,40,1000,85.00,true\n"  # fmt: skip
    report = catalog_import(data=good, user=reference_editor)
    assert report.ok and report.created == 2
    assert "already imported" in catalog_import(data=good, user=reference_editor).errors[0].message
    assert catalog_import(data=good + "\n", user=reference_editor).unchanged == 2  # the same rows
    bad = header + "2019-20,100117,Beans,vegetable,6/#10,40,1400,24.00,false\n" \
                   "2019-20,,Peas,legume,,-1,0,1.234,maybe\n" \
                   "2019-20,100117,Dup,vegetable,x,1,10,1,false\n"  # fmt: skip
    report = catalog_import(data=bad, user=reference_editor)
    found = {(e.line, e.column) for e in report.errors}
    assert {(3, "material_code"), (3, "category"), (3, "pack_description"), (3, "net_case_weight_lb"),
            (3, "cases_per_truckload"), (3, "unit_price"), (3, "is_bulk_for_processing"), (4, "material_code")} == found  # fmt: skip
    from usda_foods.models import CatalogItem

    assert CatalogItem.objects.get(material_code="100117").unit_price == Decimal(
        "23.10"
    )  # line 2 not written


@pytest.mark.parametrize("role", ["manager", "sda_reviewer", "collab_admin"])
def test_catalog_import_is_for_reference_editors(request, role):
    with pytest.raises(DomainError, match="reference-data editors"):
        catalog_import(data="x", user=request.getfixturevalue(role))


def test_survey_cycle(
    district, other_district, mn_agency, manager, sda_reviewer, django_capture_on_commit_callbacks
):
    beans, apples = catalog_item("100117"), catalog_item("100220")
    from accounts.models import Role
    from tests.factories import DistrictFactory, member

    silent = DistrictFactory(state_agency=mn_agency, name="Quiet Schools")
    member(Role.DISTRICT_VIEWER, silent, email="staff@quiet.example")
    now = timezone.now()
    survey = survey_open(state_agency=mn_agency, school_year="2019-20", title="SY2019-20 preferences",
                                  opens_at=now - timedelta(days=1), closes_at=now + timedelta(days=10), user=sda_reviewer)  # fmt: skip
    survey_respond(survey=survey, district=district, lines=[(beans, 120), (apples, 0)], user=manager)
    results = {r.item.material_code: (r.sfa_count, r.total_cases) for r in survey_results(survey)}
    assert results == {"100117": (1, 120), "100220": (0, 0)}
    assert list(survey_non_respondents(survey)) == [silent]
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert survey_remind(survey=survey, user=sda_reviewer) == 1
    assert [m.to for m in mail.outbox] == [["staff@quiet.example"]]
    assert "Quiet Schools has not yet answered" in mail.outbox[0].body
    survey_choose_offered(survey=survey, items=[beans], user=sda_reviewer)
    assert list(survey.offered_items.all()) == [beans]
    with pytest.raises(DomainError, match="not an SFA of"):
        survey_respond(survey=survey, district=other_district, lines=[(beans, 1)], user=manager)
