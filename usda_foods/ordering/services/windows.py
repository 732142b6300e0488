"""Order windows: created by the state, opened, reminded and closed on schedule (beat)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from districts.models import StateAgency
from focus_lab.errors import DomainError
from focus_lab.jobs.services import enqueue
from usda_foods.ordering.models import (
    CatalogItem,
    Order,
    OrderStatus,
    OrderWindow,
)
from usda_foods.ordering.services.common import email_state_districts, full_clean, require_reviewer

if TYPE_CHECKING:
    from accounts.models import User


# --- Order windows ------------------------------------------------------------------------------


def window_create(
    *, state_agency: StateAgency, school_year: str, name: str, opens_at: datetime, closes_at: datetime,
    delivery_start: date, delivery_end: date, offered_items: Iterable[CatalogItem], user: User,
    reminder_days_before: int = 3,
) -> OrderWindow:  # fmt: skip
    require_reviewer(user, state_agency)
    window = OrderWindow(state_agency=state_agency, school_year=school_year, name=name, opens_at=opens_at,
                         closes_at=closes_at, delivery_start=delivery_start, delivery_end=delivery_end,
                         reminder_days_before=reminder_days_before, created_by=user)  # fmt: skip
    full_clean(window)
    items = list(offered_items)
    if not items:
        raise DomainError("Offer at least one food in the window.", field="offered_items")
    wrong = [i for i in items if i.school_year != school_year]
    if wrong:
        raise DomainError(f"{wrong[0]} is not on the SY{school_year} available list.", field="offered_items")
    with transaction.atomic():
        window.save()
        window.offered_items.set(items)
    return window


# --- Window side effects (beat) -----------------------------------------------------------------


def _claim(window_id: int, stamp: str, condition: Q) -> bool:
    """Compare-and-set a window's side-effect stamp: true for exactly one caller."""
    return bool(OrderWindow.objects.filter(condition, pk=window_id, **{f"{stamp}__isnull": True})
                .update(**{stamp: timezone.now()}))  # fmt: skip


def window_due_work(now: datetime | None = None) -> dict[str, list[int]]:
    """Which windows need which side effect now. Derived from timestamps, so a late tick catches up."""
    now = now or timezone.now()
    pending = OrderWindow.objects.filter(opens_at__lte=now)
    return {
        "open": list(pending.filter(opened_notice_sent_at__isnull=True, closes_at__gt=now).values_list("pk", flat=True)),
        "remind": [w.pk for w in pending.filter(reminder_sent_at__isnull=True, closes_at__gt=now)
                   if w.closes_at - timedelta(days=w.reminder_days_before) <= now],
        "close": list(pending.filter(closed_processed_at__isnull=True, closes_at__lte=now).values_list("pk", flat=True)),
    }  # fmt: skip


def window_announce_open(*, window_id: int) -> bool:
    """Email every SFA of the state that the window is open. Once."""
    if not _claim(window_id, "opened_notice_sent_at", Q()):
        return False
    window = OrderWindow.objects.select_related("state_agency").get(pk=window_id)
    body = (f"The USDA Foods order window “{window.name}” (SY{window.school_year}) is open until "
            f"{timezone.localtime(window.closes_at):%B %d, %Y at %H:%M}. Deliveries {window.delivery_start:%b %d} – "
            f"{window.delivery_end:%b %d, %Y}.")  # fmt: skip
    email_state_districts(window, f"Order window open: {window.name}", body)
    return True


def window_remind(*, window_id: int) -> bool:
    """Remind SFAs whose order is not submitted that the window closes soon. Once."""
    if not _claim(window_id, "reminder_sent_at", Q()):
        return False
    window = OrderWindow.objects.select_related("state_agency").get(pk=window_id)
    submitted = Order.objects.filter(window=window, status__in=[OrderStatus.SUBMITTED, OrderStatus.APPROVED])
    body = (f"The USDA Foods order window “{window.name}” closes {timezone.localtime(window.closes_at):%B %d, %Y at %H:%M}. "
            "Your district has not submitted an order in it yet.")  # fmt: skip
    email_state_districts(window, f"Order window closing soon: {window.name}", body,
                           exclude=submitted.values("district_id"))  # fmt: skip
    return True


def window_close(*, window_id: int) -> bool:
    """Lock the window's orders so nothing changes after the close, then queue the shipment plan
    of its approved lines. Once. (Planning is the shipping area's: the task is sent by name.)"""
    if not _claim(window_id, "closed_processed_at", Q(closes_at__lte=timezone.now())):
        return False
    Order.objects.filter(window_id=window_id).update(locked=True)
    if Order.objects.filter(window_id=window_id, status=OrderStatus.APPROVED).exists():
        enqueue("usda_foods.shipping.tasks.window_shipments_plan", window_id)
    return True
