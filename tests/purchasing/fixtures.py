"""A learning lab for priority-item tests: the conftest's district plus three more in the same
collaborative, each with a manager and a delivery site; helpers to propose and adopt an item."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from accounts.models import Role
from purchasing.priority_items.services import (
    commitment_set,
    consensus_rule_set,
    endorsement_record,
    item_create,
    version_close_count,
    version_propose,
    version_revise,
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


def purchasing_world(district: Any, users: dict[str, Any]) -> tuple[Any, Any, Any]:
    """For the form round trip: an adopted item (with the district's commitment, a rule and a new
    draft version) and a proposed one."""
    partner, manager, admin = users["partner_user"], users["manager"], users["collab_admin"]
    lab = district.collaborative
    consensus_rule_set(user=admin, collaborative=lab, local_definition="Within 250 miles")
    adopted, version = propose_drumsticks(partner, lab)
    endorsement_record(user=manager, version_id=version.pk, district=district, stance="conditions",
                       comment="Weekly delivery\nto the kitchen")  # fmt: skip
    version.refresh_from_db()
    if version.status == "proposed":  # other districts of the lab have not answered
        version_close_count(user=admin, version_id=version.pk)
    commit(adopted, district, manager, override_volume=Decimal("5000.50"), override_reason="Invoices")
    draft = version_revise(user=partner, item_id=adopted.pk, change_note="Piece size")
    other = item_create(user=partner, collaborative=lab, name="Whole-grain tortillas", unit="case",
                        case_net_weight_lb=Decimal("22.5"), reference_price=Decimal("31.5"),
                        spec={**DRUMSTICK_SPEC, "product_form": "Tortillas <b>8 in</b>", "processing": "processed",
                              "local_clause": "neither"})  # fmt: skip
    proposed = version_propose(user=partner, version_id=other.versions.get().pk)
    return adopted, draft, proposed
