"""The USDA Foods available list as an import kind of the shared pipeline (focus_lab.imports):
national reference data, loaded by reference-data editors. Rows are matched on school year +
material code, which is a USDA material code (digits)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from districts import access
from focus_lab.errors import DomainError
from focus_lab.imports.db import copy_insert, update_rows
from focus_lab.imports.kinds import Field, FieldType, ImportKind, Problem, Row, WriteCounts, register
from usda_foods.bounds import MAX_CASES_PER_TRUCKLOAD, MIN_CASES_PER_TRUCKLOAD
from usda_foods.entitlements import rules as entitlements
from usda_foods.ordering.models import (
    MAX_NET_CASE_WEIGHT_LB,
    MAX_UNIT_PRICE,
    MIN_NET_CASE_WEIGHT_LB,
    CatalogItem,
    FoodCategory,
)

if TYPE_CHECKING:
    from accounts.models import User

VALUES = ("description", "category", "pack_description", "net_case_weight_lb", "cases_per_truckload",
          "unit_price", "is_bulk_for_processing")  # fmt: skip
IN_USE = "This import cannot be undone: {what} use its foods. Nothing was changed."

COLUMNS = ("school_year", "material_code", *VALUES)


def _max(name: str) -> int | None:
    return CatalogItem._meta.get_field(name).max_length


class CatalogKind(ImportKind):
    name = "catalog"
    label = "USDA Foods available list"
    description = "The foods offered for a school year, with pack, weight, truckload and price."
    source_help = "e.g. the USDA Foods available list, or a distributor's price list"
    fields = (
        Field("school_year", "School year", help="e.g. 2025-26", max_length=20,
              synonyms=("sy", "year", "program year"), example="2025-26"),
        Field("material_code", "Material code", FieldType.DIGITS, help="The USDA material code, digits only",
              max_length=_max("material_code"),
              synonyms=("material", "material number", "material no", "code", "usda code", "item code",
                        "wbscm material", "product code"), example="100117"),
        Field("description", "Description", max_length=_max("description"),
              synonyms=("material description", "item", "item description", "product", "food", "name"),
              example="Apples, fresh, 40 lb"),
        Field("category", "Category", FieldType.CHOICE, choices=tuple(FoodCategory.values),
              help="One of " + ", ".join(FoodCategory.values), synonyms=("food group", "group", "type"),
              example="fruit"),
        Field("pack_description", "Pack", max_length=_max("pack_description"),
              synonyms=("pack description", "pack size", "pack/size", "unit of issue", "packaging"),
              example="40 lb box"),
        Field("net_case_weight_lb", "Net case weight (lb)", FieldType.DECIMAL, minimum=MIN_NET_CASE_WEIGHT_LB,
              maximum=MAX_NET_CASE_WEIGHT_LB, help="Pounds per case, two decimals at most",
              synonyms=("net weight", "case weight", "net case weight", "weight lb", "net wt", "lbs per case"),
              example="40.00"),
        Field("cases_per_truckload", "Cases per truckload", FieldType.INTEGER, minimum=MIN_CASES_PER_TRUCKLOAD,
              maximum=MAX_CASES_PER_TRUCKLOAD, synonyms=("cases per truck", "truckload", "cases/truck", "tl qty"),
              example="1,000"),
        Field("unit_price", "Unit price ($ per case)", FieldType.MONEY, minimum=Decimal("0"), maximum=MAX_UNIT_PRICE,
              synonyms=("price", "case price", "price per case", "cost", "unit cost", "$/case"), example="$21.50"),
        Field("is_bulk_for_processing", "Bulk for processing", FieldType.BOOL, required=False,
              help="yes for bulk foods sent to processors", synonyms=("bulk", "for processing", "processing"),
              example="no"),
    )  # fmt: skip

    def can_import(self, user: User) -> bool:
        return bool(user.is_authenticated and access.can_create(user, CatalogItem))

    def check_batch(self, rows: Sequence[Row], *, user: User, state: dict[str, Any]) -> Iterable[Problem]:
        seen: dict[tuple[str, str], int] = state.setdefault("seen", {})
        for row in rows:
            v = row.values
            if v["school_year"] is not None:
                try:  # cut short for the message: no school year is longer than 7 characters anyway
                    entitlements.parse_school_year(v["school_year"][:20])
                except entitlements.EntitlementInputError as exc:
                    yield row.line, "school_year", str(exc)
            weight = v["net_case_weight_lb"]
            if weight is not None and weight != weight.quantize(Decimal("0.01")):
                yield row.line, "net_case_weight_lb", f"“{weight}” has more than two decimal places"
            v["is_bulk_for_processing"] = bool(v["is_bulk_for_processing"])
            if row.bad:
                continue
            key = (v["school_year"], v["material_code"])
            if key in seen:
                yield (row.line, "material_code",
                       f"{v['material_code']} for SY{v['school_year']} is already on line {seen[key]}")  # fmt: skip
                continue
            seen[key] = row.line

    def write_batch(self, rows: Sequence[Row], *, user: User, state: dict[str, Any]) -> WriteCounts:
        counts = WriteCounts()
        existing = {
            (c.school_year, c.material_code): c
            for c in CatalogItem.objects.filter(
                school_year__in={r.values["school_year"] for r in rows},
                material_code__in={r.values["material_code"] for r in rows},
            )
        }
        to_create, to_update = [], []
        for row in rows:
            v = row.values
            current = existing.get((v["school_year"], v["material_code"]))
            values = {f: v[f] for f in VALUES}
            if current is None:
                to_create.append([v[f] for f in COLUMNS])
            elif any(getattr(current, f) != value for f, value in values.items()):
                counts.previous.append((current.pk, {f: _json(getattr(current, f)) for f in VALUES}))
                for f, value in values.items():
                    setattr(current, f, value)
                to_update.append(current)
            else:
                counts.unchanged += 1
        # New rows go in with COPY: the database's constraints hold them as they would an INSERT.
        counts.created_ids = copy_insert(CatalogItem, COLUMNS, to_create)
        update_rows(CatalogItem, to_update, list(VALUES))
        counts.created, counts.updated = len(to_create), len(to_update)
        return counts

    def undo(self, *, created_ids: list[int], previous: list[tuple[int, dict[str, Any]]], user: User) -> None:
        touched = [*created_ids, *(i for i, _ in previous)]
        _refuse_if_used(touched)
        CatalogItem.objects.filter(pk__in=created_ids).delete()
        before_by_id = dict(previous)
        restored = []
        for item in CatalogItem.objects.filter(pk__in=before_by_id):
            for f, value in before_by_id[item.pk].items():
                setattr(item, f, Decimal(value) if f in ("net_case_weight_lb", "unit_price") else value)
            restored.append(item)
        update_rows(CatalogItem, restored, list(VALUES))


def _json(value: Any) -> Any:
    return str(value) if isinstance(value, Decimal) else value


def _refuse_if_used(ids: list[int]) -> None:
    """Foods a survey offers, a window offers, or an order or survey answer names stay as they are."""
    items = CatalogItem.objects.filter(pk__in=ids)
    uses = {
        "surveys": items.filter(offered_in_surveys__isnull=False).distinct().count(),
        "order windows": items.filter(order_windows__isnull=False).distinct().count(),
        "order lines": items.filter(order_lines__isnull=False).distinct().count(),
        "survey answers": items.filter(survey_lines__isnull=False).distinct().count(),
    }
    used = [f"{what} ({n:,} of its foods)" for what, n in uses.items() if n]
    if used:
        raise DomainError(IN_USE.format(what=", ".join(used)))


def register_import_kinds() -> None:
    register(CatalogKind())
