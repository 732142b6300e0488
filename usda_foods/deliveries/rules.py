"""Pure rules of deliveries and receipts (no Django): when a receipt is due and late (FD-062:
within 2 calendar days of delivery), and how a receipt's cases split back to the order lines a
stop carried (a co-op's members, or the districts whose chicken went to one processor)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

RECEIPT_DUE_DAYS = 2

ROUNDING = (
    "Each line's share of the shortage (or overage) is the total times its ordered cases over all ordered "
    "cases, rounded down to whole cases; the cases left over go one at a time to the largest remainders "
    "(ties: the line listed first)."
)


class ReceiptInputError(ValueError):
    """Cases the split cannot work with (negative numbers)."""


def due_on(delivery_date: date) -> date:
    """The last day to enter the receipt: the second calendar day after the delivery."""
    return delivery_date + timedelta(days=RECEIPT_DUE_DAYS)


def is_due_today(*, due: date, today: date) -> bool:
    return today == due


def is_late(*, due: date, today: date) -> bool:
    """Late from the day after the due day (the third calendar day after delivery)."""
    return today > due


def _shares(weights: Sequence[int], total: int) -> list[int]:
    """``total`` whole cases shared in proportion to ``weights`` by largest remainder."""
    whole = sum(weights)
    exact = [Fraction(total * w, whole) for w in weights]
    shares = [int(x) for x in exact]  # floor: all non-negative
    left = total - sum(shares)
    order = sorted(range(len(weights)), key=lambda i: (-(exact[i] - shares[i]), i))
    for i in order[:left]:
        shares[i] += 1
    return shares


def split_received(expected: Sequence[int], received: int) -> list[int]:
    """Cases received per line, from the cases each line expected and the total received: a
    shortage (or an overage) is shared in proportion to what each line expected (``ROUNDING``).
    The result sums to ``received`` and no line receives fewer than zero."""
    if received < 0 or any(e < 0 for e in expected):
        raise ReceiptInputError("cases cannot be negative")
    if not expected:
        raise ReceiptInputError("no lines to split")
    total = sum(expected)
    if total == 0:
        return [received, *[0] * (len(expected) - 1)]
    if received <= total:
        short = _shares(expected, total - received)
        return [e - s for e, s in zip(expected, short, strict=True)]
    extra = _shares(expected, received - total)
    return [e + x for e, x in zip(expected, extra, strict=True)]


# --- State distribution fees -----------------------------------------------------------------------
#
# Dollars stay exact (Decimal) through a statement and are rounded half up to the cent once, on
# the statement's lines, by ``cents``.

STORAGE_MONTH_DAYS = 30  # a storage "month" is each started 30 days after the free days


def cents(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def drop_fee(*, cases: int, minimum: int | None, fee: Decimal) -> Decimal:
    """An order's cases to one site (all its foods and trucks together) below the state's minimum
    pay the drop fee once; exactly at the minimum pays nothing (Indiana: under 10 cases)."""
    if minimum is None or cases >= minimum:
        return Decimal("0")
    return fee


def delivery_fee(*, cases: int, pounds: Decimal, per_lb: Decimal, per_case: Decimal) -> Decimal:
    """The delivery service fee: per pound delivered (Oregon) and/or per case."""
    return pounds * per_lb + Decimal(cases) * per_case


def storage_months(*, received_on: date, as_of: date, free_days: int) -> int:
    """Months of storage to charge a case received on ``received_on``, by ``as_of``: nothing
    through the last free day, then one month for each started 30 days."""
    billable = (as_of - received_on).days - free_days
    if billable <= 0:
        return 0
    return -(-billable // STORAGE_MONTH_DAYS)


def storage_fee(
    *, cases: int, received_on: date, as_of: date, free_days: int, per_case_month: Decimal
) -> Decimal:
    return (
        Decimal(cases)
        * storage_months(received_on=received_on, as_of=as_of, free_days=free_days)
        * per_case_month
    )


@dataclass(frozen=True)
class FeeTerms:
    """A fee schedule's numbers, as the pure rules take them."""

    min_cases_per_drop: int | None = None
    drop_fee: Decimal = Decimal("0")
    delivery_fee_per_lb: Decimal = Decimal("0")
    delivery_fee_per_case: Decimal = Decimal("0")
    storage_fee_per_case_month: Decimal = Decimal("0")
    storage_free_days: int = 0


def site_drops(cases_by_site: Mapping[str, int], terms: FeeTerms) -> list[tuple[str, int, Decimal]]:
    """(site, cases, fee) for each site an order sends fewer cases than the minimum: one drop fee
    per site per order, whatever the number of stops (sites in name order)."""
    drops = []
    for site, cases in sorted(cases_by_site.items()):
        fee = drop_fee(cases=cases, minimum=terms.min_cases_per_drop, fee=terms.drop_fee)
        if fee:
            drops.append((site, cases, cents(fee)))
    return drops


@dataclass(frozen=True)
class OrderFees:
    """The fees an order will incur as it stands: a drop fee for each site under the minimum and
    the delivery fee on every case and pound (diverted cases included: they are delivered too)."""

    drops: list[tuple[str, int, Decimal]]
    delivery: Decimal
    cases: int
    pounds: Decimal

    @property
    def total(self) -> Decimal:
        return cents(self.delivery + sum((fee for *_, fee in self.drops), Decimal("0")))


def order_fees(lines: Iterable[tuple[str | None, int, Decimal]], terms: FeeTerms) -> OrderFees:
    """``lines``: (the site's name, or None for a line diverted to a processor; cases; net pounds
    a case). Diverted lines pay delivery but no drop fee: a processor is not a site."""
    by_site: dict[str, int] = {}
    cases, pounds = 0, Decimal("0")
    for site, n, weight in lines:
        if site is not None:
            by_site[site] = by_site.get(site, 0) + n
        cases += n
        pounds += n * weight
    delivery = cents(delivery_fee(cases=cases, pounds=pounds, per_lb=terms.delivery_fee_per_lb,
                                  per_case=terms.delivery_fee_per_case))  # fmt: skip
    return OrderFees(drops=site_drops(by_site, terms), delivery=delivery, cases=cases, pounds=pounds)


# --- Storage ------------------------------------------------------------------------------------------
#
# Cases held in storage (a co-op's receiving site keeps its members' cases until they pick them
# up) pay the storage fee per case for each started 30 days after the free days: a case received
# on day R is free through day R + free days and is charged one month on each charge day R + free
# days + 1, + 31, + 61, ... it is still held. Pickups take the oldest cases first (a pickup takes
# only cases received on or before its day); a case picked up on a charge day is not charged.


@dataclass(frozen=True)
class StorageCharge:
    received_on: date
    charged_on: date
    cases: int  # cases of that receipt still held on the charge day


def _taken(
    lots: Sequence[tuple[date, int]], pickups: Iterable[tuple[date, int]]
) -> list[list[tuple[date, int]]]:
    """For each lot (in ``lots`` order, which must be oldest first), the (day, cases) pickups
    took from it, first in first out."""
    left = [cases for _, cases in lots]
    taken: list[list[tuple[date, int]]] = [[] for _ in lots]
    for day, cases in sorted(pickups):
        for i, (received_on, _) in enumerate(lots):
            if cases == 0 or received_on > day:
                break
            take = min(left[i], cases)
            if take:
                left[i] -= take
                cases -= take
                taken[i].append((day, take))
    return taken


def cases_held(lots: Sequence[tuple[date, int]], pickups: Iterable[tuple[date, int]], *, as_of: date) -> int:
    """Cases received on or before ``as_of`` and not picked up by then (never below zero)."""
    received = sum(cases for day, cases in lots if day <= as_of)
    picked = sum(cases for day, cases in pickups if day <= as_of)
    return max(received - picked, 0)


def storage_charges(
    lots: Sequence[tuple[date, int]],
    pickups: Iterable[tuple[date, int]],
    *,
    free_days: int,
    first: date,
    last: date,
) -> list[StorageCharge]:
    """Every storage charge day from ``first`` to ``last`` (inclusive) of the cases received in
    ``lots`` ((received on, cases), any order) and still held then."""
    lots = sorted(lots)
    charges = []
    for (received_on, cases), taken in zip(lots, _taken(lots, pickups), strict=True):
        day = received_on + timedelta(days=free_days + 1)
        while day <= last:
            if day >= first:
                held = cases - sum(n for on, n in taken if on <= day)
                if held <= 0:
                    break
                charges.append(StorageCharge(received_on=received_on, charged_on=day, cases=held))
            day += timedelta(days=STORAGE_MONTH_DAYS)
    return charges
