"""Lunch counts: the state's claims data, saved one by one or imported from a file."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from districts.models import District
from focus_lab.csv_import import ParsedFile, RowError, RowErrors, parse_csv, text_value, whole_number
from focus_lab.errors import DomainError
from usda_foods.entitlements import rules as entitlements
from usda_foods.entitlements.access import lunch_count_districts
from usda_foods.entitlements.models import (
    LUNCH_TOTAL_TOO_HIGH,
    MAX_LUNCHES_PER_YEAR,
    LunchCount,
)
from usda_foods.entitlements.services.common import LUNCH_COUNTS_ARE_THE_STATES, history_context
from usda_foods.entitlements.services.entitlements import entitlements_recompute

if TYPE_CHECKING:
    from accounts.models import User


# --- Lunch counts ------------------------------------------------------------------------------


def lunch_count_save(
    *, district: District, school_year: str, free: int, reduced: int, paid: int, user: User | None
) -> LunchCount:
    """Create or update a district's lunch count, then recompute the entitlements that use it:
    the next year's COV (prior-year rule) and this year's 12 percent check. The counts are the
    state's claims data: the user must be a reviewer of the district's state (or a superuser);
    ``user=None`` is the system itself (seeds, tasks)."""
    if user is not None and not lunch_count_districts(user).filter(pk=district.pk).exists():
        raise DomainError(LUNCH_COUNTS_ARE_THE_STATES, field="district")
    count = LunchCount.objects.filter(district=district, school_year=school_year).first() or LunchCount(
        district=district, school_year=school_year
    )
    count.free, count.reduced, count.paid = free, reduced, paid
    count.full_clean(validate_unique=False)
    with transaction.atomic(), history_context(user, "lunch_count_save"):
        count.save()
        districts = District.objects.filter(pk=district.pk)
        for year in (school_year, entitlements.next_school_year(school_year)):
            entitlements_recompute(school_year=year, districts=districts, user=user)
    return count


@dataclass(frozen=True)
class LunchRow:
    state: str
    agency_code: str
    school_year: str
    free: int
    reduced: int
    paid: int


@dataclass
class ImportReport:
    errors: list[RowError] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> str:
        if self.errors:
            return f"Nothing was imported: {len(self.errors)} problem(s) to fix."
        return f"Imported: {self.created} new, {self.updated} updated, {self.unchanged} unchanged."


LUNCH_COLUMNS = ("state", "agency_code", "school_year", "free", "reduced", "paid")


def _parse_lunch_row(row: dict[str, str]) -> LunchRow:
    errors: list[tuple[str, str]] = []
    state = row["state"].upper()
    if len(state) != 2:
        errors.append(("state", f"“{row['state'][:40]}” is not a two-letter state code"))
    text_value(
        row["agency_code"],
        "agency_code",
        errors,
        max_length=District._meta.get_field("agency_code").max_length,
    )
    try:  # cut short for the message: no school year is longer than 7 characters anyway
        entitlements.parse_school_year(row["school_year"][:20])
    except entitlements.EntitlementInputError as exc:
        errors.append(("school_year", str(exc)))
    numbers = {
        c: whole_number(row[c], c, errors, maximum=MAX_LUNCHES_PER_YEAR) for c in ("free", "reduced", "paid")
    }
    if None not in numbers.values() and sum(numbers.values()) > MAX_LUNCHES_PER_YEAR:  # type: ignore[arg-type]
        errors.append(("free, reduced, paid", LUNCH_TOTAL_TOO_HIGH.format(total=sum(numbers.values()))))  # type: ignore[arg-type]
    if errors:
        raise RowErrors(errors)
    return LunchRow(state=state, agency_code=row["agency_code"], school_year=row["school_year"], **numbers)  # type: ignore[arg-type]


def lunch_counts_import(*, data: bytes | str, user: User) -> ImportReport:
    """Import lunch counts, one row per district per year. Every row is checked first (format,
    the district exists and the user may change it, no repeats); if any is bad none is written.
    Re-importing the same file changes nothing."""
    parsed: ParsedFile[LunchRow] = parse_csv(data, required=LUNCH_COLUMNS, parse_row=_parse_lunch_row)
    report = ImportReport(errors=list(parsed.errors))
    rows = parsed.rows
    # The districts named in the file that the user may change, in one query.
    allowed = {
        (d.state_agency.state, d.agency_code): d
        for d in lunch_count_districts(user)
        .select_related("state_agency")
        .filter(agency_code__in={r.agency_code for _, r in rows})
    }
    seen: dict[tuple[int, str], int] = {}
    resolved: list[tuple[District, LunchRow]] = []
    for line, row in rows:
        district = allowed.get((row.state, row.agency_code))
        if district is None:
            report.errors.append(
                RowError(
                    line,
                    "agency_code",
                    f"no SFA with code {row.agency_code} in {row.state} whose counts you record",
                )
            )
            continue
        key = (district.pk, row.school_year)
        if key in seen:
            report.errors.append(
                RowError(
                    line, "school_year", f"{district} SY{row.school_year} is already on line {seen[key]}"
                )
            )
            continue
        seen[key] = line
        resolved.append((district, row))
    report.errors.sort(key=lambda e: (e.line, e.column))
    if report.errors:
        return report
    existing = {(c.district_id, c.school_year): c for c in
                LunchCount.objects.filter(district_id__in={d.pk for d, _ in resolved},
                                          school_year__in={r.school_year for _, r in resolved})}  # fmt: skip
    to_create, to_update = [], []
    for district, row in resolved:
        current = existing.get((district.pk, row.school_year))
        if current is None:
            to_create.append(LunchCount(district=district, school_year=row.school_year, free=row.free,
                                        reduced=row.reduced, paid=row.paid))  # fmt: skip
        elif (current.free, current.reduced, current.paid) != (row.free, row.reduced, row.paid):
            current.free, current.reduced, current.paid = row.free, row.reduced, row.paid
            to_update.append(current)
        else:
            report.unchanged += 1
    with transaction.atomic(), history_context(user, "lunch_counts_import"):
        LunchCount.objects.bulk_create(to_create, batch_size=500)
        now = timezone.now()
        for count in to_update:
            count.updated_at = now
        LunchCount.objects.bulk_update(to_update, ["free", "reduced", "paid", "updated_at"], batch_size=500)
        report.created, report.updated = len(to_create), len(to_update)
        changed = to_create + to_update
        years: dict[str, set[int]] = defaultdict(set)
        for count in changed:
            years[count.school_year].add(count.district_id)
            years[entitlements.next_school_year(count.school_year)].add(count.district_id)
        for year, district_ids in years.items():
            entitlements_recompute(
                school_year=year, districts=District.objects.filter(pk__in=district_ids), user=user
            )
    return report
