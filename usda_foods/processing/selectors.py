"""What the processing pages and API read: inventory rows with their figures (one query for any
number of rows: the purchases' pounds are summed in the same statement), purchases, transfers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db.models import DecimalField, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from usda_foods.processing import rules
from usda_foods.processing.models import EntryKind, InventoryEntry, ProcessorInventory

if TYPE_CHECKING:
    from accounts.models import User

POUNDS_FIELD = DecimalField(max_digits=14, decimal_places=2)
ZERO = Value(Decimal("0"), output_field=POUNDS_FIELD)

# The SDA table's sortable columns: ?sort=<key> (or -<key> for descending).
SORT_KEYS = {
    "district": lambda r: (r.district_name.lower(), r.processor_name.lower(), r.food_name.lower()),
    "processor": lambda r: (r.processor_name.lower(), r.district_name.lower(), r.food_name.lower()),
    "food": lambda r: (r.food_name.lower(), r.district_name.lower()),
    "on_hand": lambda r: r.status.on_hand,
    "usage": lambda r: r.status.monthly_usage,
    "months": lambda r: (r.status.months is None, r.status.months or Decimal("0")),
    "pace": lambda r: r.status.used_share - r.status.even_share,
}


@dataclass(frozen=True)
class InventoryRow:
    pk: int
    district_id: int
    district_name: str
    processor_id: int
    processor_name: str
    food_id: int
    food_name: str
    school_year: str
    status: rules.InventoryStatus


def inventory_queryset(user: User) -> QuerySet[ProcessorInventory]:
    """The inventory rows the user may see, with ``used`` (pounds drawn by purchases) summed by a
    correlated subquery (no GROUP BY over the joined columns)."""
    drawn = (InventoryEntry.objects.filter(inventory=OuterRef("pk"), kind=EntryKind.PURCHASE).order_by()
             .values("inventory").annotate(total=Sum("pounds")).values("total"))  # fmt: skip
    return (
        ProcessorInventory.objects.for_user(user)
        .select_related("district", "processor", "food")
        .annotate(used=Coalesce(-Subquery(drawn, output_field=POUNDS_FIELD), ZERO))
    )


ROW_COLUMNS = ("pk", "district_id", "district__name", "processor_id", "processor__name", "food_id",
               "food__description", "food__school_year", "pounds", "used")  # fmt: skip


def inventory_rows(queryset: QuerySet[ProcessorInventory], *, as_of: date) -> list[InventoryRow]:
    """Each row of ``inventory_queryset`` with its figures (rules.inventory_status): one query
    of plain tuples, whatever the number of rows."""
    rows = []
    starts: dict[str, int] = {}
    for (
        pk,
        district_id,
        district,
        processor_id,
        processor,
        food_id,
        food,
        year,
        on_hand,
        used,
    ) in queryset.values_list(*ROW_COLUMNS):
        start = starts.get(year) or starts.setdefault(year, int(year[:4]))
        rows.append(InventoryRow(
            pk=pk, district_id=district_id, district_name=district, processor_id=processor_id,
            processor_name=processor, food_id=food_id, food_name=food, school_year=year,
            status=rules.inventory_status(on_hand=on_hand, used=used, school_year_start=start, as_of=as_of),
        ))  # fmt: skip
    return rows


def sort_rows(rows: list[InventoryRow], sort: str) -> tuple[list[InventoryRow], str]:
    """Rows sorted by a ``SORT_KEYS`` column (``-`` first for descending); unknown keys sort by
    district. Returns the rows and the sort actually used."""
    key = sort.removeprefix("-")
    if key not in SORT_KEYS:
        key, sort = "district", "district"
    return sorted(rows, key=SORT_KEYS[key], reverse=sort.startswith("-")), sort


def state_inventory(
    user: User, *, state_agency_id: int, as_of: date, sort: str = "district"
) -> tuple[list, str]:
    """Every district's inventory at every processor of a state, with the flags."""
    queryset = inventory_queryset(user).filter(processor__state_agency_id=state_agency_id)
    return sort_rows(inventory_rows(queryset, as_of=as_of), sort)


def district_inventory(user: User, *, district_id: int, processor_id: int, as_of: date) -> list[InventoryRow]:
    queryset = inventory_queryset(user).filter(district_id=district_id, processor_id=processor_id)
    return inventory_rows(queryset.order_by("food__description"), as_of=as_of)


STATE_HEADER = ["District (SFA)", "Processor", "USDA Food", "School year", "On hand (lb)", "Drawn (lb)",
                "Average monthly usage (lb)", "Months on hand", "Over 6 months (7 CFR 250.30(n))", "Pace",
                "Drawn (% of available)", "Even draw by now (%)"]  # fmt: skip


def state_export_rows(rows: list[InventoryRow]):
    for r in rows:
        s = r.status
        yield [r.district_name, r.processor_name, r.food_name, r.school_year, s.on_hand, s.used,
               rules.shown(s.monthly_usage), None if s.months is None else rules.shown(s.months), s.flagged,
               s.pace.value, rules.shown(s.used_share), rules.shown(s.even_share)]  # fmt: skip


@dataclass(frozen=True)
class ReconciliationMonth:
    month: date
    cases_expected: int
    cases_received: int
    purchases: int
    value_expected: Decimal
    value_credited: Decimal

    @property
    def label(self) -> str:
        return f"{self.month:%B %Y}"

    @property
    def cases_short(self) -> int:
        return self.cases_expected - self.cases_received

    @property
    def value_gap(self) -> Decimal:
        return self.value_credited - self.value_expected


def reconciliation(*, district_id: int, processor_id: int) -> list[ReconciliationMonth]:
    """The monthly reconciliation worklist of a district at a processor: diverted cases expected
    vs received (by delivery month), and end-product value credited vs the schedule's value per
    case x cases (by purchase month). Two queries. (Drawdown rates always follow the schedule:
    purchases draw pounds per case x cases.)"""
    from django.apps import apps
    from django.db.models import F
    from django.db.models.functions import TruncMonth

    from usda_foods.processing.models import EndProductPurchase

    # Deliveries build on processing: reached by label, not imported.
    DeliveryLine = apps.get_model("usda_foods", "DeliveryLine")  # noqa: N806
    delivered = (DeliveryLine.objects.filter(district_id=district_id, delivery__processor_id=processor_id)
                 .annotate(month=TruncMonth("delivery__delivery_date")).values("month")
                 .annotate(expected=Sum("cases"), received=Sum("received__cases_received")))  # fmt: skip
    bought = (EndProductPurchase.objects.filter(district_id=district_id, end_product__processor_id=processor_id)
              .annotate(month=TruncMonth("purchased_on")).values("month")
              .annotate(n=Sum(Value(1)), expected=Sum(F("cases") * F("end_product__value_per_case")),
                        credited=Sum("value_credited")))  # fmt: skip
    months: dict[date, dict] = {}
    for row in delivered:
        months.setdefault(row["month"], {}).update(
            expected=row["expected"] or 0, received=row["received"] or 0
        )
    for row in bought:
        months.setdefault(row["month"], {}).update(
            n=row["n"], value_expected=row["expected"], credited=row["credited"]
        )
    zero = Decimal("0")
    return [ReconciliationMonth(month=m, cases_expected=v.get("expected", 0), cases_received=v.get("received", 0),
                                purchases=v.get("n", 0), value_expected=v.get("value_expected") or zero,
                                value_credited=v.get("credited") or zero)
            for m, v in sorted(months.items(), reverse=True)]  # fmt: skip
