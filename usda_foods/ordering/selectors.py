"""Read-side queries for the ordering pages: scoped through districts/access.py, joined and
annotated in SQL so a list costs the same number of queries for 5 orders or 5,000."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from districts import access
from districts.models import District
from usda_foods.ordering.access import reviewable_orders
from usda_foods.ordering.models import (
    CatalogItem,
    Order,
    OrderLine,
    OrderStatus,
    OrderWindow,
    SurveyResponseLine,
)
from usda_foods.ordering.truckload import TruckloadContext

if TYPE_CHECKING:
    from accounts.models import User

ORDER_JOINS = ("window__state_agency", "district")


def order_list(*, user: User) -> QuerySet[Order]:
    """The orders the user may see (their district's; an SDA reviewer's state's), newest first."""
    return Order.objects.for_user(user).select_related(*ORDER_JOINS).order_by("-created_at", "-id")


def order_get_queryset() -> QuerySet[Order]:
    """What the order page reads in one row: the order, its window, district and entitlement."""
    return Order.objects.select_related(*ORDER_JOINS, "entitlement", "district__state_agency", "drawdown")


def order_lines(order: Order) -> QuerySet[OrderLine]:
    return order.lines.select_related("catalog_item", "delivery_site__district").order_by("id")


def review_queue(*, user: User) -> QuerySet[Order]:
    """Every order an SDA reviewer may decide on (their state's SFAs), oldest submission first.
    Another state's reviewer gets none of them."""
    rows = reviewable_orders(user, Order.objects.select_related(*ORDER_JOINS))
    return rows.order_by("submitted_at", "id")


def with_line_counts(orders: QuerySet[Order]) -> QuerySet[Order]:
    """Each order's line count as a correlated subquery, not a join with GROUP BY: PostgreSQL
    evaluates it for the page's rows only (after ORDER BY ... LIMIT), and the paginator's count
    query leaves it out, so the page costs the same at 2,000 lines or 100,000."""
    counts = (OrderLine.objects.filter(order=OuterRef("pk")).order_by().values("order")
              .annotate(n=Count("id")).values("n"))  # fmt: skip
    return orders.annotate(line_count=Coalesce(Subquery(counts, output_field=IntegerField()), 0))


def having_food(orders: QuerySet[Order], item: CatalogItem) -> QuerySet[Order]:
    """Orders with a line of ``item``. ``Exists`` rather than a join, so an order is listed once
    and its line count stays right."""
    return orders.filter(Exists(OrderLine.objects.filter(order=OuterRef("pk"), catalog_item=item)))


@dataclass(frozen=True)
class OrderTotals:
    count: int
    value: Decimal
    submitted: int = 0  # how many of them wait for review (the queue's "approve all matching")


def order_totals(orders: QuerySet[Order]) -> OrderTotals:
    """Count, summed value and submitted count of ``orders``, in one aggregate query."""
    row = orders.order_by().aggregate(
        count=Count("id"), value=Sum("value"), submitted=Count("id", filter=Q(status=OrderStatus.SUBMITTED))
    )
    return OrderTotals(count=row["count"], value=row["value"] or Decimal("0.00"), submitted=row["submitted"])


def approved_lines(
    *, orders: QuerySet[Order], catalog_item: CatalogItem | None = None
) -> QuerySet[OrderLine]:
    """The lines of the approved orders among ``orders``, joined to everything the CSV prints, so
    iterating them is one query. With ``catalog_item``, only that food's lines."""
    lines = OrderLine.objects.filter(
        order__in=orders.filter(status=OrderStatus.APPROVED).values("pk")
    ).select_related("order__district", "order__window", "catalog_item", "delivery_site")
    if catalog_item is not None:
        lines = lines.filter(catalog_item=catalog_item)
    return lines.order_by("order_id", "id")


# --- Choice lists --------------------------------------------------------------------------------


def review_windows(user: User) -> QuerySet[OrderWindow]:
    """The windows a reviewer runs: their state's."""
    return OrderWindow.objects.for_user(user, write=True).select_related("state_agency")


def review_foods(user: User) -> QuerySet[CatalogItem]:
    """The foods offered in the reviewer's windows."""
    return CatalogItem.objects.filter(order_windows__in=review_windows(user).values("pk")).distinct()


# --- Starting orders ------------------------------------------------------------------------------


@dataclass(frozen=True)
class StartOption:
    """An open window a district the user manages may order in, and its order if it has one."""

    window: OrderWindow
    district: District
    order_id: int | None


def order_start_options(*, user: User, now: datetime | None = None) -> list[StartOption]:
    """For district managers: each open window of their state against each district they manage.
    "Open" is the rule of ``OrderWindow.state()``, in SQL: opened, and not yet closed."""
    if not access.can_create(user, Order):
        return []
    now = now or timezone.now()
    windows = list(
        OrderWindow.objects.for_user(user)
        .filter(opens_at__lte=now, closes_at__gt=now)
        .select_related("state_agency")
        .order_by("closes_at", "id")
    )
    if not windows:
        return []
    districts = list(District.objects.for_user(user, write=True).order_by("name"))
    orders = {
        (window_id, district_id): pk
        for pk, window_id, district_id in Order.objects.filter(
            window__in=windows, district__in=districts
        ).values_list("pk", "window_id", "district_id")
    }
    return [
        StartOption(window=w, district=d, order_id=orders.get((w.pk, d.pk)))
        for w in windows
        for d in districts
        if d.state_agency_id == w.state_agency_id
    ]


def order_lines_export(*, orders: QuerySet[Order]) -> QuerySet[OrderLine]:
    """Every line of ``orders`` (any status), joined to what the export prints: one query."""
    return (OrderLine.objects.filter(order__in=orders.values("pk"))
            .select_related("order__district", "order__window", "catalog_item", "delivery_site")
            .order_by("order_id", "id"))  # fmt: skip


# --- Truckload context (issue 18) -----------------------------------------------------------------

COUNTED_STATUSES = (OrderStatus.DRAFT, OrderStatus.SUBMITTED, OrderStatus.RETURNED, OrderStatus.APPROVED)


def state_demand(window: OrderWindow) -> dict[int, int]:
    """Cases of each food asked for in the window across the state (every order but rejected
    ones, drafts included: where demand stands while the window is open). One query."""
    rows = (OrderLine.objects.filter(order__window=window, order__status__in=COUNTED_STATUSES)
            .values("catalog_item_id").annotate(cases=Sum("cases")).order_by())  # fmt: skip
    return {row["catalog_item_id"]: row["cases"] for row in rows}


def survey_state_estimates(survey) -> dict[int, int]:
    """Cases of each food the state's districts estimate in a survey's answers. One query."""
    rows = (SurveyResponseLine.objects.filter(response__survey=survey).values("catalog_item_id")
            .annotate(cases=Sum("estimated_cases")).order_by())  # fmt: skip
    return {row["catalog_item_id"]: row["cases"] for row in rows}


def food_truckloads(
    *, foods, own_cases: dict[int, int], state_cases: dict[int, int]
) -> list[TruckloadContext]:
    """Each food's truckload context: ``own_cases`` (this order's, this answer's) against the
    state's total. No query: the callers pass what they read in one query each."""
    return [
        TruckloadContext(capacity=food.cases_per_truckload, cases=own_cases.get(food.pk, 0),
                         state_cases=state_cases.get(food.pk, 0), food=food)
        for food in foods
    ]  # fmt: skip


# --- The state's distribution fees an order will incur ------------------------------------------------
#
# The fee schedules belong to the deliveries area, which builds on ordering: ordering may not
# import it. Deliveries registers its estimator here at start-up (usda_foods/apps.py), and the
# order page and the order API both read the estimate through ``order_fee_estimate``.

_fee_estimator: Callable[[Order], Any] | None = None


def register_fee_estimator(estimator: Callable[[Order], Any]) -> None:
    global _fee_estimator
    _fee_estimator = estimator


def order_fee_estimate(order: Order) -> Any:
    """The estimate (``deliveries.selectors.FeeEstimate``: schedule, drops, delivery, cases,
    pounds, total), or None when no schedule is in force or no estimator is registered."""
    return _fee_estimator(order) if _fee_estimator is not None else None
