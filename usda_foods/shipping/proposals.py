"""Adjustments are proposals the district decides (issue 18). The state's reviewers send a plan's
proposed changes (``services.shipment_adjustments_accept``); each district's managers then accept
one (its approved order changes: lines, drawdown, history and an email) or decline it. A declined
increase goes back to carry-over (the request waits for a full truck); a declined cut keeps the
cases on the plan as an open problem for the state. Nothing is added to an approved order
without the district's consent: this module is the only place that applies an adjustment."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from districts import access
from focus_lab.errors import DomainError
from usda_foods.ordering.models import Order, OrderLine, OrderStatus, OrderTransition
from usda_foods.shipping.access import deciding_district_ids
from usda_foods.shipping.carryover import carry_over_decline, order_drawn_sync
from usda_foods.shipping.models import AdjustmentStatus, PlanAdjustment, ShipmentPlan

if TYPE_CHECKING:
    from accounts.models import User

#: What a district sees of its proposals: those the state sent, and how they were decided.
DISTRICT_VISIBLE = (AdjustmentStatus.OFFERED, AdjustmentStatus.ACCEPTED, AdjustmentStatus.DECLINED)
NOT_YOURS = "Only the managers of the district this change is proposed to decide it."


def proposals_for(user: User) -> QuerySet[PlanAdjustment]:
    """The proposals at the user's sites that the state sent, newest plan first (404 for others)."""
    return (access.scope(PlanAdjustment.objects.filter(status__in=DISTRICT_VISIBLE, site__isnull=False), user)
            .filter(site__district_id__in=access.district_ids_for(user))
            .select_related("plan__window", "food", "site__district", "decided_by")
            .order_by("status", "-plan__created_at", "food__description", "pk"))  # fmt: skip


def proposal_decide(*, adjustment_id: int, user: User, accept: bool, note: str = "") -> PlanAdjustment:
    """The district's answer to one proposal, once. All or nothing: an accepted increase that
    would overdraw the entitlement is refused and nothing changes."""
    with transaction.atomic():
        adjustment = (PlanAdjustment.objects.select_for_update(of=("self",))
                      .select_related("plan__window", "food", "site", "processor")
                      .filter(pk=adjustment_id, site__district_id__in=deciding_district_ids(user)).first())  # fmt: skip
        if adjustment is None:
            raise DomainError(NOT_YOURS)
        if adjustment.status != AdjustmentStatus.OFFERED:
            raise DomainError(
                f"This proposal is {adjustment.get_status_display().lower()}: nothing to decide."
            )
        if accept:
            _apply_adjustment(adjustment.plan, adjustment, user)
            adjustment.status = AdjustmentStatus.ACCEPTED
        else:
            adjustment.status = AdjustmentStatus.DECLINED
            if adjustment.cases > 0:
                carry_over_decline(window=adjustment.plan.window, plan=adjustment.plan, food_id=adjustment.food_id,
                                   place={"site_id": adjustment.site_id}, user=user)  # fmt: skip
        adjustment.decided_by, adjustment.decided_at = user, timezone.now()
        adjustment.decision_note = note.strip()[:300]
        adjustment.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    return adjustment


def _apply_adjustment(plan: ShipmentPlan, adjustment: PlanAdjustment, user: User) -> None:
    from usda_foods.ordering.services.common import order_email_district_later

    # The lines and their orders are changed (cases, drawdown); the window is not: lock just those.
    lines = list(OrderLine.objects.select_for_update(of=("self", "order")).select_related("order")
                 .filter(order__window=plan.window, order__status=OrderStatus.APPROVED, catalog_item=adjustment.food)
                 .filter(Q(diverted_to_id=adjustment.processor_id) if adjustment.processor_id else
                         Q(delivery_site=adjustment.site, diverted_to__isnull=True))
                 .order_by("-cases", "id"))  # fmt: skip
    if not lines:
        raise DomainError(
            f"No approved line of {adjustment.food} goes to {adjustment.place_name} any more: run the plan again."
        )
    remaining = adjustment.cases
    changed: dict[int, Order] = {}
    for line in lines:
        if remaining == 0:
            break
        step = remaining if remaining > 0 else -min(line.cases, -remaining)
        line.cases += step
        remaining -= step
        if line.cases == 0:
            line.delete()
        else:
            line.save(update_fields=["cases"])
        changed[line.order_id] = line.order
    if remaining:
        raise DomainError(
            f"{adjustment.place_name} has only {adjustment.requested_cases} cases of {adjustment.food} to remove."
        )
    for order in changed.values():
        value = sum((ln.cases * ln.unit_price for ln in order.lines.all()), Decimal("0.00"))
        Order.objects.filter(pk=order.pk).update(value=value)
        order.value = value
        order_drawn_sync(order=order, user=user,
                         memo=f"Shipment plan #{plan.pk}: {adjustment.cases:+d} cases of {adjustment.food}")  # fmt: skip
        comment = (f"Shipment plan #{plan.pk}: {adjustment.cases:+d} cases of {adjustment.food} at {adjustment.place_name} "
                   f"({adjustment.reason}), accepted by the district. New value ${value:,}.")  # fmt: skip
        OrderTransition.objects.create(
            order=order, from_status=order.status, to_status=order.status, user=user, comment=comment
        )
        order_email_district_later(order, order.status, comment)
