"""Pure rules: normalising for duplicate checks, haversine miles, GAP/GHP expiry, the 60-day window."""

from __future__ import annotations

from datetime import date

import pytest

from partners.suppliers import rules


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Hanson Farm LLC", "hanson farms"),
        ("Bérubé & Sons, Inc.", "berube and sons"),
        ("The Farm", "the farm"),
        ("Hanson Ranch, L.L.C.", "Hanson"),
    ],
)
def test_names_normalise_alike(a, b):
    assert rules.normalise_name(a) == rules.normalise_name(b)


def test_phones_and_emails_normalise():
    assert rules.normalise_phone("+1 (612) 555-0101") == rules.normalise_phone("612.555.0101") == "6125550101"
    assert rules.normalise_phone("ext 12") == ""
    assert rules.normalise_email("  Kari@Orchard.Example ") == "kari@orchard.example"


def test_haversine_miles_hand_checked():
    # On a sphere of radius 3,958.8 mi one degree of arc is 3,958.8 × π / 180 = 69.0941 miles,
    # along a meridian or the equator; a quarter of the equator is 3,958.8 × π / 2 = 6,218.47 miles.
    assert rules.haversine_miles(45, -93, 46, -93) == pytest.approx(69.0941, abs=1e-4)
    assert rules.haversine_miles(0, 0, 0, 1) == pytest.approx(69.0941, abs=1e-4)
    assert rules.haversine_miles(0, 0, 0, 90) == pytest.approx(6218.47, abs=0.01)
    # One degree of longitude at 60°N: the central angle is 2·asin(cos 60° · sin 0.5°),
    # so 34.5467 miles (a hair under the parallel's arc, 69.0941 × cos 60° = 34.5470).
    assert rules.haversine_miles(60, 0, 60, 1) == pytest.approx(34.5467, abs=1e-3)
    assert rules.haversine_miles(45, -93, 45, -93) == 0


@pytest.mark.parametrize(
    ("kind", "audit", "expiry"),
    [
        ("gap", date(2025, 12, 15), date(2026, 12, 15)),
        ("ghp", date(2024, 2, 29), date(2025, 2, 28)),
        ("group_gap", date(2026, 1, 1), date(2027, 1, 1)),
        ("organic", date(2026, 1, 1), None),
        ("gap", None, None),
    ],
)
def test_gap_and_ghp_expire_one_year_after_the_audit(kind, audit, expiry):
    assert rules.default_expiry(kind=kind, audit_date=audit) == expiry


@pytest.mark.parametrize(
    ("expires", "status"),
    [
        (date(2026, 11, 30), "expired"),
        (date(2026, 12, 1), "expiring"),
        (date(2027, 1, 30), "expiring"),  # day 60
        (date(2027, 1, 31), "valid"),  # day 61
        (None, "unknown"),
    ],
)
def test_sixty_day_window(expires, status):
    assert rules.cert_status(expires_on=expires, today=date(2026, 12, 1)) == status
