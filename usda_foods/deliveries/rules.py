"""Pure rules of deliveries and receipts (no Django): when a receipt is due and late (FD-062:
within 2 calendar days of delivery), and how a receipt's cases split back to the order lines a
stop carried (a co-op's members, or the districts whose chicken went to one processor)."""

from __future__ import annotations

from collections.abc import Sequence
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
    """A site's drop of an order below the state's minimum pays the drop fee; exactly at the
    minimum pays nothing (Indiana: under 10 cases)."""
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
