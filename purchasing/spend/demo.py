"""Demo goals for the spending dashboards: the lab aims for 25% local (excluding USDA Foods) by
SY 2027-28 and for half its committed drumsticks bought to spec; one district sets its own."""

from __future__ import annotations

from decimal import Decimal

from django.utils import timezone

from accounts.models import User
from districts.models import Collaborative, District
from purchasing.spend import rules
from purchasing.spend.models import Goal


def seed_spend_goals(*, out: list[str]) -> None:
    lab = Collaborative.objects.filter(slug="umrll").first()
    if lab is None or Goal.objects.filter(collaborative=lab).exists():
        return
    admin = User.objects.filter(email="admin@focuslab.example").first()
    first = District.objects.filter(collaborative=lab).order_by("name").first()
    now = rules.school_year_of(timezone.localdate())
    Goal.objects.bulk_create([
        Goal(collaborative=lab, metric=rules.LOCAL_EX_USDA, target_percent=Decimal(25), school_year=2027, set_in=now,
             note="The lab's headline goal (the Farm to School Census figure)", updated_by=admin),
        Goal(collaborative=lab, metric=rules.LOCAL_REGIONAL, target_percent=Decimal(40), school_year=2027, set_in=now,
             updated_by=admin),
        Goal(collaborative=lab, metric=rules.PRIORITY_VOLUME, target_percent=Decimal(50), school_year=2026, set_in=now,
             updated_by=admin),
        *([Goal(collaborative=lab, district=first, metric=rules.LOCAL, target_percent=Decimal(30), school_year=2027,
                set_in=now, updated_by=admin)] if first else []),
    ])  # fmt: skip
    out.append("Spending goals: 25% local (excluding USDA Foods) by SY 2027-28, and three more.")
