"""``{% party_letters district %}`` / ``{% party_letters partner %}``: the letters of agreement of a
district or partner on its page, and which wait for a signature (two queries)."""

from __future__ import annotations

from typing import Any

from django import template

from agreements import access as letter_access
from agreements.rules import AWAITING_PARTY
from agreements.selectors import party_letters as select_letters
from districts.models import District

register = template.Library()


@register.inclusion_tag("agreements/_party_letters.html", takes_context=True)
def party_letters(context: dict[str, Any], party: Any) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"letters": [], "show": False}
    is_district = isinstance(party, District)
    letters = list(
        select_letters(user=user, **({"district_id": party.pk} if is_district else {"partner_id": party.pk}))[
            :20
        ]
    )
    awaiting = [letter for letter in letters if letter.state in AWAITING_PARTY]
    return {"letters": letters, "awaiting": awaiting, "party": party, "show": True,
            "admin": letter_access.administers(user)}  # fmt: skip
