"""Finding suppliers: full-text search with misspellings caught, filters, and distance.

Search: one PostgreSQL full-text query (``english`` configuration, GIN indexes on the suppliers'
and the notes' vectors). A search word that is not in the lab's vocabulary (``SearchWord``: the
words of its supplier names, products and people) is widened to the vocabulary words rapidfuzz
finds closest to it; the candidates are the vocabulary words of about the same length, one query,
so the cost is bounded by the vocabulary, not by the number of suppliers or notes. Notes match
only where the user may read them.

Distance: haversine on a sphere of radius 3,958.8 miles (``rules.EARTH_RADIUS_MILES``), from each
origin with coordinates to each delivery site of the chosen district; a supplier's distance is the
shortest such pair. Computed in SQL with core functions (no earthdistance extension).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db.models import Exists, F, FloatField, OuterRef, Q, QuerySet
from django.db.models.expressions import RawSQL

from partners import access as partner_access
from partners.suppliers import rules
from partners.suppliers.models import Certification, Origin, Product, ProductionPractice, SearchWord, Supplier

if TYPE_CHECKING:
    from accounts.models import User

FUZZY_SCORE = 75
MAX_VOCABULARY = 50_000
_TOKEN = re.compile(r"[a-z0-9]+")


@dataclass(frozen=True)
class ParsedQuery:
    tsquery: str  # for to_tsquery('english', ...): words joined with & and |, no user syntax
    corrected: dict[str, list[str]]  # typed word -> vocabulary words it was widened to


def parse_query(text: str, *, lab_ids: QuerySet | list[int]) -> ParsedQuery | None:
    """Turn what the user typed into a safe tsquery (only [a-z0-9] words, each a prefix match),
    widening words the vocabulary does not know to their closest vocabulary words."""
    words = rules.search_words(text) or _TOKEN.findall((text or "").lower())
    if not words:
        return None
    lengths = [len(w) for w in words]
    vocabulary = set(
        SearchWord.objects.filter(collaborative_id__in=lab_ids, length__gte=min(lengths) - 2,
                                  length__lte=max(lengths) + 2).values_list("word", flat=True)[:MAX_VOCABULARY]
    )  # fmt: skip
    corrected: dict[str, list[str]] = {}
    groups = []
    for word in words[:8]:
        alternatives = [word]
        if len(word) >= 4 and word not in vocabulary and vocabulary:
            from rapidfuzz import fuzz, process

            near = [w for w in vocabulary if abs(len(w) - len(word)) <= 2]
            hits = process.extract(word, near, scorer=fuzz.ratio, score_cutoff=FUZZY_SCORE, limit=3)
            if hits:
                corrected[word] = [w for w, _, _ in hits]
                alternatives += corrected[word]
        groups.append("(" + " | ".join(f"{w}:*" for w in alternatives) + ")")
    return ParsedQuery(" & ".join(groups), corrected)


def distance_sql(district_id: int) -> RawSQL:
    """The shortest haversine distance in miles between the supplier's origins and the district's
    delivery sites (NULL when no origin has coordinates)."""
    return RawSQL(
        """SELECT min(2 * %s * asin(least(1.0, sqrt(
               power(sin(radians((s.latitude - o.latitude)::float8) / 2), 2)
             + cos(radians(o.latitude::float8)) * cos(radians(s.latitude::float8))
             * power(sin(radians((s.longitude - o.longitude)::float8) / 2), 2)))))
           FROM partners_origin o JOIN districts_site s ON s.district_id = %s AND s.receives_deliveries
           WHERE o.supplier_id = partners_supplier.id AND o.latitude IS NOT NULL AND o.longitude IS NOT NULL""",
        (rules.EARTH_RADIUS_MILES, district_id),
        output_field=FloatField(),
    )


@dataclass
class SupplierSearch:
    q: str = ""
    kind: str = ""
    category: str = ""
    practice: str = ""
    certified_on: date | None = None
    certification_kind: str = ""
    state: str = ""
    near_district_id: int | None = None
    within_miles: Decimal | None = None


def supplier_search(*, user: User, search: SupplierSearch) -> tuple[QuerySet[Supplier], ParsedQuery | None]:
    """The suppliers the user sees matching ``search`` (merged-away ones left out), ordered by
    distance when a district is chosen, else by relevance when there is a search, else by name.
    The caller checks that ``near_district_id`` is a district the user sees."""
    qs = Supplier.objects.for_user(user).filter(merged_into__isnull=True)
    parsed = None
    if search.q.strip():
        parsed = parse_query(search.q, lab_ids=partner_access.lab_ids_for(user))
        if parsed is None:
            return qs.none(), None
        query = SearchQuery(parsed.tsquery, search_type="raw", config="english")
        from partners.contacts.models import InteractionSupplier

        notes = partner_access.visible_interactions(user).filter(search_vector=query)
        in_notes = InteractionSupplier.objects.filter(interaction_id__in=notes.values("id")).values(
            "supplier_id"
        )
        # Two id sets, each found through its GIN index, rather than one OR over every supplier's
        # vector (which PostgreSQL can only answer by testing each row).
        by_text = Supplier.objects.filter(search_vector=query).values("id")
        qs = qs.filter(Q(id__in=by_text) | Q(id__in=in_notes)).annotate(
            rank=SearchRank(F("search_vector"), query)
        )
    if search.kind:
        qs = qs.filter(kind=search.kind)
    if search.category:
        qs = qs.filter(Exists(Product.objects.filter(supplier=OuterRef("pk"), category=search.category)))
    if search.practice:
        qs = qs.filter(
            Exists(ProductionPractice.objects.filter(supplier=OuterRef("pk"), practice=search.practice))
        )
    if search.certified_on:
        valid = Certification.objects.filter(
            supplier=OuterRef("pk"), expires_on__gte=search.certified_on
        ).filter(Q(audit_date__isnull=True) | Q(audit_date__lte=search.certified_on))
        if search.certification_kind:
            valid = valid.filter(kind=search.certification_kind)
        qs = qs.filter(Exists(valid))
    elif search.certification_kind:
        qs = qs.filter(
            Exists(Certification.objects.filter(supplier=OuterRef("pk"), kind=search.certification_kind))
        )
    if search.state:
        qs = qs.filter(
            Q(state=search.state) | Exists(Origin.objects.filter(supplier=OuterRef("pk"), state=search.state))
        )
    if search.near_district_id:
        qs = qs.annotate(distance_miles=distance_sql(search.near_district_id))
        if search.within_miles is not None:
            qs = qs.filter(distance_miles__lte=float(search.within_miles))
        return qs.order_by(F("distance_miles").asc(nulls_last=True), "name", "pk"), parsed
    if parsed is not None:
        return qs.order_by("-rank", "name", "pk"), parsed
    return qs.order_by("name", "pk"), parsed
