"""Setting a lab's spending goals: only its admins, for a district and a priority item of that
lab; the priority item only for a priority-volume goal. Every check runs before anything is saved."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from django.db import transaction

from accounts.models import Role
from districts import access
from districts.models import Collaborative, District
from focus_lab.errors import DomainError
from purchasing.priority_items.models import PriorityItem
from purchasing.spend import rules
from purchasing.spend.models import Goal, GoalMetric

if TYPE_CHECKING:
    from accounts.models import User

NOT_ADMIN = "Only the learning lab's admins set its goals."


def _check(*, user: User, collaborative: Collaborative, district: District | None, metric: str,
           priority_item: PriorityItem | None, target_percent: Decimal, school_year: int) -> None:  # fmt: skip
    if not (user.is_superuser or access.memberships(user, Role.COLLABORATIVE_ADMIN).filter(
            collaborative_id=collaborative.pk).exists()):  # fmt: skip
        raise DomainError(NOT_ADMIN, field="collaborative")
    if district is not None and district.collaborative_id != collaborative.pk:
        raise DomainError("The district is not in this learning lab.", field="district")
    if metric not in GoalMetric.values:
        raise DomainError("Choose what the goal measures.", field="metric")
    if priority_item is not None:
        if metric != rules.PRIORITY_VOLUME:
            raise DomainError(
                "A priority item goes with a priority-item volume goal only.", field="priority_item"
            )
        if priority_item.collaborative_id != collaborative.pk:
            raise DomainError("The priority item is not one of this lab's.", field="priority_item")
    if not Decimal(0) <= target_percent <= Decimal(100):
        raise DomainError("A target is a percent between 0 and 100.", field="target_percent")
    if not 2000 <= school_year <= 2100:
        raise DomainError(
            "Give the school year by its first year, e.g. 2027 for SY 2027-28.", field="school_year"
        )


@transaction.atomic
def goal_create(*, user: User, collaborative: Collaborative, metric: str, target_percent: Decimal,
                school_year: int, district: District | None = None, priority_item: PriorityItem | None = None,
                note: str = "") -> Goal:  # fmt: skip
    _check(user=user, collaborative=collaborative, district=district, metric=metric, priority_item=priority_item,
           target_percent=target_percent, school_year=school_year)  # fmt: skip
    goal = Goal(collaborative=collaborative, district=district, metric=metric, priority_item=priority_item,
                target_percent=target_percent, school_year=school_year, note=note.strip(), updated_by=user,
                set_in=rules.school_year_of(access.today()))  # fmt: skip
    goal.full_clean()
    goal.save()
    return goal


@transaction.atomic
def goal_update(*, user: User, goal_id: int, **changes: object) -> Goal:
    """Change a goal's fields (the lab stays); a goal saved unchanged changes nothing."""
    goal = Goal.objects.for_user(user, write=True).select_for_update().filter(pk=goal_id).first()
    if goal is None:
        raise DomainError(NOT_ADMIN)
    values = {name: getattr(goal, name) for name in
              ("district", "metric", "priority_item", "target_percent", "school_year", "note")}  # fmt: skip
    values.update({k: v for k, v in changes.items() if k in values})
    _check(user=user, collaborative=goal.collaborative, **{k: v for k, v in values.items() if k != "note"})
    values["note"] = str(values["note"] or "").strip()
    changed = [name for name, value in values.items() if getattr(goal, name) != value]
    if not changed:
        return goal
    for name in changed:
        setattr(goal, name, values[name])
    goal.updated_by = user
    goal.full_clean()
    goal.save()
    return goal


@transaction.atomic
def goal_delete(*, user: User, goal_id: int) -> None:
    deleted, _ = Goal.objects.for_user(user, write=True).filter(pk=goal_id).delete()
    if not deleted:
        raise DomainError(NOT_ADMIN)
