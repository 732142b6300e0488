"""The sorts and filters the order pages offer have indexes PostgreSQL can use (EXPLAIN). The
tables are small in tests, so sequential and bitmap scans and sorts are discouraged for the statement: what is checked
is that an index serves the page's WHERE and ORDER BY ... LIMIT without a sort of the whole table."""

from __future__ import annotations

import pytest
from django.db import connection, transaction

from usda_foods.ordering.models import Order, OrderStatus

pytestmark = pytest.mark.django_db


def plan(queryset) -> str:
    with transaction.atomic(), connection.cursor() as cursor:
        for setting in ("enable_seqscan", "enable_bitmapscan", "enable_sort"):
            cursor.execute(f"SET LOCAL {setting} = off")
        return queryset.explain()


def test_review_queue_order_is_read_from_an_index():
    rows = Order.objects.filter(status=OrderStatus.SUBMITTED).order_by("submitted_at", "id")[:50]
    text = plan(rows)
    assert "order_queue_idx" in text and "Sort" not in text, text


def test_newest_orders_first_is_read_from_an_index():
    text = plan(Order.objects.order_by("-created_at", "-id")[:50])
    assert "order_newest_idx" in text and "Sort" not in text, text
