"""Reads of the shipping area that pages, template tags and other areas share."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Sum

from usda_foods.ordering.models import CatalogItem, Order
from usda_foods.shipping.models import CarryOver, CarryOverStatus, StateWarehouse


def state_warehouse(state_agency_id: int) -> StateWarehouse | None:
    """The state's active warehouse (the first, if it recorded several)."""
    return StateWarehouse.objects.filter(state_agency_id=state_agency_id, active=True).order_by("pk").first()


@dataclass(frozen=True)
class Waiting:
    """Cases of one food of an order waiting for a full truck, and the state's progress toward
    that truck: every district's waiting cases of the food in the school year."""

    food: CatalogItem
    place: str
    cases: int
    state_cases: int

    @property
    def truck(self) -> int:
        return self.food.cases_per_truckload

    @property
    def toward_next(self) -> int:
        """The state's waiting cases beyond its full trucks: what the next truck holds so far."""
        return self.state_cases % self.truck if self.state_cases % self.truck else self.truck

    @property
    def still_needed(self) -> int:
        return self.truck - self.toward_next

    @property
    def percent(self) -> int:
        return self.toward_next * 100 // self.truck


def order_waiting(order: Order) -> list[Waiting]:
    """The order's cases waiting for a full truck, per food and place, with the state's total of
    each food waiting in the school year. Two queries."""
    rows = list(CarryOver.objects.filter(order_line__order=order, status=CarryOverStatus.WAITING)
                .select_related("food", "site", "processor").order_by("food__description", "pk"))  # fmt: skip
    if not rows:
        return []
    totals = dict(CarryOver.objects.filter(status=CarryOverStatus.WAITING, food_id__in={r.food_id for r in rows},
                                           window__state_agency_id=order.window.state_agency_id,
                                           window__school_year=order.window.school_year)
                  .values("food_id").annotate(n=Sum("cases")).values_list("food_id", "n"))  # fmt: skip
    grouped: dict[tuple[int, str], list[CarryOver]] = defaultdict(list)
    for row in rows:
        grouped[(row.food_id, row.place_name)].append(row)
    return [Waiting(food=group[0].food, place=place, cases=sum(r.cases for r in group), state_cases=totals[food_id])
            for (food_id, place), group in grouped.items()]  # fmt: skip
