"""Who sees and records deliveries and receipts (mechanism: districts/access.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q

from accounts.models import Role
from districts import access
from usda_foods.ordering.access import state_activity_q

if TYPE_CHECKING:
    from accounts.models import User


def delivery_q(user: User, *, write: bool) -> Q:
    """The receiving district's staff see a delivery and its managers record the receipt (a
    co-op's lead district receives at the co-op's site); the co-op's members see the deliveries
    carrying their lines; the state's reviewers see all of its state's and record those at a
    processor (diverted foods), where no district receives."""
    from districts.models import District
    from usda_foods.deliveries.models import DeliveryLine

    districts = District.objects.filter(access.district_q(user, write=write)).values("id")
    reviewed = access.reviewed_states(user)
    if write:
        return Q(district_id__in=districts) | Q(state_agency_id__in=reviewed, processor__isnull=False)
    carrying = DeliveryLine.objects.filter(district_id__in=districts).values("delivery_id")
    return Q(district_id__in=districts) | Q(id__in=carrying) | Q(state_agency_id__in=reviewed)


def pickup_q(user: User, *, write: bool) -> Q:
    """A co-op's lead district's staff see every pickup from its storage and its managers record
    them; a member's staff see their own district's."""
    from districts.models import Coop, District

    districts = District.objects.filter(access.district_q(user, write=write)).values("id")
    led = Coop.objects.filter(lead_district_id__in=districts).values("id")
    if write:
        return Q(coop_id__in=led)
    return Q(coop_id__in=led) | Q(district_id__in=districts)


def register_rules() -> None:
    # Deliveries come from a released shipment plan and receipts from the receipt service.
    access.register("usda_foods.ExpectedDelivery", delivery_q)
    access.register_child("usda_foods.DeliveryLine", parent="usda_foods.ExpectedDelivery", via="delivery")
    access.register_child("usda_foods.Receipt", parent="usda_foods.ExpectedDelivery", via="delivery")
    access.register_child("usda_foods.ReceiptLine", parent="usda_foods.Receipt", via="receipt")
    register_fee_rules()
    access.register("usda_foods.StoragePickup", pickup_q, create=access.holds_role(Role.DISTRICT_MANAGER))


def register_fee_rules() -> None:
    # A state's fee schedules: its reviewers set them; its districts read them.
    access.register("usda_foods.FeeSchedule", state_activity_q, create=access.holds_role(Role.SDA_REVIEWER))
