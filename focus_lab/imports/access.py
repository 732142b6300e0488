"""Who sees an import: the person who uploaded it (and superusers). What rows it may write is the
kind's business (``ImportKind.check_batch``, through districts/access.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q

from districts import access

if TYPE_CHECKING:
    from accounts.models import User


def run_q(user: User, *, write: bool) -> Q:
    return Q(created_by=user)


def batch_q(user: User, *, write: bool) -> Q:
    return Q(pk__in=[]) if write else Q(run__created_by=user)  # written by the pipeline only


def mapping_q(user: User, *, write: bool) -> Q:
    return Q(owner=user)


def can_start_import(user: User) -> bool:
    from focus_lab.imports.kinds import kinds_for

    return bool(user.is_authenticated and kinds_for(user))


def register_rules() -> None:
    access.register("imports.ImportRun", run_q, create=can_start_import)
    access.register("imports.ImportBatch", batch_q, create=lambda user: False)
    access.register("imports.ImportMapping", mapping_q, create=can_start_import)
