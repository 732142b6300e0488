"""Many districts' staff submitting orders against one entitlement at once, on PostgreSQL with
real threads: the entitlement is never overdrawn and no order that fitted is lost."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.db import connection, transaction

from accounts.models import Role
from focus_lab.errors import DomainError
from tests.factories import DistrictFactory, SiteFactory, member
from tests.usda_foods.ordering_fixtures import SY, catalog_item, fund, open_window
from usda_foods.models import Entitlement, Order, OrderStatus, OrderWindow
from usda_foods.ordering.services.orders import order_create, order_line_set, order_submit


@pytest.mark.django_db(transaction=True)
def test_concurrent_submissions_never_overdraw(district, mn_agency, manager):
    fund(district, lunches=40_000)  # $9,500.00
    site = SiteFactory(district=district)
    beans = catalog_item("100117", "100.00")
    # One order per window (an SFA has one order in a window): 12 windows, 12 orders of $1,000.
    orders = []
    for n in range(12):
        window = open_window(mn_agency, [beans], name=f"Window {n}")
        order = order_create(district=district, window=window, user=manager)
        order_line_set(order_id=order.pk, catalog_item=beans, cases=10, delivery_site=site, user=manager)
        orders.append(order.pk)
    barrier = threading.Barrier(len(orders))
    outcomes: dict[int, str] = {}

    def submit(order_id: int) -> None:
        try:
            barrier.wait()
            order_submit(order_id=order_id, user=manager)
            outcomes[order_id] = "submitted"
        except DomainError as exc:
            outcomes[order_id] = exc.message
        except Exception as exc:  # noqa: BLE001 - surfaces below as a failure
            outcomes[order_id] = f"error {exc!r}"
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=(pk,)) for pk in orders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    entitlement = Entitlement.objects.get(district=district, school_year=SY)
    submitted = [pk for pk, outcome in outcomes.items() if outcome == "submitted"]
    refused = [o for o in outcomes.values() if o != "submitted"]
    assert len(submitted) == 9  # $9,500 fits nine orders of $1,000
    # Without the entitlement row lock, two submissions read the same balance and the refused ones
    # hit the database constraint (an IntegrityError) instead of the clear "would overdraw".
    assert all("would overdraw" in o for o in refused) and len(refused) == 3, refused
    assert entitlement.drawn == Decimal("9000.00")
    assert set(Order.objects.filter(status=OrderStatus.SUBMITTED).values_list("pk", flat=True)) == set(
        submitted
    )
    assert Order.objects.filter(status=OrderStatus.DRAFT).count() == 3  # the refused ones lose nothing
    assert OrderWindow.objects.count() == 12


@pytest.mark.django_db(transaction=True)
def test_two_districts_edit_orders_in_one_window_without_waiting(district, mn_agency, manager, collaborative):
    """An order's row lock takes the order row only: while one district's order is being changed
    (its transaction still open), another district's order in the same window changes at once.
    Before ``of=("self",)`` the lock also took the shared window row and the second edit waited."""
    other = DistrictFactory(name="Gamma Schools", state_agency=mn_agency, collaborative=collaborative)
    other_manager = member(Role.DISTRICT_MANAGER, other, email="manager@gamma.example")
    beans = catalog_item("100117", "10.00")
    window = open_window(mn_agency, [beans])
    ours, theirs = SiteFactory(district=district), SiteFactory(district=other)
    fund(district)
    fund(other)
    first = order_create(district=district, window=window, user=manager)
    second = order_create(district=other, window=window, user=other_manager)
    holding, release = threading.Event(), threading.Event()
    failures: list[str] = []

    def hold_first_order_lock() -> None:
        try:
            with transaction.atomic():  # the service's locks last until this block ends
                order_line_set(order_id=first.pk, catalog_item=beans, cases=5, delivery_site=ours,
                                        user=manager)  # fmt: skip
                holding.set()
                release.wait(timeout=30)
        except Exception as exc:  # noqa: BLE001 - reported below
            failures.append(repr(exc))
        finally:
            holding.set()
            connection.close()

    thread = threading.Thread(target=hold_first_order_lock)
    thread.start()
    try:
        assert holding.wait(timeout=30)
        with transaction.atomic():
            with connection.cursor() as cursor:  # waiting on any lock fails fast instead of hanging
                cursor.execute("SET LOCAL lock_timeout = '2s'")
            order_line_set(order_id=second.pk, catalog_item=beans, cases=7, delivery_site=theirs,
                                    user=other_manager)  # fmt: skip
    finally:
        release.set()
        thread.join(timeout=30)
    assert failures == []
    assert Order.objects.get(pk=second.pk).lines.get().cases == 7
    assert Order.objects.get(pk=first.pk).lines.get().cases == 5
