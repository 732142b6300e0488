"""What the ordering services share: refusal messages, the reviewer check, emails to districts."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from districts.models import District, StateAgency
from districts.services import district_email_later
from focus_lab.errors import DomainError
from focus_lab.text import possessive
from usda_foods.ordering.access import reviews_state
from usda_foods.ordering.models import (
    Order,
    OrderStatus,
    OrderWindow,
)

if TYPE_CHECKING:
    from accounts.models import User

WINDOW_NOT_OPEN = "The order window “{window}” is {state}: orders can only be submitted while it is open."
NOT_EDITABLE = "This order is {status} and can no longer be changed."
LOCKED = "The order window has closed: this order is locked."
NOT_OFFERED = "{item} is not offered in the window “{window}”."
BAD_SITE = "{site} is not a delivery site of {district} or of its co-op."
NO_LINES = "Add at least one line before submitting."
NOT_SUBMITTED = "Only a submitted order can be {verb}; this one is {status}."
COMMENT_REQUIRED = "Say what needs to change: the district sees this comment."


def order_email_district_later(order: Order, status: str, comment: str) -> None:
    label = OrderStatus(status).label.lower()
    subject = f"Order #{order.pk} {label}: {order.window.name}"
    body = f"Order #{order.pk} of {order.district.name} in “{order.window.name}” is now {label} (value ${order.value:,})."
    if comment:
        body += f"\n\nComment: {comment}"
    district_email_later(district_id=order.district_id, subject=subject, body=body)


def email_state_districts(
    window: OrderWindow, subject: str, body: str, exclude: QuerySet | None = None
) -> None:
    districts = District.objects.filter(state_agency=window.state_agency)
    if exclude is not None:
        districts = districts.exclude(pk__in=exclude)
    for district_id in districts.values_list("pk", flat=True):
        district_email_later(district_id=district_id, subject=subject, body=body)


def require_reviewer(user: User, state_agency: StateAgency) -> None:

    if not reviews_state(user, state_agency.pk):
        raise DomainError(f"Only {possessive(state_agency.name)} reviewers do this.", field="state_agency")


def full_clean(obj: object) -> None:
    try:
        obj.full_clean()  # type: ignore[attr-defined]
    except ValidationError as exc:
        field, messages = (
            next(iter(exc.message_dict.items())) if hasattr(exc, "error_dict") else ("", exc.messages)
        )
        raise DomainError(" ".join(messages), field=None if field == "__all__" else field) from exc
