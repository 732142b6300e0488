"""Partner organisations' lifecycle."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from partners.models import PartnerOrganisation, Partnership

if TYPE_CHECKING:
    from accounts.models import User


@transaction.atomic
def partner_remove(*, partner: PartnerOrganisation, by: User) -> PartnerOrganisation:
    """Take ``partner`` out of its lab without erasing what it did: every partnership still active
    ends today (one that already ended keeps its end date), the partner is marked removed, and its
    partnerships and staff memberships stay as the record of who served whom. Partner staff then
    lose sight of the districts as their partnerships end (districts/access.py).

    A partnership planned to start after today cannot end before it starts: it is recorded as
    starting and ending today. Removing a removed partner changes nothing. The caller checks that
    ``by`` may remove it (``partners.rights.can_remove_partner``)."""
    partner = PartnerOrganisation.objects.select_for_update().get(pk=partner.pk)
    today = timezone.localdate()
    still_active = Partnership.objects.filter(partner=partner).filter(
        Q(end_date__isnull=True) | Q(end_date__gt=today)
    )
    still_active.filter(start_date__gt=today).update(start_date=today, end_date=today)
    still_active.update(end_date=today)
    if partner.removed_on is None:
        partner.removed_on = today
        partner.save(update_fields=["removed_on"])
    return partner
