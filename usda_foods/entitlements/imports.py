"""Lunch counts as an import kind of the shared pipeline (focus_lab.imports): the state's claims
data, one row per SFA per school year. Only SDA reviewers of the SFA's state write them; a row
naming any other SFA is a problem on its line. Each change recomputes the entitlements using it."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from districts import access
from districts.models import District
from focus_lab.imports.db import update_rows
from focus_lab.imports.kinds import Field, FieldType, ImportKind, Problem, Row, WriteCounts, register
from usda_foods.entitlements import rules as entitlements
from usda_foods.entitlements.access import lunch_count_districts
from usda_foods.entitlements.models import LUNCH_TOTAL_TOO_HIGH, MAX_LUNCHES_PER_YEAR, LunchCount
from usda_foods.entitlements.services.common import history_context
from usda_foods.entitlements.services.entitlements import entitlements_recompute

if TYPE_CHECKING:
    from accounts.models import User

COUNTS = ("free", "reduced", "paid")


def _count(name: str, label: str, synonyms: tuple[str, ...], example: str) -> Field:
    return Field(
        name, label, FieldType.INTEGER, help="Reimbursable lunches served in the year", synonyms=synonyms,
        minimum=0, maximum=MAX_LUNCHES_PER_YEAR, example=example,
    )  # fmt: skip


class LunchCountsKind(ImportKind):
    name = "lunch-counts"
    label = "Lunch counts"
    description = "Reimbursable lunches by SFA and school year, from the state's claims system."
    source_help = "e.g. the state's claims system export"
    fields = (
        Field("state", "State", help="Two-letter state code, e.g. MN", max_length=20,
              synonyms=("st", "state code", "state abbreviation"), example="MN"),
        Field("agency_code", "Agency code", help="The SFA's agency code in the state's system",
              max_length=District._meta.get_field("agency_code").max_length,
              synonyms=("sfa code", "sfa id", "sfa number", "agency", "agency id", "lea code", "lea id",
                        "district code", "agreement number", "cnp agreement number", "sponsor number"),
              example="0001"),
        Field("school_year", "School year", help="e.g. 2025-26", max_length=20,
              synonyms=("sy", "year", "program year", "claim year", "fiscal year"), example="2025-26"),
        _count("free", "Free", ("free lunches", "free meals", "free count", "lunches free", "free lunch"), "412,000"),
        _count("reduced", "Reduced price", ("reduced", "reduced lunches", "reduced price meals",
                                            "reduced meals", "rp", "reduced lunch"), "61,500"),
        _count("paid", "Paid", ("paid lunches", "paid meals", "full price", "paid lunch"), "530,250"),
    )  # fmt: skip

    def can_import(self, user: User) -> bool:
        return bool(user.is_authenticated and access.can_create(user, LunchCount))

    def check_batch(self, rows: Sequence[Row], *, user: User, state: dict[str, Any]) -> Iterable[Problem]:
        seen: dict[tuple[int, str], int] = state.setdefault("seen", {})
        candidates = []
        for row in rows:
            v = row.values
            bad = bool(row.bad)
            if v["state"] is not None:
                v["state"] = v["state"].upper()
                if len(v["state"]) != 2:
                    bad = True
                    yield row.line, "state", f"“{v['state'][:40]}” is not a two-letter state code"
            if v["school_year"] is not None:
                try:  # cut short for the message: no school year is longer than 7 characters anyway
                    entitlements.parse_school_year(v["school_year"][:20])
                except entitlements.EntitlementInputError as exc:
                    bad = True
                    yield row.line, "school_year", str(exc)
            if (
                not any(v[c] is None for c in COUNTS)
                and (total := sum(v[c] for c in COUNTS)) > MAX_LUNCHES_PER_YEAR
            ):
                bad = True
                yield row.line, "free, reduced, paid", LUNCH_TOTAL_TOO_HIGH.format(total=total)
            if not bad:
                candidates.append(row)
        # The SFAs named in the batch that the user records counts for, in one query.
        allowed = {
            (d.state_agency.state, d.agency_code): d
            for d in lunch_count_districts(user)
            .select_related("state_agency")
            .filter(agency_code__in={r.values["agency_code"] for r in candidates})
        }
        for row in candidates:
            v = row.values
            district = allowed.get((v["state"], v["agency_code"]))
            if district is None:
                yield (row.line, "agency_code",
                       f"no SFA with code {v['agency_code']} in {v['state']} whose counts you record")  # fmt: skip
                continue
            key = (district.pk, v["school_year"])
            if key in seen:
                yield (
                    row.line,
                    "school_year",
                    f"{district} SY{v['school_year']} is already on line {seen[key]}",
                )
                continue
            seen[key] = row.line
            v["district"] = district

    def write_batch(self, rows: Sequence[Row], *, user: User, state: dict[str, Any]) -> WriteCounts:
        counts = WriteCounts()
        keys = {(r.values["district"].pk, r.values["school_year"]) for r in rows}
        existing = {
            (c.district_id, c.school_year): c
            for c in LunchCount.objects.filter(
                district_id__in={k[0] for k in keys}, school_year__in={k[1] for k in keys}
            )
        }
        to_create, to_update = [], []
        for row in rows:
            v = row.values
            current = existing.get((v["district"].pk, v["school_year"]))
            if current is None:
                to_create.append(LunchCount(district=v["district"], school_year=v["school_year"],
                                            **{c: v[c] for c in COUNTS}))  # fmt: skip
            elif tuple(getattr(current, c) for c in COUNTS) != tuple(v[c] for c in COUNTS):
                counts.previous.append((current.pk, {c: getattr(current, c) for c in COUNTS}))
                for c in COUNTS:
                    setattr(current, c, v[c])
                to_update.append(current)
            else:
                counts.unchanged += 1
        with history_context(user, "lunch_counts_import"):
            LunchCount.objects.bulk_create(to_create, batch_size=1000)
            update_rows(LunchCount, to_update, [*COUNTS, "updated_at"])
        counts.created, counts.updated = len(to_create), len(to_update)
        counts.created_ids = [c.pk for c in to_create]
        years: dict[str, set[int]] = state.setdefault("years", defaultdict(set))
        for count in (*to_create, *to_update):
            years[count.school_year].add(count.district_id)
        return counts

    def after_write(self, *, user: User, state: dict[str, Any]) -> None:
        _recompute(state.get("years", {}), user)

    def undo(self, *, created_ids: list[int], previous: list[tuple[int, dict[str, Any]]], user: User) -> None:
        touched = LunchCount.objects.filter(pk__in=[*created_ids, *(i for i, _ in previous)])
        years: dict[str, set[int]] = defaultdict(set)
        for district_id, year in touched.values_list("district_id", "school_year"):
            years[year].add(district_id)
        with history_context(user, "lunch_counts_import_undo"):
            LunchCount.objects.filter(pk__in=created_ids).delete()
            restored, before_by_id = [], dict(previous)
            for count in LunchCount.objects.filter(pk__in=before_by_id):
                before = before_by_id[count.pk]
                for c in COUNTS:
                    setattr(count, c, before[c])
                restored.append(count)
            update_rows(LunchCount, restored, [*COUNTS, "updated_at"])
        _recompute(years, user)


def _recompute(years: dict[str, set[int]], user: User) -> None:
    """This year's 12 percent check and next year's COV use the counts."""
    by_year: dict[str, set[int]] = defaultdict(set)
    for year, district_ids in years.items():
        by_year[year] |= district_ids
        by_year[entitlements.next_school_year(year)] |= district_ids
    for year, district_ids in by_year.items():
        entitlements_recompute(
            school_year=year, districts=District.objects.filter(pk__in=district_ids), user=user
        )


def register_import_kinds() -> None:
    register(LunchCountsKind())
