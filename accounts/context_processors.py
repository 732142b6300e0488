from __future__ import annotations

from django.http import HttpRequest

from districts.access import roles_for


def roles(request: HttpRequest) -> dict[str, object]:
    """The set of role names the user holds, so the navigation fits them."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"user_roles": frozenset()}
    return {"user_roles": roles_for(user)}
