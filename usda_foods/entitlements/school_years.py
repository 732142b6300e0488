"""The school year a page shows by default, and school years read from a URL."""

from __future__ import annotations

from datetime import date

from django.http import (
    Http404,
)
from django.utils import timezone

from usda_foods.entitlements import rules as entitlements


def current_school_year(today: date | None = None) -> str:
    """The school year running today (they start on July 1): "2026-27" from 2026-11-22."""
    today = today or timezone.localdate()
    return str(entitlements.SchoolYear.of(today))


def school_year_or_404(text: str) -> str:
    try:
        return str(entitlements.parse_school_year(text))
    except entitlements.EntitlementInputError:
        raise Http404("Not a school year.") from None


def school_year_or_none(text: str | None) -> str | None:
    try:
        return str(entitlements.parse_school_year(text)) if text else None
    except entitlements.EntitlementInputError:
        return None
