"""Deliveries and receipts: release a shipment plan's stops as expected deliveries, record the
one receipt of a delivery (cases received post to processor inventory and to the orders'
final drawdowns, a shortage releasing its share), and the nightly sweep that emails on the due
day and flags late receipts from the day after, once each."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import Membership, Role
from districts import access
from districts.models import Coop
from focus_lab.errors import DomainError
from focus_lab.tasks import enqueue
from usda_foods.deliveries import rules
from usda_foods.deliveries.models import (
    DeliveryLine,
    ExpectedDelivery,
    Reason,
    Receipt,
    ReceiptLine,
    StoragePickup,
)
from usda_foods.deliveries.selectors import coop_storage
from usda_foods.entitlements.models import Drawdown
from usda_foods.entitlements.services.drawdowns import drawdown_adjust
from usda_foods.ordering.access import reviews_state
from usda_foods.ordering.models import OrderLine, OrderStatus, OrderTransition
from usda_foods.processing.services.inventory import inventory_credit
from usda_foods.shipping.models import PlanStop, ShipmentPlan

if TYPE_CHECKING:
    from django.core.files import File

    from accounts.models import User
    from districts.models import District
    from usda_foods.ordering.models import CatalogItem

ALREADY_RECEIPTED = "This delivery already has its receipt (recorded {when} by {who}). Nothing was recorded."


def deliveries_release(*, plan: ShipmentPlan, user: User) -> int:
    """Turn each stop of a done plan into an expected delivery with its lines (the approved order
    lines it carries, largest first; cases the plan added beyond the orders go to the largest).
    The state's reviewers release one plan per window; releasing again adds only new stops."""
    window = plan.window
    if not reviews_state(user, window.state_agency_id):
        raise DomainError("Only the state agency's reviewers release a plan to deliveries.")
    if plan.status != "done":
        raise DomainError("Only a finished plan can be released.")
    if ExpectedDelivery.objects.filter(plan__window=window).exclude(plan=plan).exists():
        raise DomainError("Another plan of this window is already released to deliveries.")
    with transaction.atomic():
        ShipmentPlan.objects.select_for_update().get(pk=plan.pk)
        stops = list(PlanStop.objects.filter(truck__plan=plan, delivery__isnull=True)
                     .select_related("truck", "site").order_by("truck__number", "sequence"))  # fmt: skip
        lines = list(OrderLine.objects.filter(order__window=window, order__status=OrderStatus.APPROVED)
                     .select_related("order").order_by("-cases", "id"))  # fmt: skip
        remaining = {line.pk: line.cases for line in lines}
        by_place: dict[tuple, list[OrderLine]] = defaultdict(list)
        for line in lines:
            place = ("proc", line.diverted_to_id) if line.diverted_to_id else ("site", line.delivery_site_id)
            by_place[(line.catalog_item_id, place)].append(line)
        made = 0
        for stop in stops:
            place = ("proc", stop.processor_id) if stop.processor_id else ("site", stop.site_id)
            delivery = ExpectedDelivery.objects.create(
                plan=plan, stop=stop, state_agency_id=window.state_agency_id,
                district_id=stop.site.district_id if stop.site_id else None, site_id=stop.site_id,
                processor_id=stop.processor_id, food_id=stop.truck.food_id, truck_number=stop.truck.number,
                delivery_date=stop.truck.delivery_date, due_on=rules.due_on(stop.truck.delivery_date), cases=stop.cases,
            )  # fmt: skip
            DeliveryLine.objects.bulk_create(
                _allocate(delivery, stop.cases, by_place[(stop.truck.food_id, place)], remaining)
            )
            made += 1
    return made


def _allocate(
    delivery: ExpectedDelivery, cases: int, lines: list[OrderLine], remaining: dict[int, int]
) -> list:
    shares: dict[int, int] = {}
    left = cases
    for line in lines:
        take = min(left, remaining[line.pk])
        if take:
            shares[line.pk] = take
            remaining[line.pk] -= take
            left -= take
    if left and lines:  # cases the plan added (an adjustment not applied to the orders)
        shares[lines[0].pk] = shares.get(lines[0].pk, 0) + left
    by_pk = {line.pk: line for line in lines}
    return [DeliveryLine(delivery=delivery, order_line_id=pk, district_id=by_pk[pk].order.district_id, cases=n)
            for pk, n in shares.items()]  # fmt: skip


def receipt_record(
    *, delivery_id: int, received_on: date, cases_received: int, user: User, reason: str = "", notes: str = "",
    photo: File | None = None, today: date | None = None,
) -> Receipt:  # fmt: skip
    """Record the one receipt of a delivery. The cases received split back to its lines in
    proportion (rules.split_received); each line's received cases credit the district's
    inventory at a processor (diverted foods) and set the order's final drawdown: a shortage
    releases its share (cases short x the line's price), an overage draws more. All or nothing;
    simultaneous receipts of one delivery record one (row lock, then the one-to-one). ``photo``:
    an optional image the form or serializer has already checked (``forms.checked_photo``)."""
    today = today or timezone.localdate()
    if received_on > today:
        raise DomainError("The receipt date cannot be in the future.", field="received_on")
    if cases_received < 0:
        raise DomainError("Cases received cannot be negative.", field="cases_received")
    if reason and reason not in Reason.values:
        raise DomainError("Choose a reason from the list.", field="reason")
    try:
        with transaction.atomic():
            delivery = (
                ExpectedDelivery.objects.select_for_update(of=("self",))
                .select_related("food", "processor")
                .get(pk=delivery_id)
            )
            if not ExpectedDelivery.objects.for_user(user, write=True).filter(pk=delivery.pk).exists():
                raise DomainError("Only the receiving district's managers record this receipt.")
            existing = Receipt.objects.filter(delivery=delivery).select_related("recorded_by").first()
            if existing:
                raise DomainError(
                    ALREADY_RECEIPTED.format(when=existing.received_on, who=existing.recorded_by or "someone")
                )
            if received_on < delivery.delivery_date:
                raise DomainError(f"The truck was due on {delivery.delivery_date}: the receipt cannot be earlier.",
                                  field="received_on")  # fmt: skip
            if cases_received != delivery.cases and not reason:
                raise DomainError("Give the reason for the shortage or overage.", field="reason")
            receipt = Receipt(delivery=delivery, received_on=received_on, cases_received=cases_received,
                              reason=reason, notes=notes, recorded_by=user)  # fmt: skip
            if photo is not None:
                receipt.photo.save(photo.name, photo, save=False)
            receipt.save()
            lines = list(delivery.lines.select_related("order_line__order").order_by("-cases", "id"))
            if lines:
                split = rules.split_received([line.cases for line in lines], cases_received)
                for line, received in zip(lines, split, strict=True):
                    ReceiptLine.objects.create(receipt=receipt, delivery_line=line, cases_received=received)
                    _post(receipt, delivery, line, received, user)
    except IntegrityError as exc:  # the one-to-one: another receipt won the race past the lock
        raise DomainError(ALREADY_RECEIPTED.format(when="just now", who="someone else")) from exc
    return receipt


def _post(
    receipt: Receipt, delivery: ExpectedDelivery, line: DeliveryLine, received: int, user: User
) -> None:
    if delivery.processor_id and received:
        inventory_credit(district_id=line.district_id, processor=delivery.processor, food=delivery.food,
                         cases=received, on=receipt.received_on, user=user, reference=f"Receipt #{receipt.pk}")  # fmt: skip
    difference = received - line.cases
    order_line = line.order_line
    if not difference or order_line is None or order_line.order.drawdown_id is None:
        return
    order = order_line.order
    value = difference * order_line.unit_price
    drawdown = Drawdown.objects.get(pk=order.drawdown_id)
    kind = "shortage" if difference < 0 else "overage"
    memo = (f"Receipt #{receipt.pk}: {kind} of {abs(difference):,} cases of {delivery.food} "
            f"({'releases' if difference < 0 else 'draws'} ${abs(value):,})")  # fmt: skip
    drawdown_adjust(
        drawdown_id=drawdown.pk, amount=max(drawdown.amount + value, Decimal("0")), user=user, memo=memo
    )
    OrderTransition.objects.create(order=order, from_status=order.status, to_status=order.status, user=user,
                                   comment=f"{memo}. Reason: {receipt.get_reason_display() or '—'}.")  # fmt: skip


def receipts_sweep(*, today: date) -> dict[str, int]:
    """The nightly sweep: on its due day, email each receiving party once about its deliveries
    without a receipt; from the day after, flag them late once. Safe to run twice (rows are
    claimed with SELECT ... FOR UPDATE SKIP LOCKED and stamped; emails carry a message id)."""
    now = timezone.now()
    open_ = ExpectedDelivery.objects.filter(receipt__isnull=True)
    late = open_.filter(due_on__lt=today, late_at__isnull=True).update(late_at=now)
    with transaction.atomic():
        due = list(open_.filter(due_on=today, reminded_at__isnull=True)
                   .select_for_update(skip_locked=True, of=("self",)).values_list("pk", "district_id", "state_agency_id"))  # fmt: skip
        ExpectedDelivery.objects.filter(pk__in=[pk for pk, _, _ in due]).update(reminded_at=now)
        groups: dict[tuple, list[int]] = defaultdict(list)
        for pk, district_id, state_id in due:
            groups[("district", district_id) if district_id else ("state", state_id)].append(pk)
        for (kind, target), pks in groups.items():
            to = _recipients(kind, target)
            if to:
                body = (f"{len(pks)} USDA Foods deliver{'y' if len(pks) == 1 else 'ies'} need a receipt today "
                        f"(FD-062: within 2 calendar days of delivery): " + ", ".join(f"#{pk}" for pk in pks) + ".")  # fmt: skip
                enqueue("focus_lab.tasks.send_email", f"receipt-due:{kind}:{target}:{today}:{now.isoformat()}",
                        "Receipts due today", body, to)  # fmt: skip
    return {"reminded": len(due), "late": late}


def _recipients(kind: str, target: int) -> list[str]:
    if kind == "district":
        q = Q(role=Role.DISTRICT_MANAGER, district_id=target)
    else:
        q = Q(role=Role.SDA_REVIEWER, state_agency_id=target)
    return sorted(
        set(Membership.objects.filter(q, user__is_active=True).values_list("user__email", flat=True))
    )


def storage_pickup_record(
    *, coop: Coop, district: District, food: CatalogItem, cases: int, picked_up_on: date, user: User,
    notes: str = "", today: date | None = None,
) -> StoragePickup:  # fmt: skip
    """A member picked up cases held for it at the co-op's receiving site (the lead's managers
    record it). Refused beyond the member's cases on hand; simultaneous pickups lock the co-op."""
    today = today or timezone.localdate()
    if cases < 1:
        raise DomainError("Pick up at least one case.", field="cases")
    if picked_up_on > today:
        raise DomainError("The pickup date cannot be in the future.", field="picked_up_on")
    if not access.can_write(user, coop):
        raise DomainError("Only the co-op's lead district records pickups from its storage.")
    with transaction.atomic():
        coop = Coop.objects.select_for_update().get(pk=coop.pk)
        if district.pk != coop.lead_district_id and not coop.members.filter(pk=district.pk).exists():
            raise DomainError(f"{district} is not a member of {coop}.", field="district")
        rows = coop_storage(coop_id=coop.pk, site_id=coop.receiving_site_id, district_ids=[district.pk])
        on_hand = next((r.on_hand for r in rows if r.food_id == food.pk), 0)
        if cases > on_hand:
            raise DomainError(f"{district} has {on_hand:,} case{'s' if on_hand != 1 else ''} of {food} on hand at "
                              f"{coop.receiving_site.name}: it cannot pick up {cases:,}. Nothing was recorded.",
                              field="cases")  # fmt: skip
        return StoragePickup.objects.create(coop=coop, district=district, food=food, cases=cases,
                                            picked_up_on=picked_up_on, notes=notes, recorded_by=user)  # fmt: skip
