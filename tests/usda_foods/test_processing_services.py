"""Processor inventory services: credits, end-product purchases (never below zero, also under
concurrency with real threads), transfers keeping totals, end-product rates."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest
from django.db import IntegrityError, transaction
from django.db.models import F, Sum

from accounts.models import Role
from focus_lab.errors import DomainError
from tests.factories import DistrictFactory, member
from tests.usda_foods.processing_fixtures import chicken, credit, drumsticks, processor
from tests.usda_foods.threads import at_once
from usda_foods.models import EndProductPurchase, InventoryEntry, ProcessorInventory
from usda_foods.processing.services.inventory import end_product_purchase_record, inventory_transfer_record
from usda_foods.processing.services.processors import end_product_food_set

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(district, mn_agency):
    food = chicken()
    proc = processor(mn_agency, food)
    return {"food": food, "proc": proc, "product": drumsticks(proc, food)}


def _on_hand(district, s) -> D:
    return ProcessorInventory.objects.get(district=district, processor=s["proc"], food=s["food"]).pounds


def _buy(district, s, user, cases: int, **extra):
    return end_product_purchase_record(district=district, end_product=s["product"], purchased_on=date(2019, 9, 3),
                                       cases=cases, pass_through="noi", value_credited=D("45.00") * cases,
                                       user=user, **extra)  # fmt: skip


def test_credit_is_cases_times_net_weight_with_a_ledger_entry(district, setup):
    entry = credit(district, setup["proc"], setup["food"], 38)  # 38 x 40 lb
    assert entry.pounds == D("1520.00") and entry.kind == "credit"
    assert _on_hand(district, setup) == D("1520.00")
    credit(district, setup["proc"], setup["food"], 2)
    assert _on_hand(district, setup) == D("1600.00")


def test_purchase_draws_rate_times_cases(district, setup, manager):
    credit(district, setup["proc"], setup["food"], 10)  # 400 lb
    purchase = _buy(district, setup, manager, 12)  # 12 x 22.5 = 270 lb
    assert _on_hand(district, setup) == D("130.00")
    assert list(purchase.entries.values_list("pounds", flat=True)) == [D("-270.00")]


def test_purchase_below_zero_is_refused_and_records_nothing(district, setup, manager):
    credit(district, setup["proc"], setup["food"], 10)  # 400 lb: 17 cases = 382.5 fit, 18 = 405 do not
    with pytest.raises(DomainError) as refused:
        _buy(district, setup, manager, 18)
    assert "has 400.00 lb" in refused.value.message and "need 405.00 lb" in refused.value.message
    assert _on_hand(district, setup) == D("400.00") and not EndProductPurchase.objects.exists()
    _buy(district, setup, manager, 17)
    assert _on_hand(district, setup) == D("17.50")


def test_the_database_refuses_a_negative_balance_even_past_the_service(district, setup):
    credit(district, setup["proc"], setup["food"], 1)
    with pytest.raises(IntegrityError), transaction.atomic():
        ProcessorInventory.objects.update(pounds=F("pounds") - D("41"))


def test_purchase_needs_a_manager_and_an_offered_method(district, setup, viewer, manager, outsider):
    credit(district, setup["proc"], setup["food"], 10)
    for user in (viewer, outsider):
        with pytest.raises(DomainError, match="managers"):
            _buy(district, setup, user, 1)
    with pytest.raises(DomainError, match="offered through"):
        end_product_purchase_record(district=district, end_product=setup["product"], purchased_on=date(2019, 9, 3),
                                    cases=1, pass_through="refund", value_credited=D("0"), user=manager)  # fmt: skip


def test_transfer_keeps_the_total_and_refuses_more_than_on_hand(
    district, setup, sda_reviewer, mn_agency, manager
):
    other = DistrictFactory(state_agency=mn_agency, name="Charlie Schools")
    credit(district, setup["proc"], setup["food"], 10)  # 400 lb
    total = lambda: ProcessorInventory.objects.aggregate(t=Sum("pounds"))["t"]  # noqa: E731
    inventory_transfer_record(processor=setup["proc"], food=setup["food"], from_district=district, to_district=other,
                              pounds=D("150.25"), transferred_on=date(2019, 10, 1), user=sda_reviewer)  # fmt: skip
    assert _on_hand(district, setup) == D("249.75") and _on_hand(other, setup) == D("150.25")
    assert total() == D("400.00")
    with pytest.raises(DomainError, match="has only 249.75 lb"):
        inventory_transfer_record(processor=setup["proc"], food=setup["food"], from_district=district,
                                  to_district=other, pounds=D("250"), transferred_on=date(2019, 10, 1),
                                  user=sda_reviewer)  # fmt: skip
    with pytest.raises(DomainError, match="state agency approves"):
        inventory_transfer_record(processor=setup["proc"], food=setup["food"], from_district=district,
                                  to_district=other, pounds=D("1"), transferred_on=date(2019, 10, 1), user=manager)  # fmt: skip
    assert total() == D("400.00")
    assert sorted(InventoryEntry.objects.filter(transfer__isnull=False).values_list("pounds", flat=True)) == [
        D("-150.25"),
        D("150.25"),
    ]


def test_rate_needs_an_accepted_food(setup, sda_reviewer, manager):
    from tests.usda_foods.ordering_fixtures import catalog_item

    beef = catalog_item("100150", "120.00", description="Beef, bulk")
    with pytest.raises(DomainError, match="does not accept"):
        end_product_food_set(
            end_product=setup["product"], food=beef, pounds_per_case=D("3"), user=sda_reviewer
        )
    with pytest.raises(DomainError, match="reviewers"):
        end_product_food_set(
            end_product=setup["product"], food=setup["food"], pounds_per_case=D("3"), user=manager
        )
    end_product_food_set(
        end_product=setup["product"], food=setup["food"], pounds_per_case=D("21"), user=sda_reviewer
    )
    assert setup["product"].foods.get().pounds_per_case == D("21")


@pytest.mark.django_db(transaction=True)
def test_simultaneous_purchases_never_take_inventory_below_zero(district, mn_agency):
    manager = member(Role.DISTRICT_MANAGER, district, email="race@alpha.example")
    food = chicken()
    proc = processor(mn_agency, food)
    s = {"food": food, "proc": proc, "product": drumsticks(proc, food, rate="40")}
    credit(district, proc, food, 9)  # 360 lb: nine purchases of one 40-lb case fit, three do not
    outcomes = at_once(lambda: _buy(district, s, manager, 1), 12)
    assert outcomes.count("ok") == 9, outcomes
    assert all("has 0.00 lb" in o for o in outcomes if o != "ok"), outcomes
    assert _on_hand(district, s) == D("0.00")
    assert EndProductPurchase.objects.count() == 9
