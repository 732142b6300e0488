"""Candidate suppliers for a priority item, as pure rules: which suppliers of the directory match
the adopted specification (a product in the item's category with its words, every required
practice, every required certification valid today, an origin within the distance), ranked.

No Django: the selector loads the directory into these dataclasses."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

EARTH_RADIUS_MILES = 3958.8
VERIFIED = frozenset({"pvp", "third_party"})  # a supplier's word alone is a claim, not a verification
ONE_YEAR_KINDS = frozenset({"gap", "ghp", "harmonized_gap", "group_gap"})


@dataclass(frozen=True)
class Product:
    name: str
    category: str
    forms_and_packs: str = ""


@dataclass(frozen=True)
class Cert:
    kind: str
    audit_date: date | None
    expires_on: date | None

    def valid_until(self) -> date | None:
        """The stated expiry; for USDA GAP/GHP without one, a year from the audit."""
        if self.expires_on is not None or self.audit_date is None or self.kind not in ONE_YEAR_KINDS:
            return self.expires_on
        try:
            return self.audit_date.replace(year=self.audit_date.year + 1)
        except ValueError:  # 29 February
            return self.audit_date.replace(year=self.audit_date.year + 1, day=28)


@dataclass(frozen=True)
class SupplierFacts:
    id: int
    name: str
    products: Sequence[Product]
    practices: dict[str, str]  # practice -> verification
    certifications: Sequence[Cert]
    origins: Sequence[tuple[float, float]]  # where the food is grown or raised (with coordinates)


@dataclass(frozen=True)
class Criteria:
    category: str = ""
    keywords: tuple[str, ...] = ()
    practices: tuple[str, ...] = ()
    certifications: tuple[str, ...] = ()
    max_miles: float | None = None
    delivery_points: tuple[tuple[float, float], ...] = ()


@dataclass
class Candidate:
    supplier: SupplierFacts
    products: list[str]
    miles: float | None
    unverified: list[str] = field(default_factory=list)  # required practices on the supplier's word only
    valid_until: dict[str, date] = field(default_factory=dict)

    @property
    def rank_key(self) -> tuple[int, float, str]:
        return (len(self.unverified), self.miles if self.miles is not None else math.inf, self.supplier.name)


def miles_between(a: tuple[float, float], b: tuple[float, float]) -> float:
    (lat1, lon1), (lat2, lon2) = a, b
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_MILES * math.asin(min(1.0, math.sqrt(h)))


def nearest_miles(
    origins: Sequence[tuple[float, float]], points: Sequence[tuple[float, float]]
) -> float | None:
    """From the supplier's nearest origin to the nearest delivery point; None when either is unknown."""
    if not origins or not points:
        return None
    return min(miles_between(o, p) for o in origins for p in points)


def keywords(text: str) -> tuple[str, ...]:
    return tuple(w.strip().lower() for w in text.split(",") if w.strip())


def _product_matches(product: Product, criteria: Criteria) -> bool:
    if criteria.category and product.category != criteria.category:
        return False
    text = f"{product.name} {product.forms_and_packs}".lower()
    return not criteria.keywords or any(word in text for word in criteria.keywords)


def match(supplier: SupplierFacts, criteria: Criteria, *, today: date) -> Candidate | None:
    """The supplier as a candidate, or None when it misses any requirement."""
    products = [p.name for p in supplier.products if _product_matches(p, criteria)]
    if not products:
        return None
    if any(practice not in supplier.practices for practice in criteria.practices):
        return None
    valid: dict[str, date] = {}
    for kind in criteria.certifications:
        until = max(
            (c.valid_until() for c in supplier.certifications if c.kind == kind and c.valid_until()),
            default=None,
        )
        if until is None or until < today:
            return None  # none held, none with a known expiry, or expired
        valid[kind] = until
    miles = nearest_miles(supplier.origins, criteria.delivery_points)
    if criteria.max_miles is not None and (miles is None or miles > criteria.max_miles):
        return None  # too far, or the origin is unknown (unknown is not local)
    unverified = [p for p in criteria.practices if supplier.practices[p] not in VERIFIED]
    return Candidate(
        supplier=supplier, products=products, miles=miles, unverified=unverified, valid_until=valid
    )


def rank(suppliers: Sequence[SupplierFacts], criteria: Criteria, *, today: date) -> list[Candidate]:
    """The matching suppliers: practices verified first, then the nearest, then by name."""
    found = [c for c in (match(s, criteria, today=today) for s in suppliers) if c is not None]
    return sorted(found, key=lambda c: c.rank_key)
