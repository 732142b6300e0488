"""What the ordering pages share."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from districts import access

NOT_SAVED = "Please correct the errors below; nothing was saved."


def require_create(request: HttpRequest, model: type, message: str) -> None:
    if not access.can_create(request.user, model):
        raise PermissionDenied(message)
