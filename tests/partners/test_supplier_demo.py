"""The demo's supplier directory: farms, a poultry processor, a food hub, two distributors, notes
with follow-ups, one certification about to expire; a second run changes nothing."""

from __future__ import annotations

from datetime import datetime
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command

from accounts.models import User
from partners.contacts.models import FollowUp, Interaction
from partners.contacts.selectors import partner_day
from partners.suppliers.models import Certification, Origin, Supplier

pytestmark = pytest.mark.django_db

TODAY = datetime(2026, 12, 1, 9, 30, tzinfo=ZoneInfo("America/Chicago"))


def _counts() -> dict[str, int]:
    return {m.__name__: m.objects.count() for m in (Supplier, Origin, Certification, Interaction, FollowUp)}


def test_demo_supplier_directory():
    from tests.usda_foods.ordering_fixtures import ensure_reference_values

    ensure_reference_values()
    with time_machine.travel(TODAY, tick=True):
        call_command("seed_demo", stdout=StringIO())
        kinds = list(Supplier.objects.values_list("kind", flat=True))
        assert kinds.count("farm") >= 4 and kinds.count("processor") == 1 and kinds.count("food_hub") == 1
        assert kinds.count("distributor") == 2
        assert Origin.objects.filter(latitude__isnull=True).count() == 0  # every origin placed from its ZIP
        partner = User.objects.get(email="partner@northstar.example")
        day = partner_day(partner, today=TODAY.date())
        assert day.overdue == 1 and day.upcoming == 1
        assert [(c.supplier.name, c.kind) for c in day.certs] == [("Cannon River Orchard", "gap")]
        assert 0 <= (day.certs[0].expires_on - TODAY.date()).days <= 60
        manager = User.objects.get(email="manager@mpls.example")
        assert Interaction.objects.for_user(manager).count() == 3  # two partner notes about MPLS and its own
        before = _counts()
        call_command("seed_demo", stdout=StringIO())
        assert _counts() == before
