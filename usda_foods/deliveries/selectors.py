"""What the fee pages and API read: the schedule in force on a day, a district's monthly fee
statement (delivery fees on its cases received, one drop fee per site per order under the
minimum, storage of its cases held at a co-op's receiving site after the free days), the fees an
order will incur, and a co-op's storage (each member's cases on hand)."""

from __future__ import annotations

import calendar
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db.models import Min, Sum

from districts import access
from districts.models import Coop, District
from usda_foods.deliveries import rules
from usda_foods.deliveries.models import DeliveryLine, FeeSchedule, ReceiptLine, StoragePickup
from usda_foods.ordering.models import Order

if TYPE_CHECKING:
    from accounts.models import User

STATEMENT_HEADER = ["Received on", "Delivery", "USDA Food", "Delivered to", "Cases received", "Pounds received",
                    "Fee", "Rate", "Amount ($)"]  # fmt: skip


def schedule_on(schedules: list[FeeSchedule], day: date) -> FeeSchedule | None:
    """The latest schedule effective on or before ``day`` (``schedules`` newest first)."""
    return next((s for s in schedules if s.effective_from <= day), None)


def terms(schedule: FeeSchedule) -> rules.FeeTerms:
    return rules.FeeTerms(
        min_cases_per_drop=schedule.min_cases_per_drop, drop_fee=schedule.drop_fee,
        delivery_fee_per_lb=schedule.delivery_fee_per_lb, delivery_fee_per_case=schedule.delivery_fee_per_case,
        storage_fee_per_case_month=schedule.storage_fee_per_case_month, storage_free_days=schedule.storage_free_days,
    )  # fmt: skip


@dataclass(frozen=True)
class StatementLine:
    on: date
    delivery: str
    food: str
    place: str
    cases: int
    pounds: Decimal | None
    fee: str  # "Delivery service fee", "Drop fee" or "Storage"
    rate: str
    amount: Decimal

    def row(self) -> list[object]:
        return [self.on, self.delivery, self.food, self.place, self.cases, self.pounds, self.fee, self.rate,
                self.amount]  # fmt: skip


def statement_lines(
    *, district_id: int, state_agency_id: int, first: date, last: date
) -> list[StatementLine]:
    """Every fee the district accrued from ``first`` to ``last``, by date: a delivery fee on each
    of its receipt lines (per pound and per case received); a drop fee for each of its orders'
    sites whose cases (all stops together) are under the minimum, on the day the order's first
    cases there were received; a storage charge on each charge day of its cases held at a co-op's
    receiving site (rules.storage_charges). Five queries; each amount rounded to the cent."""
    schedules = list(FeeSchedule.objects.filter(state_agency_id=state_agency_id).order_by("-effective_from"))
    out: list[StatementLine] = []
    received = (ReceiptLine.objects.filter(delivery_line__district_id=district_id, receipt__received_on__range=(first, last))
                .select_related("receipt__delivery__food", "receipt__delivery__site", "receipt__delivery__processor",
                                "delivery_line").order_by("receipt__received_on", "pk"))  # fmt: skip
    for line in received:
        receipt, delivery = line.receipt, line.receipt.delivery
        schedule = schedule_on(schedules, receipt.received_on)
        if schedule is None:
            continue
        cases, pounds = line.cases_received, line.cases_received * delivery.food.net_case_weight_lb
        fee = rules.cents(rules.delivery_fee(cases=cases, pounds=pounds, per_lb=schedule.delivery_fee_per_lb,
                                             per_case=schedule.delivery_fee_per_case))  # fmt: skip
        if fee:
            out.append(StatementLine(receipt.received_on, f"#{delivery.pk} truck {delivery.truck_number}",
                                     delivery.food.description, delivery.place, cases, pounds, "Delivery service fee",
                                     f"${schedule.delivery_fee_per_lb}/lb + ${schedule.delivery_fee_per_case}/case", fee))  # fmt: skip
    drops = (DeliveryLine.objects.filter(district_id=district_id, delivery__site__isnull=False, order_line__isnull=False)
             .values("order_line__order_id", "delivery__site__name")
             .annotate(cases=Sum("cases"), first=Min("received__receipt__received_on"))
             .filter(first__range=(first, last)).order_by("first", "delivery__site__name"))  # fmt: skip
    for drop in drops:
        schedule = schedule_on(schedules, drop["first"])
        if schedule is None:
            continue
        for site, cases, fee in rules.site_drops(
            {drop["delivery__site__name"]: drop["cases"]}, terms(schedule)
        ):
            out.append(StatementLine(drop["first"], f"Order #{drop['order_line__order_id']}", "All foods", site, cases,
                                     None, "Drop fee", f"under {schedule.min_cases_per_drop} cases a site per order", fee))  # fmt: skip
    out.extend(_storage_lines(district_id, schedules, first, last))
    return sorted(out, key=lambda line: (line.on, line.fee != "Delivery service fee"))


def _storage_lines(
    district_id: int, schedules: list[FeeSchedule], first: date, last: date
) -> Iterator[StatementLine]:
    if not any(s.storage_fee_per_case_month for s in schedules):
        return
    lots: dict[tuple[int, int], list[tuple[date, int]]] = defaultdict(list)
    names: dict[tuple[int, int], tuple[str, str]] = {}
    held = (ReceiptLine.objects.filter(delivery_line__district_id=district_id, receipt__received_on__lte=last,
                                       receipt__delivery__site_id__in=Coop.objects.values("receiving_site_id"), cases_received__gt=0)
            .values_list("receipt__delivery__site_id", "receipt__delivery__food_id", "receipt__received_on",
                         "cases_received", "receipt__delivery__site__name", "receipt__delivery__food__description"))  # fmt: skip
    for site_id, food_id, on, cases, site, food in held:
        lots[(site_id, food_id)].append((on, cases))
        names[(site_id, food_id)] = (site, food)
    pickups: dict[tuple[int, int], list[tuple[date, int]]] = defaultdict(list)
    for site_id, food_id, on, cases in (StoragePickup.objects.filter(district_id=district_id, picked_up_on__lte=last)
                                        .values_list("coop__receiving_site_id", "food_id", "picked_up_on", "cases")):  # fmt: skip
        pickups[(site_id, food_id)].append((on, cases))
    free_days = {s.storage_free_days for s in schedules}
    for key, received in lots.items():
        for days in sorted(free_days):  # each schedule's free days; the schedule in force on the day decides
            for charge in rules.storage_charges(
                received, pickups[key], free_days=days, first=first, last=last
            ):
                schedule = schedule_on(schedules, charge.charged_on)
                if (
                    schedule is None
                    or schedule.storage_free_days != days
                    or not schedule.storage_fee_per_case_month
                ):
                    continue
                site, food = names[key]
                amount = rules.cents(charge.cases * schedule.storage_fee_per_case_month)
                yield StatementLine(charge.charged_on, f"Received {charge.received_on:%m/%d/%Y}", food, site, charge.cases,
                                    None, "Storage", f"${schedule.storage_fee_per_case_month}/case a month after "
                                    f"{schedule.storage_free_days} free days", amount)  # fmt: skip


def month_range(value: str | None, *, today: date) -> tuple[date, date]:
    """The first and last day of ``YYYY-MM`` (this month for anything else)."""
    try:
        year, month = (int(part) for part in (value or "").split("-"))
        first = date(year, month, 1)
    except ValueError:
        first = today.replace(day=1)
    return first, first.replace(day=calendar.monthrange(first.year, first.month)[1])


def fee_statement(
    *, district_id: int, state_agency_id: int, first: date, last: date
) -> Iterator[list[object]]:
    """The statement's rows for CSV/XLSX, then a total row."""
    total = Decimal("0.00")
    for line in statement_lines(
        district_id=district_id, state_agency_id=state_agency_id, first=first, last=last
    ):
        total += line.amount
        yield line.row()
    yield [None, None, None, None, None, None, "Total", None, total]


@dataclass(frozen=True)
class FeeEstimate:
    """The state's distribution fees an order will incur as it stands, under the schedule in force
    on the window's first delivery day (rules.order_fees: one drop fee per site under the minimum,
    the delivery fee on every case and pound)."""

    schedule: FeeSchedule
    fees: rules.OrderFees

    @property
    def drops(self) -> list[tuple[str, int, Decimal]]:
        return self.fees.drops

    @property
    def delivery(self) -> Decimal:
        return self.fees.delivery

    @property
    def cases(self) -> int:
        return self.fees.cases

    @property
    def pounds(self) -> Decimal:
        return self.fees.pounds

    @property
    def total(self) -> Decimal:
        return self.fees.total


def order_fee_estimate(order: Order) -> FeeEstimate | None:
    """None when the order's state has no fee schedule in force then. Two queries (the order's
    window loaded)."""
    day = order.window.delivery_start or order.window.closes_at.date()
    schedules = list(FeeSchedule.objects.filter(state_agency_id=order.window.state_agency_id)
                     .order_by("-effective_from"))  # fmt: skip
    schedule = schedule_on(schedules, day)
    if schedule is None:
        return None
    lines = order.lines.select_related("catalog_item", "delivery_site")
    fees = rules.order_fees(((None if line.diverted_to_id else line.delivery_site.name, line.cases,
                              line.catalog_item.net_case_weight_lb) for line in lines), terms(schedule))  # fmt: skip
    return FeeEstimate(schedule=schedule, fees=fees)


@dataclass(frozen=True)
class StorageRow:
    district_id: int
    district_name: str
    food_id: int
    food_name: str
    received: int
    picked_up: int

    @property
    def on_hand(self) -> int:
        return max(self.received - self.picked_up, 0)


def coop_storage(*, coop_id: int, site_id: int, district_ids: list[int] | None = None) -> list[StorageRow]:
    """Each member's cases of each food at the co-op's receiving site: received for it (receipt
    lines) minus picked up. ``district_ids`` limits the rows (a member sees its own). Two queries."""
    received = ReceiptLine.objects.filter(receipt__delivery__site_id=site_id)
    picked = StoragePickup.objects.filter(coop_id=coop_id)
    if district_ids is not None:
        received = received.filter(delivery_line__district_id__in=district_ids)
        picked = picked.filter(district_id__in=district_ids)
    rows: dict[tuple[int, int], dict] = {}
    for r in (received.values("delivery_line__district_id", "delivery_line__district__name", "receipt__delivery__food_id",
                              "receipt__delivery__food__description").annotate(n=Sum("cases_received"))):  # fmt: skip
        key = (r["delivery_line__district_id"], r["receipt__delivery__food_id"])
        rows[key] = {"district_name": r["delivery_line__district__name"],
                     "food_name": r["receipt__delivery__food__description"], "received": r["n"] or 0, "picked_up": 0}  # fmt: skip
    for p in picked.values("district_id", "district__name", "food_id", "food__description").annotate(
        n=Sum("cases")
    ):
        row = rows.setdefault((p["district_id"], p["food_id"]), {"district_name": p["district__name"],
                                                                  "food_name": p["food__description"], "received": 0})  # fmt: skip
        row["picked_up"] = p["n"] or 0
    return sorted((StorageRow(district_id=d, food_id=f, **v) for (d, f), v in rows.items()),
                  key=lambda r: (r.district_name.lower(), r.food_name.lower()))  # fmt: skip


def storage_scope(user: User, coop: Coop) -> tuple[bool, list[int] | None]:
    """Whether the user is staff of the co-op's lead district (who sees every member's storage),
    and the districts whose lines the user sees (None: all)."""
    mine = District.objects.filter(access.district_q(user, write=False))
    if mine.filter(pk=coop.lead_district_id).exists():
        return True, None
    return False, list(mine.filter(coops=coop).values_list("pk", flat=True))
