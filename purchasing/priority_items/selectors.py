"""Reads for the pages, API and documents: the pooled demand of a set of items, each district's
commitment side by side, by month, with delivery points and the value at the reference price.
A fixed number of queries whatever the number of items and districts."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Count, OuterRef, QuerySet, Subquery

from districts.models import District, Site
from purchasing.priority_items import matching
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


def candidate_suppliers(
    *, user: Any, item: PriorityItem, today: date
) -> tuple[matching.Criteria, list[matching.Candidate]]:
    """The supplier directory's suppliers (those the user may see, not merged away) that match the
    item's adopted specification, ranked. Delivery points: the committed districts' sites, or all
    the lab's when none has committed. Seven queries whatever the size of the directory."""
    from partners.suppliers.models import Supplier

    adopted = item.versions.filter(status=VersionStatus.ADOPTED).first()
    committed = MenuCommitment.objects.filter(item=item).values("district_id")
    sites = Site.objects.filter(receives_deliveries=True, district__collaborative_id=item.collaborative_id)
    points = list(sites.filter(district_id__in=committed).values_list("latitude", "longitude")) or list(
        sites.values_list("latitude", "longitude")
    )
    criteria = matching.Criteria(
        category=item.supplier_category, keywords=matching.keywords(item.supplier_keywords),
        practices=tuple(adopted.required_practices) if adopted else (),
        certifications=tuple(adopted.required_certifications) if adopted else (),
        max_miles=float(item.max_distance_miles) if item.max_distance_miles else None,
        delivery_points=tuple((float(lat), float(lon)) for lat, lon in points),
    )  # fmt: skip
    if adopted is None:
        return criteria, []
    suppliers = (
        Supplier.objects.for_user(user)
        .filter(collaborative_id=item.collaborative_id, merged_into__isnull=True)
        .prefetch_related("products", "practices", "certifications", "origins")
    )
    facts = [
        matching.SupplierFacts(
            id=s.pk, name=s.name,
            products=[matching.Product(p.name, p.category, p.forms_and_packs) for p in s.products.all()],
            practices={p.practice: p.verification for p in s.practices.all()},
            certifications=[matching.Cert(c.kind, c.audit_date, c.expires_on) for c in s.certifications.all()],
            origins=[(float(o.latitude), float(o.longitude)) for o in s.origins.all()
                     if o.latitude is not None and o.longitude is not None],
        )
        for s in suppliers
    ]  # fmt: skip
    return criteria, matching.rank(facts, criteria, today=today)
