"""Pure supplier rules (no Django): normalising names, emails and phones for duplicate checks,
distances, and a certification's default expiry.

Distance is the haversine great-circle distance on a sphere of radius 3,958.8 miles (the mean
Earth radius, 6,371.0 km):
``d = 2 R asin( sqrt( sin²((φ2-φ1)/2) + cos φ1 cos φ2 sin²((λ2-λ1)/2) ) )``.
The SQL filter in ``partners/suppliers/selectors.py`` uses the same formula and radius.
"""

from __future__ import annotations

import math
import re
import unicodedata
from datetime import date

EARTH_RADIUS_MILES = 3958.8

# Words that say what kind of business it is, not which one: "Hanson Farm LLC" and "Hanson Farms"
# are the same supplier.
_NOISE = {
    "llc", "inc", "co", "corp", "corporation", "company", "ltd", "the", "and", "of",
    "farm", "farms", "ranch", "ranches", "llp", "lp", "pllc",
}  # fmt: skip
_WORD = re.compile(r"[a-z0-9]+")


def normalise_name(name: str) -> str:
    """Lower case, accents and punctuation dropped, "&" read as "and", legal and generic words
    (LLC, Inc, Farm(s), Ranch...) removed, words kept in order."""
    text = unicodedata.normalize("NFKD", name or "").encode("ascii", "ignore").decode().lower()
    text = text.replace("&", " and ").replace(".", "")  # "L.L.C." is "llc"
    words = [w for w in _WORD.findall(text) if w not in _NOISE]
    if not words:  # "The Farm": keep what there is rather than nothing
        words = _WORD.findall(text)
    return " ".join(words)


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def normalise_phone(phone: str) -> str:
    """The last ten digits (a US number without its country code), or "" when there are fewer
    than seven digits (not a phone number to compare)."""
    digits = re.sub(r"\D", "", phone or "")
    if len(digits) == 11 and digits.startswith("1"):
        digits = digits[1:]
    return digits if len(digits) >= 7 else ""


def search_words(text: str) -> list[str]:
    """The words of ``text`` as the misspelling index keeps them (ASCII lower case, 3+ letters)."""
    plain = unicodedata.normalize("NFKD", text or "").encode("ascii", "ignore").decode().lower()
    return [w for w in _WORD.findall(plain) if len(w) >= 3]


def haversine_miles(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in miles between two points in decimal degrees (radius 3,958.8 mi)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_MILES * math.asin(min(1.0, math.sqrt(a)))


ONE_YEAR_KINDS = frozenset({"gap", "ghp", "harmonized_gap", "group_gap"})


def default_expiry(*, kind: str, audit_date: date | None) -> date | None:
    """USDA GAP/GHP audits (and the harmonized and group variants) are valid one year from the
    audit: the expiry is the audit's anniversary (28 February for an audit on 29 February).
    Other kinds have no default: their certificate states it."""
    if audit_date is None or kind not in ONE_YEAR_KINDS:
        return None
    try:
        return audit_date.replace(year=audit_date.year + 1)
    except ValueError:  # 29 February
        return audit_date.replace(year=audit_date.year + 1, day=28)


def cert_status(*, expires_on: date | None, today: date, window_days: int = 60) -> str:
    """ "expired" (expiry before today), "expiring" (today..today+window), "valid", or "unknown"."""
    if expires_on is None:
        return "unknown"
    if expires_on < today:
        return "expired"
    if (expires_on - today).days <= window_days:
        return "expiring"
    return "valid"
