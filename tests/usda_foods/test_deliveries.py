"""Deliveries and receipts: release, receipts posting received cases (inventory at the
processor, the orders' final drawdowns; a shortage releases its share), the co-op split, one
receipt per stop (also with real threads), and the nightly sweep (due-day email and late flag,
once each)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal as D

import pytest
from django.core import mail

from focus_lab.errors import DomainError
from tests.usda_foods.deliveries_fixtures import released
from tests.usda_foods.threads import at_once
from usda_foods.deliveries.services import receipt_record, receipts_sweep
from usda_foods.models import Drawdown, ExpectedDelivery, OrderTransition, ProcessorInventory, Receipt

pytestmark = pytest.mark.django_db
DELIVERED = date(2019, 10, 1)  # the window's first delivery day: every truck of the plan fits one day each


@pytest.fixture
def world(district, manager, mn_agency, sda_reviewer):
    return released(district, manager, mn_agency, sda_reviewer)


def _drawn(order) -> D:
    return Drawdown.objects.get(pk=order.drawdown_id).amount


def test_release_makes_one_delivery_per_stop_with_its_lines(world, district):
    beans, chicken = world["beans_delivery"], world["chicken_delivery"]
    assert (beans.cases, beans.site, beans.district, beans.processor) == (100, world["site"], district, None)
    assert beans.due_on == beans.delivery_date + timedelta(days=2)
    assert sorted(beans.lines.values_list("district__name", "cases")) == [
        ("Alpha Public Schools", 60),
        ("Delta Schools", 40),
    ]
    assert (chicken.cases, chicken.processor, chicken.district) == (1000, world["proc"], None)
    assert sorted(chicken.lines.values_list("cases", flat=True)) == [400, 600]


def test_co_op_receipt_splits_a_shortage_and_releases_its_share(world, district, manager):
    beans = world["beans_delivery"]
    alpha, delta = world["orders"][district.pk], world["orders"][world["delta"].pk]
    before = (_drawn(alpha), _drawn(delta))  # 60 x $10 + 600 x $90 = $54,600; 40 x $10 + 400 x $90 = $36,400
    assert before == (D("54600.00"), D("36400.00"))
    receipt_record(delivery_id=beans.pk, received_on=beans.delivery_date, cases_received=90, reason="damaged",
                   user=manager, today=beans.delivery_date)  # fmt: skip
    # 10 short of 100, shared 60:40 -> Alpha 6 short (54 received), Delta 4 short (36): $60 and $40 released.
    received = dict(
        Receipt.objects.get().lines.values_list("delivery_line__district__name", "cases_received")
    )
    assert received == {"Alpha Public Schools": 54, "Delta Schools": 36}
    assert (_drawn(alpha), _drawn(delta)) == (D("54540.00"), D("36360.00"))
    assert "shortage of 6 cases" in OrderTransition.objects.filter(order=alpha).last().comment


def test_processor_receipt_credits_pounds_received_not_ordered(world, sda_reviewer, manager, district):
    chicken = world["chicken_delivery"]
    with pytest.raises(DomainError, match="receiving district's managers"):  # a processor's: the state's
        receipt_record(delivery_id=chicken.pk, received_on=chicken.delivery_date, cases_received=1000, user=manager,
                       today=chicken.delivery_date)  # fmt: skip
    receipt_record(delivery_id=chicken.pk, received_on=chicken.delivery_date, cases_received=990,
                   reason="short_shipped", user=sda_reviewer, today=chicken.delivery_date)  # fmt: skip
    # 10 short, shared 600:400 -> 594 and 396 cases x 40 lb = 23,760 and 15,840 lb
    pounds = dict(ProcessorInventory.objects.values_list("district__name", "pounds"))
    assert pounds == {"Alpha Public Schools": D("23760.00"), "Delta Schools": D("15840.00")}
    assert _drawn(world["orders"][district.pk]) == D("54600.00") - 6 * D("90.00")


def test_a_difference_needs_a_reason_and_a_second_receipt_is_refused(world, manager):
    beans = world["beans_delivery"]
    kw = {
        "delivery_id": beans.pk,
        "received_on": beans.delivery_date,
        "user": manager,
        "today": beans.delivery_date,
    }
    with pytest.raises(DomainError, match="reason"):
        receipt_record(cases_received=99, **kw)
    with pytest.raises(DomainError, match="future"):
        receipt_record(cases_received=100, **{**kw, "received_on": beans.delivery_date + timedelta(days=1)})
    receipt_record(cases_received=100, **kw)
    with pytest.raises(DomainError, match="already has its receipt"):
        receipt_record(cases_received=100, **kw)


def test_sweep_emails_on_the_due_day_and_flags_late_from_the_third_day_once(
    world, django_capture_on_commit_callbacks
):
    beans = world["beans_delivery"]
    day = beans.delivery_date
    with django_capture_on_commit_callbacks(execute=True):
        assert receipts_sweep(today=day + timedelta(days=1))["reminded"] == 0
        first = receipts_sweep(today=day + timedelta(days=2))  # the due day: emailed, not late
    assert first["late"] == 0 and first["reminded"] >= 1
    assert ExpectedDelivery.objects.get(pk=beans.pk).late_at is None
    emails = [m for m in mail.outbox if m.subject == "Receipts due today"]
    assert any("manager@alpha.example" in m.to for m in emails)
    with django_capture_on_commit_callbacks(execute=True):
        assert receipts_sweep(today=day + timedelta(days=2))["reminded"] == 0  # once
    assert len([m for m in mail.outbox if m.subject == "Receipts due today"]) == len(emails)
    assert receipts_sweep(today=day + timedelta(days=3))["late"] >= 1  # the third calendar day: late
    assert ExpectedDelivery.objects.get(pk=beans.pk).late_at is not None
    assert receipts_sweep(today=day + timedelta(days=4))["late"] == 0  # once


def test_received_deliveries_are_never_late(world, manager):
    beans = world["beans_delivery"]
    receipt_record(delivery_id=beans.pk, received_on=beans.delivery_date, cases_received=100, user=manager,
                   today=beans.delivery_date)  # fmt: skip
    receipts_sweep(today=beans.delivery_date + timedelta(days=5))
    assert ExpectedDelivery.objects.get(pk=beans.pk).late_at is None


@pytest.mark.django_db(transaction=True)
def test_simultaneous_receipts_of_one_stop_record_one(district, manager, mn_agency, sda_reviewer):
    world = released(district, manager, mn_agency, sda_reviewer)
    beans = world["beans_delivery"]
    outcomes = at_once(lambda: receipt_record(delivery_id=beans.pk, received_on=beans.delivery_date, cases_received=90,
                                              reason="damaged", user=manager, today=beans.delivery_date), 6)  # fmt: skip
    assert outcomes.count("ok") == 1, outcomes
    assert all("already has its receipt" in o for o in outcomes if o != "ok"), outcomes
    assert Receipt.objects.count() == 1
    assert _drawn(world["orders"][district.pk]) == D("54540.00")  # the shortage released once


def test_reconciliation_worklist_by_month(world, sda_reviewer, manager, district, member_client):
    from django.urls import reverse

    from tests.usda_foods.processing_fixtures import drumsticks
    from usda_foods.processing.selectors import reconciliation
    from usda_foods.processing.services.inventory import end_product_purchase_record

    chicken = world["chicken_delivery"]
    receipt_record(delivery_id=chicken.pk, received_on=chicken.delivery_date, cases_received=990,
                   reason="short_shipped", user=sda_reviewer, today=chicken.delivery_date)  # fmt: skip
    product = drumsticks(world["proc"], world["chicken"])
    # 40 cases at $45.00 a case on the schedule: $1,800.00 expected; $1,750.00 credited.
    end_product_purchase_record(district=district, end_product=product, purchased_on=chicken.delivery_date, cases=40,
                                pass_through="noi", value_credited=D("1750.00"), user=manager)  # fmt: skip
    (month,) = reconciliation(district_id=district.pk, processor_id=world["proc"].pk)
    assert (month.cases_expected, month.cases_received, month.cases_short) == (600, 594, 6)
    assert (month.purchases, month.value_expected, month.value_credited) == (1, D("1800.00"), D("1750.00"))
    assert month.value_gap == D("-50.00")
    page = member_client.get(reverse("usda_foods:district-processor", args=[world["proc"].pk, district.pk]))
    assert month.label in page.content.decode() and "-50.00" in page.content.decode()
