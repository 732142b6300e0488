"""Diversion: an order line of a bulk food goes to a processor instead of a site (FD-125: SFAs
may have bulk USDA Foods delivered to a processor for processing). The shipment planner then
treats the processor as the line's delivery location; the receipt credits the district's
inventory there."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction

from focus_lab.errors import DomainError
from usda_foods.ordering.models import Order, OrderLine
from usda_foods.processing.models import Processor

if TYPE_CHECKING:
    from accounts.models import User


def order_line_divert(*, line_id: int, processor: Processor | None, user: User) -> OrderLine:
    """Send an editable order's line of a bulk food to ``processor`` (``None`` sends it back to its
    site). The processor must accept the food, be in the district's state and hold an agreement
    covering the window's delivery period. The order's value and drawdown do not change: the
    food and its cases are the same, only where the truck goes."""
    with transaction.atomic():
        line = (
            OrderLine.objects.select_for_update(of=("self",))
            .select_related("order__district", "order__window", "catalog_item")
            .get(pk=line_id)
        )
        order: Order = line.order
        if not Order.objects.for_user(user, write=True).filter(pk=order.pk).exists():
            raise DomainError("Only the district's managers divert its order lines.")
        if not order.is_editable:
            raise DomainError("Only a draft (or returned) order's lines can be diverted.")
        if processor is not None:
            _check(line, order, processor)
        line.diverted_to = processor
        line.save(update_fields=["diverted_to"])
    return line


def _check(line: OrderLine, order: Order, processor: Processor) -> None:
    food, window = line.catalog_item, order.window
    if not food.is_bulk_for_processing:
        raise DomainError(f"{food} is not a bulk food offered for processing.", field="processor")
    if processor.state_agency_id != order.district.state_agency_id:
        raise DomainError("The processor's agreement is with another state agency.", field="processor")
    if not processor.accepted_foods.filter(pk=food.pk).exists():
        raise DomainError(f"{processor} does not accept {food}.", field="processor")
    if not (
        processor.agreement_start <= window.delivery_start and window.delivery_end <= processor.agreement_end
    ):
        raise DomainError(
            f"{processor}'s agreement ({processor.agreement_start} to {processor.agreement_end}) does not cover "
            f"the window's deliveries ({window.delivery_start} to {window.delivery_end}).",
            field="processor",
        )
