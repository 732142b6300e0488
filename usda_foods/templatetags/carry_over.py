"""Issue 18's pieces shown on other areas' pages: an order's cases "waiting for a full truck"
(the ordering area's order page; ordering does not import shipping), a plan's carry-over, and the
fees of the state warehouse's stops from the deliveries area's fee schedule (shipping does not
import deliveries)."""

from __future__ import annotations

from decimal import Decimal

from django import template

from usda_foods.deliveries.selectors import WarehouseFee, warehouse_fees
from usda_foods.ordering.models import Order
from usda_foods.shipping.models import CarryOver, CarryOverStatus, ShipmentPlan
from usda_foods.shipping.selectors import Waiting, order_waiting

register = template.Library()


@register.simple_tag
def order_carry_over(order: Order) -> list[Waiting]:
    return order_waiting(order)


@register.simple_tag
def plan_warehouse_fees(plan: ShipmentPlan) -> list[WarehouseFee]:
    return warehouse_fees(plan)


@register.simple_tag
def plan_carry_over(plan: ShipmentPlan) -> dict[str, list[CarryOver]]:
    """The plan's cases left waiting for a later window, and earlier windows' it puts on trucks."""
    rows = CarryOver.objects.select_related("food", "site", "processor", "district", "window")
    return {
        "waiting": list(
            rows.filter(plan=plan, status=CarryOverStatus.WAITING).order_by("food__description", "pk")
        ),
        "carried": list(rows.filter(planned_in=plan).order_by("food__description", "pk")),
    }


@register.filter
def dollars(value: Decimal) -> str:
    """``$1,234.50`` or ``−$1,234.50`` (rounded half up to the cent)."""
    amount = Decimal(value).quantize(Decimal("0.01"))
    return f"{'−' if amount < 0 else ''}${abs(amount):,}"
