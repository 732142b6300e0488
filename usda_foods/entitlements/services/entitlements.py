"""USDA Foods services: load rows, call the pure arithmetic in ``entitlements.py``, save, and keep
the drawdown ledger consistent under concurrency."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from districts.models import District
from focus_lab.errors import DomainError
from focus_lab.jobs import services as jobs
from usda_foods.entitlements import rules as entitlements
from usda_foods.entitlements.access import can_set_pal, entitlement_districts
from usda_foods.entitlements.models import (
    Entitlement,
    ReimbursementRate,
    Section4Payment,
)
from usda_foods.entitlements.services.common import CANNOT_RECOMPUTE, PAL_IS_THE_STATES, history_context
from usda_foods.entitlements.services.recompute_sql import entitlements_compute_and_write
from usda_foods.entitlements.services.reference import current_per_meal_value

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


def entitlements_recompute(
    *,
    school_year: str,
    districts: QuerySet[District],
    user: User | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> RecomputeResult:
    """Recompute the entitlements of ``districts`` for ``school_year``: the year's values in three
    small queries, the districts' ids in one, then one statement computes and writes every row
    (services/recompute_sql.py), exactly as the pure functions in ``entitlements.rules`` would.
    The ledger (``drawn``) and an SDA's PAL override are kept; the COV is the PAL's floor; rows
    whose figures did not change are not written."""
    entitlements.parse_school_year(school_year)
    ids = list(districts.order_by("pk").values_list("pk", flat=True))
    per_meal = current_per_meal_value(school_year)
    rates = {r.category: r.dollars for r in ReimbursementRate.objects.filter(school_year=school_year)}
    section4 = Section4Payment.objects.filter(school_year=school_year).values_list("cents", flat=True).first()
    with transaction.atomic(), history_context(user, "entitlements_recompute"):
        counts = entitlements_compute_and_write(
            school_year=school_year, district_ids=ids, per_meal_cents=per_meal.cents if per_meal else None,
            section4_cents=section4, rates=rates, now=timezone.now(),
        )  # fmt: skip
    if progress:
        progress(len(ids), len(ids))
    return RecomputeResult(created=counts.created, updated=counts.updated, incomplete=counts.incomplete,
                           unchanged=counts.total - counts.created - counts.updated)  # fmt: skip


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
    # Every district of the scope is the user's to recompute, and there is one: one query.
    counts = everyone.aggregate(all=Count("pk"), others=Count("pk", filter=~Q(pk__in=districts.values("pk"))))
    if not counts["all"] or counts["others"]:
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
