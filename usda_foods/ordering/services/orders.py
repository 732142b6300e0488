"""Request-driven ordering: the catalog, the preference survey, order windows and orders.

Every order transition runs in one transaction with the order row locked, checks the rule that
applies, records who, when and why (OrderTransition), and emails the district after commit.
Submitting posts a pending drawdown through ``drawdown_post``, which locks the entitlement row:
simultaneous submissions against one entitlement queue, and none can overdraw it.
"""

from __future__ import annotations

import operator
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from functools import reduce
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import F, Q, QuerySet, Sum
from django.utils import timezone

from districts.models import District, Site
from focus_lab.errors import DomainError
from focus_lab.jobs.models import BackgroundJob
from usda_foods import bounds as shipping_bounds
from usda_foods.entitlements.models import Entitlement
from usda_foods.entitlements.services.drawdowns import drawdown_finalize, drawdown_post, drawdown_release
from usda_foods.ordering.access import reviewable_orders
from usda_foods.ordering.models import (
    CatalogItem,
    Order,
    OrderLine,
    OrderStatus,
    OrderTransition,
    OrderWindow,
)
from usda_foods.ordering.services.common import (
    BAD_SITE,
    COMMENT_REQUIRED,
    LOCKED,
    NO_LINES,
    NOT_EDITABLE,
    NOT_OFFERED,
    NOT_SUBMITTED,
    WINDOW_NOT_OPEN,
    order_email_district_later,
)

if TYPE_CHECKING:
    from accounts.models import User


# --- Orders -------------------------------------------------------------------------------------


def delivery_sites_for(district: District) -> QuerySet[Site]:
    """Where a district's USDA Foods may go: its own receiving sites, and the receiving site of
    each co-op it belongs to (co-ops receive collectively)."""
    return Site.objects.filter(
        Q(district=district, receives_deliveries=True) | Q(coops_receiving__members=district)
    ).distinct().select_related("district")  # fmt: skip


def order_create(
    *, district: District, window: OrderWindow, user: User, now: datetime | None = None
) -> Order:
    if district.state_agency_id != window.state_agency_id:
        raise DomainError(f"{district} orders through {district.state_agency}, not {window.state_agency}.")
    if not window.is_open(now):
        raise DomainError(WINDOW_NOT_OPEN.format(window=window.name, state=window.state(now).label.lower()))
    entitlement = Entitlement.objects.filter(district=district, school_year=window.school_year).first()
    if entitlement is None or entitlement.planned_assistance_level is None:
        reasons = "; ".join(entitlement.missing) if entitlement else "it has not been computed"
        raise DomainError(
            f"{district} has no SY{window.school_year} entitlement to order against: {reasons}."
        )
    existing = Order.objects.filter(district=district, window=window).first()
    if existing:
        return existing
    with transaction.atomic():
        order = Order.objects.create(
            district=district, window=window, entitlement=entitlement, created_by=user
        )
        OrderTransition.objects.create(
            order=order, to_status=OrderStatus.DRAFT, user=user, comment="Draft started"
        )
    return order


def _lock_editable(order_id: int, now: datetime | None) -> Order:
    # ``of=("self",)``: lock the order row only. Without it PostgreSQL also locks the joined window
    # and district rows, so every district's edits in one window would queue behind each other.
    order = (
        Order.objects.select_for_update(of=("self",)).select_related("window", "district").get(pk=order_id)
    )
    if order.locked:
        raise DomainError(LOCKED)
    if not order.is_editable:
        raise DomainError(NOT_EDITABLE.format(status=order.get_status_display().lower()))
    if not order.window.is_open(now):
        raise DomainError(
            WINDOW_NOT_OPEN.format(window=order.window.name, state=order.window.state(now).label.lower())
        )
    return order


def _refresh_value(order: Order) -> None:
    """The order's value from its lines, summed in the database."""
    order.value = order.lines.aggregate(v=Sum(F("cases") * F("unit_price")))["v"] or Decimal("0.00")
    Order.objects.filter(pk=order.pk).update(value=order.value)


def order_line_set(
    *,
    order_id: int,
    catalog_item: CatalogItem,
    cases: int,
    delivery_site: Site,
    user: User,
    now: datetime | None = None,
) -> Order:
    """Add a line, or change the cases of the same food to the same site; 0 cases removes it."""
    if cases < 0:
        raise DomainError("Cases cannot be negative.", field="cases")
    # a window's shipment plan takes every line; one line is at most what one site can receive
    if problem := shipping_bounds.request_problem(cases, capacity=catalog_item.cases_per_truckload):
        raise DomainError(problem[0].upper() + problem[1:] + ".", field="cases")
    with transaction.atomic():
        order = _lock_editable(order_id, now)
        if not order.window.offered_items.filter(pk=catalog_item.pk).exists():
            raise DomainError(
                NOT_OFFERED.format(item=catalog_item, window=order.window.name), field="catalog_item"
            )
        if not delivery_sites_for(order.district).filter(pk=delivery_site.pk).exists():
            raise DomainError(
                BAD_SITE.format(site=delivery_site.name, district=order.district), field="delivery_site"
            )
        line = OrderLine.objects.filter(
            order=order, catalog_item=catalog_item, delivery_site=delivery_site
        ).first()
        if cases == 0:
            if line:
                line.delete()
        elif line:
            line.cases = cases
            line.save(update_fields=["cases"])
        else:
            OrderLine.objects.create(order=order, catalog_item=catalog_item, cases=cases, delivery_site=delivery_site,
                                     unit_price=catalog_item.unit_price)  # fmt: skip
        _refresh_value(order)
    return order


@dataclass(frozen=True)
class LineChange:
    """One line of ``order_lines_set``: ``cases`` of a food to a site (0 removes the line)."""

    catalog_item_id: int
    delivery_site_id: int
    cases: int


def order_lines_set(
    *, order_id: int, lines: Iterable[LineChange], user: User, now: datetime | None = None
) -> Order:
    """Set many lines at once, with every rule of ``order_line_set`` (the order locked and
    editable in an open window, each food offered in it and within its bounds, each site one of
    the district's or its co-op's), all or nothing, in a constant number of queries: the order
    locked, its offered foods and its sites among those named, one upsert of the lines with cases,
    one delete of those set to 0, and the value. A refusal names the line (1-based) at fault."""
    changes = list(lines)
    if not changes:
        raise DomainError("Name at least one line.", field="lines")
    seen: set[tuple[int, int]] = set()
    for number, change in enumerate(changes, start=1):
        key = (change.catalog_item_id, change.delivery_site_id)
        if key in seen:
            raise DomainError(f"Line {number}: name each food and site once.", field="lines")
        seen.add(key)
        if change.cases < 0:
            raise DomainError(f"Line {number}: cases cannot be negative.", field="lines")
    with transaction.atomic():
        order = _lock_editable(order_id, now)
        offered = order.window.offered_items.filter(pk__in={c.catalog_item_id for c in changes}).in_bulk()
        sites = (
            delivery_sites_for(order.district).filter(pk__in={c.delivery_site_id for c in changes}).in_bulk()
        )
        for number, change in enumerate(changes, start=1):
            item = offered.get(change.catalog_item_id)
            if item is None:
                raise DomainError(f"Line {number}: food #{change.catalog_item_id} is not offered in the window "
                                  f"“{order.window.name}”.", field="lines")  # fmt: skip
            if problem := shipping_bounds.request_problem(change.cases, capacity=item.cases_per_truckload):
                raise DomainError(f"Line {number} ({item.description}): {problem}.", field="lines")
            if change.delivery_site_id not in sites:
                raise DomainError(f"Line {number}: site #{change.delivery_site_id} is not a delivery site of "
                                  f"{order.district} or of its co-op.", field="lines")  # fmt: skip
        kept = [c for c in changes if c.cases > 0]
        if kept:  # new lines at the catalog price; existing ones keep theirs and take the new cases
            OrderLine.objects.bulk_create(
                [OrderLine(order=order, catalog_item_id=c.catalog_item_id, delivery_site_id=c.delivery_site_id,
                           cases=c.cases, unit_price=offered[c.catalog_item_id].unit_price) for c in kept],
                update_conflicts=True, unique_fields=["order", "catalog_item", "delivery_site"],
                update_fields=["cases"],
            )  # fmt: skip
        removed = [Q(catalog_item_id=c.catalog_item_id, delivery_site_id=c.delivery_site_id)
                   for c in changes if c.cases == 0]  # fmt: skip
        if removed:
            OrderLine.objects.filter(reduce(operator.or_, removed), order=order).delete()
        _refresh_value(order)
    return order


def order_line_remove(*, order_id: int, line_id: int, user: User, now: datetime | None = None) -> Order:
    with transaction.atomic():
        order = _lock_editable(order_id, now)
        OrderLine.objects.filter(order=order, pk=line_id).delete()
        _refresh_value(order)
    return order


def _transition(order: Order, to: str, user: User | None, comment: str = "") -> None:
    OrderTransition.objects.create(
        order=order, from_status=order.status, to_status=to, user=user, comment=comment
    )
    order.status = to
    order_email_district_later(order, to, comment)


def order_submit(*, order_id: int, user: User, now: datetime | None = None) -> Order:
    """Check the window is open, every food is offered and every site valid, then post a pending
    drawdown of the order's value (refused if it exceeds the remaining balance)."""
    with transaction.atomic():
        order = _lock_editable(order_id, now)
        lines = list(order.lines.select_related("catalog_item", "delivery_site"))
        if not lines:
            raise DomainError(NO_LINES)
        offered = set(order.window.offered_items.values_list("pk", flat=True))
        sites = set(delivery_sites_for(order.district).values_list("pk", flat=True))
        for line in lines:
            if line.catalog_item_id not in offered:
                raise DomainError(NOT_OFFERED.format(item=line.catalog_item, window=order.window.name))
            if line.delivery_site_id not in sites:
                raise DomainError(BAD_SITE.format(site=line.delivery_site.name, district=order.district))
        value = sum((line.value for line in lines), Decimal("0.00"))
        order.drawdown = drawdown_post(entitlement_id=order.entitlement_id, amount=value, user=user,
                                       reference=f"Order #{order.pk}", memo=order.window.name)  # fmt: skip
        order.value = value
        order.submitted_at = timezone.now()
        _transition(order, OrderStatus.SUBMITTED, user)
        order.save(update_fields=["drawdown", "value", "submitted_at", "status"])
    return order


def order_withdraw(*, order_id: int, user: User, now: datetime | None = None) -> Order:
    """The district takes a submitted order back while its window is open (the state has not
    decided yet): the hold on the entitlement is released and the order is a draft again, to
    change and submit anew."""
    with transaction.atomic():
        order = (
            Order.objects.select_for_update(of=("self",))
            .select_related("window", "district")
            .get(pk=order_id)
        )
        if order.locked:
            raise DomainError(LOCKED)
        if order.status != OrderStatus.SUBMITTED:
            raise DomainError(
                f"Only a submitted order can be withdrawn; this one is {order.get_status_display().lower()}."
            )
        if not order.window.is_open(now):
            raise DomainError(f"The order window “{order.window.name}” is {order.window.state(now).label.lower()}: "
                              "a submitted order can only be withdrawn while it is open.")  # fmt: skip
        drawdown_release(drawdown_id=order.drawdown_id, user=user)
        order.drawdown = None
        order.submitted_at = None
        _transition(order, OrderStatus.DRAFT, user, "Withdrawn by the district to change it")
        order.save(update_fields=["status", "drawdown", "submitted_at"])
    return order


def _lock_submitted(order_id: int, verb: str, user: User) -> Order:

    # The reviewer filter joins the district and its state: lock only the order row (see above).
    locked = Order.objects.select_for_update(of=("self",))
    order = reviewable_orders(user, locked).filter(pk=order_id).first()
    if order is None:
        raise DomainError("You cannot review this order.")
    if order.status != OrderStatus.SUBMITTED:
        raise DomainError(NOT_SUBMITTED.format(verb=verb, status=order.get_status_display().lower()))
    return order


def order_approve(*, order_id: int, user: User, comment: str = "") -> Order:
    """Approval turns the pending drawdown final. A second approval is refused."""
    with transaction.atomic():
        order = _lock_submitted(order_id, "approved", user)
        drawdown_finalize(drawdown_id=order.drawdown_id, user=user)
        order.decided_at = timezone.now()
        _transition(order, OrderStatus.APPROVED, user, comment)
        order.save(update_fields=["status", "decided_at"])
    return order


def order_return(*, order_id: int, user: User, comment: str) -> Order:
    """Send back for changes with a comment; the pending drawdown is released until resubmission."""
    if not comment.strip():
        raise DomainError(COMMENT_REQUIRED, field="comment")
    with transaction.atomic():
        order = _lock_submitted(order_id, "returned", user)
        drawdown_release(drawdown_id=order.drawdown_id, user=user)
        order.drawdown = None
        _transition(order, OrderStatus.RETURNED, user, comment.strip())
        order.save(update_fields=["status", "drawdown"])
    return order


def order_reject(*, order_id: int, user: User, comment: str) -> Order:
    """Reject: the pending drawdown is released and the order is closed."""
    if not comment.strip():
        raise DomainError("Say why the order is rejected: the district sees this comment.", field="comment")
    with transaction.atomic():
        order = _lock_submitted(order_id, "rejected", user)
        drawdown_release(drawdown_id=order.drawdown_id, user=user)
        order.drawdown = None
        order.decided_at = timezone.now()
        _transition(order, OrderStatus.REJECTED, user, comment.strip())
        order.save(update_fields=["status", "drawdown", "decided_at"])
    return order


@dataclass
class BulkResult:
    approved: list[int]
    refused: dict[int, str]


def orders_bulk_approve(*, order_ids: Iterable[int], user: User) -> BulkResult:
    """Approve each order in its own transaction, so one refusal does not undo the others."""
    result = BulkResult(approved=[], refused={})
    for order_id in order_ids:
        try:
            order_approve(order_id=order_id, user=user)
            result.approved.append(order_id)
        except DomainError as exc:
            result.refused[order_id] = exc.message
    return result


def orders_bulk_approve_start(*, order_ids: list[int], user: User) -> BackgroundJob:
    """Approve many orders in Celery (the reviewer's "all matching" selection), with progress on
    the job page. The task approves each in its own transaction, as ``orders_bulk_approve``."""
    from focus_lab.jobs import services as jobs

    return jobs.job_create(kind="orders_bulk_approve", user=user, params={"order_ids": list(order_ids)},
                           task="usda_foods.ordering.tasks.orders_bulk_approve_job")  # fmt: skip
