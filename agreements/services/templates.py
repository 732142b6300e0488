"""Letter templates: a lab's default, new templates, and revisions (each a new version)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction

from accounts.models import User
from agreements import defaults
from agreements.access import administers
from agreements.models import Formality, LetterTemplate, TemplateVersion
from districts.models import Collaborative
from focus_lab.errors import DomainError

CONTENT_FIELDS = ("title", "introduction", "gives_both", "gives_districts", "gives_partners", "gets", "closing",
                  "formality", "term", "start_date", "end_date", "remind_every_days", "expire_after_days")  # fmt: skip
LIST_FIELDS = ("gives_both", "gives_districts", "gives_partners", "gets")
DEFAULT_NAME = "Give-get letter"


def _check_admin(user: User | None, collaborative_id: int) -> None:
    if user is None:
        return
    from districts import access

    if not administers(user) or not access.scope(Collaborative.objects.filter(pk=collaborative_id), user,
                                                  write=True).exists():  # fmt: skip
        raise PermissionDenied("Only the learning lab's admins manage its letter templates.")


def _clean(content: dict[str, Any]) -> dict[str, Any]:
    cleaned = {key: content[key] for key in CONTENT_FIELDS if key in content}
    for key in LIST_FIELDS:
        items = [str(item).strip() for item in cleaned.get(key, []) if str(item).strip()]
        cleaned[key] = items
    if not cleaned["gives_both"] and not (cleaned["gives_districts"] or cleaned["gives_partners"]):
        raise DomainError("A letter needs at least one “give” commitment.", field="gives_both")
    if not cleaned["gets"]:
        raise DomainError("A letter needs at least one “get” benefit.", field="gets")
    if cleaned.get("formality") == Formality.FORMAL and not (
        cleaned.get("start_date") and cleaned.get("end_date")
    ):
        raise DomainError("A formal agreement needs a start and an end date.", field="start_date")
    start, end = cleaned.get("start_date"), cleaned.get("end_date")
    if start and end and end < start:
        raise DomainError("The end date cannot be before the start date.", field="end_date")
    return cleaned


def default_content(collaborative: Collaborative) -> dict[str, Any]:
    return {
        "title": defaults.TITLE,
        "introduction": defaults.INTRODUCTION.replace("{collaborative}", collaborative.name),
        "gives_both": list(defaults.GIVES_BOTH),
        "gives_districts": list(defaults.GIVES_DISTRICTS),
        "gives_partners": list(defaults.GIVES_PARTNERS),
        "gets": list(defaults.GETS),
        "closing": defaults.CLOSING,
        "formality": Formality.LETTER,
        "term": defaults.TERM,
    }


@transaction.atomic
def template_create(
    *, collaborative: Collaborative, name: str, content: dict[str, Any], user: User | None
) -> LetterTemplate:
    _check_admin(user, collaborative.pk)
    if LetterTemplate.objects.filter(collaborative=collaborative, name=name).exists():
        raise DomainError("The lab already has a template with this name.", field="name")
    template = LetterTemplate.objects.create(collaborative=collaborative, name=name)
    TemplateVersion.objects.create(template=template, number=1, created_by=user, **_clean(content))
    return template


def template_default(*, collaborative: Collaborative, user: User | None = None) -> LetterTemplate:
    """The lab's default template, created from the project's default text on first use."""
    existing = LetterTemplate.objects.filter(collaborative=collaborative).order_by("created_at", "id").first()
    if existing is not None:
        return existing
    return template_create(collaborative=collaborative, name=DEFAULT_NAME, content=default_content(collaborative),
                           user=user)  # fmt: skip


@transaction.atomic
def template_revise(
    *, template: LetterTemplate, content: dict[str, Any], user: User
) -> TemplateVersion | None:
    """Save an edit as a new version; letters already issued keep theirs. An unchanged edit saves
    nothing and returns None."""
    _check_admin(user, template.collaborative_id)
    template = LetterTemplate.objects.select_for_update().get(pk=template.pk)
    current = template.current
    cleaned = _clean(content)
    if current is not None and all(getattr(current, key) == value for key, value in cleaned.items()):
        return None
    number = (current.number if current else 0) + 1
    return TemplateVersion.objects.create(template=template, number=number, created_by=user, **cleaned)
