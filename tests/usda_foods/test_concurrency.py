"""Simultaneous drawdowns on one entitlement, with real threads and real PostgreSQL connections:
the balance is never overdrawn and no drawdown that fitted is lost."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.db import connection

from districts.models import District
from focus_lab.errors import DomainError
from tests.usda_foods.ordering_fixtures import ensure_reference_values
from usda_foods.entitlements.services.drawdowns import drawdown_post
from usda_foods.entitlements.services.entitlements import entitlements_recompute
from usda_foods.models import Drawdown, Entitlement, LunchCount


@pytest.mark.django_db(transaction=True)
def test_simultaneous_drawdowns_never_overdraw(district):
    ensure_reference_values()
    LunchCount.objects.create(district=district, school_year="2018-19", free=4000, reduced=0, paid=0)
    entitlements_recompute(school_year="2019-20", districts=District.objects.filter(pk=district.pk))
    entitlement = Entitlement.objects.get(district=district)
    assert entitlement.planned_assistance_level == Decimal("950.00")  # 23.75 cents x 4,000

    threads_count, amount = 16, Decimal("100.00")  # 16 x $100 asked against $950: 9 fit
    barrier = threading.Barrier(threads_count)
    outcomes: list[str] = []
    lock = threading.Lock()

    def draw() -> None:
        try:
            barrier.wait()
            drawdown_post(entitlement_id=entitlement.pk, amount=amount, user=None)
            result = "ok"
        except DomainError:
            result = "refused"
        except Exception as exc:  # noqa: BLE001 - any other failure must fail the test below
            result = f"error: {exc!r}"
        finally:
            connection.close()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=draw) for _ in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    entitlement.refresh_from_db()
    assert sorted(outcomes) == ["ok"] * 9 + ["refused"] * 7
    assert entitlement.drawn == Decimal("900.00")
    assert Drawdown.objects.filter(entitlement=entitlement).count() == 9
    assert entitlement.remaining == Decimal("50.00")
