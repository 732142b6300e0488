"""The drawdown ledger: post, finalize, release and adjust what an SFA draws from its entitlement."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import F

from focus_lab.errors import DomainError
from usda_foods.entitlements import rules as entitlements
from usda_foods.entitlements.models import (
    Drawdown,
    DrawdownKind,
    DrawdownStatus,
    Entitlement,
)
from usda_foods.entitlements.services.common import NO_ALLOCATION, OVER_BALANCE, history_context

if TYPE_CHECKING:
    from accounts.models import User


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
    with transaction.atomic(), history_context(user, "drawdown_post"):
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
    with transaction.atomic(), history_context(user, "drawdown_finalize"):
        drawdown = Drawdown.objects.select_for_update().get(pk=drawdown_id)
        if drawdown.status == DrawdownStatus.CANCELLED:
            raise DomainError("A released drawdown cannot become final.")
        if drawdown.status != DrawdownStatus.POSTED:
            drawdown.status = DrawdownStatus.POSTED
            drawdown.save(update_fields=["status", "updated_at"])
    return drawdown


def drawdown_release(*, drawdown_id: int, user: User | None) -> Drawdown:
    """Give a pending drawdown's amount back to the balance (a rejected order). Idempotent."""
    with transaction.atomic(), history_context(user, "drawdown_release"):
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


def drawdown_adjust(*, drawdown_id: int, amount: Decimal, user: User | None, memo: str = "") -> Drawdown:
    """Change a drawdown's amount (an approved order whose lines a shipment plan adjusted). More
    is checked against the remaining balance under the entitlement's row lock; zero releases it."""
    amount = entitlements.round_cents(amount)
    if amount < 0:
        raise DomainError("The amount cannot be negative.", field="amount")
    with transaction.atomic(), history_context(user, "drawdown_adjust"):
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
