"""Who sees an import: the person who uploaded it (and superusers). What rows it may write is the
kind's business (``ImportKind.check_batch``, through districts/access.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q

from districts import access

if TYPE_CHECKING:
    from accounts.models import User


def _own_run_q(user: User, *, write: bool) -> Q:
    return Q(created_by=user)


def _own_mapping_q(user: User, *, write: bool) -> Q:
    return Q(owner=user)


def register_rules() -> None:
    access.register("imports.ImportRun", _own_run_q)
    access.register("imports.ImportMapping", _own_mapping_q)
