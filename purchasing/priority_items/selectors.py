"""Reads for the pages, API and documents: the pooled demand of a set of items, each district's
commitment side by side, by month, with delivery points and the value at the reference price.
A fixed number of queries whatever the number of items and districts."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, OuterRef, QuerySet, Subquery

from districts.models import District, Site
from purchasing.priority_items.models import (
    MONTHS,
    SCHOOL_YEAR_MONTHS,
    MenuCommitment,
    PriorityItem,
    SpecVersion,
    VersionStatus,
)

MONTH_NAMES = dict(MONTHS)
COLUMNS = [MONTH_NAMES[m] for m in SCHOOL_YEAR_MONTHS]


@dataclass
class DistrictDemand:
    district: District
    commitment: MenuCommitment
    annual: Decimal
    by_month: dict[int, Decimal]
    delivery_points: int

    @property
    def cells(self) -> list[Decimal]:
        """The volume of each month of the school year, July to June."""
        return [self.by_month.get(month, Decimal(0)) for month in SCHOOL_YEAR_MONTHS]


@dataclass
class ItemDemand:
    item: PriorityItem
    rows: list[DistrictDemand] = field(default_factory=list)

    @property
    def total(self) -> Decimal:
        return sum((row.annual for row in self.rows), Decimal(0))

    @property
    def by_month(self) -> list[tuple[int, Decimal]]:
        totals: dict[int, Decimal] = defaultdict(Decimal)
        for row in self.rows:
            for month, volume in row.by_month.items():
                totals[month] += volume
        return [(month, totals.get(month, Decimal(0))) for month in SCHOOL_YEAR_MONTHS]

    @property
    def month_cells(self) -> list[Decimal]:
        return [volume for _, volume in self.by_month]

    @property
    def delivery_points(self) -> int:
        return sum(row.delivery_points for row in self.rows)

    @property
    def value(self) -> Decimal | None:
        price = self.item.reference_price
        return None if price is None else self.total * price


def items_with_status(items: QuerySet[PriorityItem]) -> QuerySet[PriorityItem]:
    """Each item with the number of its adopted version and of its open one (draft or proposed)."""
    versions = SpecVersion.objects.filter(item=OuterRef("pk"))
    adopted = versions.filter(status=VersionStatus.ADOPTED).values("number")[:1]
    open_ = versions.filter(status__in=[VersionStatus.DRAFT, VersionStatus.PROPOSED])
    return items.select_related("collaborative").annotate(
        adopted_number=Subquery(adopted), open_number=Subquery(open_.values("number")[:1]),
        open_status=Subquery(open_.values("status")[:1]), open_id=Subquery(open_.values("pk")[:1]),
        commitment_count=Count("commitments", distinct=True),
    )  # fmt: skip


def pooled_demand(items: QuerySet[PriorityItem]) -> list[ItemDemand]:
    """Three queries: the items, their commitments with districts, the districts' delivery sites."""
    demands = {item.pk: ItemDemand(item) for item in items_with_status(items)}
    commitments = list(
        MenuCommitment.objects.filter(item_id__in=list(demands))
        .select_related("district__state_agency").order_by("district__name", "pk")
    )  # fmt: skip
    district_ids = {c.district_id for c in commitments}
    sites = dict(
        Site.objects.filter(district_id__in=district_ids, receives_deliveries=True)
        .values("district_id").annotate(n=Count("id")).values_list("district_id", "n")
    )  # fmt: skip
    for commitment in commitments:
        demand = demands[commitment.item_id]
        commitment.item = demand.item  # the conversion needs the item's unit; no extra query
        demand.rows.append(DistrictDemand(
            district=commitment.district, commitment=commitment, annual=commitment.annual_volume,
            by_month=commitment.by_month(), delivery_points=sites.get(commitment.district_id, 0),
        ))  # fmt: skip
    return list(demands.values())
