"""A learning lab for priority-item tests: the conftest's district plus three more in the same
collaborative, each with a manager and a delivery site; helpers to propose and adopt an item."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from accounts.models import Role
from purchasing.priority_items.services import (
    commitment_set,
    endorsement_record,
    item_create,
    version_propose,
)
from tests.factories import DistrictFactory, SiteFactory, member

DRUMSTICK_SPEC: dict[str, Any] = {
    "product_form": "Chicken drumsticks, bone-in, raw, individually quick frozen",
    "pack_size": "40 lb case",
    "grade": "USDA Grade A",
    "crediting": "2 oz eq meat/meat alternate per 4 oz raw serving",
    "processing": "minimal",
    "claims": [{"claim": "Raised without antibiotics", "verification": "USDA Process Verified Program"}],
    "allergens": "none",
    "local_clause": "preference",
    "local_definition": "Raised within 250 miles of the delivering district",
    "attributes": {"piece size": "3.5-4.5 oz"},
}


def build_lab(district: Any, manager: Any, *, extra: int = 3) -> list[tuple[Any, Any]]:
    """[(district, manager)] for the conftest district and ``extra`` more of its lab."""
    SiteFactory(district=district, name=f"{district.name} Kitchen")
    lab = [(district, manager)]
    for n in range(extra):
        other = DistrictFactory(name=f"Lab District {n + 1}", collaborative=district.collaborative,
                                state_agency=district.state_agency)  # fmt: skip
        SiteFactory(district=other, name=f"Lab School {n + 1}a")
        SiteFactory(district=other, name=f"Lab School {n + 1}b")
        lab.append((other, member(Role.DISTRICT_MANAGER, other, email=f"manager{n + 1}@lab.example")))
    return lab


def propose_drumsticks(user: Any, collaborative: Any, **spec: Any):
    item = item_create(user=user, collaborative=collaborative, name="Chicken drumsticks, raised without antibiotics",
                       why="Antibiotic stewardship; a regional processor can supply it.", unit="lb",
                       reference_price=Decimal("2.15"), spec={**DRUMSTICK_SPEC, **spec})  # fmt: skip
    version = version_propose(user=user, version_id=item.versions.get().pk)
    return item, version


def adopt(version: Any, lab: list[tuple[Any, Any]]) -> None:
    for district, manager in lab:
        endorsement_record(user=manager, version_id=version.pk, district=district, stance="endorse")
    version.refresh_from_db()


def commit(item: Any, district: Any, manager: Any, **kwargs: Any):
    values = {"times_per_month": Decimal(2), "months": [9, 10, 11, 12, 1, 2, 3, 4, 5], "servings_per_day": 1200,
              "serving_size": Decimal(4), "serving_unit": "oz", **kwargs}  # fmt: skip
    return commitment_set(user=manager, item_id=item.pk, district=district, **values)
