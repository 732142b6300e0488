"""Classification and the summaries after the definition changes, without re-importing; shares
with and without USDA Foods from the summary tables; re-classification is idempotent."""

from __future__ import annotations

from decimal import Decimal

import pytest

from focus_lab.errors import DomainError
from focus_lab.jobs.models import BackgroundJob
from purchasing.records import services
from purchasing.records.models import LocalDefinition, PurchaseRecord, SpendSummary
from tests.factories import DistrictFactory, SiteFactory
from tests.purchasing.records.fixtures import lab_definition, line, purchases

pytestmark = pytest.mark.django_db


def _by_class():
    totals: dict[str, Decimal] = {}
    for s in SpendSummary.objects.all():
        totals[s.local_class] = totals.get(s.local_class, Decimal(0)) + s.spend
    return totals


def test_changing_the_definition_reclassifies_without_reimporting(
    collaborative, district, site, manager, collab_admin
):
    definition = lab_definition(collaborative)
    report = purchases(manager, line(origin="MN", spend="100"), line(origin="Dane County, WI", spend="50"),
                       line(origin="IA", spend="25"), line(origin="unknown", spend="10"))  # fmt: skip
    assert report.ok, report.errors
    assert _by_class() == {
        "local": Decimal("100.00"),
        "regional": Decimal("75.00"),
        "unknown": Decimal("10.00"),
    }
    definition.local_states = ["MN", "WI"]
    definition.regional_states = []
    job_id = services.definition_save(definition=definition, user=collab_admin)
    assert BackgroundJob.objects.get(pk=job_id).kind == services.RECLASSIFY_JOB
    result = services.reclassify(definition_id=definition.pk, job_id=job_id)
    assert (result.districts, result.months) == (1, 1)
    assert _by_class() == {"local": Decimal("150.00"), "other": Decimal("25.00"), "unknown": Decimal("10.00")}
    assert PurchaseRecord.objects.count() == 4
    # idempotent: nothing left to change
    again = services.reclassify(definition_id=definition.pk)
    assert again.months == 0 and _by_class()["local"] == Decimal("150.00")
    assert BackgroundJob.objects.get(pk=job_id).progress == 1


def test_a_districts_own_definition_replaces_the_labs_for_its_rows(collaborative, district, site, manager):
    lab_definition(collaborative)
    purchases(manager, line(origin="WI", spend="40"))
    assert _by_class() == {"regional": Decimal("40.00")}
    own = LocalDefinition.objects.create(collaborative=collaborative, district=district, name="Within 250 miles",
                                         local_states=["WI"])  # fmt: skip
    services.reclassify(definition_id=own.pk)
    assert _by_class() == {"local": Decimal("40.00")}


def test_radius_definition_uses_the_districts_sites(collaborative, district, manager, collab_admin):
    # the district's kitchen is in Minneapolis; a farm origin near Madison (233 mi) with coordinates
    SiteFactory(district=district, name="Kitchen", latitude=Decimal("44.98"), longitude=Decimal("-93.27"))
    definition = LocalDefinition.objects.create(collaborative=collaborative, name="Within 200 miles",
                                                local_radius_miles=Decimal("200"), regional_radius_miles=Decimal("400"))  # fmt: skip
    purchases(manager, line(origin="Dane County, WI", spend="80"))
    PurchaseRecord.objects.update(origin_latitude=Decimal("43.0731"), origin_longitude=Decimal("-89.4012"))
    services.reclassify(definition_id=definition.pk)
    assert _by_class() == {"regional": Decimal("80.00")}
    definition.local_radius_miles = Decimal("233")
    services.definition_save(definition=definition, user=collab_admin)
    services.reclassify(definition_id=definition.pk)
    assert _by_class() == {"local": Decimal("80.00")}


def test_local_share_with_and_without_usda_foods_from_the_summaries(collaborative, district, site, manager):
    lab_definition(collaborative)
    purchases(manager, line(origin="MN", spend="300"), line(origin="CA", spend="500"),
              line(origin="MN", spend="200", source="USDA Foods"))  # fmt: skip
    rows = list(SpendSummary.objects.all())
    total = sum(s.spend for s in rows)
    local = sum(s.spend for s in rows if s.local_class == "local")
    non_usda = [s for s in rows if s.source != "usda_foods"]
    assert (local / total) == Decimal("0.5")  # 500 of 1,000
    assert sum(s.spend for s in non_usda if s.local_class == "local") / sum(
        s.spend for s in non_usda
    ) == Decimal("0.375")  # 300 of 800


def test_only_the_labs_admins_or_the_districts_managers_set_a_definition(collaborative, district, manager, viewer,
                                                                      partner_user, collab_admin):  # fmt: skip
    for user in (viewer, partner_user):
        with pytest.raises(services.NotAllowed):
            services.definition_save(definition=LocalDefinition(collaborative=collaborative, name="x",
                                                                local_states=["MN"]), user=user)  # fmt: skip
    with pytest.raises(services.NotAllowed):  # a manager may not set the lab's
        services.definition_save(definition=LocalDefinition(collaborative=collaborative, name="x", local_states=["MN"]),
                                 user=manager)  # fmt: skip
    services.definition_save(definition=LocalDefinition(collaborative=collaborative, district=district, name="Ours",
                                                        local_states=["MN"]), user=manager)  # fmt: skip
    other = DistrictFactory(collaborative=collaborative)
    with pytest.raises(services.NotAllowed):
        services.definition_save(definition=LocalDefinition(collaborative=collaborative, district=other, name="x",
                                                            local_states=["MN"]), user=manager)  # fmt: skip
    with pytest.raises(DomainError, match="Say what local means"):
        services.definition_save(
            definition=LocalDefinition(collaborative=collaborative, name="x"), user=collab_admin
        )
