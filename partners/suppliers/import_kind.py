"""Suppliers as an import kind of the shared pipeline (focus_lab.imports): a partner's or a lab's
spreadsheet of farms, processors and vendors, one supplier a row with a contact person, a product
and an origin. The pipeline reads, maps, previews and keeps the history; the rules are
``partners.suppliers.imports`` (duplicates, all or nothing).

A row that probably is a supplier already in the directory (same name, email or phone, or a
similar name in the same state) is a problem until the file says what to do with it, in the
"If already listed" column: ``create`` (a new supplier anyway), ``update`` (fill the one match
from the row) or ``skip``. The preview names the matches, so the person decides row by row."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from accounts.models import Role
from districts import access
from focus_lab.errors import DomainError
from focus_lab.imports.kinds import Field, FieldType, ImportKind, Problem, Row, WriteCounts, register
from partners.suppliers.imports import (
    IMPORT_COLUMNS,
    SUPPLIER_COLUMNS,
    RowDecision,
    import_lab_id,
    suppliers_import_check,
    suppliers_import_rows,
)
from partners.suppliers.models import Supplier

if TYPE_CHECKING:
    from accounts.models import User

DECISIONS = ("create", "update", "skip")
IN_USE = "This import cannot be undone: notes or follow-ups now name {count} of its suppliers. Nothing was changed."
LABELS = {
    "name": ("Supplier name", ("supplier", "farm", "farm name", "vendor", "business name", "company")),
    "kind": ("Kind", ("type", "supplier type")),
    "website": ("Website", ("web", "url", "site")),
    "phone": ("Phone", ("telephone", "phone number", "tel")),
    "email": ("Email", ("e-mail", "email address")),
    "street": ("Street", ("address", "mailing address", "street address")),
    "city": ("City", ("town",)),
    "state": ("State", ("st",)),
    "postal_code": ("ZIP", ("zip code", "postal code", "zipcode")),
    "description": ("Description", ("notes", "about")),
    "person_name": ("Contact name", ("contact", "contact person", "person")),
    "person_role": ("Contact role", ("title", "role")),
    "person_email": ("Contact email", ("contact e-mail",)),
    "person_phone": ("Contact phone", ("contact telephone", "cell")),
    "product_name": ("Product", ("product name", "item")),
    "product_category": ("Product category", ("category",)),
    "product_forms_and_packs": ("Forms and packs", ("pack", "packs", "forms")),
    "origin_city": ("Origin city", ("farm city",)),
    "origin_county": ("Origin county", ("county",)),
    "origin_state": ("Origin state", ("farm state", "grown in")),
    "origin_zip": ("Origin ZIP", ("farm zip", "origin zip code")),
}
EXAMPLES = {"name": "Prairie Root Farm", "kind": "farm", "state": "MN", "product_name": "Carrots",
            "product_category": "vegetable", "origin_zip": "55021", "if_duplicate": "update"}  # fmt: skip


class SuppliersKind(ImportKind):
    name = "suppliers"
    label = "Suppliers"
    description = (
        "Farms, processors and vendors for the lab's directory, each with a contact, a product and an origin."
    )
    source_help = "e.g. the partner's farm list, or a food hub's grower roster"
    batch_size = 100_000  # one pass: duplicates are checked across the whole file
    fields = (
        *(
            Field(column, LABELS[column][0], required=column == "name", max_length=2000 if column == "description" else 200,
                  synonyms=LABELS[column][1], example=EXAMPLES.get(column, ""))
            for column in IMPORT_COLUMNS
        ),
        Field("if_duplicate", "If already listed", FieldType.CHOICE, required=False, choices=DECISIONS,
              help="For a row that matches a supplier in the directory: create, update or skip",
              synonyms=("duplicate", "if duplicate", "on duplicate", "action"), example="update"),
    )  # fmt: skip

    def can_import(self, user: User) -> bool:
        # Partner staff and lab admins keep a lab's directory (each belongs to a lab). The roles are
        # memoised for the request, so the navigation's "Imports" entry costs no query here.
        if not user.is_authenticated:
            return False
        return user.is_superuser or bool(
            access.roles_for(user) & {Role.PARTNER_STAFF, Role.COLLABORATIVE_ADMIN}
        )

    def _lab(self, user: User, state: dict[str, Any]) -> int:
        if "lab" not in state:
            state["lab"] = import_lab_id(
                user=None if user.is_superuser else user, collaborative_id=_only_lab(user)
            )
        return state["lab"]

    def check_batch(self, rows: Sequence[Row], *, user: User, state: dict[str, Any]) -> Iterable[Problem]:
        try:
            lab = self._lab(user, state)
        except DomainError as exc:
            yield (rows[0].line if rows else 0), "name", exc.message
            return
        checks = suppliers_import_check(rows=[_as_text(row) for row in rows], collaborative_id=lab)
        for row, check in zip(rows, checks, strict=True):
            for column, message in check.problems.items():
                if column not in row.bad:
                    yield row.line, column, message
            decision = row.values.get("if_duplicate")
            matches = "; ".join(f"{name} (#{pk}, {why})" for pk, name, why in check.matches)
            if check.matches and decision is None:
                yield (
                    row.line,
                    "if_duplicate",
                    f"Probably already listed: {matches}. Say create, update or skip.",
                )
            elif decision == "update" and len(check.matches) != 1:
                why = f"it matches {matches}" if check.matches else "it matches no supplier in the directory"
                yield row.line, "if_duplicate", f"“update” needs exactly one match; {why}."

    def write_batch(self, rows: Sequence[Row], *, user: User, state: dict[str, Any]) -> WriteCounts:
        lab = self._lab(user, state)
        texts = [_as_text(row) for row in rows]
        checks = suppliers_import_check(rows=texts, collaborative_id=lab)
        decisions: dict[int, RowDecision] = {}
        for index, (row, check) in enumerate(zip(rows, checks, strict=True)):
            action = row.values.get("if_duplicate") or "create"
            match = check.matches[0][0] if action == "update" and check.matches else None
            decisions[index] = RowDecision(action, match)
        updated_ids = [d.match_id for d in decisions.values() if d.action == "update" and d.match_id]
        before = {s["pk"]: {c: s[c] for c in SUPPLIER_COLUMNS}
                  for s in Supplier.objects.filter(pk__in=updated_ids).values("pk", *SUPPLIER_COLUMNS)}  # fmt: skip
        result = suppliers_import_rows(rows=texts, decisions=decisions, user=None if user.is_superuser else user,
                                       collaborative_id=lab)  # fmt: skip
        return WriteCounts(created=len(result.created), updated=len(result.updated), unchanged=len(result.skipped),
                           created_ids=list(result.created),
                           previous=[(pk, before[pk]) for pk in result.updated if pk in before])  # fmt: skip

    def undo(self, *, created_ids: list[int], previous: list[tuple[int, dict[str, Any]]], user: User) -> None:
        created = Supplier.objects.filter(pk__in=created_ids)
        used = created.filter(interactions__isnull=False).distinct().count()
        if used:
            raise DomainError(IN_USE.format(count=used))
        created.delete()
        for pk, values in previous:
            Supplier.objects.filter(pk=pk).update(**values)


def _only_lab(user: User) -> int | None:
    """The lab a superuser imports into when the site has exactly one; anyone else: their own."""
    if not user.is_superuser:
        return None
    from districts.models import Collaborative

    labs = list(Collaborative.objects.values_list("pk", flat=True)[:2])
    return labs[0] if len(labs) == 1 else None


def _as_text(row: Row) -> dict[str, str]:
    return {
        column: "" if row.values.get(column) is None else str(row.values[column]) for column in IMPORT_COLUMNS
    }


def register_kinds() -> None:
    register(SuppliersKind())
