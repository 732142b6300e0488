"""The demo tells a story: the lab's year of purchases on its dashboard, with its goals."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.models import User
from districts.models import Collaborative
from purchasing.spend.dashboards import dashboard
from purchasing.spend.models import Goal

pytestmark = pytest.mark.django_db


def test_demo_goals_and_dashboard():
    call_command("seed_demo", stdout=StringIO())
    call_command("seed_demo", stdout=StringIO())  # a second run adds nothing
    lab = Collaborative.objects.get(slug="umrll")
    assert Goal.objects.filter(collaborative=lab).count() == 4
    admin = User.objects.get(email="admin@focuslab.example")
    board = dashboard(user=admin, lab=lab, today=timezone.localdate())
    assert board.shares.total > 0 and not board.empty
    goals = board.table("goals").rows
    assert len(goals) == 3 and all(
        row[4] is not None for row in goals
    )  # each measured on the year's purchases
    assert len(board.table("districts").rows) == 7
