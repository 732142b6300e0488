"""The USDA Foods available list: loading it from the national file."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db import transaction

from focus_lab.csv_import import (
    ParsedFile,
    RowError,
    RowErrors,
    decimal_number,
    parse_csv,
    text_value,
    whole_number,
)
from focus_lab.errors import DomainError
from usda_foods.bounds import MAX_CASES_PER_TRUCKLOAD, MIN_CASES_PER_TRUCKLOAD
from usda_foods.entitlements import rules as entitlements
from usda_foods.entitlements.services.lunch_counts import ImportReport
from usda_foods.ordering.models import (
    MAX_NET_CASE_WEIGHT_LB,
    MAX_UNIT_PRICE,
    MIN_NET_CASE_WEIGHT_LB,
    CatalogItem,
    FoodCategory,
)

if TYPE_CHECKING:
    from accounts.models import User


# --- Catalog ------------------------------------------------------------------------------------

_TRUE, _FALSE = {"true", "yes", "y", "1"}, {"false", "no", "n", "0", ""}
CATALOG_COLUMNS = ("school_year", "material_code", "description", "category", "pack_description",
                   "net_case_weight_lb", "cases_per_truckload", "unit_price")  # fmt: skip
CATALOG_OPTIONAL = ("is_bulk_for_processing",)


@dataclass(frozen=True)
class CatalogRow:
    school_year: str
    material_code: str
    description: str
    category: str
    pack_description: str
    net_case_weight_lb: Decimal
    cases_per_truckload: int
    unit_price: Decimal
    is_bulk_for_processing: bool


def _parse_catalog_row(row: dict[str, str]) -> CatalogRow:
    errors: list[tuple[str, str]] = []
    try:  # cut short for the message: no school year is longer than 7 characters anyway
        entitlements.parse_school_year(row["school_year"][:20])
    except entitlements.EntitlementInputError as exc:
        errors.append(("school_year", str(exc)))
    for column in ("material_code", "description", "pack_description"):
        text_value(row[column], column, errors, max_length=CatalogItem._meta.get_field(column).max_length)
    category = row["category"].lower()
    if category not in FoodCategory.values:
        errors.append(
            ("category", f"“{row['category'][:40]}” is not one of {', '.join(FoodCategory.values)}")
        )
    weight = decimal_number(row["net_case_weight_lb"], "net_case_weight_lb", errors,
                            minimum=MIN_NET_CASE_WEIGHT_LB, maximum=MAX_NET_CASE_WEIGHT_LB)  # fmt: skip
    if weight is not None and weight != weight.quantize(Decimal("0.01")):
        errors.append(
            ("net_case_weight_lb", f"“{row['net_case_weight_lb']}” has more than two decimal places")
        )
    per_truck = whole_number(row["cases_per_truckload"], "cases_per_truckload", errors,
                             minimum=MIN_CASES_PER_TRUCKLOAD, maximum=MAX_CASES_PER_TRUCKLOAD)  # fmt: skip
    price = decimal_number(
        row["unit_price"], "unit_price", errors, minimum=Decimal("0"), maximum=MAX_UNIT_PRICE
    )
    if price is not None and price != price.quantize(Decimal("0.01")):
        errors.append(("unit_price", f"“{row['unit_price']}” has more than two decimal places"))
    bulk = row.get("is_bulk_for_processing", "").lower()
    if bulk not in _TRUE | _FALSE:
        errors.append(("is_bulk_for_processing", f"“{bulk[:40]}” is not true or false"))
    if errors:
        raise RowErrors(errors)
    return CatalogRow(school_year=row["school_year"], material_code=row["material_code"], description=row["description"],
                      category=category, pack_description=row["pack_description"], net_case_weight_lb=weight,
                      cases_per_truckload=per_truck, unit_price=price, is_bulk_for_processing=bulk in _TRUE)  # type: ignore[arg-type]  # fmt: skip


def catalog_import(*, data: bytes | str, user: User) -> ImportReport:
    """Import the available list. Every row is checked first; a bad row means nothing is written;
    re-importing the same file changes nothing (rows are matched on school year + material code)."""
    if not _can_load_catalog(user):
        raise DomainError("Only national reference-data editors load the USDA Foods available list.")
    parsed: ParsedFile[CatalogRow] = parse_csv(data, required=CATALOG_COLUMNS, optional=CATALOG_OPTIONAL,
                                               parse_row=_parse_catalog_row)  # fmt: skip
    report = ImportReport(errors=list(parsed.errors))
    seen: dict[tuple[str, str], int] = {}
    for line, row in parsed.rows:
        key = (row.school_year, row.material_code)
        if key in seen:
            report.errors.append(
                RowError(
                    line,
                    "material_code",
                    f"{row.material_code} for SY{row.school_year} is already on line {seen[key]}",
                )
            )
            continue
        seen[key] = line
    if report.errors:
        report.errors.sort(key=lambda e: (e.line, e.column))
        return report
    existing = {(c.school_year, c.material_code): c for c in CatalogItem.objects.filter(
        school_year__in={r.school_year for _, r in parsed.rows}, material_code__in={r.material_code for _, r in parsed.rows})}  # fmt: skip
    fields = ["description", "category", "pack_description", "net_case_weight_lb", "cases_per_truckload", "unit_price",
              "is_bulk_for_processing"]  # fmt: skip
    to_create, to_update = [], []
    for _, row in parsed.rows:
        current = existing.get((row.school_year, row.material_code))
        values = {f: getattr(row, f) for f in fields}
        if current is None:
            to_create.append(
                CatalogItem(school_year=row.school_year, material_code=row.material_code, **values)
            )
        elif any(getattr(current, f) != v for f, v in values.items()):
            for f, v in values.items():
                setattr(current, f, v)
            to_update.append(current)
        else:
            report.unchanged += 1
    with transaction.atomic():
        CatalogItem.objects.bulk_create(to_create, batch_size=1000)
        CatalogItem.objects.bulk_update(to_update, fields, batch_size=1000)
    report.created, report.updated = len(to_create), len(to_update)
    return report


def _can_load_catalog(user: User) -> bool:
    from districts import access

    return access.can_create(user, CatalogItem)
