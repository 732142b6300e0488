"""Importing suppliers (with a contact person, a product and an origin per row) from rows the
shared import pipeline has read, mapped and previewed. This module neither reads files nor
remembers mappings: the pipeline does that and calls

- ``suppliers_import_check(rows=..., collaborative_id=...)`` for its preview: each row's problems
  and its probable duplicates (same normalised name, email or phone in the lab; a similar name in
  the same state), so the user chooses per row: create, update the match, or skip;
- ``suppliers_import_rows(rows=..., decisions=..., user=..., collaborative_id=...)`` to write:
  nothing is written while any row is bad or any row with a duplicate has no decision.

Rows are dicts keyed by ``IMPORT_COLUMNS`` (missing keys are blank). Row numbers are the
positions in ``rows`` (0-based); the pipeline adds its own offset for display.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from districts.models import US_STATES
from focus_lab.errors import DomainError
from partners.suppliers import rules, services
from partners.suppliers.models import (
    CoordinateSource,
    Origin,
    Product,
    ProductCategory,
    Supplier,
    SupplierKind,
    SupplierPerson,
)

if TYPE_CHECKING:
    from accounts.models import User

SUPPLIER_COLUMNS = ("name", "kind", "website", "phone", "email", "street", "city", "state", "postal_code",
                    "description")  # fmt: skip
PERSON_COLUMNS = ("person_name", "person_role", "person_email", "person_phone")
PRODUCT_COLUMNS = ("product_name", "product_category", "product_forms_and_packs")
ORIGIN_COLUMNS = ("origin_city", "origin_county", "origin_state", "origin_zip")
IMPORT_COLUMNS = SUPPLIER_COLUMNS + PERSON_COLUMNS + PRODUCT_COLUMNS + ORIGIN_COLUMNS
STATES = {code for code, _ in US_STATES}
CATEGORY_BY_TEXT = {
    **{v: v for v, _ in ProductCategory.choices},
    **{label.lower(): v for v, label in ProductCategory.choices},
}
KIND_BY_TEXT = {
    **{v: v for v, _ in SupplierKind.choices},
    **{label.lower(): v for v, label in SupplierKind.choices},
}

Action = Literal["create", "update", "skip"]


@dataclass(frozen=True)
class RowDecision:
    action: Action
    match_id: int | None = None  # the supplier to update (one of the row's matches)


@dataclass
class RowCheck:
    row: int
    problems: dict[str, str] = field(default_factory=dict)  # column -> message
    matches: list[tuple[int, str, str]] = field(default_factory=list)  # (supplier id, name, why)


@dataclass
class ImportResult:
    created: list[int] = field(default_factory=list)
    updated: list[int] = field(default_factory=list)
    skipped: list[int] = field(default_factory=list)  # row numbers


class ImportRowsInvalid(DomainError):
    def __init__(self, checks: list[RowCheck]) -> None:
        bad = [c for c in checks if c.problems]
        super().__init__(
            f"{len(bad):,} row{'s' if len(bad) != 1 else ''} need correcting; nothing was imported."
        )
        self.checks = bad


def _text(row: Mapping[str, object], key: str) -> str:
    value = row.get(key)
    return "" if value is None else str(value).strip()


class _Directory:
    """The lab's suppliers' keys in memory, so checking 10,000 rows costs two queries."""

    def __init__(self, collaborative_id: int) -> None:
        self.by_name: dict[str, list[int]] = defaultdict(list)
        self.by_email: dict[str, list[int]] = defaultdict(list)
        self.by_phone: dict[str, list[int]] = defaultdict(list)
        self.names: dict[int, str] = {}
        self.by_state: dict[str, dict[int, str]] = defaultdict(dict)
        suppliers = Supplier.objects.filter(collaborative_id=collaborative_id, merged_into__isnull=True)
        for pk, name, name_key, email_key, phone_key, state in suppliers.values_list(
            "pk", "name", "name_key", "email_key", "phone_key", "state"
        ):
            self.names[pk] = name
            self.by_name[name_key].append(pk)
            if email_key:
                self.by_email[email_key].append(pk)
            if phone_key:
                self.by_phone[phone_key].append(pk)
            if state:
                self.by_state[state][pk] = name_key
        for pk, state, name_key in Origin.objects.filter(supplier__in=suppliers).values_list(
            "supplier_id", "state", "supplier__name_key"
        ):
            self.by_state[state][pk] = name_key

    def matches(self, *, name: str, email: str, phone: str, states: set[str]) -> list[tuple[int, str, str]]:
        from rapidfuzz import fuzz, process

        name_key, email_key, phone_key = (rules.normalise_name(name), rules.normalise_email(email),
                                          rules.normalise_phone(phone))  # fmt: skip
        found: dict[int, str] = {}
        for pk in self.by_name.get(name_key, []) if name_key else []:
            found.setdefault(pk, "same name")
        for pk in self.by_email.get(email_key, []) if email_key else []:
            found.setdefault(pk, "same email")
        for pk in self.by_phone.get(phone_key, []) if phone_key else []:
            found.setdefault(pk, "same phone")
        for state in states:
            candidates = self.by_state.get(state)
            if not candidates or not name_key:
                continue
            for _, score, pk in process.extract(name_key, candidates, scorer=fuzz.token_sort_ratio,
                                                score_cutoff=services.SIMILAR_NAME_SCORE, limit=3):  # fmt: skip
                found.setdefault(pk, f"similar name in {state} ({round(score)}%)")
        return [(pk, self.names[pk], why) for pk, why in found.items()]


def _check_row(index: int, row: Mapping[str, object]) -> RowCheck:
    check = RowCheck(index)
    if not _text(row, "name"):
        check.problems["name"] = "A supplier needs a name."
    kind = _text(row, "kind").lower()
    if kind and kind not in KIND_BY_TEXT:
        check.problems["kind"] = (
            "Unknown kind: use farm, fishery, processor, distributor, food_hub, manufacturer or coop."
        )
    for column in ("state", "origin_state"):
        value = _text(row, column).upper()
        if value and value not in STATES:
            check.problems[column] = f"“{value}” is not a US state code."
    for column in ("email", "person_email"):
        value = _text(row, column)
        if value:
            try:
                validate_email(value)
            except ValidationError:
                check.problems[column] = f"“{value}” is not an email address."
    category = _text(row, "product_category").lower()
    if category and category not in CATEGORY_BY_TEXT:
        check.problems["product_category"] = (
            "Unknown category: fruit, vegetable, dairy, meat_poultry, grain, seafood, legumes or other."
        )
    if _text(row, "product_category") and not _text(row, "product_name"):
        check.problems["product_name"] = "A product category needs a product name."
    if any(_text(row, c) for c in ORIGIN_COLUMNS) and not (
        _text(row, "origin_state") or _text(row, "origin_zip")
    ):
        check.problems["origin_state"] = "An origin needs a state or a ZIP code."
    for column in IMPORT_COLUMNS:
        if len(_text(row, column)) > 200 and column != "description":
            check.problems[column] = "Longer than 200 characters."
    return check


def suppliers_import_check(*, rows: Sequence[Mapping[str, object]], collaborative_id: int) -> list[RowCheck]:
    """Each row's problems and probable duplicates (in the lab, and earlier rows of the file with
    the same normalised name in the same state)."""
    directory = _Directory(collaborative_id)
    seen: dict[tuple[str, str], int] = {}
    checks = []
    for index, row in enumerate(rows):
        check = _check_row(index, row)
        states = {s for s in (_text(row, "state").upper(), _origin_state(row)) if s}
        check.matches = directory.matches(name=_text(row, "name"), email=_text(row, "email"),
                                          phone=_text(row, "phone"), states=states)  # fmt: skip
        key = (rules.normalise_name(_text(row, "name")), _text(row, "state").upper())
        if key[0] and key in seen:
            check.problems["name"] = f"The same supplier as row {seen[key] + 1:,} of this file."
        seen.setdefault(key, index)
        checks.append(check)
    return checks


def _origin_state(row: Mapping[str, object]) -> str:
    state = _text(row, "origin_state").upper()
    if not state and _text(row, "origin_zip"):
        zip_row = services.zip_row(_text(row, "origin_zip"))
        state = (zip_row or {}).get("state", "")
    return state


def _supplier_data(row: Mapping[str, object]) -> dict[str, str]:
    data = {column: _text(row, column) for column in SUPPLIER_COLUMNS}
    data["state"] = data["state"].upper()
    data["kind"] = KIND_BY_TEXT.get(data["kind"].lower(), SupplierKind.FARM)
    if data["website"] and "://" not in data["website"]:
        data["website"] = "https://" + data["website"]
    return data


@transaction.atomic
def suppliers_import_rows(
    *, rows: Sequence[Mapping[str, object]], decisions: Mapping[int, RowDecision], user: User | None,
    collaborative_id: int,
) -> ImportResult:  # fmt: skip
    """Write the rows as decided. A row without duplicates is created unless its decision says
    skip; a row with duplicates needs a decision (create anyway, update one of its matches, skip).
    "Update" fills the match's fields from the row's non-blank values and adds the row's person,
    product and origin when the match has none of that name. All or nothing."""
    checks = suppliers_import_check(rows=rows, collaborative_id=collaborative_id)
    for check in checks:
        decision = decisions.get(check.row)
        if check.matches and decision is None:
            check.problems["name"] = "Probably already in the directory: choose create, update or skip."
        elif (
            decision
            and decision.action == "update"
            and decision.match_id not in {m[0] for m in check.matches}
        ):
            check.problems["name"] = "Update one of this row's matches."
    if any(c.problems for c in checks):
        raise ImportRowsInvalid(checks)
    result = ImportResult()
    new: list[tuple[int, Supplier]] = []
    for check in checks:
        decision = decisions.get(check.row) or RowDecision("create")
        row = rows[check.row]
        if decision.action == "skip":
            result.skipped.append(check.row)
        elif decision.action == "update":
            supplier = Supplier.objects.select_for_update().get(pk=decision.match_id)
            for key, value in _supplier_data(row).items():
                if value and (key != "kind" or _text(row, "kind")):
                    setattr(supplier, key, value)
            services.set_keys(supplier)
            supplier.save()
            _add_children(supplier.pk, row)
            result.updated.append(supplier.pk)
        else:
            supplier = Supplier(collaborative_id=collaborative_id, created_by=user, **_supplier_data(row))
            services.set_keys(supplier)
            new.append((check.row, supplier))
    Supplier.objects.bulk_create([s for _, s in new], batch_size=1000)
    people, products, origins = [], [], []
    for index, supplier in new:
        person, product, origin = _children(supplier.pk, rows[index])
        people += [person] if person else []
        products += [product] if product else []
        origins += [origin] if origin else []
        result.created.append(supplier.pk)
    SupplierPerson.objects.bulk_create(people, batch_size=1000)
    Product.objects.bulk_create(products, batch_size=1000)
    Origin.objects.bulk_create(origins, batch_size=1000)
    services.supplier_reindex(supplier_ids=result.created + result.updated)
    return result


def _children(
    supplier_id: int, row: Mapping[str, object]
) -> tuple[SupplierPerson | None, Product | None, Origin | None]:
    person = product = origin = None
    if _text(row, "person_name"):
        person = SupplierPerson(supplier_id=supplier_id, name=_text(row, "person_name"), role=_text(row, "person_role"),
                                email=_text(row, "person_email"), phone=_text(row, "person_phone"))  # fmt: skip
    if _text(row, "product_name"):
        category = CATEGORY_BY_TEXT.get(_text(row, "product_category").lower(), ProductCategory.OTHER)
        product = Product(supplier_id=supplier_id, name=_text(row, "product_name"), category=category,
                          forms_and_packs=_text(row, "product_forms_and_packs"))  # fmt: skip
    if _text(row, "origin_state") or _text(row, "origin_zip"):
        origin = Origin(supplier_id=supplier_id, city=_text(row, "origin_city"), county=_text(row, "origin_county"),
                        state=_origin_state(row), postal_code=_text(row, "origin_zip"),
                        coordinates_from=CoordinateSource.NONE)  # fmt: skip
        services.origin_fill_coordinates(origin)
    return person, product, origin


def _add_children(supplier_id: int, row: Mapping[str, object]) -> None:
    person, product, origin = _children(supplier_id, row)
    if (
        person
        and not SupplierPerson.objects.filter(supplier_id=supplier_id, name__iexact=person.name).exists()
    ):
        person.save()
    if product and not Product.objects.filter(supplier_id=supplier_id, name__iexact=product.name).exists():
        product.save()
    if origin and not Origin.objects.filter(supplier_id=supplier_id, state=origin.state,
                                            postal_code=origin.postal_code, city=origin.city).exists():  # fmt: skip
        origin.save()
