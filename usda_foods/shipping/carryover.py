"""Carry-over (issue 18): cases of approved orders that wait for a full truck in a later window
of the school year. Nothing is drawn from the entitlement for them until they ship: the order's
drawdown is kept at its value less what waits (``order_drawn_sync``), and releasing the later
plan's deliveries (``carry_overs_ship``) draws them."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet
from django.utils import timezone

from usda_foods.entitlements.models import DrawdownStatus
from usda_foods.entitlements.services.drawdowns import drawdown_adjust, drawdown_post
from usda_foods.ordering.models import Order, OrderLine, OrderStatus, OrderWindow
from usda_foods.shipping.models import (
    CarryOver,
    CarryOverSource,
    CarryOverStatus,
    JointStatus,
    JointStop,
    ShipmentPlan,
)

if TYPE_CHECKING:
    from accounts.models import User

HELD = (CarryOverStatus.WAITING, CarryOverStatus.PLANNED)


def later_window_exists(window: OrderWindow) -> bool:
    """A later order window of the same state and school year (one a remainder can wait for)."""
    return OrderWindow.objects.filter(state_agency_id=window.state_agency_id, school_year=window.school_year,
                                      opens_at__gte=window.closes_at).exclude(pk=window.pk).exists()  # fmt: skip


def carried_into(window: OrderWindow) -> QuerySet[CarryOver]:
    """Cases waiting from earlier windows of the state's school year, which this window's plan
    includes first (and those a previous run of this window's plans had already put on a truck)."""
    earlier = Q(status=CarryOverStatus.WAITING, window__closes_at__lte=window.opens_at)
    return (CarryOver.objects.filter(earlier | Q(status=CarryOverStatus.PLANNED, planned_in__window=window),
                                     window__state_agency_id=window.state_agency_id,
                                     window__school_year=window.school_year)
            .exclude(window=window).select_related("order_line").order_by("created_at", "pk"))  # fmt: skip


def declined_waiting(window: OrderWindow) -> QuerySet[CarryOver]:
    """This window's cases sent back to carry-over by a district declining an increase: kept when
    the window is planned again, and left out of what ships now."""
    return CarryOver.objects.filter(
        window=window, source=CarryOverSource.DECLINED, status=CarryOverStatus.WAITING
    )


def held_elsewhere(window: OrderWindow) -> list[tuple[int, str, int]]:
    """(food id, location key, cases) that leave the window's demand: requests a district sent back
    to carry-over, and cases of the window's state that a binding joint plan with another state
    carries (its joint trucks ship them; the state's own plan neither ships nor adjusts them)."""
    rows = [(r.food_id, _key(r), r.cases) for r in declined_waiting(window)]
    joint = (JointStop.objects.filter(truck__joint_plan__status=JointStatus.BINDING,
                                      state_agency_id=window.state_agency_id)
             .filter(Q(truck__joint_plan__offer__plan__window=window) | Q(truck__joint_plan__partner_window=window))
             .values_list("truck__joint_plan__food_id", "site_id", "cases"))  # fmt: skip
    return rows + [(food_id, f"site-{site_id}", cases) for food_id, site_id, cases in joint]


def _key(row: CarryOver) -> str:
    return f"proc-{row.processor_id}" if row.processor_id else f"site-{row.site_id}"


def held_value(order: Order) -> Decimal:
    rows = CarryOver.objects.filter(order_line__order=order, status__in=HELD).select_related("order_line")
    return sum((row.cases * row.order_line.unit_price for row in rows), Decimal("0.00"))


def order_drawn_sync(*, order: Order, user: User | None, memo: str) -> None:
    """Set what the order draws from the entitlement: its lines' value less the cases waiting for
    a full truck. At zero the drawdown is released; above zero again a final drawdown is posted
    (the entitlement row lock in ``drawdown_post``/``drawdown_adjust`` refuses an overdraw)."""
    value = sum((ln.cases * ln.unit_price for ln in OrderLine.objects.filter(order=order)), Decimal("0.00"))
    target = max(value - held_value(order), Decimal("0.00"))
    drawdown = order.drawdown
    if drawdown is not None and drawdown.status != DrawdownStatus.CANCELLED:
        if drawdown.amount == target:
            return
        drawdown_adjust(drawdown_id=drawdown.pk, amount=target, user=user, memo=memo)
        if target == 0:
            Order.objects.filter(pk=order.pk).update(drawdown=None)
            order.drawdown = None
    elif target > 0:
        order.drawdown = drawdown_post(entitlement_id=order.entitlement_id, amount=target, user=user,
                                       status=DrawdownStatus.POSTED, reference=f"Order #{order.pk}", memo=memo)  # fmt: skip
        Order.objects.filter(pk=order.pk).update(drawdown=order.drawdown)


def _sync_orders(order_ids: Iterable[int], user: User | None, memo: str) -> None:
    for order in Order.objects.filter(pk__in=set(order_ids)).select_related("drawdown").order_by("pk"):
        order_drawn_sync(order=order, user=user, memo=memo)


def _lines_at(window: OrderWindow, food_id: int, place: Mapping[str, int]) -> list[OrderLine]:
    place_q = (Q(diverted_to_id=place["processor_id"]) if "processor_id" in place
               else Q(delivery_site_id=place["site_id"], diverted_to__isnull=True))  # fmt: skip
    return list(OrderLine.objects.filter(place_q, order__window=window, order__status=OrderStatus.APPROVED,
                                         catalog_item_id=food_id).select_related("order").order_by("cases", "id"))  # fmt: skip


def carry_overs_record(
    *, plan: ShipmentPlan, waiting: Mapping[int, Mapping[str, int]], delivered: Mapping[int, Mapping[str, int]],
    place: Callable[[str], dict[str, int]],
) -> None:  # fmt: skip
    """Store a plan's carry-over (inside the plan's transaction): this window's earlier automatic
    carry-overs are replaced by ``waiting`` (cases per food and location key, taken from the
    smallest lines first), earlier windows' waiting cases this plan delivers (``delivered``) are
    marked planned, oldest first, and every order whose waiting cases changed draws again."""
    window = plan.window
    touched: set[int] = set()
    stale = CarryOver.objects.filter(
        window=window, source=CarryOverSource.PLAN, status=CarryOverStatus.WAITING
    )
    touched.update(stale.values_list("order_line__order_id", flat=True))
    stale.delete()
    reset = CarryOver.objects.filter(planned_in__window=window, status=CarryOverStatus.PLANNED)
    reset.update(status=CarryOverStatus.WAITING, planned_in=None)
    rows = []
    for food_id, by_key in waiting.items():
        for key, cases in by_key.items():
            left = cases
            for line in _lines_at(window, food_id, place(key)):
                take = min(left, line.cases)
                if take <= 0:
                    break
                rows.append(CarryOver(plan=plan, window=window, order_line=line, district_id=line.order.district_id,
                                      food_id=food_id, cases=take, **place(key)))  # fmt: skip
                touched.add(line.order_id)
                left -= take
    CarryOver.objects.bulk_create(rows)
    carried = defaultdict(list)
    for row in carried_into(window):
        carried[(row.food_id, _key(row))].append(row)
    for (food_id, key), group in carried.items():
        room = delivered.get(food_id, {}).get(key, 0)
        for row in group:
            if row.cases <= room:
                room -= row.cases
                CarryOver.objects.filter(pk=row.pk).update(status=CarryOverStatus.PLANNED, planned_in=plan)
    _sync_orders(touched, None, f"Shipment plan #{plan.pk}: cases waiting for a full truck are not drawn")


def carry_over_decline(*, window: OrderWindow, plan: ShipmentPlan, food_id: int, place: Mapping[str, int],
                       user: User) -> int:  # fmt: skip
    """A district declined a proposed increase: its request of the food at that place waits for a
    full truck in a later window (source ``declined``, kept across plans). Returns the cases."""
    rows, touched = [], set()
    for line in _lines_at(window, food_id, place):
        rows.append(CarryOver(plan=plan, window=window, order_line=line, district_id=line.order.district_id,
                              food_id=food_id, cases=line.cases, source=CarryOverSource.DECLINED, **place))  # fmt: skip
        touched.add(line.order_id)
    CarryOver.objects.bulk_create(rows)
    _sync_orders(touched, user, "Declined increase: the request waits for a full truck and is not drawn")
    return sum(r.cases for r in rows)


def carry_overs_ship(*, plan: ShipmentPlan, user: User | None) -> list[CarryOver]:
    """The plan's trucks leave (its deliveries are released): the carried-over cases it planned
    ship now, and their orders draw them from the entitlement."""
    rows = list(CarryOver.objects.filter(planned_in=plan, status=CarryOverStatus.PLANNED)
                .select_related("order_line__order").order_by("pk"))  # fmt: skip
    CarryOver.objects.filter(pk__in=[r.pk for r in rows]).update(status=CarryOverStatus.SHIPPED,
                                                                 shipped_at=timezone.now())  # fmt: skip
    _sync_orders({r.order_line.order_id for r in rows}, user,
                 f"Shipment plan #{plan.pk}: carried-over cases shipped")  # fmt: skip
    return rows
