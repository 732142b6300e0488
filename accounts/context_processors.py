from __future__ import annotations

from django.http import HttpRequest

from accounts.access import manages_people
from districts.access import roles_for


def roles(request: HttpRequest) -> dict[str, object]:
    """The set of role names the user holds, so the navigation fits them, and whether the People
    pages are theirs (from the same memoised roles: no further query)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"user_roles": frozenset(), "user_manages_people": False}
    return {"user_roles": roles_for(user), "user_manages_people": manages_people(user)}
