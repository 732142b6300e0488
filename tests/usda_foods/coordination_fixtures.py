"""Builders for cross-state tests: the MN lab of ``shipping_fixtures`` (beans, 100 cases a truck)
with approved orders of 130 and 45 cases, and a WI district across the river asking 25 cases in
its own window. MN alone: one direct truck (100 at Kitchen 0) and remainders of 30 + 45 = 75
that cannot fill a truck. With WI's 25: 30 + 45 + 25 = 100, one three-stop truck across the
state line, nothing to change in any order."""

from __future__ import annotations

from decimal import Decimal

from accounts.models import Role
from tests.factories import DistrictFactory, SiteFactory, StateAgencyFactory, member
from tests.usda_foods.ordering_fixtures import fund, open_window
from tests.usda_foods.shipping_fixtures import approve, build_lab, run_plan
from usda_foods.ordering.services.orders import order_approve, order_create, order_line_set, order_submit


def build_two_states(mn_agency, wi_agency, mn_reviewer) -> dict:
    lab = build_lab(mn_agency)
    approve(lab, mn_reviewer, [130, 45])
    plan = run_plan(lab["window"], mn_reviewer)
    wi_reviewer = member(Role.SDA_REVIEWER, wi_agency, email="reviewer@wi.example")
    wi_district = DistrictFactory(state_agency=wi_agency, name="Hudson School District")
    wi_site = SiteFactory(district=wi_district, name="Hudson Kitchen", latitude=Decimal("44.97"),
                          longitude=Decimal("-92.75"), city="Hudson", postal_code="54016")  # fmt: skip
    fund(wi_district)
    wi_manager = member(Role.DISTRICT_MANAGER, wi_district, email="m@hudson.example")
    wi_window = open_window(wi_agency, [lab["beans"]], name="WI fall window")
    order = order_create(district=wi_district, window=wi_window, user=wi_manager)
    order_line_set(
        order_id=order.pk, catalog_item=lab["beans"], cases=25, delivery_site=wi_site, user=wi_manager
    )
    order_submit(order_id=order.pk, user=wi_manager)
    order_approve(order_id=order.pk, user=wi_reviewer)
    ia_agency = StateAgencyFactory(state="IA", name="Iowa Department of Education")
    ia_reviewer = member(Role.SDA_REVIEWER, ia_agency, email="reviewer@ia.example")
    return {**lab, "plan": plan, "wi_reviewer": wi_reviewer, "wi_site": wi_site, "wi_window": wi_window,
            "wi_manager": wi_manager, "ia_agency": ia_agency, "ia_reviewer": ia_reviewer}  # fmt: skip
