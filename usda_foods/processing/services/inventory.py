"""Processor inventory and its ledger. Every change locks the inventory rows it touches
(SELECT ... FOR UPDATE, in primary-key order so two services never deadlock), checks the
balance, moves ``pounds`` with F() and writes the entry; the check constraint
``inventory_never_negative`` backs the lock up, so no path takes a balance below zero."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import F

from districts.models import District
from focus_lab.errors import DomainError
from usda_foods.ordering.models import CatalogItem
from usda_foods.processing import rules
from usda_foods.processing.access import reviews_processor_state
from usda_foods.processing.models import (
    EndProduct,
    EndProductPurchase,
    EntryKind,
    InventoryEntry,
    InventoryTransfer,
    PassThrough,
    Processor,
    ProcessorInventory,
)

if TYPE_CHECKING:
    from accounts.models import User

NOT_ENOUGH = (
    "{district} has {on_hand} lb of {food} at {processor}; {cases:,} cases of {product} need {wanted} lb "
    "({rate} lb a case). Nothing was recorded."
)
TRANSFER_SHORT = "{district} has only {on_hand} lb of {food} at {processor}. Nothing was transferred."


def _lb(value: Decimal) -> str:
    return f"{value:,.2f}"


def _locked_rows(district_ids: Iterable[int], processor: Processor, food_ids: Iterable[int]) -> dict:
    """The inventory rows of these districts and foods at the processor, created at zero when
    missing (ON CONFLICT DO NOTHING, so two first credits cannot collide), then locked in
    primary-key order. Keyed by (district_id, food_id)."""
    pairs = [(d, f) for d in set(district_ids) for f in set(food_ids)]
    ProcessorInventory.objects.bulk_create(
        [ProcessorInventory(district_id=d, processor=processor, food_id=f) for d, f in pairs],
        ignore_conflicts=True,
    )
    rows = (
        ProcessorInventory.objects.select_for_update()
        .filter(processor=processor, district_id__in={d for d, _ in pairs}, food_id__in={f for _, f in pairs})
        .order_by("pk")
    )
    return {(row.district_id, row.food_id): row for row in rows}


def _move(row: ProcessorInventory, pounds: Decimal, **entry: object) -> InventoryEntry:
    ProcessorInventory.objects.filter(pk=row.pk).update(pounds=F("pounds") + pounds)
    row.pounds += pounds
    return InventoryEntry.objects.create(inventory=row, pounds=pounds, **entry)


def inventory_credit(
    *, district_id: int, processor: Processor, food: CatalogItem, cases: int, on: date,
    user: User | None, reference: str = "",
) -> InventoryEntry | None:  # fmt: skip
    """Credit received diverted cases: cases x the food's net case weight, in pounds. Called by
    the receipt service inside its transaction; zero cases credit nothing."""
    pounds = rules.pounds_credited(cases=cases, net_case_weight_lb=food.net_case_weight_lb)
    if pounds == 0:
        return None
    with transaction.atomic():
        row = _locked_rows([district_id], processor, [food.pk])[(district_id, food.pk)]
        memo = f"{cases:,} cases × {food.net_case_weight_lb} lb"
        return _move(
            row, pounds, kind=EntryKind.CREDIT, on=on, reference=reference, memo=memo, created_by=user
        )


def end_product_purchase_record(
    *, district: District, end_product: EndProduct, purchased_on: date, cases: int, pass_through: str,
    value_credited: Decimal, user: User, distributor: str = "",
) -> EndProductPurchase:  # fmt: skip
    """A district manager records cases of an end product bought; each food in it draws the
    district's inventory down by pounds per case x cases. Refused, with the figures, if any food
    would go below zero; all foods or none."""
    if not District.objects.for_user(user, write=True).filter(pk=district.pk).exists():
        raise DomainError("Only the district's managers record its end-product purchases.")
    processor = end_product.processor
    if processor.state_agency_id != district.state_agency_id:
        raise DomainError("The processor's agreement is with another state agency.", field="end_product")
    if not processor.agreement_start <= purchased_on <= processor.agreement_end:
        raise DomainError(
            f"{processor}'s agreement runs {processor.agreement_start} to {processor.agreement_end}.",
            field="purchased_on",
        )
    if cases <= 0:
        raise DomainError("Record at least one case.", field="cases")
    if pass_through not in PassThrough.values:
        raise DomainError("Choose a value pass-through method.", field="pass_through")
    if end_product.pass_through_methods and pass_through not in end_product.pass_through_methods:
        offered = ", ".join(PassThrough(m).label for m in end_product.pass_through_methods)
        raise DomainError(f"{end_product} is offered through {offered}.", field="pass_through")
    if value_credited < 0:
        raise DomainError("The value credited cannot be negative.", field="value_credited")
    rates = list(end_product.foods.select_related("food"))
    if not rates:
        raise DomainError(f"{end_product} has no USDA Foods on its schedule: nothing to draw down.")
    with transaction.atomic():
        rows = _locked_rows([district.pk], processor, [r.food_id for r in rates])
        for rate in rates:
            on_hand = rows[(district.pk, rate.food_id)].pounds
            wanted = rules.pounds_drawn(cases=cases, pounds_per_case=rate.pounds_per_case)
            if rules.drawdown_shortfall(on_hand=on_hand, wanted=wanted) > 0:
                raise DomainError(NOT_ENOUGH.format(district=district, on_hand=_lb(on_hand), food=rate.food,
                                                    processor=processor, cases=cases, product=end_product,
                                                    wanted=_lb(wanted), rate=rate.pounds_per_case), field="cases")  # fmt: skip
        purchase = EndProductPurchase.objects.create(
            district=district, end_product=end_product, purchased_on=purchased_on, cases=cases,
            distributor=distributor, pass_through=pass_through, value_credited=value_credited, created_by=user,
        )  # fmt: skip
        for rate in rates:
            wanted = rules.pounds_drawn(cases=cases, pounds_per_case=rate.pounds_per_case)
            _move(rows[(district.pk, rate.food_id)], -wanted, kind=EntryKind.PURCHASE, on=purchased_on,
                  purchase=purchase, memo=f"{cases:,} cases of {end_product.code} × {rate.pounds_per_case} lb",
                  created_by=user)  # fmt: skip
    return purchase


def inventory_transfer_record(
    *, processor: Processor, food: CatalogItem, from_district: District, to_district: District,
    pounds: Decimal, transferred_on: date, user: User, memo: str = "",
) -> InventoryTransfer:  # fmt: skip
    """The state agency moves pounds of a food between two of its districts at one processor:
    one entry out, one in, so the processor's total stays equal. Refused below zero."""
    if not reviews_processor_state(user, processor):
        raise DomainError("Only the processor's state agency approves transfers of its inventory.")
    if from_district.pk == to_district.pk:
        raise DomainError("Choose two different districts.", field="to_district")
    if {from_district.state_agency_id, to_district.state_agency_id} != {processor.state_agency_id}:
        raise DomainError("Both districts must be in the processor's state.", field="to_district")
    if pounds <= 0:
        raise DomainError("Transfer more than zero pounds.", field="pounds")
    with transaction.atomic():
        rows = _locked_rows([from_district.pk, to_district.pk], processor, [food.pk])
        source, target = rows[(from_district.pk, food.pk)], rows[(to_district.pk, food.pk)]
        if source.pounds < pounds:
            raise DomainError(TRANSFER_SHORT.format(district=from_district, on_hand=_lb(source.pounds), food=food,
                                                    processor=processor), field="pounds")  # fmt: skip
        transfer = InventoryTransfer.objects.create(
            processor=processor, food=food, from_district=from_district, to_district=to_district, pounds=pounds,
            transferred_on=transferred_on, memo=memo, approved_by=user,
        )  # fmt: skip
        _move(source, -pounds, kind=EntryKind.TRANSFER_OUT, on=transferred_on, transfer=transfer,
              memo=f"To {to_district}", created_by=user)  # fmt: skip
        _move(target, pounds, kind=EntryKind.TRANSFER_IN, on=transferred_on, transfer=transfer,
              memo=f"From {from_district}", created_by=user)  # fmt: skip
    return transfer


def transfer_districts(user: User, processor: Processor):
    """The districts a reviewer may transfer between at this processor: its state's SFAs."""
    if not reviews_processor_state(user, processor):
        return District.objects.none()
    return District.objects.filter(state_agency_id=processor.state_agency_id).order_by("name")
