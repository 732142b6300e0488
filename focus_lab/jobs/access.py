"""A background job belongs to the person who started it: nobody else sees its progress or result."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q

from districts import access

if TYPE_CHECKING:
    from accounts.models import User


def job_q(user: User, *, write: bool) -> Q:
    return Q(created_by=user)


def register_rules() -> None:
    # Jobs are created by services on the user's behalf, never through a form or the API.
    access.register("jobs.BackgroundJob", job_q, create=lambda user: False)
