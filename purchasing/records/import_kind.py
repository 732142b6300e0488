"""Purchases as an import kind of the shared pipeline (focus_lab.imports): the CSV or XLSX a
distributor or vendor sends, one purchase line a row. The pipeline reads, maps (remembered per
source: name the vendor as the source), previews every bad cell and keeps the history; this kind
resolves districts, sites, vendors and priority items, refuses a period already imported for the
same vendor unless the person says to replace it, and writes with PostgreSQL COPY.

Vendors are matched to the directory by exact name, by a confirmed alias, or suggested when
similar (rapidfuzz): a suggestion is linked only once someone confirms it on the vendor-matches
page. Product descriptions are matched to priority items by the lab's keyword rules."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from django.db import connection
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format

from accounts.models import Role
from districts import access
from districts.models import District, Site
from focus_lab.imports.kinds import Field, FieldType, ImportKind, Option, Problem, Row, WriteCounts, register
from purchasing.records import rules, services
from purchasing.records.access import districts_q
from purchasing.records.models import AliasStatus, KeywordRule, PurchaseRecord, VendorAlias

if TYPE_CHECKING:
    from accounts.models import User

REPLACE = "replace_overlap"
RESOLVED = "__resolved"  # the row's lookups, kept on the row from the check to the write of a batch
# The words of a file repeat: each is read once a process.
unit_code = lru_cache(maxsize=1024)(rules.unit_code)
claim_codes = lru_cache(maxsize=4096)(rules.claim_codes)
parse_origin = lru_cache(maxsize=8192)(rules.parse_origin)
CODES = {
    "category": lru_cache(maxsize=1024)(rules.category_code),
    "source": lru_cache(maxsize=1024)(rules.source_code),
}
COLUMNS = ("id", "district_id", "site_id", "invoice_date", "vendor_id", "vendor_name", "product_description",
           "category", "priority_item_id", "quantity", "unit", "case_weight_lb", "pounds", "spend", "origin_text",
           "origin_state", "origin_county", "origin_latitude", "origin_longitude", "source", "claims",
           "local_class", "import_run_id", "created_at")  # fmt: skip
# COPY's types, column by column (an origin's point is a float: rules.Origin)
COLUMN_TYPES = ("int8", "int8", "int8", "date", "int8", "text", "text", "text", "int8", "numeric", "text", "numeric",
                "numeric", "numeric", "text", "text", "text", "float8", "float8", "text", "text[]", "text", "int8",
                "timestamptz")  # fmt: skip
KEPT = [c for c in COLUMNS if c != "id"]
# the cells a row's lookups depend on, but the priority item found from the description
MEMO_FIELDS = ("district", "site", "unit", "category", "source", "claims", "priority_item")
MEMO_SIZE = 5000  # distinct combinations kept a pass, at most: memory stays flat
WRITERS = {Role.DISTRICT_MANAGER, Role.PARTNER_STAFF, Role.COLLABORATIVE_ADMIN}
OVERLAP = (
    "{vendor}: {count:,} row(s) already imported for {district} from {first} to {last}"
    " overlap this file's {lo} to {hi}. Tick “Replace the overlapping rows” to replace"
    " them, or leave those dates out of the file."
)

F = FieldType
FIELDS = (
    Field("district", "District", synonyms=("sfa", "school district", "customer", "district name", "agency code"),
          max_length=200, example="Lakeside Public Schools", help="The district's name or agency code"),
    Field("site", "Site", required=False, synonyms=("school", "ship to", "ship-to", "delivery site", "location"),
          max_length=200, example="", help="A site of the district, by name"),
    Field("invoice_date", "Invoice date", F.DATE, synonyms=("date", "invoice dt", "ship date", "delivery date"),
          example="2026-09-15"),
    Field("vendor", "Vendor", synonyms=("supplier", "distributor", "vendor name", "farm"), max_length=200,
          example="Prairie Root Farm"),
    Field("product_description", "Product description",
          synonyms=("description", "item description", "product", "item", "product name"), max_length=300,
          example="Carrots, whole, 25 lb"),
    Field("category", "Category", required=False, synonyms=("product category", "food category", "class"),
          max_length=60, example="vegetable", help="fruit, vegetable, dairy, meat, grain, seafood, legumes, other"),
    Field("priority_item", "Priority item", required=False, synonyms=("lab item",), max_length=200,
          help="The lab's priority item, by name (else found by the lab's keyword rules)"),
    Field("quantity", "Quantity", F.DECIMAL, minimum=Decimal(0), synonyms=("qty", "quantity shipped", "qty shipped"),
          example="12"),
    Field("unit", "Unit", synonyms=("uom", "unit of measure", "pack unit"), max_length=20, example="case",
          help="lb, case, each, gallon or dozen"),
    Field("case_weight", "Case weight (lb)", F.DECIMAL, required=False, minimum=Decimal(0),
          synonyms=("case weight", "pack weight", "net weight", "weight per case", "unit weight"), example="25",
          help="Pounds in one case (or in one each, gallon or dozen)"),
    Field("spend", "Spend", F.MONEY, synonyms=("amount", "extended price", "ext price", "total", "cost", "dollars"),
          example="$187.50"),
    Field("origin", "Origin", required=False, max_length=200,
          synonyms=("country of origin", "grown in", "state of origin", "origin state", "coo"), example="MN",
          help='Where it was grown, raised or caught: "MN", "Hennepin County, MN", "Mexico" or "unknown"'),
    Field("source", "Source", required=False, max_length=40, synonyms=("program", "purchase type"),
          example="commercial", help="commercial, USDA Foods, DoD Fresh, local direct or school garden"),
    Field("claims", "Production claims", required=False, max_length=300, synonyms=("claims", "attributes"),
          example="organic", help='e.g. "organic; no antibiotics ever"'),
)  # fmt: skip


class PurchasesKind(ImportKind):
    name = "purchases"
    label = "Purchase records"
    description = (
        "A distributor's or vendor's report of what the district bought: one purchase line a row, with its "
        "date, product, quantity, spend and origin."
    )
    source_help = "The vendor whose report this is, e.g. Sysco Minnesota"
    batch_size = 5000
    fields = FIELDS
    options = (
        Option(REPLACE, "Replace the overlapping rows",
               "When rows from this vendor are already imported for the same district and dates, delete them "
               "and keep this file's instead."),
    )  # fmt: skip

    def can_import(self, user: User) -> bool:
        if not user.is_authenticated:
            return False
        return user.is_superuser or bool(access.roles_for(user) & WRITERS)

    # -- resolution, shared by both passes -----------------------------------------------------

    def _lookups(self, user: User, state: dict[str, Any]) -> dict[str, Any]:
        if "districts" in state:
            return state
        readable = District.objects.all() if user.is_superuser else access.scope(District.objects.all(), user)
        writable = (
            set(District.objects.values_list("pk", flat=True)) if user.is_superuser
            else set(District.objects.filter(districts_q(user, write=True)).values_list("pk", flat=True))
        )  # fmt: skip
        names: dict[str, tuple[int, int | None, str]] = {}
        for pk, name, code, lab in readable.values_list("pk", "name", "agency_code", "collaborative_id"):
            names[name.strip().lower()] = (pk, lab, name)
            names.setdefault(code.strip().lower(), (pk, lab, name))
        state.update(districts=names, writable=writable, sites={}, labs={}, periods={}, vendors={})
        return state

    def _sites(self, state: dict[str, Any], district_id: int) -> dict[tuple[int, str], int]:
        sites: dict[tuple[int, str], int] = state["sites"]
        loaded: set[int] = state.setdefault("sites_loaded", set())
        if district_id not in loaded:
            for pk, name in Site.objects.filter(district_id=district_id).values_list("pk", "name"):
                sites[(district_id, name.strip().lower())] = pk
            loaded.add(district_id)
        return sites

    def _lab(self, state: dict[str, Any], lab_id: int | None) -> dict[str, Any]:
        labs: dict[int | None, dict[str, Any]] = state["labs"]
        if lab_id not in labs:
            from partners.suppliers.models import Supplier
            from purchasing.priority_items.models import PriorityItem

            rules_ = dict(
                KeywordRule.objects.filter(collaborative_id=lab_id).values_list("keyword", "priority_item_id")
            )
            suppliers = list(Supplier.objects.filter(collaborative_id=lab_id).values_list("pk", "name"))
            aliases = {
                a.name: a for a in VendorAlias.objects.filter(collaborative_id=lab_id)
            }  # fmt: skip
            labs[lab_id] = {
                "items": {n.strip().lower(): pk for pk, n in
                          PriorityItem.objects.filter(collaborative_id=lab_id).values_list("pk", "name")},
                "keywords": {k.lower(): v for k, v in rules_.items()},
                "pattern": rules.keyword_pattern(list(rules_)),
                "suppliers": suppliers,
                "exact": {n.strip().lower(): pk for pk, n in suppliers},
                "aliases": aliases,
                "origins": {},
            }  # fmt: skip
        return labs[lab_id]

    def _vendor(
        self, state: dict[str, Any], lab_id: int | None, name: str
    ) -> tuple[int | None, int | None, int]:
        """(supplier linked now, supplier suggested, score) for a vendor name in a lab."""
        key = (lab_id, name.strip().lower())
        cache: dict[Any, tuple[int | None, int | None, int]] = state["vendors"]
        if key in cache:
            return cache[key]
        lab = self._lab(state, lab_id)
        lowered = key[1]
        alias = lab["aliases"].get(lowered)
        if alias is not None:
            linked = alias.supplier_id if alias.status == AliasStatus.CONFIRMED else None
            answer = (linked, None, alias.score)
        elif lowered in lab["exact"]:
            answer = (lab["exact"][lowered], None, 100)
        else:
            answer = (None, None, 0)
            if lab["suppliers"]:
                from rapidfuzz import fuzz, process

                best = process.extractOne(lowered, {pk: n.lower() for pk, n in lab["suppliers"]},
                                          scorer=fuzz.token_sort_ratio, score_cutoff=services.SIMILAR_SCORE)  # fmt: skip
                if best is not None:
                    answer = (None, best[2], round(best[1]))
        cache[key] = answer
        return answer

    def _origin(
        self, state: dict[str, Any], lab_id: int | None, supplier_id: int | None, text: str
    ) -> rules.Origin:
        parsed = parse_origin(text or "")
        if parsed.known or supplier_id is None:
            return parsed
        origins = self._lab(state, lab_id)["origins"]
        if supplier_id not in origins:
            origins[supplier_id] = services.supplier_single_origin(supplier_id)
        return origins[supplier_id] or parsed

    def _resolve(self, row: Row, user: User, state: dict[str, Any]) -> tuple[dict[str, Any], list[Problem]]:
        """The row's lookups and its problems. A file repeats the same district, site, unit,
        category, source and claims line after line: a good row's lookups are kept for the pass
        (``state`` is fresh each pass) and only the priority item, found from the description,
        is looked up again."""
        if row.bad:
            return self._resolve_row(row, state)
        values = row.values
        key = tuple(values.get(name) for name in MEMO_FIELDS)
        memo: dict[tuple[Any, ...], dict[str, Any]] = state.setdefault("resolved_memo", {})
        kept = memo.get(key)
        if kept is None:
            out, problems = self._resolve_row(row, state)
            if not problems and len(memo) < MEMO_SIZE:
                memo[key] = out
            return dict(out), problems
        out = dict(kept)
        if not values.get("priority_item"):  # a good row has its district, so its lab
            lab = self._lab(state, out["lab_id"])
            match = (
                lab["pattern"].search(values["product_description"]) if lab["pattern"] is not None else None
            )
            out["priority_item_id"] = lab["keywords"][match[1].lower()] if match else None
        return out, []

    def _resolve_row(self, row: Row, state: dict[str, Any]) -> tuple[dict[str, Any], list[Problem]]:
        values, problems, out = row.values, [], {}
        line = row.line

        def bad(field: str, message: str) -> None:
            problems.append((line, field, message))

        district = None
        if "district" not in row.bad:
            found = state["districts"].get(values["district"].lower())
            if found is None:
                bad("district", f"“{values['district']}” is no district you can see (name or agency code).")
            elif found[0] not in state["writable"]:
                bad("district", f"You may not import purchases for {found[2]}.")
            else:
                district = found
        if district is not None:
            out.update(district_id=district[0], lab_id=district[1])
            if values.get("site"):
                site = self._sites(state, district[0]).get((district[0], values["site"].lower()))
                if site is None:
                    bad("site", f"{district[2]} has no site named “{values['site']}”.")
                out["site_id"] = site
            else:
                out["site_id"] = None
        if "unit" not in row.bad:
            unit = unit_code(values["unit"])
            if unit is None:
                bad("unit", f"“{values['unit']}” is not a unit we know: lb, case, each, gallon or dozen.")
            out["unit"] = unit
        for field, parse in CODES.items():
            if field not in row.bad:
                code = parse(values.get(field) or "")
                if code is None:
                    bad(field, f"“{values[field]}” is not a {field} we know: {FIELDS_BY_NAME[field].help}.")
                out[field] = code
        if "claims" not in row.bad:
            claims, unknown = claim_codes(values.get("claims") or "")
            if unknown:
                bad("claims", f"Not production claims we know: {', '.join(unknown)}.")
            out["claims"] = claims
        if district is not None and "priority_item" not in row.bad:
            lab = self._lab(state, district[1])
            item = None
            if values.get("priority_item"):
                item = lab["items"].get(values["priority_item"].lower())
                if item is None:
                    bad("priority_item", f"The lab has no priority item named “{values['priority_item']}”.")
            elif lab["pattern"] is not None and "product_description" not in row.bad:
                match = lab["pattern"].search(values["product_description"])
                item = lab["keywords"][match[1].lower()] if match else None
            out["priority_item_id"] = item
        return out, problems

    # -- the pipeline's calls ------------------------------------------------------------------

    def check_batch(self, rows: Sequence[Row], *, user: User, state: dict[str, Any]) -> Iterable[Problem]:
        self._lookups(user, state)
        periods: dict[tuple[int, str], list[Any]] = state["periods"]
        for row in rows:
            out, problems = self._resolve(row, user, state)
            row.values[RESOLVED] = out
            yield from problems
            day, vendor = row.values.get("invoice_date"), row.values.get("vendor")
            if "district_id" in out and day is not None and vendor:
                key = (out["district_id"], vendor.strip().lower())
                period = periods.get(key)
                if period is None:
                    periods[key] = [row.line, day, day, vendor]
                else:
                    period[1], period[2] = min(period[1], day), max(period[2], day)

    def check_end(self, *, user: User, state: dict[str, Any]) -> Iterable[Problem]:
        if state.get("options", {}).get(REPLACE) or not state.get("periods"):
            return
        for (district_id, _), (line, lo, hi, vendor), count, first, last in overlaps(
            state["periods"], run_id=state.get("run_id")
        ):
            district = District.objects.filter(pk=district_id).values_list("name", flat=True).first()
            days = {
                name: date_format(day)
                for name, day in (("first", first), ("last", last), ("lo", lo), ("hi", hi))
            }
            yield line, "vendor", OVERLAP.format(vendor=vendor, count=count, district=district, **days)

    def write_batch(self, rows: Sequence[Row], *, user: User, state: dict[str, Any]) -> WriteCounts:
        self._lookups(user, state)
        periods: dict[tuple[int, str], list[Any]] = state["periods"]
        touched: dict[int, set[date]] = state.setdefault("touched", {})
        suggestions: dict[tuple[int | None, str], tuple[int, int]] = state.setdefault("suggestions", {})
        district_ids = {found[0] for found in state["districts"].values()}
        classifier = state.get("classifier")
        if classifier is None:
            classifier = state["classifier"] = services.Classifier(district_ids & state["writable"])
        now = timezone.now()
        records: list[tuple[Any, ...]] = []
        for row in rows:
            v = row.values
            out = v.get(RESOLVED) or self._resolve(row, user, state)[0]
            lab_id, district_id = out["lab_id"], out["district_id"]
            linked, suggested, score = self._vendor(state, lab_id, v["vendor"])
            if suggested is not None:
                suggestions[(lab_id, v["vendor"].strip().lower())] = (suggested, score)
            origin = self._origin(state, lab_id, linked, v.get("origin") or "")
            pounds = rules.pounds_of(v["quantity"], out["unit"], v.get("case_weight"))
            records.append((
                district_id, out["site_id"], v["invoice_date"], linked, v["vendor"], v["product_description"],
                out["category"], out["priority_item_id"], v["quantity"], out["unit"], v.get("case_weight"), pounds,
                v["spend"], origin.text, origin.state, origin.county, origin.latitude, origin.longitude,
                out["source"], out["claims"], classifier.classify(district_id, origin), state["run_id"], now,
            ))  # fmt: skip
            touched.setdefault(district_id, set()).add(v["invoice_date"].replace(day=1))
            key = (district_id, v["vendor"].strip().lower())
            period = periods.setdefault(key, [row.line, v["invoice_date"], v["invoice_date"], v["vendor"]])
            period[1], period[2] = min(period[1], v["invoice_date"]), max(period[2], v["invoice_date"])
        ids = copy_records(records)
        return WriteCounts(created=len(ids), created_ids=ids)

    def after_write(self, *, user: User, state: dict[str, Any]) -> WriteCounts | None:
        suggestions = state.get("suggestions", {})
        if suggestions:
            VendorAlias.objects.bulk_create(
                [VendorAlias(collaborative_id=lab, name=name, supplier_id=supplier, score=score)
                 for (lab, name), (supplier, score) in suggestions.items() if lab is not None],
                ignore_conflicts=True,
            )  # fmt: skip
        touched: dict[int, set[date]] = state.get("touched", {})
        previous: list[tuple[int, dict[str, Any]]] = []
        if state.get("options", {}).get(REPLACE) and state.get("periods"):
            replaced = replaced_rows(state["periods"], run_id=state["run_id"])
            for pk, values in replaced:
                touched.setdefault(values["district_id"], set()).add(values["invoice_date"].replace(day=1))
                previous.append((pk, _json_safe(values)))
            PurchaseRecord.objects.filter(pk__in=[pk for pk, _ in replaced]).delete()
        services.summaries_refresh_touched(touched)
        return WriteCounts(updated=len(previous), previous=previous) if previous else None

    def undo(self, *, created_ids: list[int], previous: list[tuple[int, dict[str, Any]]], user: User) -> None:
        touched = services.months_of(record_ids=created_ids)
        PurchaseRecord.objects.filter(pk__in=created_ids).delete()
        restored = [_from_json(pk, values) for pk, values in previous]
        PurchaseRecord.objects.bulk_create(restored, ignore_conflicts=True)
        for record in restored:
            touched.setdefault(record.district_id, set()).add(record.invoice_date.replace(day=1))
        services.summaries_refresh_touched(touched)


FIELDS_BY_NAME = {f.name: f for f in FIELDS}


def overlaps(periods: dict[tuple[int, str], list[Any]], *, run_id: int | None) -> list[tuple[Any, ...]]:
    """For each (district, vendor) period of the file, the rows already imported from that vendor
    for that district within it (by other imports): count, first and last date. One query."""
    keys = list(periods)
    values = ", ".join(["(%s::bigint, %s, %s::date, %s::date)"] * len(keys))
    sql = f"""
        WITH v(district_id, vendor, lo, hi) AS (VALUES {values})
        SELECT v.district_id, v.vendor, COUNT(*), MIN(r.invoice_date), MAX(r.invoice_date)
        FROM {services.TABLE} r JOIN v ON r.district_id = v.district_id AND lower(r.vendor_name) = v.vendor
             AND r.invoice_date BETWEEN v.lo AND v.hi
        WHERE r.import_run_id IS DISTINCT FROM %s
        GROUP BY v.district_id, v.vendor ORDER BY v.district_id, v.vendor
    """  # noqa: S608
    params = [p for key in keys for p in (key[0], key[1], periods[key][1], periods[key][2])] + [run_id]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        found = cursor.fetchall()
    return [
        ((d, vendor), periods[(d, vendor)], count, first, last) for d, vendor, count, first, last in found
    ]


def replaced_rows(
    periods: dict[tuple[int, str], list[Any]], *, run_id: int
) -> list[tuple[int, dict[str, Any]]]:
    """The rows a replacing import deletes, with their values (kept for undo)."""
    condition = Q(pk__in=[])
    for (district_id, vendor), (_, lo, hi, _name) in periods.items():
        condition |= Q(district_id=district_id, vendor_name__iexact=vendor, invoice_date__range=(lo, hi))
    rows = PurchaseRecord.objects.filter(condition).exclude(import_run_id=run_id).values("pk", *KEPT)
    return [(row.pop("pk"), row) for row in rows]


def copy_records(records: list[tuple[Any, ...]]) -> list[int]:
    """Insert rows with PostgreSQL COPY (ids drawn from the table's sequence first, for undo)."""
    if not records:
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [services.TABLE, len(records)],
        )
        ids = [pk for (pk,) in cursor.fetchall()]
        raw = cursor.cursor
        with raw.copy(f"COPY {services.TABLE} ({', '.join(COLUMNS)}) FROM STDIN") as copy:
            copy.set_types(COLUMN_TYPES)  # each value dumped by its column's type, not looked up per row
            for pk, record in zip(ids, records, strict=True):
                copy.write_row((pk, *record))
    return ids


def _json_safe(values: dict[str, Any]) -> dict[str, Any]:
    return {k: (v.isoformat() if hasattr(v, "isoformat") else str(v) if isinstance(v, Decimal) else v)
            for k, v in values.items()}  # fmt: skip


def _from_json(pk: int, values: dict[str, Any]) -> PurchaseRecord:
    record = PurchaseRecord(pk=pk)
    for name, value in values.items():
        field = PurchaseRecord._meta.get_field(name.removesuffix("_id") if name.endswith("_id") else name)
        setattr(record, name, value if name.endswith("_id") or value is None else field.to_python(value))
    return record


def register_kinds() -> None:
    register(PurchasesKind())
