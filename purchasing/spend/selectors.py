"""Reads for the spending dashboards, per district and for a learning lab, by month or school
year. Every figure comes from the summary tables (SpendSummary, ClaimSummary, VendorSummary) summed
by the database: a fixed number of queries whatever the number of purchase rows or districts.

Tenancy: the caller resolves the district (``access.get_for_user``) or the lab (``lab_for``);
lab figures are only ever sums over all the lab's districts, and the per-district breakdown is
built for the lab's admins alone."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import Max, Q, QuerySet, Sum
from django.http import Http404

from accounts.models import Role
from districts import access
from districts.models import Collaborative, District
from partners.suppliers.models import Practice, ProductCategory
from purchasing.access import lab_ids
from purchasing.records.models import (
    ClaimSummary,
    LocalClass,
    LocalDefinition,
    PurchaseSource,
    SpendSummary,
    VendorSummary,
)
from purchasing.spend import rules
from purchasing.spend.tables import MONEY, PERCENT, POUNDS, Chart, Column, Table

if TYPE_CHECKING:
    from accounts.models import User

ZERO = Decimal(0)
CENT = Decimal("0.01")
TOP_SUPPLIERS = 10
USDA = Q(source=PurchaseSource.USDA_FOODS)
LOCAL = Q(local_class=LocalClass.LOCAL)
REGIONAL = Q(local_class=LocalClass.REGIONAL)
CLASS_LABELS = dict(LocalClass.choices)
CATEGORY_LABELS = dict(ProductCategory.choices)
CLAIM_LABELS = dict(Practice.choices)
STATUS_LABELS = {rules.MET: "Met", rules.MISSED: "Missed", rules.ON_PACE: "On pace",
                 rules.OFF_PACE: "Off pace", rules.NO_DATA: "No purchases yet"}  # fmt: skip


def lab_for(user: User, pk: object) -> Collaborative:
    """A learning lab the user is a member of (404 otherwise): its aggregates are theirs to see."""
    labs = Collaborative.objects.all()
    if not user.is_superuser:
        labs = labs.filter(id__in=lab_ids(user))
    lab = labs.filter(pk=pk).first() if str(pk).isdigit() else None
    if lab is None:
        raise Http404("No such learning lab.")
    return lab


def is_lab_member(user: User, lab_id: int) -> bool:
    return user.is_superuser or Collaborative.objects.filter(id__in=lab_ids(user), pk=lab_id).exists()


def administers(user: User, lab_id: int) -> bool:
    return (
        user.is_superuser
        or access.memberships(user, Role.COLLABORATIVE_ADMIN).filter(collaborative_id=lab_id).exists()
    )


@dataclass(frozen=True)
class Shares:
    """Spend by local class, of all food and excluding USDA Foods (the Census headline)."""

    total: Decimal = ZERO
    local: Decimal = ZERO
    regional: Decimal = ZERO
    total_ex: Decimal = ZERO
    local_ex: Decimal = ZERO
    regional_ex: Decimal = ZERO

    def metric(self, metric: str) -> Decimal | None:
        return {
            rules.LOCAL: rules.share(self.local, self.total),
            rules.LOCAL_EX_USDA: rules.share(self.local_ex, self.total_ex),
            rules.LOCAL_REGIONAL: rules.share(self.local + self.regional, self.total),
            rules.LOCAL_REGIONAL_EX_USDA: rules.share(self.local_ex + self.regional_ex, self.total_ex),
        }[metric]


def share_sums(prefix: str = "", where: Q | None = None) -> dict[str, Sum]:
    """The sums that make a ``Shares``, optionally restricted (``where``) and named with a prefix."""
    base = where or Q()
    return {
        f"{prefix}total": Sum("spend", filter=base, default=ZERO),
        f"{prefix}local": Sum("spend", filter=base & LOCAL, default=ZERO),
        f"{prefix}regional": Sum("spend", filter=base & REGIONAL, default=ZERO),
        f"{prefix}total_ex": Sum("spend", filter=base & ~USDA, default=ZERO),
        f"{prefix}local_ex": Sum("spend", filter=base & LOCAL & ~USDA, default=ZERO),
        f"{prefix}regional_ex": Sum("spend", filter=base & REGIONAL & ~USDA, default=ZERO),
    }


def shares_of(values: dict[str, Any], prefix: str = "") -> Shares:
    return Shares(**{name: values[f"{prefix}{name}"] or ZERO for name in Shares.__dataclass_fields__})


@dataclass
class Scope:
    """Whose figures: one district, or every district of a lab summed."""

    lab: Collaborative
    district: District | None = None

    @property
    def district_ids(self) -> QuerySet:
        if self.district is not None:
            return District.objects.filter(pk=self.district.pk).values("id")
        return District.objects.filter(collaborative_id=self.lab.pk).values("id")

    def filter(self, queryset: QuerySet) -> QuerySet:
        if self.district is not None:
            return queryset.filter(district_id=self.district.pk)
        return queryset.filter(district_id__in=self.district_ids)

    @property
    def name(self) -> str:
        return self.district.name if self.district else f"{self.lab.name} (all its districts)"


def in_period(queryset: QuerySet, period: rules.Period) -> QuerySet:
    return queryset.filter(month__gte=period.first, month__lte=period.last)


def latest_period(scope: Scope, *, default: date) -> rules.Period:
    """The school year of the scope's latest purchases (today's when there are none)."""
    latest = scope.filter(SpendSummary.objects.all()).aggregate(latest=Max("month"))["latest"]
    return rules.Period(rules.school_year_of(latest or default))


def definition_name(scope: Scope, *, detailed: bool) -> str:
    """The local definition the figures used: the district's own, else its lab's; for a lab, the
    lab's and how many districts use their own (named only for the lab's admins)."""
    definitions = list(LocalDefinition.objects.filter(collaborative_id=scope.lab.pk)
                       .values_list("district_id", "district__name", "name"))  # fmt: skip
    lab_name = next((name for district_id, _, name in definitions if district_id is None), None)
    lab_text = (
        f"{lab_name} (the lab's definition)" if lab_name else "none set yet: every origin counts as unknown"
    )
    if scope.district is not None:
        own = next((name for district_id, _, name in definitions if district_id == scope.district.pk), None)
        return f"{own} (the district's own definition)" if own else lab_text
    own = [(district, name) for district_id, district, name in definitions if district_id is not None]
    if not own:
        return lab_text
    if detailed:
        return lab_text + "; districts with their own: " + "; ".join(f"{d}: {n}" for d, n in own)
    return lab_text + f"; {len(own)} district(s) use their own definition"


@dataclass
class Dashboard:
    scope: Scope
    period: rules.Period
    definition: str
    shares: Shares
    tables: list[Table] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.shares.total

    @property
    def headline(self) -> dict[str, Decimal | None]:
        s = self.shares
        return {
            "total_spend": s.total, "local_spend": s.local, "regional_spend": s.regional,
            "total_spend_excluding_usda_foods": s.total_ex,
            "local_share": s.metric(rules.LOCAL), "local_share_excluding_usda_foods": s.metric(rules.LOCAL_EX_USDA),
            "local_regional_share": s.metric(rules.LOCAL_REGIONAL),
            "local_regional_share_excluding_usda_foods": s.metric(rules.LOCAL_REGIONAL_EX_USDA),
        }  # fmt: skip

    def table(self, slug: str) -> Table:
        for table in self.tables:
            if table.slug == slug:
                return table
        raise Http404("No such table.")


def class_table(scope: Scope, period: rules.Period, definition: str) -> tuple[Table, Shares]:
    rows = {row["local_class"]: row for row in in_period(scope.filter(SpendSummary.objects.all()), period)
            .values("local_class").annotate(amount=Sum("spend"), spend_ex=Sum("spend", filter=~USDA, default=ZERO))
            .order_by()}  # fmt: skip
    total = sum((r["amount"] for r in rows.values()), ZERO)
    total_ex = sum((r["spend_ex"] for r in rows.values()), ZERO)
    table = Table(
        "shares", "Local and regional share",
        f"Spend by where the food was grown, raised or caught, {period.label}. Local: {definition}.",
        [Column("Where it came from"), Column("All food", MONEY), Column("Share of all food", PERCENT),
         Column("Excluding USDA Foods", MONEY), Column("Share excluding USDA Foods", PERCENT)],
        chart=Chart("bar", (2, 4)),
    )  # fmt: skip
    for local_class, label in CLASS_LABELS.items():
        row = rows.get(local_class, {"amount": ZERO, "spend_ex": ZERO})
        table.rows.append([label, row["amount"], rules.share(row["amount"], total), row["spend_ex"],
                           rules.share(row["spend_ex"], total_ex)])  # fmt: skip
    table.total = [
        "Total food spend",
        total,
        rules.share(total, total),
        total_ex,
        rules.share(total_ex, total_ex),
    ]
    get = lambda c, key: rows.get(c, {}).get(key, ZERO)  # noqa: E731
    shares = Shares(total, get(LocalClass.LOCAL, "amount"), get(LocalClass.REGIONAL, "amount"), total_ex,
                    get(LocalClass.LOCAL, "spend_ex"), get(LocalClass.REGIONAL, "spend_ex"))  # fmt: skip
    return table, shares


def month_table(scope: Scope, period: rules.Period, definition: str) -> Table:
    year = rules.Period(period.school_year)
    by_month = {row["month"]: shares_of(row) for row in in_period(scope.filter(SpendSummary.objects.all()), year)
                .values("month").annotate(**share_sums()).order_by()}  # fmt: skip
    table = Table(
        "months", "Local share by month",
        f"Spend and local share each month of {year.label} (July to June). Local: {definition}.",
        [Column("Month"), Column("Total spend", MONEY), Column("Local", MONEY), Column("Regional", MONEY),
         Column("Local share", PERCENT), Column("Local share excluding USDA Foods", PERCENT),
         Column("Local and regional share", PERCENT)],
        chart=Chart("line", (4, 5, 6)),
    )  # fmt: skip
    for month in rules.school_year_months(period.school_year):
        s = by_month.get(month, Shares())
        table.rows.append([rules.month_label(month), s.total, s.local, s.regional, s.metric(rules.LOCAL),
                           s.metric(rules.LOCAL_EX_USDA), s.metric(rules.LOCAL_REGIONAL)])  # fmt: skip
    return table


def category_table(scope: Scope, period: rules.Period, definition: str) -> Table:
    rows = (in_period(scope.filter(SpendSummary.objects.all()), period).values("category")
            .annotate(amount=Sum("spend"), local=Sum("spend", filter=LOCAL, default=ZERO), weight=Sum("pounds"))
            .order_by("-amount", "category"))  # fmt: skip
    table = Table(
        "categories", "Spend by category", f"Food spend by product category, {period.label}. Local: {definition}.",
        [Column("Category"), Column("Spend", MONEY), Column("Local", MONEY), Column("Local share", PERCENT),
         Column("Weight", POUNDS)], chart=Chart("bar", (1, 2)),
    )  # fmt: skip
    for row in rows:
        table.rows.append([CATEGORY_LABELS.get(row["category"], row["category"]), row["amount"], row["local"],
                           rules.share(row["local"], row["amount"]), row["weight"]])  # fmt: skip
    return table


def supplier_table(scope: Scope, period: rules.Period, definition: str, total: Decimal) -> Table:
    rows = (in_period(scope.filter(VendorSummary.objects.all()), period).values("vendor_name")
            .annotate(amount=Sum("spend"), local=Sum("spend", filter=LOCAL, default=ZERO))
            .order_by("-amount", "vendor_name")[:TOP_SUPPLIERS])  # fmt: skip
    table = Table(
        "suppliers", "Top suppliers",
        f"The {TOP_SUPPLIERS} suppliers with the most spend, {period.label}. Local: {definition}.",
        [Column("Supplier"), Column("Spend", MONEY), Column("Local", MONEY), Column("Share of all food spend", PERCENT)],
        chart=Chart("bar", (1,), horizontal=True),
    )  # fmt: skip
    for row in rows:
        table.rows.append(
            [row["vendor_name"], row["amount"], row["local"], rules.share(row["amount"], total)]
        )
    return table


def claim_table(scope: Scope, period: rules.Period, definition: str, total: Decimal) -> Table:
    rows = (in_period(scope.filter(ClaimSummary.objects.all()), period).values("claim")
            .annotate(amount=Sum("spend"), local=Sum("spend", filter=LOCAL, default=ZERO))
            .order_by("-amount", "claim"))  # fmt: skip
    table = Table(
        "claims", "Production claims",
        f"Spend on food with each production claim, {period.label}, counted independently of local. "
        f"Local: {definition}.",
        [Column("Production claim"), Column("Spend", MONEY), Column("Of which local", MONEY),
         Column("Share of all food spend", PERCENT)], chart=Chart("bar", (1, 2)),
        note="A purchase with several claims counts under each of them; the total food spend counts it once.",
    )  # fmt: skip
    for row in rows:
        table.rows.append([CLAIM_LABELS.get(row["claim"], row["claim"]), row["amount"], row["local"],
                           rules.share(row["amount"], total)])  # fmt: skip
    return table
