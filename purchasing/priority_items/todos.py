"""Priority-item to-dos for the dashboard, as ``(text, url, level)`` triples, in a fixed number of
queries whatever the number of items, versions and districts (lists are bounded)."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.urls import reverse

from accounts.models import User
from districts.models import District
from focus_lab.text import possessive
from purchasing.priority_items.models import (
    Endorsement,
    MenuCommitment,
    PriorityItem,
    SpecVersion,
    VersionStatus,
)

Todo = tuple[str, str, str]
LISTED = 10


def district_todos(*, districts: QuerySet[District]) -> list[Todo]:
    """For the districts the user manages: proposed versions waiting for the district's answer,
    and adopted items it has not yet committed to menu."""
    todos: list[Todo] = []
    mine = list(districts.values("id", "name", "collaborative_id"))
    proposed = list(
        SpecVersion.objects.filter(status=VersionStatus.PROPOSED, item__collaborative_id__in=[d["collaborative_id"] for d in mine])
        .order_by("proposed_at", "pk").values("pk", "number", "item__name", "item__collaborative_id")
    )  # fmt: skip
    answered = set(
        Endorsement.objects.filter(district__in=districts, version__status=VersionStatus.PROPOSED)
        .values_list("version_id", "district_id")
    )  # fmt: skip
    pairs = [{**v, "district_id": d["id"], "district_name": d["name"]} for v in proposed for d in mine
             if d["collaborative_id"] == v["item__collaborative_id"]]  # fmt: skip
    waiting = [p for p in pairs if (p["pk"], p["district_id"]) not in answered]
    for pair in waiting[:LISTED]:
        todos.append((f"Version {pair['number']} of “{pair['item__name']}” waits for "
                      f"{possessive(pair['district_name'])} answer.",
                      reverse("purchasing:version-detail", args=[pair["pk"]]), "warning"))  # fmt: skip
    if len(waiting) > LISTED:
        todos.append((f"{len(waiting) - LISTED} more versions wait for your answer.",
                      reverse("purchasing:item-list"), "warning"))  # fmt: skip
    committed = MenuCommitment.objects.filter(item=OuterRef("pk"), district__in=districts)
    uncommitted = (
        PriorityItem.objects.filter(collaborative__districts__in=districts, versions__status=VersionStatus.ADOPTED)
        .annotate(done=Exists(committed)).filter(done=False).distinct().order_by("name")[:LISTED]
    )  # fmt: skip
    for item in uncommitted:
        todos.append((f"“{item.name}” is adopted: record how often you will menu it.",
                      reverse("purchasing:commitment-edit", args=[item.pk]), "info"))  # fmt: skip
    return todos


def lab_todos(*, user: User) -> list[Todo]:
    """For a lab's admins: versions proposed and still counting."""
    labs = Q(
        item__collaborative__memberships__user=user,
        item__collaborative__memberships__role="collaborative_admin",
    )
    proposed = SpecVersion.objects.filter(labs, status=VersionStatus.PROPOSED).distinct().count()
    if not proposed:
        return []
    word = "version is" if proposed == 1 else "versions are"
    return [(f"{proposed} specification {word} waiting for the districts' answers.",
             reverse("purchasing:item-list"), "info")]  # fmt: skip
