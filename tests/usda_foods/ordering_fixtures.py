"""Builders for ordering tests: an open window with offered foods, a funded entitlement."""

from __future__ import annotations

import importlib
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.utils import timezone

from districts.models import District
from usda_foods.entitlements.services.entitlements import entitlements_recompute
from usda_foods.models import CatalogItem, Entitlement, LunchCount, OrderWindow

SY = "2019-20"
# A day inside SY 2019-20, for tests that date a new window from "now" through the form, the API or
# the service: a window's dates must fall within its school year (``time_machine.travel(DURING_SY)``).
DURING_SY = datetime(2019, 11, 4, 9, tzinfo=ZoneInfo("America/Chicago"))


def catalog_item(code: str = "100117", price: str = "25.00", per_truck: int = 1000, **extra) -> CatalogItem:
    defaults = {"description": f"Food {code}", "category": "vegetable", "pack_description": "6/#10 cans",
                "net_case_weight_lb": Decimal("40"), "cases_per_truckload": per_truck, "unit_price": Decimal(price)}  # fmt: skip
    defaults.update(extra)
    return CatalogItem.objects.create(school_year=SY, material_code=code, **defaults)


def ensure_reference_values() -> None:
    """Reload the published values the 0002 migration inserts. Transactional tests (threads,
    browsers) empty every table when they end, so a later one cannot count on migration data."""
    from django.apps import apps

    importlib.import_module("usda_foods.migrations.0002_reference_values").load(apps, None)


def fund(district: District, lunches: int = 100_000) -> Entitlement:
    """SY2019-20 entitlement of 23.75 cents x ``lunches`` (100,000 -> $23,750.00)."""
    ensure_reference_values()
    LunchCount.objects.update_or_create(district=district, school_year="2018-19",
                                        defaults={"free": lunches, "reduced": 0, "paid": 0})  # fmt: skip
    entitlements_recompute(school_year=SY, districts=District.objects.filter(pk=district.pk))
    return Entitlement.objects.get(district=district, school_year=SY)


def open_window(state_agency, items, *, opens_in: timedelta = -timedelta(days=1), closes_in: timedelta = timedelta(days=7),
                name: str = "Fall window") -> OrderWindow:  # fmt: skip
    now = timezone.now()
    window = OrderWindow.objects.create(state_agency=state_agency, school_year=SY, name=name, opens_at=now + opens_in,
                                        closes_at=now + closes_in, delivery_start=date(2019, 10, 1),
                                        delivery_end=date(2019, 10, 31))  # fmt: skip
    window.offered_items.set(items)
    return window
