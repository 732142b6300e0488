"""Processors' summary end-product data schedules as an import kind of the shared pipeline
(focus_lab.imports): the state's reviewers load them (CSV or a workbook) with the pipeline's
column mapping, preview of every bad cell, same-file refusal, progress and undo.

One row per end product and USDA Food (a product with two foods has two rows repeating its other
columns); the ``processor`` column names one of the reviewer's state's processors (the processor
page's upload fills it in). Rows match on processor + code (products) and + material code (the
pounds of each food per case): the same rows again change nothing."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from accounts.models import Role
from districts import access
from focus_lab.imports.kinds import Field, FieldType, ImportKind, Problem, Row, WriteCounts, register
from usda_foods.ordering.models import MAX_NET_CASE_WEIGHT_LB, MAX_UNIT_PRICE
from usda_foods.processing.models import EndProduct, EndProductFood, PassThrough, Processor

if TYPE_CHECKING:
    from accounts.models import User

PRODUCT_VALUES = (
    "name",
    "case_pack",
    "net_weight_lb",
    "value_per_case",
    "fee_per_case",
    "pass_through_methods",
)
PASS_THROUGH_NAMES = {
    **{v: v for v in PassThrough.values},
    **{str(label).lower(): v for v, label in PassThrough.choices},
}
PLACES = {"net_weight_lb": Decimal("0.01"), "value_per_case": Decimal("0.01"), "fee_per_case": Decimal("0.01"),
          "pounds_per_case": Decimal("0.0001")}  # fmt: skip
IN_USE = "This import cannot be undone: end-product purchases use {count} of its end products. Nothing was changed."


def _max(name: str) -> int | None:
    return EndProduct._meta.get_field(name).max_length


class EndProductsKind(ImportKind):
    name = "end-products"
    label = "End-product schedules (processing)"
    description = (
        "A processor's summary end-product data schedule: each end product with its case pack, net weight, "
        "value and fee per case, pass-through methods, and the pounds of each USDA Food per case."
    )
    source_help = "e.g. the processor's SEPDS, or the state's processing spreadsheet"
    batch_size = 100_000  # one pass: a product's rows must agree across the whole file
    fields = (
        Field("processor", "Processor", max_length=200, help="One of your state's processors, by name",
              synonyms=("processor name", "plant", "manufacturer"), example="North Star Poultry"),
        Field("code", "End-product code", max_length=_max("code"),
              synonyms=("end product code", "product code", "code", "item code", "sku"), example="DS-100"),
        Field("name", "End-product name", max_length=_max("name"),
              synonyms=("end product", "product", "description", "product name"), example="Breaded drumsticks"),
        Field("case_pack", "Case pack", max_length=_max("case_pack"), synonyms=("pack", "pack size"),
              example="4/8 lb bags"),
        Field("net_weight_lb", "Net weight (lb a case)", FieldType.DECIMAL, minimum=Decimal("0.01"),
              maximum=MAX_NET_CASE_WEIGHT_LB, synonyms=("net weight", "case weight", "net wt"), example="32"),
        Field("value_per_case", "Value per case ($)", FieldType.MONEY, minimum=Decimal("0"), maximum=MAX_UNIT_PRICE,
              synonyms=("value", "usda foods value", "value pass through"), example="$45.00"),
        Field("fee_per_case", "Fee per case ($)", FieldType.MONEY, required=False, minimum=Decimal("0"),
              maximum=MAX_UNIT_PRICE, synonyms=("fee", "processing fee"), example="$18.50"),
        Field("pass_through", "Pass-through methods", required=False, max_length=200,
              help="Separated by ;: " + ", ".join(f"{v} ({label})" for v, label in PassThrough.choices),
              synonyms=("pass through", "value pass-through", "methods"), example="noi;refund"),
        Field("material_code", "USDA Food material code", FieldType.DIGITS, max_length=20,
              synonyms=("material", "usda food", "material number"), example="100101"),
        Field("pounds_per_case", "Pounds of the food per case", FieldType.DECIMAL, minimum=Decimal("0.0001"),
              maximum=MAX_NET_CASE_WEIGHT_LB, synonyms=("drawdown rate", "lb per case", "usda lbs per case"),
              example="22.5"),
    )  # fmt: skip

    def can_import(self, user: User) -> bool:
        # Roles are memoised for the request: the navigation's "Imports" entry costs no query here.
        return bool(
            user.is_authenticated and (user.is_superuser or Role.SDA_REVIEWER in access.roles_for(user))
        )

    def _processors(self, user: User, state: dict[str, Any]) -> dict[str, Processor]:
        if "processors" not in state:
            reviewed = Processor.objects.filter(state_agency_id__in=access.reviewed_states(user))
            state["processors"] = {p.name.lower(): p for p in reviewed.prefetch_related("accepted_foods")}
        return state["processors"]

    def check_batch(self, rows: Sequence[Row], *, user: User, state: dict[str, Any]) -> Iterable[Problem]:
        processors = self._processors(user, state)
        products: dict[tuple[int, str], tuple[int, dict]] = state.setdefault("products", {})
        seen: dict[tuple[int, str, str], int] = state.setdefault("seen", {})
        for row in rows:
            v = row.values
            yield from _check_cells(row)
            processor = processors.get((v["processor"] or "").lower())
            if v["processor"] is not None and processor is None:
                yield row.line, "processor", f"“{v['processor'][:60]}” is not a processor of your state"
            if row.bad or processor is None:
                continue
            accepted = {f.material_code for f in processor.accepted_foods.all()}
            if v["material_code"] not in accepted:
                yield row.line, "material_code", f"{v['material_code']} is not a food {processor} accepts"
            key = (processor.pk, v["code"], v["material_code"])
            if key in seen:
                yield row.line, "material_code", f"already on line {seen[key]}"
            seen[key] = row.line
            first = products.setdefault((processor.pk, v["code"]), (row.line, _values(v)))
            if first[1] != _values(v):
                yield row.line, "code", f"{v['code']} is described differently on line {first[0]}"

    def write_batch(self, rows: Sequence[Row], *, user: User, state: dict[str, Any]) -> WriteCounts:
        processors = self._processors(user, state)
        counts = WriteCounts()
        for row in rows:  # the same normalisation as the check (pass-through methods, fee)
            list(_check_cells(row))
        by_product: dict[tuple[int, str], list[Row]] = {}
        for row in rows:
            by_product.setdefault(
                (processors[row.values["processor"].lower()].pk, row.values["code"]), []
            ).append(row)
        existing = {(p.processor_id, p.code): p for p in EndProduct.objects.filter(
            processor_id__in={k[0] for k in by_product}, code__in={k[1] for k in by_product}).prefetch_related("foods__food")}  # fmt: skip
        foods = {(p.pk, f.material_code): f for p in processors.values() for f in p.accepted_foods.all()}
        for (processor_id, code), product_rows in by_product.items():
            values = _values(product_rows[0].values)
            rates = {row.values["material_code"]: row.values["pounds_per_case"] for row in product_rows}
            product = existing.get((processor_id, code))
            if product is None:
                product = EndProduct.objects.create(processor_id=processor_id, code=code, **values)
                EndProductFood.objects.bulk_create([
                    EndProductFood(end_product=product, food=foods[(processor_id, m)], pounds_per_case=lb)
                    for m, lb in rates.items()])  # fmt: skip
                counts.created += 1
                counts.created_ids.append(product.pk)
                continue
            current = {r.food.material_code: r for r in product.foods.all()}
            changed = [k for k, value in values.items() if getattr(product, k) != value]
            new_rates = {
                m: lb for m, lb in rates.items() if m not in current or current[m].pounds_per_case != lb
            }
            if not changed and not new_rates:
                counts.unchanged += 1
                continue
            counts.previous.append((product.pk, {**{k: _json(getattr(product, k)) for k in PRODUCT_VALUES},
                                                 "rates": {m: _json(current[m].pounds_per_case) if m in current else None
                                                           for m in new_rates}}))  # fmt: skip
            if changed:
                EndProduct.objects.filter(pk=product.pk).update(**values)
            for m, lb in new_rates.items():
                EndProductFood.objects.update_or_create(end_product=product, food=foods[(processor_id, m)],
                                                        defaults={"pounds_per_case": lb})  # fmt: skip
            counts.updated += 1
        return counts

    def undo(self, *, created_ids: list[int], previous: list[tuple[int, dict[str, Any]]], user: User) -> None:
        touched = [*created_ids, *(pk for pk, _ in previous)]
        used = EndProduct.objects.filter(pk__in=touched, purchases__isnull=False).distinct().count()
        if used:
            from focus_lab.errors import DomainError

            raise DomainError(IN_USE.format(count=used))
        EndProduct.objects.filter(pk__in=created_ids).delete()  # their rates go with them
        for pk, before in previous:
            rates = before.pop("rates", {})
            EndProduct.objects.filter(pk=pk).update(
                **{k: Decimal(v) if k in PLACES else v for k, v in before.items()}
            )
            for material, pounds in rates.items():
                rate = EndProductFood.objects.filter(end_product_id=pk, food__material_code=material)
                if pounds is None:
                    rate.delete()
                else:
                    rate.update(pounds_per_case=Decimal(pounds))


def _check_cells(row: Row) -> Iterable[Problem]:
    v = row.values
    for name, places in PLACES.items():
        number = v.get(name)
        if number is not None and number != number.quantize(places):
            yield row.line, name, f"“{number}” has more decimal places than {places}"
    methods = []
    for part in filter(None, (p.strip().lower() for p in (v.get("pass_through") or "").split(";"))):
        if part not in PASS_THROUGH_NAMES:
            yield row.line, "pass_through", f"“{part[:40]}” is not one of {', '.join(PassThrough.values)}"
        elif PASS_THROUGH_NAMES[part] not in methods:
            methods.append(PASS_THROUGH_NAMES[part])
    v["pass_through_methods"] = methods
    if v.get("fee_per_case") is None:
        v["fee_per_case"] = Decimal("0")


def _values(v: dict[str, Any]) -> dict[str, Any]:
    return {"name": v["name"], "case_pack": v["case_pack"], "net_weight_lb": v["net_weight_lb"],
            "value_per_case": v["value_per_case"], "fee_per_case": v["fee_per_case"],
            "pass_through_methods": list(v["pass_through_methods"])}  # fmt: skip


def _json(value: Any) -> Any:
    return str(value) if isinstance(value, Decimal) else value


def register_import_kinds() -> None:
    register(EndProductsKind())
