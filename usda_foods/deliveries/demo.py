"""Demo data for processing, deliveries and fees: a poultry processor in Minnesota with its
end-product schedule, an autumn window in which Minneapolis and Saint Paul diverted bulk chicken
to it, the plan released to deliveries with receipts (the processor's with a short-shipped
case count, one site delivery left unreceipted and flagged late), end-product purchases, and a
fee schedule for each demo state. Idempotent: a second run adds nothing."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from accounts.models import Membership, Role
from districts.models import District, StateAgency
from usda_foods.deliveries.models import ExpectedDelivery, FeeSchedule
from usda_foods.deliveries.services import deliveries_release, receipt_record, receipts_sweep
from usda_foods.entitlements.rules.values import SchoolYear
from usda_foods.ordering.models import CatalogItem, OrderLine
from usda_foods.ordering.services.orders import (
    delivery_sites_for,
    order_approve,
    order_create,
    order_line_set,
    order_submit,
)
from usda_foods.ordering.services.windows import window_create
from usda_foods.processing.models import EndProduct, EndProductFood, PassThrough, Processor
from usda_foods.processing.services.diversion import order_line_divert
from usda_foods.processing.services.inventory import end_product_purchase_record
from usda_foods.shipping.models import ShipmentPlan
from usda_foods.shipping.services import shipment_plan_compute

# Each demo state's distribution fees: real schedules vary (DOMAIN.md); these are demo figures.
FEES = {
    "MN": {"min_cases_per_drop": 10, "drop_fee": Decimal("35.00")},
    "WI": {
        "delivery_fee_per_lb": Decimal("0.0125"),
        "storage_fee_per_case_month": Decimal("0.35"),
        "storage_free_days": 90,
    },
    "IA": {"delivery_fee_per_case": Decimal("1.10")},
    "IL": {"min_cases_per_drop": 12, "drop_fee": Decimal("25.00"), "delivery_fee_per_lb": Decimal("0.0100")},
}
PRODUCTS = [  # code, name, case pack, net lb, pounds of chicken a case, value a case, fee a case
    ("NSP-1001", "Breaded chicken drumsticks, fully cooked", "4/8 lb bags", "32", "36.50", "48.20", "21.75"),
    ("NSP-2040", "Whole-grain breaded chicken nuggets", "4/7.5 lb bags", "30", "33.00", "43.60", "19.40"),
]
DIVERTED = {"Minneapolis Public Schools": 600, "Saint Paul Public Schools": 400}  # cases of bulk chicken


def seed_processing(*, school_year: str, out: list[str]) -> None:
    for state, fees in FEES.items():
        agency = StateAgency.objects.filter(state=state).first()
        if agency:
            FeeSchedule.objects.get_or_create(state_agency=agency, effective_from=date(int(school_year[:4]), 7, 1),
                                              defaults=fees)  # fmt: skip
    minnesota = StateAgency.objects.get(state="MN")
    chicken = CatalogItem.objects.filter(school_year=school_year, material_code="100101").first()
    if (
        chicken is None
        or Processor.objects.filter(state_agency=minnesota, name="North Star Poultry Processing").exists()
    ):
        return
    year = SchoolYear.parse(school_year)
    processor = Processor.objects.create(
        state_agency=minnesota, name="North Star Poultry Processing", agreement_start=date(year.start, 7, 1),
        agreement_end=date(year.start + 1, 6, 30), contact_name="Pat Lindqvist", contact_email="orders@northstarpoultry.example",
        contact_phone="+1 320 555 0142", street="410 Industrial Dr", city="Cold Spring", state="MN", postal_code="56320",
        latitude=Decimal("45.455"), longitude=Decimal("-94.429"),
    )  # fmt: skip
    processor.accepted_foods.add(chicken)
    products = []
    for code, name, pack, net, rate, value, fee in PRODUCTS:
        product = EndProduct.objects.create(processor=processor, code=code, name=name, case_pack=pack,
                                            net_weight_lb=Decimal(net), value_per_case=Decimal(value), fee_per_case=Decimal(fee),
                                            pass_through_methods=["noi", "ffs_distributor", "refund"])  # fmt: skip
        EndProductFood.objects.create(end_product=product, food=chicken, pounds_per_case=Decimal(rate))
        products.append(product)
    out.append(f"Processor {processor} with {len(products)} end products.")
    _seed_diversion(year, minnesota, chicken, processor, products, out)


def _seed_diversion(year: SchoolYear, minnesota, chicken, processor, products, out: list[str]) -> None:
    """An autumn window, already delivered: only when the year is old enough for it."""
    today = timezone.localdate()
    first = today - timedelta(days=40)
    if first < date(year.start, 7, 1):
        out.append("Diverted chicken: the school year is too young for a delivered window; skipped.")
        return
    reviewer = (
        Membership.objects.filter(role=Role.SDA_REVIEWER, state_agency=minnesota)
        .select_related("user")
        .first()
        .user
    )
    at = timezone.make_aware(datetime.combine(first, time(9)))
    window = window_create(
        state_agency=minnesota, school_year=str(year), name="Autumn processing", opens_at=at,
        closes_at=at + timedelta(days=7), delivery_start=today - timedelta(days=20),
        delivery_end=today - timedelta(days=10), offered_items=CatalogItem.objects.filter(pk=chicken.pk), user=reviewer,
    )  # fmt: skip
    during = at + timedelta(days=1)
    for name, cases in DIVERTED.items():
        district = District.objects.get(name=name)
        manager = (
            Membership.objects.filter(district=district, role=Role.DISTRICT_MANAGER)
            .select_related("user")
            .first()
        )
        user = manager.user if manager else reviewer
        order = order_create(district=district, window=window, user=user, now=during)
        site = delivery_sites_for(district).order_by("pk").first()
        order_line_set(
            order_id=order.pk, catalog_item=chicken, cases=cases, delivery_site=site, user=user, now=during
        )
        if name == "Minneapolis Public Schools":
            line = OrderLine.objects.get(order=order, catalog_item=chicken)
            order_line_divert(line_id=line.pk, processor=processor, user=user)
        order_submit(order_id=order.pk, user=user, now=during)
        order_approve(order_id=order.pk, user=reviewer)
    plan = ShipmentPlan.objects.create(window=window, created_by=reviewer)
    plan = shipment_plan_compute(plan_id=plan.pk)
    deliveries_release(plan=plan, user=reviewer)
    at_processor = ExpectedDelivery.objects.filter(plan=plan, processor=processor).first()
    if at_processor:
        receipt_record(delivery_id=at_processor.pk, received_on=at_processor.delivery_date,
                       cases_received=max(at_processor.cases - 4, 0), reason="short_shipped",
                       notes="Four cases short on the bill of lading.", user=reviewer)  # fmt: skip
        mpls = District.objects.get(name="Minneapolis Public Schools")
        mpls_manager = (
            Membership.objects.filter(district=mpls, role=Role.DISTRICT_MANAGER)
            .select_related("user")
            .first()
        )
        if mpls_manager:
            end_product_purchase_record(district=mpls, end_product=products[0], purchased_on=today - timedelta(days=5),
                                        cases=120, pass_through=PassThrough.NET_OFF_INVOICE, value_credited=Decimal("5784.00"),
                                        distributor="Upper Lakes Foods", user=mpls_manager.user)  # fmt: skip
    receipts_sweep(today=today)  # the site delivery of Saint Paul has no receipt: flagged late
    late = ExpectedDelivery.objects.filter(plan=plan, late_at__isnull=False).count()
    out.append(
        f"Diverted chicken: {ExpectedDelivery.objects.filter(plan=plan).count()} deliveries, {late} late receipt(s)."
    )
