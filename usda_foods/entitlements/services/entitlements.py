"""USDA Foods services: load rows, call the pure arithmetic in ``entitlements.py``, save, and keep
the drawdown ledger consistent under concurrency."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from districts.models import District
from focus_lab.errors import DomainError
from focus_lab.jobs import services as jobs
from usda_foods.entitlements import rules as entitlements
from usda_foods.entitlements.access import can_set_pal, entitlement_districts
from usda_foods.entitlements.models import (
    Entitlement,
    LunchCount,
    PerMealValue,
    ReimbursementRate,
    Section4Payment,
)
from usda_foods.entitlements.services.common import CANNOT_RECOMPUTE, PAL_IS_THE_STATES, history_context
from usda_foods.entitlements.services.reference import current_per_meal_value
from usda_foods.entitlements.services.upsert import entitlements_upsert

if TYPE_CHECKING:
    from accounts.models import User


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
    Section 4 payments and existing entitlements, then one INSERT ... ON CONFLICT DO UPDATE. The ledger (``drawn``) and
    an SDA's PAL override are kept; the COV is the PAL's floor."""
    entitlements.parse_school_year(school_year)
    prior_year = entitlements.previous_school_year(school_year)
    district_rows = list(districts.order_by("pk").values("pk", "is_commodity_school"))
    # A subquery, not a list of ids: 2,000 ids bound client-side cost more than the query itself.
    ids = districts.order_by().values("pk")
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
        if entitlement.missing:
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
    with transaction.atomic(), history_context(user, "entitlements_recompute"):
        # One INSERT ... ON CONFLICT DO UPDATE for the new and the changed rows (services/upsert.py).
        entitlements_upsert(school_year=school_year, rows=[*to_create, *to_update], now=now)
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
    missing = outcome.missing_inputs  # built once: ``outcome.missing`` is the same reasons again
    entitlement.missing = [m.reason for m in missing]
    entitlement.missing_inputs = [m.as_dict() for m in missing]


def entitlement_set_pal(*, entitlement: Entitlement, amount: Decimal, reason: str, user: User) -> Entitlement:
    """The SDA loads a planned assistance level above the COV (bonus and 12-percent-provision
    dollars) and records why. It cannot go below the COV (the legal floor) or what is drawn."""
    if not can_set_pal(user, entitlement):
        raise PermissionDenied(PAL_IS_THE_STATES)
    if not reason.strip():
        raise DomainError(
            "Say why the planned assistance level differs from the commodity offer value.", field="reason"
        )
    with transaction.atomic(), history_context(user, "entitlement_set_pal"):
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
    scope = entitlement_districts(user, write=True)
    districts = (
        scope.filter(state_agency__state=state) if state else scope.filter(collaborative_id=collaborative)
    )
    everyone = (
        District.objects.filter(state_agency__state=state)
        if state
        else District.objects.filter(collaborative_id=collaborative)
    )
    if not everyone.exists() or everyone.exclude(pk__in=districts.values("pk")).exists():
        if not entitlement_districts(user, write=False).filter(pk__in=everyone.values("pk")).exists():
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
                           task="usda_foods.entitlements.tasks.entitlements_recompute_job")  # fmt: skip
