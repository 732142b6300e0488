"""The USDA Foods available list: loading it from the national file."""

from __future__ import annotations

from typing import TYPE_CHECKING

from focus_lab.errors import DomainError
from focus_lab.imports.services import ImportReport, import_data
from usda_foods.ordering.models import CatalogItem

if TYPE_CHECKING:
    from accounts.models import User


# --- Catalog ------------------------------------------------------------------------------------

# The columns of the available-list template, in order (the import kind's field names).
CATALOG_COLUMNS = ("school_year", "material_code", "description", "category", "pack_description",
                   "net_case_weight_lb", "cases_per_truckload", "unit_price")  # fmt: skip
CATALOG_OPTIONAL = ("is_bulk_for_processing",)
ONLY_REFERENCE_EDITORS = "Only national reference-data editors load the USDA Foods available list."


def catalog_import(*, data: bytes | str, user: User, filename: str = "available-list.csv") -> ImportReport:
    """Import the available list (CSV or a workbook) in one call, through the shared import
    pipeline: the rules are the import kind's (``usda_foods/ordering/imports.py``). Every row is
    checked first; a bad row means nothing is written; rows match on school year + material code,
    so the same rows again change nothing (the same file is imported once)."""
    if not _can_load_catalog(user):
        raise DomainError(ONLY_REFERENCE_EDITORS)
    return import_data(kind="catalog", data=data, user=user, filename=filename)


def _can_load_catalog(user: User) -> bool:
    from districts import access

    return access.can_create(user, CatalogItem)
