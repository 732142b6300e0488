"""``{% order_fee_estimate order as fees %}``: the state's fees an order will incur, for the order
page. A template tag, so the ordering area's page shows what the deliveries area knows without
ordering importing deliveries (deliveries builds on ordering): the same estimate as the order
API's ``GET /api/v1/orders/<id>/fee-estimate/``, through ``ordering.selectors``."""

from __future__ import annotations

from django import template

from usda_foods.deliveries.selectors import FeeEstimate
from usda_foods.ordering.models import Order
from usda_foods.ordering.selectors import order_fee_estimate as estimate

register = template.Library()


@register.simple_tag
def order_fee_estimate(order: Order) -> FeeEstimate | None:
    return estimate(order)
