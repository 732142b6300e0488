"""Import a processor's summary end-product data schedule through the shared CSV pipeline
(focus_lab/csv_import.py): every row is checked first, one bad row means nothing is written, and
re-importing the same file changes nothing. One row per end product and USDA Food (a product
with two foods has two rows repeating its other columns)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db import transaction

from focus_lab.csv_import import RowError, RowErrors, decimal_number, parse_csv, text_value
from focus_lab.errors import DomainError
from usda_foods.ordering.models import MAX_NET_CASE_WEIGHT_LB, MAX_UNIT_PRICE
from usda_foods.processing.access import reviews_processor_state
from usda_foods.processing.models import EndProduct, EndProductFood, PassThrough, Processor

if TYPE_CHECKING:
    from accounts.models import User

SCHEDULE_COLUMNS = (
    "code",
    "name",
    "case_pack",
    "net_weight_lb",
    "value_per_case",
    "material_code",
    "pounds_per_case",
)
SCHEDULE_OPTIONAL = ("fee_per_case", "pass_through")
PASS_THROUGH_NAMES = {
    **{v: v for v in PassThrough.values},
    **{str(label).lower(): v for v, label in PassThrough.choices},
}


@dataclass(frozen=True)
class ScheduleRow:
    code: str
    name: str
    case_pack: str
    net_weight_lb: Decimal
    value_per_case: Decimal
    fee_per_case: Decimal
    pass_through: tuple[str, ...]
    material_code: str
    pounds_per_case: Decimal


@dataclass
class ScheduleReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def _parse(row: dict[str, str]) -> ScheduleRow:
    errors: list[tuple[str, str]] = []
    for column in ("code", "name", "case_pack"):
        text_value(row[column], column, errors, max_length=EndProduct._meta.get_field(column).max_length)
    text_value(row["material_code"], "material_code", errors, max_length=20)
    weight = decimal_number(row["net_weight_lb"], "net_weight_lb", errors, minimum=Decimal("0.01"),
                            maximum=MAX_NET_CASE_WEIGHT_LB)  # fmt: skip
    value = decimal_number(
        row["value_per_case"], "value_per_case", errors, minimum=Decimal("0"), maximum=MAX_UNIT_PRICE
    )
    fee = (decimal_number(row["fee_per_case"], "fee_per_case", errors, minimum=Decimal("0"), maximum=MAX_UNIT_PRICE)
           if row.get("fee_per_case") else Decimal("0"))  # fmt: skip
    rate = decimal_number(row["pounds_per_case"], "pounds_per_case", errors, minimum=Decimal("0.0001"),
                          maximum=MAX_NET_CASE_WEIGHT_LB)  # fmt: skip
    methods = []
    for name in filter(None, (part.strip().lower() for part in row.get("pass_through", "").split(";"))):
        if name not in PASS_THROUGH_NAMES:
            errors.append(("pass_through", f"“{name[:40]}” is not one of {', '.join(PassThrough.values)}"))
        elif PASS_THROUGH_NAMES[name] not in methods:
            methods.append(PASS_THROUGH_NAMES[name])
    for column, number, places in (("net_weight_lb", weight, "0.01"), ("value_per_case", value, "0.01"),
                                   ("fee_per_case", fee, "0.01"), ("pounds_per_case", rate, "0.0001")):  # fmt: skip
        if number is not None and number != number.quantize(Decimal(places)):
            errors.append((column, f"has more decimal places than {places}"))
    if errors:
        raise RowErrors(errors)
    return ScheduleRow(code=row["code"], name=row["name"], case_pack=row["case_pack"], net_weight_lb=weight,
                       value_per_case=value, fee_per_case=fee, pass_through=tuple(methods),
                       material_code=row["material_code"], pounds_per_case=rate)  # fmt: skip


def end_products_import(*, processor: Processor, data: bytes | str, user: User) -> ScheduleReport:
    """Import ``processor``'s schedule (the state's reviewers). Each food must be one the
    processor accepts (by material code); a product's columns must agree on all its rows."""
    if not reviews_processor_state(user, processor):
        raise DomainError("Only the state agency's reviewers load a processor's end-product schedule.")
    parsed = parse_csv(data, required=SCHEDULE_COLUMNS, optional=SCHEDULE_OPTIONAL, parse_row=_parse)
    report = ScheduleReport(errors=list(parsed.errors))
    foods = {f.material_code: f for f in processor.accepted_foods.all()}
    products: dict[str, tuple[int, ScheduleRow]] = {}
    seen: dict[tuple[str, str], int] = {}
    for line, row in parsed.rows:
        if row.material_code not in foods:
            report.errors.append(
                RowError(line, "material_code", f"{row.material_code} is not a food {processor} accepts")
            )
        if (row.code, row.material_code) in seen:
            report.errors.append(
                RowError(line, "material_code", f"already on line {seen[(row.code, row.material_code)]}")
            )
        seen[(row.code, row.material_code)] = line
        first = products.setdefault(row.code, (line, row))
        if _product_values(first[1]) != _product_values(row):
            report.errors.append(
                RowError(line, "code", f"{row.code} is described differently on line {first[0]}")
            )
    if report.errors:
        report.errors.sort(key=lambda e: (e.line, e.column))
        return report
    with transaction.atomic():
        existing = {p.code: p for p in EndProduct.objects.filter(processor=processor, code__in=products)}
        rates = {(r.end_product.code, r.food.material_code): r for r in
                 EndProductFood.objects.filter(end_product__in=existing.values()).select_related("end_product", "food")}  # fmt: skip
        for code, (_, row) in products.items():
            values = _product_values(row)
            product = existing.get(code)
            if product is None:
                existing[code] = EndProduct.objects.create(processor=processor, code=code, **values)
                report.created += 1
            elif any(getattr(product, k) != v for k, v in values.items()):
                EndProduct.objects.filter(pk=product.pk).update(**values)
                report.updated += 1
            else:
                report.unchanged += 1
        for _, row in parsed.rows:
            current = rates.get((row.code, row.material_code))
            if current is None:
                EndProductFood.objects.create(end_product=existing[row.code], food=foods[row.material_code],
                                              pounds_per_case=row.pounds_per_case)  # fmt: skip
            elif current.pounds_per_case != row.pounds_per_case:
                EndProductFood.objects.filter(pk=current.pk).update(pounds_per_case=row.pounds_per_case)
    return report


def _product_values(row: ScheduleRow) -> dict[str, object]:
    return {"name": row.name, "case_pack": row.case_pack, "net_weight_lb": row.net_weight_lb,
            "value_per_case": row.value_per_case, "fee_per_case": row.fee_per_case,
            "pass_through_methods": list(row.pass_through)}  # fmt: skip
