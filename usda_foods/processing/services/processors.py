"""Processors and their end-product schedules. The state agency's reviewers keep them."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from django.db import transaction

from focus_lab.errors import DomainError
from usda_foods.ordering.models import CatalogItem
from usda_foods.processing.access import reviews_processor_state
from usda_foods.processing.models import EndProduct, EndProductFood

if TYPE_CHECKING:
    from accounts.models import User

NOT_ACCEPTED = "{processor} does not accept {food}: add it to the processor's accepted foods first."


def end_product_food_set(
    *, end_product: EndProduct, food: CatalogItem, pounds_per_case: Decimal, user: User
) -> EndProductFood | None:
    """Set the pounds of ``food`` in a case of ``end_product`` (the drawdown rate); zero removes
    the food from the end product. The food must be one the processor accepts."""
    processor = end_product.processor
    if not reviews_processor_state(user, processor):
        raise DomainError("Only the state agency's reviewers change a processor's end-product schedule.")
    if pounds_per_case < 0:
        raise DomainError("Pounds per case cannot be negative.", field="pounds_per_case")
    with transaction.atomic():
        if pounds_per_case == 0:
            EndProductFood.objects.filter(end_product=end_product, food=food).delete()
            return None
        if not processor.accepted_foods.filter(pk=food.pk).exists():
            raise DomainError(NOT_ACCEPTED.format(processor=processor, food=food), field="food")
        row, _ = EndProductFood.objects.update_or_create(
            end_product=end_product, food=food, defaults={"pounds_per_case": pounds_per_case}
        )
    return row
