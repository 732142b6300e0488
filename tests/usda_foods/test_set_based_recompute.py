"""The set-based recompute (one INSERT ... ON CONFLICT DO UPDATE, services/upsert.py) stores what
the pure functions compute, to the cent, on generated data with rounding ties, commodity schools,
missing inputs, SDA overrides and drawdowns above a lowered COV; pghistory still records who and why."""

from __future__ import annotations

import random
from datetime import date
from decimal import Decimal

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext

from districts.models import District
from tests.factories import DistrictFactory
from usda_foods.entitlements import rules
from usda_foods.entitlements.services.drawdowns import drawdown_post
from usda_foods.entitlements.services.entitlements import entitlements_recompute
from usda_foods.models import Entitlement, LunchCount, PerMealValue, ReimbursementRate, Section4Payment

pytestmark = pytest.mark.django_db

SY, PRIOR = "2019-20", "2018-19"  # 23.75 cents a lunch, seeded with the year's rates


def generated_districts(agency, n: int = 48) -> list[District]:
    """Lunch totals n with 2375 n % 100 == 50 (n % 4 == 2) put the COV exactly on a half cent:
    23.75 x 6 / 100 = 1.425 -> 1.43 half up (1.42 half even)."""
    rng = random.Random(16)
    districts = DistrictFactory.create_batch(n, state_agency=agency)
    counts = []
    for i, district in enumerate(districts):
        if i % 7 == 6:
            continue  # no prior-year count: cannot compute
        if i % 3 == 0:
            free, reduced, paid = 4 * rng.randint(0, 50_000) + 2, 0, 0  # a tie
        else:
            free, reduced, paid = rng.randint(0, 900_000), rng.randint(0, 90_000), rng.randint(0, 400_000)
        counts.append(LunchCount(district=district, school_year=PRIOR, free=free, reduced=reduced, paid=paid))
        if i % 2 == 0:  # the year's own counts, for the 12 percent share
            counts.append(LunchCount(district=district, school_year=SY, free=rng.randint(0, 900_000),
                                     reduced=rng.randint(0, 90_000), paid=rng.randint(0, 400_000)))  # fmt: skip
    # Zero lunches in both years: a COV of $0.00 and a 12 percent share with nothing to divide.
    zero = DistrictFactory(state_agency=agency)
    districts.append(zero)
    counts += [LunchCount(district=zero, school_year=year, free=0, reduced=0, paid=0) for year in (PRIOR, SY)]
    # Ties of the 12 percent figures (rates 3.41 / 3.01 / 0.32): one free lunch is $3.41 of cash,
    # and 3.41 x 12 / 88 = 0.465 needed -> 0.47; 2,496,875 paid lunches are $799,000.00 of cash, so
    # with a PAL set at $1,000.00 the share is 1,000 / 800,000 = 0.00125 -> 0.0013 (both half up).
    needed_tie, share_tie = DistrictFactory(state_agency=agency), DistrictFactory(state_agency=agency)
    districts += [needed_tie, share_tie]
    counts += [LunchCount(district=needed_tie, school_year=SY, free=1, reduced=0, paid=0),
               LunchCount(district=needed_tie, school_year=PRIOR, free=10, reduced=0, paid=0),
               LunchCount(district=share_tie, school_year=SY, free=0, reduced=0, paid=2_496_875),
               LunchCount(district=share_tie, school_year=PRIOR, free=1000, reduced=0, paid=0)]  # fmt: skip
    LunchCount.objects.bulk_create(counts)
    District.objects.filter(pk__in=[d.pk for d in districts[5:n:11]]).update(is_commodity_school=True)
    return districts


def reference(districts: list[District]) -> dict[int, dict[str, object]]:
    """What the pure functions and the ledger rules give, from rows read independently."""
    per_meal = max(PerMealValue.objects.filter(school_year=SY), key=lambda v: (v.published_on, v.cents))
    rates = {r.category: r.dollars for r in ReimbursementRate.objects.filter(school_year=SY)}
    section4 = Section4Payment.objects.filter(school_year=SY).values_list("cents", flat=True).first()
    lunches: dict[int, dict[str, rules.LunchCounts]] = {}
    for c in LunchCount.objects.filter(district__in=districts):
        lunches.setdefault(c.district_id, {})[c.school_year] = rules.LunchCounts(
            free=c.free, reduced=c.reduced, paid=c.paid
        )
    stored = {e.district_id: e for e in Entitlement.objects.filter(district__in=districts, school_year=SY)}
    expected = {}
    for d in District.objects.filter(pk__in=[d.pk for d in districts]):
        row = stored.get(d.pk)
        overridden = row is not None and row.pal_overridden
        [result] = rules.compute_entitlements([rules.EntitlementInputs(
            key=d.pk, school_year=SY, per_meal_value_cents=per_meal.cents, lunches_by_year=lunches.get(d.pk, {}),
            is_commodity_school=d.is_commodity_school, section4_cash_cents=section4, rate_free=rates.get("free"),
            rate_reduced=rates.get("reduced"), rate_paid=rates.get("paid"),
            usda_foods_value=row.planned_assistance_level if overridden else None,
        )]).values()  # fmt: skip
        cov = result.cov.value if isinstance(result.cov, rules.Computed) else None
        drawn = row.drawn if row else Decimal("0.00")
        if overridden:
            pal = max(row.planned_assistance_level, cov) if cov is not None else row.planned_assistance_level
        elif cov is not None:
            pal = max(cov, drawn)
        else:
            pal = None if drawn == 0 else row.planned_assistance_level
        twelve = result.twelve_percent
        ok = isinstance(twelve, rules.TwelvePercent)
        expected[d.pk] = {
            "commodity_offer_value": cov, "planned_assistance_level": pal, "drawn": drawn,
            "twelve_cash": twelve.cash if ok else None, "twelve_share": twelve.share if ok else None,
            "twelve_needed": twelve.needed_for_twelve_percent if ok else None,
            "twelve_additional": twelve.additional_needed if ok else None,
            "twelve_meets": twelve.meets_floor if ok else None,
            "twelve_usda_foods": twelve.usda_foods if ok else None,
            "missing": list(result.missing), "missing_inputs": [m.as_dict() for m in result.missing_inputs],
            "prior_year_lunches": prior.total if (prior := lunches.get(d.pk, {}).get(PRIOR)) else None,
            "section4_cents": section4 if d.is_commodity_school else None,
        }  # fmt: skip
    return expected


def stored(districts: list[District]) -> dict[int, dict[str, object]]:
    fields = ["commodity_offer_value", "planned_assistance_level", "drawn", "twelve_cash", "twelve_share",
              "twelve_needed", "twelve_additional", "twelve_meets", "twelve_usda_foods", "missing", "missing_inputs",
              "prior_year_lunches", "section4_cents"]  # fmt: skip
    rows = Entitlement.objects.filter(district__in=districts, school_year=SY).values("district_id", *fields)
    return {row.pop("district_id"): row for row in rows}


def test_set_based_recompute_matches_the_pure_functions_to_the_cent(mn_agency, sda_reviewer):
    districts = generated_districts(mn_agency)
    scope = District.objects.filter(pk__in=[d.pk for d in districts])
    expected = reference(districts)

    created = entitlements_recompute(school_year=SY, districts=scope, user=sda_reviewer)

    assert created.created == len(districts)
    assert stored(districts) == expected
    ties = [e["commodity_offer_value"] for e in expected.values() if e["commodity_offer_value"] is not None]
    assert any(str(v).endswith(("3", "8")) for v in ties)  # 1.425 -> 1.43, .. -> ..8 (half up)

    # An SDA override on some, drawdowns on others; then a corrected, lower per-meal value
    # changes every COV, some below what is drawn.
    rows = list(
        Entitlement.objects.filter(district__in=districts, commodity_offer_value__gt=100).order_by("pk")
    )
    for row in rows[::5]:
        Entitlement.objects.filter(pk=row.pk).update(
            pal_overridden=True, pal_reason="bonus", planned_assistance_level=row.commodity_offer_value + 7
        )
    for row in rows[1::5]:
        drawdown_post(entitlement_id=row.pk, amount=row.commodity_offer_value, user=None)
    share_tie = districts[-1]
    Entitlement.objects.filter(district=share_tie, school_year=SY).update(
        pal_overridden=True, pal_reason="bonus", planned_assistance_level=Decimal("1000.00")
    )
    PerMealValue.objects.create(school_year=SY, cents=Decimal("21.25"), citation="Correction",
                                published_on=date(2019, 12, 1))  # fmt: skip
    expected = reference(districts)

    events_before = (
        apps.get_model("usda_foods", "EntitlementEvent").objects.filter(pgh_label="update").count()
    )
    with CaptureQueriesContext(connection) as ctx:
        changed = entitlements_recompute(school_year=SY, districts=scope, user=sda_reviewer)
    # One audit event a changed row (statement-level trigger), none for the unchanged ones.
    assert (
        apps.get_model("usda_foods", "EntitlementEvent").objects.filter(pgh_label="update").count()
        - events_before
        == changed.updated
    )

    assert changed.updated > 0 and changed.created == 0
    assert stored(districts) == expected
    assert expected[share_tie.pk]["twelve_share"] == Decimal("0.0013")  # 0.00125, half up
    assert expected[districts[-2].pk]["twelve_needed"] == Decimal("0.47")  # 0.465, half up
    drawn_rows = {row.district_id for row in rows[1::5]}
    assert all(expected[pk]["planned_assistance_level"] == expected[pk]["drawn"] for pk in drawn_rows)
    writes = [q["sql"] for q in ctx.captured_queries if "usda_foods_entitlement" in q["sql"]
              and q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "SELECT SET_CONFIG"))]  # fmt: skip
    assert len(writes) == 1 and "ON CONFLICT" in writes[0]

    # A Section 4 payment for the year: the commodity schools' COVs can be computed now.
    Section4Payment.objects.create(school_year=SY, cents=Decimal("26.75"), citation="Bench notice")
    expected = reference(districts)
    entitlements_recompute(school_year=SY, districts=scope, user=sda_reviewer)
    assert stored(districts) == expected
    zero = expected[districts[-3].pk]
    assert zero["commodity_offer_value"] == Decimal("0.00") and "undefined" in zero["missing"][0]
    events_before = apps.get_model("usda_foods", "EntitlementEvent").objects.count()
    again = entitlements_recompute(school_year=SY, districts=scope, user=sda_reviewer)
    assert (again.created, again.updated, again.unchanged) == (0, 0, len(districts))
    assert apps.get_model("usda_foods", "EntitlementEvent").objects.count() == events_before

    # The triggers recorded each change, with who and why.
    event = rows[0].events.order_by("-pgh_id").first()
    assert event.pgh_context.metadata == {"user": sda_reviewer.pk, "action": "entitlements_recompute"}
    assert event.commodity_offer_value == expected[rows[0].district_id]["commodity_offer_value"]


def test_recompute_of_no_district_writes_nothing():
    result = entitlements_recompute(school_year=SY, districts=District.objects.none())
    assert result.as_dict() == {"created": 0, "updated": 0, "unchanged": 0, "incomplete": 0}
