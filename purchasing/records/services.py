"""Writes for purchase records: classifying rows by the local definition in force, keeping the
summary tables (set-based SQL), re-classifying after a definition changes (in Celery, with a
progress bar), and the lab's matching decisions (vendor aliases, keyword rules).

Each row's class comes from ``rules.classify`` — the one statement of what local means — applied
to each distinct origin of a district, and written back with one UPDATE per district."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from django.db import connection, transaction
from django.utils import timezone

from districts import access
from districts.models import District, Site
from focus_lab.errors import DomainError
from focus_lab.jobs import services as jobs
from purchasing.records import rules
from purchasing.records.models import AliasStatus, KeywordRule, LocalDefinition, PurchaseRecord, VendorAlias

if TYPE_CHECKING:
    from accounts.models import User

RECLASSIFY_JOB = "purchases_reclassify"
RECLASSIFY_TASK = "purchasing.records.tasks.reclassify_task"
SIMILAR_SCORE = 85  # rapidfuzz token_sort_ratio at or above which a vendor name is suggested
TABLE = PurchaseRecord._meta.db_table


class NotAllowed(DomainError):
    """The user's role does not allow this (a 403, where a plain DomainError is a 400)."""


# --- the definition in force -------------------------------------------------------------------


def to_rules(definition: LocalDefinition | None) -> rules.Definition | None:
    if definition is None:
        return None
    return rules.Definition(
        local=rules.make_area(
            definition.local_radius_miles, definition.local_states, definition.local_counties
        ),
        regional=rules.make_area(
            definition.regional_radius_miles, definition.regional_states, definition.regional_counties
        ),
    )


def definitions_in_force(district_ids: Iterable[int]) -> dict[int, LocalDefinition | None]:
    """Each district's own definition, else its lab's, else none (two queries)."""
    districts = dict(District.objects.filter(pk__in=list(district_ids)).values_list("pk", "collaborative_id"))
    found = list(LocalDefinition.objects.filter(collaborative_id__in=set(districts.values())))
    own = {d.district_id: d for d in found if d.district_id is not None}
    lab = {d.collaborative_id: d for d in found if d.district_id is None}
    return {pk: own.get(pk) or lab.get(lab_id) for pk, lab_id in districts.items()}


def affected_districts(definition: LocalDefinition) -> list[int]:
    """The districts whose rows a definition classifies: its district, or the lab's districts
    without one of their own."""
    if definition.district_id is not None:
        return [definition.district_id]
    own = LocalDefinition.objects.filter(
        collaborative_id=definition.collaborative_id, district__isnull=False
    ).values("district_id")
    return list(
        District.objects.filter(collaborative_id=definition.collaborative_id)
        .exclude(pk__in=own)
        .values_list("pk", flat=True)
    )


class Classifier:
    """Classifies origins for a set of districts, each by its definition and its sites; one answer
    per district and origin, remembered."""

    def __init__(self, district_ids: Iterable[int]) -> None:
        ids = list(district_ids)
        definitions = definitions_in_force(ids)
        self.definitions = {pk: to_rules(d) for pk, d in definitions.items()}
        self.names = {pk: (d.name if d else "") for pk, d in definitions.items()}
        self.sites: dict[int, list[tuple[float, float]]] = {pk: [] for pk in ids}
        for pk, lat, lon in Site.objects.filter(district_id__in=ids).values_list(
            "district_id", "latitude", "longitude"
        ):
            self.sites[pk].append((float(lat), float(lon)))
        self._memo: dict[tuple[int, rules.Origin], str] = {}

    def classify(self, district_id: int, origin: rules.Origin) -> str:
        key = (district_id, origin)
        if key not in self._memo:
            definition = self.definitions.get(district_id)
            self._memo[key] = (
                "unknown"
                if definition is None
                else rules.classify(origin, definition, self.sites[district_id])
            )
        return self._memo[key]


def stored_origin(text: str, state: str, county: str, lat: Any, lon: Any) -> rules.Origin:
    """A row's origin as stored (foreign when it names no state and no point but a country)."""
    point = lat is not None and lon is not None
    foreign = not state and not point and rules.parse_origin(text).foreign
    return rules.Origin(text=text, state=state, county=county, latitude=float(lat) if point else None,
                        longitude=float(lon) if point else None, foreign=foreign)  # fmt: skip


def records_classify(
    *, district_ids: Sequence[int], classifier: Classifier | None = None
) -> dict[int, set[date]]:
    """Set each row's class under its district's definition; answers the months whose rows
    changed, by district. One query for the distinct origins and one UPDATE per district; running
    it again changes nothing."""
    classifier = classifier or Classifier(district_ids)
    changed: dict[int, set[date]] = {}
    origins = (
        PurchaseRecord.objects.filter(district_id__in=district_ids)
        .values_list(
            "district_id",
            "origin_text",
            "origin_state",
            "origin_county",
            "origin_latitude",
            "origin_longitude",
        )  # fmt: skip
        .distinct()
    )
    by_district: dict[int, list[tuple[Any, ...]]] = {}
    for district_id, text, state, county, lat, lon in origins:
        cls = classifier.classify(district_id, stored_origin(text, state, county, lat, lon))
        by_district.setdefault(district_id, []).append((text, state, county, lat, lon, cls))
    for district_id, values in by_district.items():
        placeholders = ", ".join(["(%s, %s, %s, %s::numeric, %s::numeric, %s)"] * len(values))
        sql = f"""
            WITH v(text, state, county, lat, lon, cls) AS (VALUES {placeholders}),
            u AS (
                UPDATE {TABLE} r SET local_class = v.cls FROM v
                WHERE r.district_id = %s AND r.origin_text = v.text AND r.origin_state = v.state
                  AND r.origin_county = v.county AND r.origin_latitude IS NOT DISTINCT FROM v.lat
                  AND r.origin_longitude IS NOT DISTINCT FROM v.lon AND r.local_class <> v.cls
                RETURNING r.invoice_date)
            SELECT DISTINCT date_trunc('month', invoice_date)::date FROM u
        """  # noqa: S608 (the table's name is ours; values are parameters)
        with connection.cursor() as cursor:
            cursor.execute(sql, [p for row in values for p in row] + [district_id])
            months = {row[0] for row in cursor.fetchall()}
        if months:
            changed[district_id] = months
    return changed


# --- summaries ---------------------------------------------------------------------------------

_MONTH = "date_trunc('month', r.invoice_date)::date"


def summaries_refresh(*, district_ids: Iterable[int], months: Iterable[date] | None = None) -> None:
    """Rebuild SpendSummary, ClaimSummary and VendorSummary for these districts (and months; all
    of theirs when ``None``) from the raw rows: DELETE, then INSERT ... SELECT ... GROUP BY, under
    a per-district advisory lock so two refreshes of a district run one after the other. Claims
    are unnested (each claim of a row once); totals come from SpendSummary alone."""
    ids = sorted(set(district_ids))
    if not ids:
        return
    month_list = None if months is None else sorted({m.replace(day=1) for m in months})
    if month_list is not None and not month_list:
        return
    where = "r.district_id = ANY(%s)"
    params: list[Any] = [ids]
    summary_where = "district_id = ANY(%s)"
    if month_list is not None:
        where += f" AND r.invoice_date >= %s AND r.invoice_date < %s::date + interval '1 month' AND {_MONTH} = ANY(%s)"
        params += [month_list[0], month_list[-1], month_list]
        summary_where += " AND month = ANY(%s)"
    summary_params: list[Any] = [ids] + ([month_list] if month_list is not None else [])
    statements = [
        f"""INSERT INTO purchasing_spendsummary
            (district_id, month, category, source, local_class, priority_item_id, spend, pounds, lines)
            SELECT r.district_id, {_MONTH}, r.category, r.source, r.local_class, r.priority_item_id,
                   SUM(r.spend), COALESCE(SUM(r.pounds), 0), COUNT(*)
            FROM {TABLE} r WHERE {where} GROUP BY 1, 2, 3, 4, 5, 6""",  # noqa: S608 (our tables; values are parameters)
        f"""INSERT INTO purchasing_claimsummary
            (district_id, month, claim, source, local_class, spend, pounds, lines)
            SELECT r.district_id, {_MONTH}, c.claim, r.source, r.local_class,
                   SUM(r.spend), COALESCE(SUM(r.pounds), 0), COUNT(*)
            FROM {TABLE} r CROSS JOIN LATERAL (SELECT DISTINCT unnest(r.claims) AS claim) c
            WHERE {where} GROUP BY 1, 2, 3, 4, 5""",  # noqa: S608
        f"""INSERT INTO purchasing_vendorsummary
            (district_id, month, vendor_id, vendor_name, source, local_class, spend, lines)
            SELECT r.district_id, {_MONTH}, MAX(r.vendor_id), r.vendor_name, r.source, r.local_class,
                   SUM(r.spend), COUNT(*)
            FROM {TABLE} r WHERE {where} GROUP BY r.district_id, 2, r.vendor_name, r.source, r.local_class""",  # noqa: S608
    ]
    with transaction.atomic(), connection.cursor() as cursor:
        for district_id in ids:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext('purchase-summaries'), %s)", [district_id])
        for table in ("purchasing_spendsummary", "purchasing_claimsummary", "purchasing_vendorsummary"):
            cursor.execute(f"DELETE FROM {table} WHERE {summary_where}", summary_params)  # noqa: S608
        for sql in statements:
            cursor.execute(sql, params)


def months_of(*, record_ids: Sequence[int]) -> dict[int, set[date]]:
    """The (district, month) pairs some rows fall in."""
    found: dict[int, set[date]] = {}
    rows = (
        PurchaseRecord.objects.filter(pk__in=list(record_ids))
        .values_list("district_id", "invoice_date")
        .distinct()
    )
    for district_id, day in rows:
        found.setdefault(district_id, set()).add(day.replace(day=1))
    return found


def summaries_refresh_touched(touched: dict[int, set[date]]) -> None:
    """Refresh each touched district for its touched months (one statement set for all)."""
    if touched:
        months = set().union(*touched.values())
        summaries_refresh(district_ids=touched.keys(), months=months)


# --- re-classification -------------------------------------------------------------------------


@dataclass
class ReclassifyResult:
    districts: int
    months: int


def reclassify_start(*, definition: LocalDefinition, user: User) -> int:
    """Start re-classifying the rows a definition governs, in Celery; answers the job's id."""
    job = jobs.job_create(
        kind=RECLASSIFY_JOB, user=user, params={"definition": definition.pk, "name": definition.name},
        task=RECLASSIFY_TASK,
    )  # fmt: skip
    return job.pk


def reclassify(*, definition_id: int, job_id: int | None = None) -> ReclassifyResult:
    """Re-classify every row the definition governs, district by district (each in its own
    transaction, with the summaries of the months that changed); idempotent: a second run finds
    nothing to change."""
    definition = LocalDefinition.objects.filter(pk=definition_id).first()
    if definition is None:
        return ReclassifyResult(0, 0)
    district_ids = affected_districts(definition)
    months = 0
    for done, district_id in enumerate(district_ids, start=1):
        with transaction.atomic():
            changed = records_classify(district_ids=[district_id])
            summaries_refresh_touched(changed)
        months += sum(len(m) for m in changed.values())
        if job_id is not None:
            jobs.job_progress(
                job_id, done, len(district_ids), f"Re-classified {done} of {len(district_ids)} districts"
            )
    return ReclassifyResult(len(district_ids), months)


DEFINITION_FIELDS = ("name", "local_radius_miles", "local_states", "local_counties", "regional_radius_miles",
                     "regional_states", "regional_counties")  # fmt: skip


def definition_save(*, definition: LocalDefinition, user: User) -> int | None:
    """Save a definition the user may set (the lab's: its admins; a district's: its managers) and
    start re-classifying the rows it governs; answers the job's id (``None``: nothing changed)."""
    if definition.pk is None:
        if not access.can_create(user, LocalDefinition) or not _may_set(user, definition):
            raise NotAllowed("Your role cannot set this definition of local.")
    elif not access.can_write(user, definition):
        raise NotAllowed("Your role cannot change this definition of local.")
    if (
        definition.district_id is not None
        and definition.district.collaborative_id != definition.collaborative_id
    ):
        raise DomainError("The district is not in this lab.", field="district")
    if (
        definition.local_radius_miles is None
        and not definition.local_states
        and not definition.local_counties
    ):
        raise DomainError("Say what local means: a radius, states or counties.", field="local_radius_miles")
    same = LocalDefinition.objects.filter(
        collaborative_id=definition.collaborative_id, district_id=definition.district_id
    )
    if same.exclude(pk=definition.pk).exists():
        where = "This district" if definition.district_id else "The lab"
        raise DomainError(f"{where} already has a definition of local: change that one.", field="district")
    definition.local_states = sorted(set(definition.local_states))
    definition.regional_states = sorted(set(definition.regional_states))
    if definition.pk is not None:
        stored = LocalDefinition.objects.filter(pk=definition.pk).values(*DEFINITION_FIELDS).first()
        if stored == {name: getattr(definition, name) for name in DEFINITION_FIELDS}:
            return None
    definition.updated_by = user
    with transaction.atomic():
        definition.save()
        return reclassify_start(definition=definition, user=user)


def _may_set(user: User, definition: LocalDefinition) -> bool:
    if user.is_superuser or _administers(user, definition.collaborative_id):
        return True
    return definition.district_id is not None and _manages(user, definition.district_id)


def _manages(user: User, district_id: int) -> bool:
    from accounts.models import Role

    return access.memberships(user, Role.DISTRICT_MANAGER).filter(district_id=district_id).exists()


def _administers(user: User, collaborative_id: int) -> bool:
    from accounts.models import Role

    return (
        access.memberships(user, Role.COLLABORATIVE_ADMIN).filter(collaborative_id=collaborative_id).exists()
    )


# --- the lab's matching decisions --------------------------------------------------------------


def vendor_alias_decide(*, alias: VendorAlias, accept: bool, user: User) -> int:
    """Confirm (or reject) a suggested vendor match; a confirmed one links every row of the lab's
    districts with that vendor name to the supplier (and fills an unknown origin from a farm's one
    origin), re-classifies them and refreshes their summaries. Answers the rows linked."""
    if not access.can_write(user, alias):
        raise NotAllowed("Your role cannot decide this lab's vendor matches.")
    with transaction.atomic():
        alias = VendorAlias.objects.select_for_update().get(pk=alias.pk)
        alias.status = AliasStatus.CONFIRMED if accept else AliasStatus.REJECTED
        alias.decided_by, alias.decided_at = user, timezone.now()
        alias.save(update_fields=["status", "decided_by", "decided_at"])
        rows = PurchaseRecord.objects.filter(
            district__collaborative_id=alias.collaborative_id, vendor_name__iexact=alias.name
        )
        linked = rows.update(vendor_id=alias.supplier_id if accept else None)
        if accept and alias.supplier_id is not None:
            origin = supplier_single_origin(alias.supplier_id)
            if origin is not None:
                rows.filter(origin_state="", origin_latitude__isnull=True).update(
                    origin_text=origin.text, origin_state=origin.state, origin_county=origin.county,
                    origin_latitude=origin.latitude, origin_longitude=origin.longitude,
                )  # fmt: skip
        districts = list(rows.values_list("district_id", flat=True).distinct())
        records_classify(district_ids=districts)
        summaries_refresh(district_ids=districts)
    return linked


def supplier_single_origin(supplier_id: int) -> rules.Origin | None:
    """A farm's (or fishery's) origin when it has exactly one."""
    from partners.suppliers.models import Origin, Supplier

    if not Supplier.objects.filter(pk=supplier_id, kind__in=("farm", "fishery")).exists():
        return None
    origins = list(Origin.objects.filter(supplier_id=supplier_id)[:2])
    if len(origins) != 1:
        return None
    o = origins[0]
    text = ", ".join(p for p in (o.city, o.county and f"{o.county} County", o.state) if p)
    return rules.Origin(text=text, state=o.state, county=o.county,
                        latitude=None if o.latitude is None else float(o.latitude),
                        longitude=None if o.longitude is None else float(o.longitude))  # fmt: skip


def keyword_rule_save(*, rule: KeywordRule, user: User) -> int:
    """Keep a lab's keyword rule (its admins) and apply it to the lab's rows that name no priority
    item; answers how many rows it matched."""
    if not (user.is_superuser or _administers(user, rule.collaborative_id)):
        raise NotAllowed("Only the lab's admins keep its keyword rules.")
    if rule.priority_item.collaborative_id != rule.collaborative_id:
        raise DomainError("The priority item is not this lab's.", field="priority_item")
    rule.keyword = " ".join(rule.keyword.lower().split())
    if not rule.keyword:
        raise DomainError("Say the keyword.", field="keyword")
    rule.created_by = rule.created_by or user
    with transaction.atomic():
        rule.save()
        pattern = r"\m" + _pg_escape(rule.keyword) + r"\M"
        rows = PurchaseRecord.objects.filter(
            district__collaborative_id=rule.collaborative_id, priority_item__isnull=True,
            product_description__iregex=pattern,
        )  # fmt: skip
        districts = list(rows.values_list("district_id", flat=True).distinct())
        matched = rows.update(priority_item_id=rule.priority_item_id)
        summaries_refresh(district_ids=districts)
    return matched


def _pg_escape(text: str) -> str:
    import re

    return re.sub(r"([\\.^$|?*+()\[\]{}])", r"\\\1", text)


def keyword_rule_delete(*, rule: KeywordRule, user: User) -> None:
    """Remove a rule (its lab's admins); the rows it matched keep their priority item."""
    if not (user.is_superuser or _administers(user, rule.collaborative_id)):
        raise NotAllowed("Only the lab's admins keep its keyword rules.")
    rule.delete()
