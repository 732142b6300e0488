"""A dashboard put together: the tables of ``selectors`` plus priority items against the menu
commitments, goals with their progress, the district beside its lab, and (for the lab's admins)
the lab's districts side by side. A fixed number of queries whatever the rows."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

from django.db.models import Q, Sum

from districts.models import Collaborative, District
from purchasing.priority_items.models import MenuCommitment
from purchasing.records.models import SpendSummary
from purchasing.spend import rules
from purchasing.spend.models import Goal
from purchasing.spend.selectors import (
    CENT,
    STATUS_LABELS,
    ZERO,
    Dashboard,
    Scope,
    Shares,
    administers,
    category_table,
    claim_table,
    class_table,
    definition_name,
    in_period,
    is_lab_member,
    latest_period,
    month_table,
    share_sums,
    shares_of,
    supplier_table,
)
from purchasing.spend.tables import MONEY, PERCENT, VOLUME, Chart, Column, Table

if TYPE_CHECKING:
    from accounts.models import User

SHARE_METRICS = (rules.LOCAL, rules.LOCAL_EX_USDA, rules.LOCAL_REGIONAL, rules.LOCAL_REGIONAL_EX_USDA)
METRIC_SHORT = {rules.LOCAL: "Local share", rules.LOCAL_EX_USDA: "Local share excluding USDA Foods",
                rules.LOCAL_REGIONAL: "Local and regional share",
                rules.LOCAL_REGIONAL_EX_USDA: "Local and regional share excluding USDA Foods",
                rules.PRIORITY_VOLUME: "Priority items bought vs committed"}  # fmt: skip


def _volume(value: Decimal | None) -> Decimal | None:
    return None if value is None else value.quantize(CENT, rounding=ROUND_HALF_UP)


def committed_pounds(commitment: MenuCommitment, volume: Decimal) -> Decimal | None:
    """A committed volume in pounds (items counted each have no weight to compare)."""
    item = commitment.item
    if item.unit == "lb":
        return volume
    if item.unit == "case" and item.case_net_weight_lb:
        return volume * item.case_net_weight_lb
    return None


def committed(commitment: MenuCommitment, period: rules.Period) -> Decimal:
    """The volume a commitment makes in the period: its annual volume, or the month's share."""
    if period.month is None:
        return commitment.annual_volume
    return commitment.by_month().get(period.month.month, ZERO)


def lab_commitments(lab: Collaborative) -> list[MenuCommitment]:
    return list(MenuCommitment.objects.filter(item__collaborative_id=lab.pk).select_related("item"))


def priority_table(scope: Scope, period: rules.Period, commitments: list[MenuCommitment]) -> Table:
    bought = {row["priority_item"]: row for row in in_period(scope.filter(SpendSummary.objects.all()), period)
              .filter(priority_item__isnull=False)
              .values("priority_item", "priority_item__name", "priority_item__unit", "priority_item__case_net_weight_lb")
              .annotate(amount=Sum("spend"), weight=Sum("pounds")).order_by()}  # fmt: skip
    mine = [c for c in commitments if scope.district is None or c.district_id == scope.district.pk]
    promised: dict[int, Decimal] = defaultdict(Decimal)
    items = {}
    for commitment in mine:
        promised[commitment.item_id] += committed(commitment, period)
        items[commitment.item_id] = (
            commitment.item.name,
            commitment.item.unit,
            commitment.item.case_net_weight_lb,
        )
    for pk, row in bought.items():
        items.setdefault(pk, (row["priority_item__name"], row["priority_item__unit"],
                              row["priority_item__case_net_weight_lb"]))  # fmt: skip
    table = Table(
        "priority", "Priority items against the menu commitments",
        f"Spend and volume of the lab's priority items bought, {period.label}, beside the volume the "
        f"{'district' if scope.district else 'districts'} committed to menu in the same period.",
        [Column("Priority item"), Column("Unit"), Column("Spend", MONEY), Column("Bought", VOLUME),
         Column("Committed", VOLUME), Column("Bought of committed", PERCENT)], chart=Chart("bar", (5,)),
        note="Items counted each show spend only: the summaries keep weights.",
    )  # fmt: skip
    for pk, (name, unit, case_weight) in sorted(items.items(), key=lambda kv: kv[1][0]):
        row = bought.get(pk, {"amount": ZERO, "weight": ZERO})
        volume = rules.to_item_unit(pounds=row["weight"], unit=unit, case_net_weight_lb=case_weight)
        promise = promised.get(pk)
        table.rows.append([name, unit, row["amount"], _volume(volume), _volume(promise),
                           rules.share(volume, promise) if volume is not None else None])  # fmt: skip
    return table


@dataclass
class YearFacts:
    """The school year's figures goals are measured on: for the lab, and for the district shown."""

    lab: Shares
    district: Shares | None
    lab_pounds: dict[int, Decimal]
    district_pounds: dict[int, Decimal]


def year_facts(scope: Scope, school_year: int) -> YearFacts:
    year = rules.Period(school_year)
    lab_rows = in_period(SpendSummary.objects.filter(district_id__in=Scope(scope.lab).district_ids), year)
    mine = Q(district_id=scope.district.pk) if scope.district else Q(pk__in=[])
    values = lab_rows.aggregate(**share_sums("lab_"), **share_sums("d_", mine))
    pounds = (lab_rows.filter(priority_item__isnull=False).values("priority_item")
              .annotate(lab=Sum("pounds"), mine=Sum("pounds", filter=mine, default=ZERO)).order_by())  # fmt: skip
    pounds = list(pounds)
    return YearFacts(
        shares_of(values, "lab_"), shares_of(values, "d_") if scope.district else None,
        {row["priority_item"]: row["lab"] for row in pounds}, {row["priority_item"]: row["mine"] for row in pounds},
    )  # fmt: skip


def volume_share(goal: Goal, commitments: list[MenuCommitment], bought: dict[int, Decimal],
                 district: District | None) -> Decimal | None:  # fmt: skip
    """Pounds of priority items bought in the year as a percent of the pounds committed."""
    promised = ZERO
    pounds = ZERO
    counted: set[int] = set()
    for commitment in commitments:
        if goal.priority_item_id and commitment.item_id != goal.priority_item_id:
            continue
        if district is not None and commitment.district_id != district.pk:
            continue
        weight = committed_pounds(commitment, commitment.annual_volume)
        if weight is None:
            continue
        promised += weight
        if commitment.item_id not in counted:
            counted.add(commitment.item_id)
            pounds += bought.get(commitment.item_id, ZERO)
    return rules.share(pounds, promised)


def goal_value(goal: Goal, shares: Shares | None, commitments: list[MenuCommitment], bought: dict[int, Decimal],
               district: District | None) -> Decimal | None:  # fmt: skip
    if shares is None:
        return None
    if goal.metric == rules.PRIORITY_VOLUME:
        return volume_share(goal, commitments, bought, district)
    return shares.metric(goal.metric) if shares.total else None


def goal_table(
    scope: Scope, period: rules.Period, commitments: list[MenuCommitment], facts: YearFacts
) -> Table:
    goals = Goal.objects.filter(collaborative_id=scope.lab.pk).select_related("district", "priority_item")
    goals = goals.filter(Q(district__isnull=True) | Q(district_id=scope.district.pk)) if scope.district else (
        goals.filter(district__isnull=True))  # fmt: skip
    year = rules.school_year_label(period.school_year)
    columns = [Column("Goal"), Column("For"), Column("By"), Column("Target", PERCENT),
               Column(f"Lab, {year}", PERCENT)]  # fmt: skip
    if scope.district:
        columns.append(Column(f"This district, {year}", PERCENT))
    columns.append(Column("Status"))
    table = Table(
        "goals", "Goals", f"The lab's goals and where they stand in {year}.", columns,
        chart=Chart("bar", tuple(range(3, len(columns) - 1))),
    )  # fmt: skip
    for goal in goals:
        item = f" ({goal.priority_item.name})" if goal.priority_item else ""
        lab_now = (
            None if goal.district_id else goal_value(goal, facts.lab, commitments, facts.lab_pounds, None)
        )
        mine = None
        if scope.district:
            mine = goal_value(goal, facts.district, commitments, facts.district_pounds, scope.district)
        judged = mine if goal.district_id else lab_now
        progress = rules.goal_progress(actual=judged, target=goal.target_percent, goal_year=goal.school_year,
                                       current_year=period.school_year, set_year=goal.set_in)  # fmt: skip
        row = [METRIC_SHORT[goal.metric] + item, goal.district.name if goal.district else "The whole lab",
               goal.school_year_label, goal.target_percent, lab_now]  # fmt: skip
        if scope.district:
            row.append(mine)
        row.append(STATUS_LABELS[progress.status])
        table.rows.append(row)
    return table


def compare_table(scope: Scope, period: rules.Period, mine: Shares) -> Table:
    values = in_period(SpendSummary.objects.filter(district_id__in=Scope(scope.lab).district_ids), period)
    lab = shares_of(values.aggregate(**share_sums()))
    table = Table(
        "compare", "This district beside the lab",
        f"{scope.district.name} beside the sum over all districts of {scope.lab.name}, {period.label}.",
        [Column("Measure"), Column("This district", PERCENT), Column("Lab (all its districts)", PERCENT)],
        chart=Chart("bar", (1, 2)),
    )  # fmt: skip
    for metric in SHARE_METRICS:
        table.rows.append([METRIC_SHORT[metric], mine.metric(metric), lab.metric(metric)])
    return table


def district_table(scope: Scope, period: rules.Period, definition: str) -> Table:
    rows = (in_period(SpendSummary.objects.filter(district_id__in=scope.district_ids), period)
            .values("district_id", "district__name").annotate(**share_sums()).order_by("district__name"))  # fmt: skip
    table = Table(
        "districts", "The lab's districts",
        f"Each district's food spend and shares, {period.label} (seen by the lab's admins only). Local: {definition}.",
        [Column("District"), Column("Total spend", MONEY), Column("Local share", PERCENT),
         Column("Local share excluding USDA Foods", PERCENT), Column("Local and regional share", PERCENT)],
        chart=Chart("bar", (3,), horizontal=True),
    )  # fmt: skip
    for row in rows:
        s = shares_of(row)
        table.rows.append([row["district__name"], s.total, s.metric(rules.LOCAL), s.metric(rules.LOCAL_EX_USDA),
                           s.metric(rules.LOCAL_REGIONAL)])  # fmt: skip
    return table


def dashboard(*, user: User, lab: Collaborative, district: District | None = None,
              period: rules.Period | None = None, today: date) -> Dashboard:  # fmt: skip
    """The figures of a district (already resolved for the user) or of a lab (the user a member)."""
    scope = Scope(lab, district)
    period = period or latest_period(scope, default=today)
    admin = administers(user, lab.pk)
    definition = definition_name(scope, detailed=admin)
    shares_table, shares = class_table(scope, period, definition)
    commitments = lab_commitments(lab)
    tables = [shares_table, month_table(scope, period, definition), category_table(scope, period, definition),
              supplier_table(scope, period, definition, shares.total), priority_table(scope, period, commitments),
              claim_table(scope, period, definition, shares.total)]  # fmt: skip
    member = district is None or is_lab_member(user, lab.pk)
    if member:
        tables.append(goal_table(scope, period, commitments, year_facts(scope, period.school_year)))
    if district is not None and member:
        tables.append(compare_table(scope, period, shares))
    if district is None and admin:
        tables.append(district_table(scope, period, definition))
    return Dashboard(scope, period, definition, shares, tables)
