from __future__ import annotations

from collections import Counter

from django.db.models import Model, ProtectedError, RestrictedError
from django.utils.text import get_text_list


class DomainError(Exception):
    """A business rule refused the operation. ``message`` is shown to the user as it is; ``field``
    names the input at fault when there is one."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


def in_use_message(exc: ProtectedError | RestrictedError, *, what: str = "This record") -> str:
    """Why a delete was refused: what still uses the record, counted by kind ("2 order lines and
    1 co-op"). Counts only, never names: the rows holding it may belong to other tenants."""
    counts = Counter(_kind(obj) for obj in exc.protected_objects if isinstance(obj, Model))
    held_by = get_text_list(
        [f"{n} {singular if n == 1 else plural}" for (singular, plural), n in sorted(counts.items())], "and"
    )
    verb = "uses" if sum(counts.values()) == 1 else "use"
    return f"{what} cannot be deleted: {held_by or 'other records'} still {verb} it. Nothing was deleted."


def _kind(obj: Model) -> tuple[str, str]:
    return str(obj._meta.verbose_name), str(obj._meta.verbose_name_plural)
