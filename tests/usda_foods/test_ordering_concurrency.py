"""Many districts' staff submitting orders against one entitlement at once, on PostgreSQL with
real threads: the entitlement is never overdrawn and no order that fitted is lost."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.db import connection

from focus_lab.errors import DomainError
from tests.factories import SiteFactory
from tests.usda_foods.ordering_fixtures import SY, catalog_item, fund, open_window
from usda_foods import services
from usda_foods.models import Entitlement, Order, OrderStatus, OrderWindow


@pytest.mark.django_db(transaction=True)
def test_concurrent_submissions_never_overdraw(district, mn_agency, manager):
    fund(district, lunches=40_000)  # $9,500.00
    site = SiteFactory(district=district)
    beans = catalog_item("100117", "100.00")
    # One order per window (an SFA has one order in a window): 12 windows, 12 orders of $1,000.
    orders = []
    for n in range(12):
        window = open_window(mn_agency, [beans], name=f"Window {n}")
        order = services.order_create(district=district, window=window, user=manager)
        services.order_line_set(
            order_id=order.pk, catalog_item=beans, cases=10, delivery_site=site, user=manager
        )
        orders.append(order.pk)
    barrier = threading.Barrier(len(orders))
    outcomes: dict[int, str] = {}

    def submit(order_id: int) -> None:
        try:
            barrier.wait()
            services.order_submit(order_id=order_id, user=manager)
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
    assert all("would overdraw" in o for o in refused) and len(refused) == 3
    assert entitlement.drawn == Decimal("9000.00")
    assert set(Order.objects.filter(status=OrderStatus.SUBMITTED).values_list("pk", flat=True)) == set(
        submitted
    )
    assert Order.objects.filter(status=OrderStatus.DRAFT).count() == 3  # the refused ones lose nothing
    assert OrderWindow.objects.count() == 12
