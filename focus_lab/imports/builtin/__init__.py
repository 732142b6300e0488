"""The imports FOCUS Lab offers today. They belong to their areas (lunch counts: USDA Foods
entitlements; the available list: ordering) and move there once the areas exist."""

from __future__ import annotations

from focus_lab.imports.kinds import register


def register_kinds() -> None:
    from focus_lab.imports.builtin.catalog import CatalogKind
    from focus_lab.imports.builtin.lunch_counts import LunchCountsKind

    register(LunchCountsKind())
    register(CatalogKind())
