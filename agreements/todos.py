"""Letters-of-agreement to-dos for the dashboard, as ``(text, url, level)`` triples; a fixed
number of aggregated queries whatever the number of letters."""

from __future__ import annotations

from django.db.models import Count, Q
from django.urls import reverse

from accounts.models import Role, User
from agreements.models import Letter, LetterTemplate
from agreements.rules import AWAITING_PARTY, State
from agreements.selectors import awaiting_user_signature
from districts import access

Todo = tuple[str, str, str]


def _letters(n: int) -> str:
    return f"{n:,} letter{'' if n == 1 else 's'} of agreement"


def signer_todos(*, user: User) -> list[Todo]:
    """District managers and partner staff: letters waiting for their signature."""
    waiting = awaiting_user_signature(user=user).count()
    if not waiting:
        return []
    verb = "waits" if waiting == 1 else "wait"
    return [(f"{_letters(waiting)} {verb} for your signature.", reverse("agreements:overview") + "?state=unsigned",
             "warning")]  # fmt: skip


def admin_todos(*, user: User) -> list[Todo]:
    """Collaborative admins: letters to countersign, letters not signed yet, a lab with no template."""
    labs = access.membership_targets(user, Role.COLLABORATIVE_ADMIN, "collaborative")
    counts = Letter.objects.filter(collaborative_id__in=labs).aggregate(
        signed=Count("id", filter=Q(state=State.SIGNED)),
        unsigned=Count("id", filter=Q(state__in=sorted(AWAITING_PARTY))),
        drafts=Count("id", filter=Q(state=State.DRAFT)),
    )
    url = reverse("agreements:overview")
    todos: list[Todo] = []
    if counts["signed"]:
        todos.append((f"{_letters(counts['signed'])} signed by the party {'waits' if counts['signed'] == 1 else 'wait'} "
                      "for your countersignature.", f"{url}?state=signed", "warning"))  # fmt: skip
    if counts["drafts"]:
        todos.append((f"{_letters(counts['drafts'])} drafted but not sent.", f"{url}?state=draft", "info"))
    if counts["unsigned"]:
        todos.append(
            (f"{_letters(counts['unsigned'])} not signed yet by the party.", f"{url}?state=unsigned", "info")
        )
    if labs and not LetterTemplate.objects.filter(collaborative_id__in=labs).exists():
        todos.append(("Your lab has no letter of agreement template yet: start from the default.",
                      reverse("agreements:template-list"), "info"))  # fmt: skip
    return todos
