"""Who sees and changes processors, end products, processor inventory, purchases and transfers
(mechanism: districts/access.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q

from accounts.models import Role
from districts import access
from usda_foods.ordering.access import state_activity_q

if TYPE_CHECKING:
    from accounts.models import User


def processor_q(user: User, *, write: bool) -> Q:
    """A processor's agreement is with a state agency: its reviewers keep it (and its end-product
    schedule); the districts of that state read it to order diverted foods and buy end products."""
    return state_activity_q(user, write=write)


def end_product_q(user: User, *, write: bool) -> Q:
    from usda_foods.processing.models import Processor

    return Q(processor_id__in=Processor.objects.filter(processor_q(user, write=write)).values("id"))


def district_owned_q(user: User, *, write: bool) -> Q:
    """A district's inventory and purchases: its staff see them, its managers record purchases;
    the reviewers of its state see them all (the state table)."""
    from districts.models import District

    return Q(district_id__in=District.objects.filter(access.district_q(user, write=write)).values("id"))


def inventory_q(user: User, *, write: bool) -> Q:
    """Inventory moves only through services (receipts, purchases, transfers): write is for the
    district's managers (purchases) and the state's reviewers (transfers)."""
    reviewed = Q(district__state_agency_id__in=access.reviewed_states(user))
    return district_owned_q(user, write=write) | reviewed


def transfer_q(user: User, *, write: bool) -> Q:
    """A transfer is the state's decision: its reviewers record it; both districts see it."""
    from districts.models import District

    reviewed = Q(processor__state_agency_id__in=access.reviewed_states(user))
    if write:
        return reviewed
    mine = District.objects.filter(access.district_q(user, write=False)).values("id")
    return reviewed | Q(from_district_id__in=mine) | Q(to_district_id__in=mine)


def reviews_processor_state(user: User, processor) -> bool:
    return user.is_superuser or processor.state_agency_id in access.membership_targets(
        user, Role.SDA_REVIEWER, "state_agency"
    )


def register_rules() -> None:
    reviewer, manager = access.holds_role(Role.SDA_REVIEWER), access.holds_role(Role.DISTRICT_MANAGER)
    access.register("usda_foods.Processor", processor_q, create=reviewer)
    access.register("usda_foods.EndProduct", end_product_q, create=reviewer)
    access.register_child("usda_foods.EndProductFood", parent="usda_foods.EndProduct", via="end_product")
    access.register("usda_foods.ProcessorInventory", inventory_q)
    access.register_child(
        "usda_foods.InventoryEntry", parent="usda_foods.ProcessorInventory", via="inventory"
    )
    access.register("usda_foods.EndProductPurchase", district_owned_q, create=manager)
    access.register("usda_foods.InventoryTransfer", transfer_q, create=reviewer)
