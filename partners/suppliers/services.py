"""Supplier directory services: create and update with the duplicate check, origins from ZIP
centroids, certification expiry, the search index, and merge."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import connection, transaction
from django.db.models import Q
from django.forms.models import model_to_dict

from focus_lab.errors import DomainError
from partners.suppliers import rules
from partners.suppliers.models import (
    Certification,
    CoordinateSource,
    Origin,
    Product,
    ProductionPractice,
    SearchWord,
    Supplier,
    SupplierMerge,
    SupplierPerson,
)

if TYPE_CHECKING:
    from accounts.models import User

#: rapidfuzz ``token_sort_ratio`` on normalised names at or above which two suppliers in the same
#: state are "probably the same" (e.g. "Hanson Family Farm" / "Hansen Family Farms").
SIMILAR_NAME_SCORE = 88


@dataclass(frozen=True)
class DuplicateMatch:
    supplier: Supplier
    reasons: tuple[str, ...]
    score: int = 100


class DuplicateSupplier(DomainError):
    """Raised instead of creating a probable duplicate; ``matches`` are shown with "use this one"."""

    def __init__(self, matches: list[DuplicateMatch]) -> None:
        names = ", ".join(m.supplier.name for m in matches[:3])
        super().__init__(
            f"This supplier may already be in the directory: {names}. Use it, or create a new one anyway."
        )
        self.matches = matches


def set_keys(supplier: Supplier) -> None:
    supplier.name_key = rules.normalise_name(supplier.name)
    supplier.email_key = rules.normalise_email(supplier.email)
    supplier.phone_key = rules.normalise_phone(supplier.phone)


def supplier_duplicates(
    *, collaborative_id: int, name: str, email: str = "", phone: str = "", state: str = "",
    exclude_id: int | None = None,
) -> list[DuplicateMatch]:  # fmt: skip
    """Suppliers of the lab (not merged away) that are probably this one: the same normalised
    name, email or phone anywhere in the lab, or a similar name (rapidfuzz) within the same state
    (mailing or origin). Two queries whatever the directory's size: exact keys through their
    indexes, then the state's names, compared in Python."""
    name_key, email_key, phone_key = (rules.normalise_name(name), rules.normalise_email(email),
                                      rules.normalise_phone(phone))  # fmt: skip
    base = Supplier.objects.filter(collaborative_id=collaborative_id, merged_into__isnull=True)
    if exclude_id:
        base = base.exclude(pk=exclude_id)
    exact = Q(name_key=name_key) if name_key else Q(pk__in=[])
    if email_key:
        exact |= Q(email_key=email_key)
    if phone_key:
        exact |= Q(phone_key=phone_key)
    found: dict[int, DuplicateMatch] = {}
    for supplier in base.filter(exact):
        reasons = tuple(label for label, same in (("same name", supplier.name_key == name_key and name_key),
                                                  ("same email", supplier.email_key == email_key and email_key),
                                                  ("same phone", supplier.phone_key == phone_key and phone_key)) if same)  # fmt: skip
        found[supplier.pk] = DuplicateMatch(supplier, reasons)
    if state and name_key:
        from rapidfuzz import fuzz, process

        in_state = base.filter(Q(state=state) | Q(origins__state=state)).exclude(pk__in=found.keys())
        candidates = dict(in_state.values_list("pk", "name_key").distinct())
        hits = process.extract(name_key, candidates, scorer=fuzz.token_sort_ratio,
                               score_cutoff=SIMILAR_NAME_SCORE, limit=5)  # fmt: skip
        if hits:
            similar = Supplier.objects.in_bulk([pk for _, _, pk in hits])
            for _, score, pk in hits:
                found[pk] = DuplicateMatch(
                    similar[pk], (f"similar name in {state} ({round(score)}%)",), round(score)
                )
    return sorted(found.values(), key=lambda m: (-m.score, m.supplier.name))


SUPPLIER_FIELDS = ("name", "kind", "website", "phone", "email", "street", "city", "state", "postal_code",
                   "description")  # fmt: skip


@transaction.atomic
def supplier_create(
    *, user: User | None, collaborative_id: int, data: dict[str, Any], force: bool = False,
    buying_district_ids: Iterable[int] = (),
) -> Supplier:  # fmt: skip
    """Create a supplier in the lab. Unless ``force``, a probable duplicate raises
    ``DuplicateSupplier`` with the matches, so the caller offers "use this one" instead."""
    if not force:
        matches = supplier_duplicates(collaborative_id=collaborative_id, name=data.get("name", ""),
                                      email=data.get("email", ""), phone=data.get("phone", ""),
                                      state=data.get("state", ""))  # fmt: skip
        if matches:
            raise DuplicateSupplier(matches)
    supplier = Supplier(collaborative_id=collaborative_id, created_by=user,
                        **{k: v for k, v in data.items() if k in SUPPLIER_FIELDS})  # fmt: skip
    set_keys(supplier)
    supplier.full_clean(exclude=["search_vector"])
    supplier.save()
    if buying_district_ids:
        supplier.buying_districts.set(list(buying_district_ids))
    supplier_reindex(supplier_ids=[supplier.pk])
    return supplier


@transaction.atomic
def supplier_update(*, supplier: Supplier, data: dict[str, Any]) -> Supplier:
    for key, value in data.items():
        if key in SUPPLIER_FIELDS:
            setattr(supplier, key, value)
    set_keys(supplier)
    supplier.full_clean(exclude=["search_vector"])
    supplier.save()
    supplier_reindex(supplier_ids=[supplier.pk])
    return supplier


def origin_fill_coordinates(origin: Origin) -> None:
    """Typed coordinates win; both left blank are filled from the ZIP code's centroid, offline
    (the ``zipcodes`` package ships the US ZIP table); otherwise the origin stays unknown. Only
    one of the two typed is an error."""
    if origin.latitude is not None and origin.longitude is not None:
        origin.coordinates_from = CoordinateSource.TYPED
        return
    if (origin.latitude is None) != (origin.longitude is None):
        raise DomainError("Give both latitude and longitude, or neither (the ZIP code's centre is used).",
                          field="latitude")  # fmt: skip
    centroid = zip_centroid(origin.postal_code)
    if centroid is None:
        origin.coordinates_from = CoordinateSource.NONE
        return
    origin.latitude, origin.longitude = centroid
    origin.coordinates_from = CoordinateSource.ZIP
    if not origin.county:
        origin.county = zip_county(origin.postal_code)


@functools.cache
def _zip_table() -> dict[str, dict]:
    """The ``zipcodes`` package's US ZIP table as a dict, built once per process (its own lookup
    scans the whole list, ~60 ms a call)."""
    import zipcodes

    return {row["zip_code"]: row for row in zipcodes.list_all()}


def zip_row(postal_code: str) -> dict | None:
    code = (postal_code or "").strip()[:5]
    if len(code) != 5 or not code.isdigit():
        return None
    return _zip_table().get(code)


def zip_centroid(postal_code: str) -> tuple[Decimal, Decimal] | None:
    row = zip_row(postal_code)
    if row is None or not row.get("lat") or not row.get("long"):
        return None
    q = Decimal("0.000001")
    return Decimal(row["lat"]).quantize(q), Decimal(row["long"]).quantize(q)


def zip_county(postal_code: str) -> str:
    row = zip_row(postal_code)
    return (row or {}).get("county", "") or ""


def certification_fill_expiry(certification: Certification) -> None:
    if certification.expires_on is None:
        certification.expires_on = rules.default_expiry(
            kind=certification.kind, audit_date=certification.audit_date
        )


@transaction.atomic
def child_save(*, obj: Origin | SupplierPerson | Product | ProductionPractice | Certification) -> Any:
    """Save something that hangs off a supplier, applying its rules (ZIP centroid, GAP/GHP expiry)
    and refreshing the supplier's search index."""
    if isinstance(obj, Origin):
        origin_fill_coordinates(obj)
    if isinstance(obj, Certification):
        certification_fill_expiry(obj)
    obj.full_clean()
    obj.save()
    if isinstance(obj, Product | SupplierPerson):
        supplier_reindex(supplier_ids=[obj.supplier_id])
    return obj


SUPPLIER_VECTOR_SQL = """
UPDATE partners_supplier s SET search_vector =
    setweight(to_tsvector('english', coalesce(s.name, '')), 'A')
 || setweight(to_tsvector('english', coalesce((
        SELECT string_agg(p.name || ' ' || p.category || ' ' || p.forms_and_packs, ' ')
        FROM partners_product p WHERE p.supplier_id = s.id), '')), 'B')
 || setweight(to_tsvector('english', coalesce((
        SELECT string_agg(pp.name || ' ' || pp.role, ' ')
        FROM partners_supplierperson pp WHERE pp.supplier_id = s.id), '')), 'B')
 || setweight(to_tsvector('english', replace(s.kind, '_', ' ') || ' ' || s.city || ' ' || s.description), 'C')
WHERE s.id = ANY(%s)
"""


def supplier_reindex(*, supplier_ids: Sequence[int]) -> None:
    """Recompute the full-text vectors of these suppliers (name, products, people, kind, city,
    description) in one statement, and add their words to the lab's misspelling vocabulary."""
    ids = list(supplier_ids)
    if not ids:
        return
    with connection.cursor() as cursor:
        cursor.execute(SUPPLIER_VECTOR_SQL, [ids])
    words: set[tuple[int, str]] = set()
    for lab, name, product, person in (
        Supplier.objects.filter(pk__in=ids)
        .values_list("collaborative_id", "name", "products__name", "people__name")
        .iterator()
    ):
        for text in (name, product, person):
            words.update((lab, w[:60]) for w in rules.search_words(text or ""))
    SearchWord.objects.bulk_create([SearchWord(collaborative_id=lab, word=w, length=len(w)) for lab, w in words],
                                   ignore_conflicts=True, batch_size=2000)  # fmt: skip


MERGE_FILLABLE = ("website", "phone", "email", "street", "city", "state", "postal_code", "description")


@transaction.atomic
def supplier_merge(*, kept: Supplier, merged: Supplier, user: User | None) -> SupplierMerge:
    """Fold ``merged`` into ``kept``: the kept supplier's empty fields are filled from the merged
    one; its origins, people, products, practices, certifications, buying districts and
    interactions move to the kept one (a practice both have keeps the kept one's and records the
    other's in its note, so nothing is lost). The merged supplier stays, marked ``merged_into``,
    with a SupplierMerge row recording what moved and a snapshot of its fields."""
    from partners.contacts.models import InteractionSupplier

    locked = {s.pk: s for s in Supplier.objects.select_for_update().filter(pk__in=[kept.pk, merged.pk])}
    kept, merged = locked[kept.pk], locked[merged.pk]
    if kept.pk == merged.pk:
        raise DomainError("Choose two different suppliers to merge.")
    if kept.collaborative_id != merged.collaborative_id:
        raise DomainError("Only suppliers of the same learning lab can be merged.")
    if kept.merged_into_id or merged.merged_into_id:
        raise DomainError("One of these suppliers was already merged into another.")
    snapshot = model_to_dict(merged, fields=[*SUPPLIER_FIELDS, "buying_districts"])
    snapshot["buying_districts"] = [d.pk for d in snapshot.get("buying_districts", [])]
    filled = []
    for name in MERGE_FILLABLE:
        if not getattr(kept, name) and getattr(merged, name):
            setattr(kept, name, getattr(merged, name))
            filled.append(name)
    moved: dict[str, int] = {}
    for label, model in (("origins", Origin), ("people", SupplierPerson), ("products", Product),
                         ("certifications", Certification)):  # fmt: skip
        moved[label] = model.objects.filter(supplier=merged).update(supplier=kept)
    kept_practices = dict(ProductionPractice.objects.filter(supplier=kept).values_list("practice", "pk"))
    moved["practices"] = 0
    for practice in ProductionPractice.objects.filter(supplier=merged):
        if practice.practice in kept_practices:
            other = ProductionPractice.objects.get(pk=kept_practices[practice.practice])
            extra = f"also from {merged.name}: {practice.get_verification_display()}"
            other.note = "; ".join(p for p in (other.note, practice.note, extra) if p)[:200]
            other.save(update_fields=["note"])
            practice.delete()
        else:
            practice.supplier = kept
            practice.save(update_fields=["supplier"])
        moved["practices"] += 1
    districts = set(merged.buying_districts.values_list("pk", flat=True))
    kept.buying_districts.add(*districts)
    moved["buying_districts"] = len(districts)
    rows = InteractionSupplier.objects.filter(supplier=merged)
    already = set(InteractionSupplier.objects.filter(supplier=kept).values_list("interaction_id", flat=True))
    moved["interactions"] = rows.count()
    rows.filter(interaction_id__in=already).delete()
    rows.update(supplier=kept)
    set_keys(kept)
    kept.save()
    merged.merged_into = kept
    merged.save(update_fields=["merged_into"])
    Supplier.objects.filter(merged_into=merged).update(merged_into=kept)
    supplier_reindex(supplier_ids=[kept.pk, merged.pk])
    return SupplierMerge.objects.create(kept=kept, merged=merged, by=user, moved=moved, filled=filled,
                                        snapshot=snapshot)  # fmt: skip
