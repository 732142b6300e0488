"""What the fee pages read: the schedule in force on a day, and a district's monthly fee
statement (drop and delivery fees accrued by its receipts). Storage fees are computed by
``rules.storage_fee`` but not accrued yet: the app does not track cases held in storage."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from usda_foods.deliveries import rules
from usda_foods.deliveries.models import FeeSchedule, ReceiptLine
from usda_foods.ordering.models import Order
from usda_foods.shipping.models import PlanStop, ShipmentPlan

STATEMENT_HEADER = ["Received on", "Delivery", "USDA Food", "Delivered to", "Cases received", "Pounds received",
                    "Fee", "Rate", "Amount ($)"]  # fmt: skip


def schedule_on(schedules: list[FeeSchedule], day: date) -> FeeSchedule | None:
    """The latest schedule effective on or before ``day`` (``schedules`` newest first)."""
    return next((s for s in schedules if s.effective_from <= day), None)


def fee_statement(
    *, district_id: int, state_agency_id: int, first: date, last: date
) -> Iterator[list[object]]:
    """One line per fee the district's receipts accrued from ``first`` to ``last``: a delivery fee
    for each of its receipt lines (per pound and per case received) and a drop fee for each stop
    it received under the minimum. Two queries; amounts rounded to the cent per line, then a total."""
    schedules = list(FeeSchedule.objects.filter(state_agency_id=state_agency_id).order_by("-effective_from"))
    lines = (ReceiptLine.objects.filter(delivery_line__district_id=district_id, receipt__received_on__range=(first, last))
             .select_related("receipt__delivery__food", "receipt__delivery__site", "receipt__delivery__processor",
                             "delivery_line").order_by("receipt__received_on", "pk"))  # fmt: skip
    total = Decimal("0.00")
    for line in lines:
        receipt, delivery = line.receipt, line.receipt.delivery
        schedule = schedule_on(schedules, receipt.received_on)
        if schedule is None:
            continue
        cases, pounds = line.cases_received, line.cases_received * delivery.food.net_case_weight_lb
        head = [receipt.received_on, f"#{delivery.pk} truck {delivery.truck_number}", delivery.food.description,
                delivery.place, cases, pounds]  # fmt: skip
        fee = rules.cents(rules.delivery_fee(cases=cases, pounds=pounds, per_lb=schedule.delivery_fee_per_lb,
                                             per_case=schedule.delivery_fee_per_case))  # fmt: skip
        if fee:
            total += fee
            yield [*head, "Delivery service fee",
                   f"${schedule.delivery_fee_per_lb}/lb + ${schedule.delivery_fee_per_case}/case", fee]  # fmt: skip
        if delivery.district_id == district_id and delivery.site_id:
            drop = rules.cents(rules.drop_fee(cases=delivery.cases, minimum=schedule.min_cases_per_drop,
                                              fee=schedule.drop_fee))  # fmt: skip
            if drop:
                total += drop
                yield [*head, "Drop fee", f"under {schedule.min_cases_per_drop} cases a drop", drop]
    yield [None, None, None, None, None, None, "Total", None, total]


@dataclass(frozen=True)
class FeeEstimate:
    """The state's distribution fees an order will incur as it stands, under the schedule in force
    on the window's first delivery day: a drop fee for each site (or processor) it sends fewer
    cases to than the minimum, and the delivery fee on every case and pound."""

    schedule: FeeSchedule
    drops: list[tuple[str, int, Decimal]]  # (where, cases, fee) for each drop under the minimum
    delivery: Decimal
    cases: int
    pounds: Decimal

    @property
    def total(self) -> Decimal:
        return rules.cents(self.delivery + sum((fee for *_, fee in self.drops), Decimal("0")))


def order_fee_estimate(order: Order) -> FeeEstimate | None:
    """None when the order's state has no fee schedule in force then. Two queries."""
    day = order.window.delivery_start or order.window.closes_at.date()
    schedules = list(FeeSchedule.objects.filter(state_agency_id=order.window.state_agency_id)
                     .order_by("-effective_from"))  # fmt: skip
    schedule = schedule_on(schedules, day)
    if schedule is None:
        return None
    by_drop: dict[str, int] = {}
    cases, pounds = 0, Decimal("0")
    for line in order.lines.select_related("catalog_item", "delivery_site", "diverted_to"):
        where = str(line.diverted_to) if line.diverted_to_id else line.delivery_site.name
        by_drop[where] = by_drop.get(where, 0) + line.cases
        cases += line.cases
        pounds += line.cases * line.catalog_item.net_case_weight_lb
    drops = [(where, n, rules.cents(fee)) for where, n in sorted(by_drop.items())
             if (fee := rules.drop_fee(cases=n, minimum=schedule.min_cases_per_drop, fee=schedule.drop_fee))]  # fmt: skip
    delivery = rules.cents(rules.delivery_fee(cases=cases, pounds=pounds, per_lb=schedule.delivery_fee_per_lb,
                                              per_case=schedule.delivery_fee_per_case))  # fmt: skip
    return FeeEstimate(schedule=schedule, drops=drops, delivery=delivery, cases=cases, pounds=pounds)


@dataclass(frozen=True)
class WarehouseFee:
    """The state warehouse's stop for one food of a plan: cases and pounds it receives on the
    delivery day, the delivery fee on them, and the storage the fee schedule charges by the end
    of the school year (June 30) after its free days."""

    food: str
    warehouse: str
    delivery_date: date
    cases: int
    pounds: Decimal
    schedule: FeeSchedule | None
    delivery: Decimal
    storage: Decimal
    storage_until: date

    @property
    def total(self) -> Decimal:
        return rules.cents(self.delivery + self.storage)


def warehouse_fees(plan: ShipmentPlan) -> list[WarehouseFee]:
    """One entry per warehouse stop of the plan. Two queries."""
    schedules = list(FeeSchedule.objects.filter(state_agency_id=plan.window.state_agency_id)
                     .order_by("-effective_from"))  # fmt: skip
    stops = (PlanStop.objects.filter(truck__plan=plan, warehouse__isnull=False)
             .select_related("truck__food", "warehouse").order_by("truck__number"))  # fmt: skip
    until = date(int(plan.window.school_year[:4]) + 1, 6, 30)
    fees = []
    for stop in stops:
        food, day = stop.truck.food, stop.truck.delivery_date
        schedule = schedule_on(schedules, day)
        pounds = stop.cases * food.net_case_weight_lb
        delivery = storage = Decimal("0")
        if schedule is not None:
            delivery = rules.cents(rules.delivery_fee(cases=stop.cases, pounds=pounds, per_lb=schedule.delivery_fee_per_lb,
                                                      per_case=schedule.delivery_fee_per_case))  # fmt: skip
            storage = rules.cents(rules.storage_fee(cases=stop.cases, received_on=day, as_of=until,
                                                    free_days=schedule.storage_free_days,
                                                    per_case_month=schedule.storage_fee_per_case_month))  # fmt: skip
        fees.append(WarehouseFee(food=food.description, warehouse=stop.warehouse.name, delivery_date=day,
                                 cases=stop.cases, pounds=pounds, schedule=schedule, delivery=delivery,
                                 storage=storage, storage_until=until))  # fmt: skip
    return fees
