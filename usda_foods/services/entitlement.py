"""USDA Foods services: load rows, call the pure arithmetic in ``entitlements.py``, save, and keep
the drawdown ledger consistent under concurrency."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

import pghistory
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, QuerySet
from django.http import Http404
from django.utils import timezone

from districts import access
from districts.models import District
from focus_lab.csv_import import ParsedFile, RowError, RowErrors, parse_csv, text_value, whole_number
from focus_lab.errors import DomainError
from focus_lab.jobs import services as jobs
from usda_foods import access as usda_access
from usda_foods import entitlements, units
from usda_foods.models import (
    LUNCH_TOTAL_TOO_HIGH,
    MAX_LUNCHES_PER_YEAR,
    Drawdown,
    DrawdownKind,
    DrawdownStatus,
    Entitlement,
    LunchCount,
    PerMealValue,
    ReimbursementRate,
    Section4Payment,
)

if TYPE_CHECKING:
    from accounts.models import User

OVER_BALANCE = "This would overdraw the entitlement: ${amount} asked, ${remaining} remaining."
NO_ALLOCATION = "This entitlement has no planned assistance level yet: {reasons}"
LUNCH_COUNTS_ARE_THE_STATES = (
    "Lunch counts are the state agency's claims data: its reviewers record them. "
    "A district proposes a correction instead."
)
REFERENCE_DATA_IS_NATIONAL = "Only national reference-data editors change national reference data."
DUPLICATE_PUBLICATION = (
    "SY {year} already has a per-meal value published on {date} ({cents} cents). A correction is a new "
    "publication: enter the date the correction was published, later than {date}."
)
CANNOT_RECOMPUTE = "You cannot recompute that state or collaborative."
PAL_IS_THE_STATES = "Only the state agency's reviewers set the planned assistance level."


def _history(user: User | None, action: str) -> pghistory.context:
    """Label the audit rows written inside with who did what (pghistory context)."""
    return pghistory.context(user=user.pk if user else None, action=action)


# --- Reference data ----------------------------------------------------------------------------


def per_meal_value_create(
    *, school_year: str, cents: Decimal, citation: str, published_on: date, notes: str = "", user: User | None
) -> PerMealValue:
    """Record a published per-meal value. A second publication for a year is a correction: it
    supersedes the first (which is kept) and the year's entitlements are recomputed."""
    if user is not None and not access.edits_reference_data(user):
        raise PermissionDenied(REFERENCE_DATA_IS_NATIONAL)
    try:
        units.PER_MEAL_VALUE.check(cents)  # first: 0.2375 was meant as 23.75 cents
        entitlements.validate_per_meal_value_cents(cents)
    except (units.ImplausibleValue, entitlements.InvalidPerMealValue) as exc:
        raise DomainError(str(exc), field="cents") from exc
    value = PerMealValue(school_year=school_year, cents=cents, citation=citation, published_on=published_on,
                         notes=notes, created_by=user)  # fmt: skip
    _refuse_duplicate_publication(value)
    value.full_clean()
    try:
        with transaction.atomic(), _history(user, "per_meal_value_create"):
            value.save()
            _recompute_later(school_year=school_year, user=user)
    except IntegrityError:  # the same publication saved meanwhile by someone else
        _refuse_duplicate_publication(value)
        raise
    return value


def _refuse_duplicate_publication(value: PerMealValue) -> None:
    same = PerMealValue.objects.filter(school_year=value.school_year, published_on=value.published_on).first()
    if same is not None:
        raise DomainError(
            DUPLICATE_PUBLICATION.format(
                year=same.school_year,
                cents=same.cents,
                date=f"{same.published_on:%B} {same.published_on.day}, {same.published_on.year}",
            ),  # fmt: skip
            field="published_on",
        )


def current_per_meal_value(school_year: str) -> PerMealValue | None:
    rows = list(PerMealValue.objects.filter(school_year=school_year))
    records = [entitlements.PerMealValueRecord(school_year=r.school_year, cents=r.cents, published_on=r.published_on,
                                               citation=r.citation) for r in rows]  # fmt: skip
    chosen = entitlements.pick_per_meal_value(records, school_year=school_year)
    if chosen is None:
        return None
    return next(r for r in rows if r.published_on == chosen.published_on and r.cents == chosen.cents)


def reference_value_save(
    *, value: ReimbursementRate | Section4Payment, user: User | None
) -> ReimbursementRate | Section4Payment:
    """Save a reimbursement rate or Section 4 payment, then recompute the year's entitlements that
    use it (the 12 percent check, commodity schools' COV): both years when an edit moves the value
    to another year, since the year it left loses it."""
    if user is not None and not access.edits_reference_data(user):
        raise PermissionDenied(REFERENCE_DATA_IS_NATIONAL)
    value.full_clean()
    years = {value.school_year}
    if value.pk is not None:
        years |= set(type(value).objects.filter(pk=value.pk).values_list("school_year", flat=True))
    with transaction.atomic(), _history(user, "reference_value_save"):
        value.save()
        for year in sorted(years):
            _recompute_later(school_year=year, user=user)
    return value


def _recompute_later(*, school_year: str, user: User | None) -> None:
    from usda_foods.tasks import entitlements_recompute_year

    user_id = user.pk if user else None
    transaction.on_commit(lambda: entitlements_recompute_year.delay(school_year, user_id))


# --- Lunch counts ------------------------------------------------------------------------------


def lunch_count_save(
    *, district: District, school_year: str, free: int, reduced: int, paid: int, user: User | None
) -> LunchCount:
    """Create or update a district's lunch count, then recompute the entitlements that use it:
    the next year's COV (prior-year rule) and this year's 12 percent check. The counts are the
    state's claims data: the user must be a reviewer of the district's state (or a superuser);
    ``user=None`` is the system itself (seeds, tasks)."""
    if user is not None and not usda_access.lunch_count_districts(user).filter(pk=district.pk).exists():
        raise DomainError(LUNCH_COUNTS_ARE_THE_STATES, field="district")
    count = LunchCount.objects.filter(district=district, school_year=school_year).first() or LunchCount(
        district=district, school_year=school_year
    )
    count.free, count.reduced, count.paid = free, reduced, paid
    count.full_clean(validate_unique=False)
    with transaction.atomic(), _history(user, "lunch_count_save"):
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
        for d in usda_access.lunch_count_districts(user)
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
    with transaction.atomic(), _history(user, "lunch_counts_import"):
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


# --- Entitlements ------------------------------------------------------------------------------


@dataclass
class RecomputeResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    incomplete: int = 0

    def as_dict(self) -> dict[str, int]:
        return {"created": self.created, "updated": self.updated, "unchanged": self.unchanged,
                "incomplete": self.incomplete}  # fmt: skip


_COMPUTED_FIELDS = ["prior_year_lunches", "per_meal_value_cents", "section4_cents", "commodity_offer_value",
                    "planned_assistance_level", "twelve_cash", "twelve_usda_foods", "twelve_share", "twelve_needed",
                    "twelve_meets", "twelve_additional", "missing", "missing_inputs"]  # fmt: skip


def entitlements_recompute(
    *,
    school_year: str,
    districts: QuerySet[District],
    user: User | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> RecomputeResult:
    """Recompute the entitlements of ``districts`` for ``school_year`` in a bounded number of
    queries whatever their number: one each for districts, lunch counts, per-meal values, rates,
    Section 4 payments and existing entitlements, then batched writes. The ledger (``drawn``) and
    an SDA's PAL override are kept; the COV is the PAL's floor."""
    entitlements.parse_school_year(school_year)
    prior_year = entitlements.previous_school_year(school_year)
    district_rows = list(districts.order_by("pk").values("pk", "is_commodity_school"))
    ids = [d["pk"] for d in district_rows]
    lunches: dict[int, dict[str, entitlements.LunchCounts]] = defaultdict(dict)
    for count in LunchCount.objects.filter(
        district_id__in=ids, school_year__in=[school_year, prior_year]
    ).values("district_id", "school_year", "free", "reduced", "paid"):
        lunches[count["district_id"]][count["school_year"]] = entitlements.LunchCounts(
            free=count["free"], reduced=count["reduced"], paid=count["paid"]
        )
    per_meal = current_per_meal_value(school_year)
    rates = {r.category: r.dollars for r in ReimbursementRate.objects.filter(school_year=school_year)}
    section4 = Section4Payment.objects.filter(school_year=school_year).values_list("cents", flat=True).first()
    existing = {
        e.district_id: e for e in Entitlement.objects.filter(district_id__in=ids, school_year=school_year)
    }

    inputs = []
    for row in district_rows:
        current = existing.get(row["pk"])
        inputs.append(entitlements.EntitlementInputs(
            key=row["pk"], school_year=school_year, per_meal_value_cents=per_meal.cents if per_meal else None,
            lunches_by_year=lunches.get(row["pk"], {}), is_commodity_school=row["is_commodity_school"],
            section4_cash_cents=section4, rate_free=rates.get("free"), rate_reduced=rates.get("reduced"),
            rate_paid=rates.get("paid"),
            usda_foods_value=current.planned_assistance_level if current and current.pal_overridden else None,
        ))  # fmt: skip
    results = entitlements.compute_entitlements(inputs)

    result = RecomputeResult()
    to_create, to_update = [], []
    now = timezone.now()
    for index, row in enumerate(district_rows, start=1):
        outcome = results[row["pk"]]
        entitlement = existing.get(row["pk"]) or Entitlement(district_id=row["pk"], school_year=school_year)
        before = [getattr(entitlement, f) for f in _COMPUTED_FIELDS]
        _apply(entitlement, outcome, lunches.get(row["pk"], {}).get(prior_year), per_meal, section4, row)
        if outcome.missing:
            result.incomplete += 1
        if entitlement.pk is None:
            entitlement.computed_at = now
            to_create.append(entitlement)
        elif before != [getattr(entitlement, f) for f in _COMPUTED_FIELDS]:
            entitlement.computed_at = now
            to_update.append(entitlement)
        else:
            result.unchanged += 1
        if progress and (index % 200 == 0 or index == len(district_rows)):
            progress(index, len(district_rows))
    with transaction.atomic(), _history(user, "entitlements_recompute"):
        Entitlement.objects.bulk_create(to_create, batch_size=1000)
        Entitlement.objects.bulk_update(to_update, [*_COMPUTED_FIELDS, "computed_at"], batch_size=1000)
    result.created, result.updated = len(to_create), len(to_update)
    return result


def district_entitlements_recompute(*, district: District, user: User | None) -> None:
    """Recompute every entitlement the district has, after a fact about the district itself changed
    (its commodity-school status decides whether the Section 4 payment counts in its COV)."""
    years = (
        Entitlement.objects.filter(district_id=district.pk)
        .order_by("school_year")
        .values_list("school_year", flat=True)
    )
    for year in list(years):
        entitlements_recompute(school_year=year, districts=District.objects.filter(pk=district.pk), user=user)


def _apply(
    entitlement: Entitlement,
    outcome: entitlements.EntitlementResult,
    prior: entitlements.LunchCounts | None,
    per_meal: PerMealValue | None,
    section4: Decimal | None,
    district: dict,
) -> None:
    entitlement.prior_year_lunches = prior.total if prior else None
    entitlement.per_meal_value_cents = per_meal.cents if per_meal else None
    entitlement.section4_cents = section4 if district["is_commodity_school"] else None
    cov = outcome.cov.value if isinstance(outcome.cov, entitlements.Computed) else None
    entitlement.commodity_offer_value = cov
    if entitlement.pal_overridden and entitlement.planned_assistance_level is not None:
        if cov is not None and cov > entitlement.planned_assistance_level:
            entitlement.planned_assistance_level = cov  # the COV is the legal floor
    elif cov is not None:
        # Never below what is already drawn: a lower COV after a correction cannot undo orders.
        entitlement.planned_assistance_level = max(cov, entitlement.drawn)
    elif entitlement.drawn == 0:
        entitlement.planned_assistance_level = None
    twelve = outcome.twelve_percent
    if isinstance(twelve, entitlements.TwelvePercent):
        entitlement.twelve_cash, entitlement.twelve_usda_foods = twelve.cash, twelve.usda_foods
        entitlement.twelve_share, entitlement.twelve_needed = twelve.share, twelve.needed_for_twelve_percent
        entitlement.twelve_meets, entitlement.twelve_additional = twelve.meets_floor, twelve.additional_needed
    else:
        entitlement.twelve_cash = entitlement.twelve_usda_foods = entitlement.twelve_share = None
        entitlement.twelve_needed = entitlement.twelve_meets = entitlement.twelve_additional = None
    entitlement.missing = list(outcome.missing)
    entitlement.missing_inputs = [m.as_dict() for m in outcome.missing_inputs]


def entitlement_set_pal(*, entitlement: Entitlement, amount: Decimal, reason: str, user: User) -> Entitlement:
    """The SDA loads a planned assistance level above the COV (bonus and 12-percent-provision
    dollars) and records why. It cannot go below the COV (the legal floor) or what is drawn."""
    if not usda_access.can_set_pal(user, entitlement):
        raise PermissionDenied(PAL_IS_THE_STATES)
    if not reason.strip():
        raise DomainError(
            "Say why the planned assistance level differs from the commodity offer value.", field="reason"
        )
    with transaction.atomic(), _history(user, "entitlement_set_pal"):
        locked = Entitlement.objects.select_for_update().get(pk=entitlement.pk)
        if locked.commodity_offer_value is None:
            raise DomainError("The commodity offer value cannot be computed yet: " + "; ".join(locked.missing),
                              field="amount")  # fmt: skip
        if amount < locked.commodity_offer_value:
            raise DomainError(f"The PAL cannot be below the commodity offer value (${locked.commodity_offer_value:,}), "
                              "which the SDA must offer (7 CFR 250.58(b)).", field="amount")  # fmt: skip
        if amount < locked.drawn:
            raise DomainError(
                f"The PAL cannot be below what is already drawn (${locked.drawn:,}).", field="amount"
            )
        locked.planned_assistance_level = entitlements.round_cents(amount)
        locked.pal_overridden = True
        locked.pal_reason = reason.strip()
        locked.pal_set_by = user
        locked.save(update_fields=["planned_assistance_level", "pal_overridden", "pal_reason", "pal_set_by"])
        entitlements_recompute(school_year=locked.school_year, districts=District.objects.filter(pk=locked.district_id),
                               user=user)  # fmt: skip
    locked.refresh_from_db()
    return locked


# --- The drawdown ledger -----------------------------------------------------------------------


def drawdown_post(
    *,
    entitlement_id: int,
    amount: Decimal,
    user: User | None,
    kind: str = DrawdownKind.ORDER,
    status: str = DrawdownStatus.PENDING,
    reference: str = "",
    memo: str = "",
) -> Drawdown:
    """Draw ``amount`` from an entitlement. The entitlement row is locked (SELECT ... FOR UPDATE)
    so simultaneous drawdowns queue and each sees the balance the previous one left; the check
    constraint ``entitlement_never_overdrawn`` backs this up in the database."""
    amount = entitlements.round_cents(amount)
    if amount <= 0:
        raise DomainError("The amount must be more than zero.", field="amount")
    with transaction.atomic(), _history(user, "drawdown_post"):
        entitlement = Entitlement.objects.select_for_update().get(pk=entitlement_id)
        if entitlement.planned_assistance_level is None:
            raise DomainError(NO_ALLOCATION.format(reasons="; ".join(entitlement.missing) or "not computed"))
        remaining = entitlement.planned_assistance_level - entitlement.drawn
        if amount > remaining:
            raise DomainError(
                OVER_BALANCE.format(amount=f"{amount:,}", remaining=f"{remaining:,}"), field="amount"
            )
        drawdown = Drawdown.objects.create(entitlement=entitlement, amount=amount, status=status, kind=kind,
                                           reference=reference, memo=memo, created_by=user)  # fmt: skip
        Entitlement.objects.filter(pk=entitlement.pk).update(drawn=F("drawn") + amount)
    return drawdown


def drawdown_finalize(*, drawdown_id: int, user: User | None) -> Drawdown:
    """A pending drawdown becomes final (an approved order). Idempotent."""
    with transaction.atomic(), _history(user, "drawdown_finalize"):
        drawdown = Drawdown.objects.select_for_update().get(pk=drawdown_id)
        if drawdown.status == DrawdownStatus.CANCELLED:
            raise DomainError("A released drawdown cannot become final.")
        if drawdown.status != DrawdownStatus.POSTED:
            drawdown.status = DrawdownStatus.POSTED
            drawdown.save(update_fields=["status", "updated_at"])
    return drawdown


def drawdown_release(*, drawdown_id: int, user: User | None) -> Drawdown:
    """Give a pending drawdown's amount back to the balance (a rejected order). Idempotent."""
    with transaction.atomic(), _history(user, "drawdown_release"):
        drawdown = Drawdown.objects.select_for_update().get(pk=drawdown_id)
        if drawdown.status == DrawdownStatus.POSTED:
            raise DomainError("A final drawdown cannot be released; post an adjustment instead.")
        if drawdown.status == DrawdownStatus.PENDING:
            Entitlement.objects.select_for_update().filter(pk=drawdown.entitlement_id).update(
                drawn=F("drawn") - drawdown.amount
            )
            drawdown.status = DrawdownStatus.CANCELLED
            drawdown.save(update_fields=["status", "updated_at"])
    return drawdown


def validation_message(exc: ValidationError) -> str:
    return "; ".join(exc.messages)


def recompute_scope(
    *, user: User, school_year: str, state: str | None = None, collaborative: int | None = None
) -> QuerySet[District]:
    """The districts a recompute covers: a state's SFAs (its SDA reviewers) or a collaborative's
    districts (its admins). Anything else is refused as refusals go everywhere (focus_lab/api_errors.py):
    ``Http404`` when the user sees none of its districts, ``PermissionDenied`` when it sees some."""
    try:
        entitlements.parse_school_year(school_year)
    except entitlements.EntitlementInputError as exc:
        raise DomainError(str(exc), field="school_year") from exc
    if bool(state) == bool(collaborative):
        raise DomainError("Name either a state or a collaborative.", field="state")
    scope = usda_access.entitlement_districts(user, write=True)
    districts = (
        scope.filter(state_agency__state=state) if state else scope.filter(collaborative_id=collaborative)
    )
    everyone = (
        District.objects.filter(state_agency__state=state)
        if state
        else District.objects.filter(collaborative_id=collaborative)
    )
    if not everyone.exists() or everyone.exclude(pk__in=districts.values("pk")).exists():
        if (
            not usda_access.entitlement_districts(user, write=False)
            .filter(pk__in=everyone.values("pk"))
            .exists()
        ):
            raise Http404("No such state or collaborative among those you see.")
        raise PermissionDenied(CANNOT_RECOMPUTE)
    return districts


def recompute_start(
    *, user: User, school_year: str, state: str | None = None, collaborative: int | None = None
):
    """Check the scope now (so the user hears at once), then recompute in Celery with progress."""
    recompute_scope(user=user, school_year=school_year, state=state, collaborative=collaborative)
    params = {"school_year": school_year, "state": state, "collaborative": collaborative}
    return jobs.job_create(kind="entitlements_recompute", user=user, params=params,
                           task="usda_foods.tasks.entitlements_recompute_job")  # fmt: skip


def drawdown_adjust(*, drawdown_id: int, amount: Decimal, user: User | None, memo: str = "") -> Drawdown:
    """Change a drawdown's amount (an approved order whose lines a shipment plan adjusted). More
    is checked against the remaining balance under the entitlement's row lock; zero releases it."""
    amount = entitlements.round_cents(amount)
    if amount < 0:
        raise DomainError("The amount cannot be negative.", field="amount")
    with transaction.atomic(), _history(user, "drawdown_adjust"):
        drawdown = Drawdown.objects.select_for_update().get(pk=drawdown_id)
        entitlement = Entitlement.objects.select_for_update().get(pk=drawdown.entitlement_id)
        if drawdown.status == DrawdownStatus.CANCELLED:
            raise DomainError("A released drawdown cannot be adjusted.")
        delta = amount - drawdown.amount
        remaining = (entitlement.planned_assistance_level or Decimal("0")) - entitlement.drawn
        if delta > remaining:
            raise DomainError(
                OVER_BALANCE.format(amount=f"{delta:,}", remaining=f"{remaining:,}"), field="amount"
            )
        Entitlement.objects.filter(pk=entitlement.pk).update(drawn=F("drawn") + delta)
        if amount == 0:
            drawdown.status = DrawdownStatus.CANCELLED
        else:
            drawdown.amount = amount
        if memo:
            drawdown.memo = memo[:300]
        drawdown.save(update_fields=["amount", "status", "memo", "updated_at"])
    return drawdown
