"""What the entitlement services share: their refusal messages, the audit context, recomputing later."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pghistory
from django.core.exceptions import ValidationError

from focus_lab.tasks import enqueue

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


def history_context(user: User | None, action: str) -> pghistory.context:
    """Label the audit rows written inside with who did what (pghistory context)."""
    return pghistory.context(user=user.pk if user else None, action=action)


def recompute_later(*, school_year: str, user: User | None) -> None:
    user_id = user.pk if user else None
    enqueue("usda_foods.entitlements.tasks.entitlements_recompute_year", school_year, user_id)


def validation_message(exc: ValidationError) -> str:
    return "; ".join(exc.messages)
