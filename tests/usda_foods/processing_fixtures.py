"""Builders for processing tests: a poultry processor in Minnesota accepting bulk chicken
(40 lb a case), with an end product of 22.5 lb of chicken a case."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from tests.usda_foods.ordering_fixtures import catalog_item
from usda_foods.models import EndProduct, EndProductFood, Processor
from usda_foods.processing.services.inventory import inventory_credit


def chicken():
    return catalog_item("100101", "90.00", per_truck=1000, description="Chicken, chilled, bulk", category="meat",
                        pack_description="40 lb box", net_case_weight_lb=Decimal("40"), is_bulk_for_processing=True)  # fmt: skip


def processor(state_agency, food, name: str = "North Star Poultry") -> Processor:
    p = Processor.objects.create(state_agency=state_agency, name=name, agreement_start=date(2019, 7, 1),
                                 agreement_end=date(2022, 6, 30), contact_name="Pat Poultry",
                                 contact_email="pat@poultry.example", city="Cold Spring", state="MN",
                                 latitude=Decimal("45.455"), longitude=Decimal("-94.429"))  # fmt: skip
    p.accepted_foods.add(food)
    return p


def drumsticks(proc: Processor, food, rate: str = "22.5") -> EndProduct:
    product = EndProduct.objects.create(processor=proc, code="DS-100", name="Breaded drumsticks",
                                        case_pack="4/8 lb bags", net_weight_lb=Decimal("32"),
                                        pass_through_methods=["noi", "ffs_distributor"],
                                        value_per_case=Decimal("45.00"), fee_per_case=Decimal("18.50"))  # fmt: skip
    EndProductFood.objects.create(end_product=product, food=food, pounds_per_case=Decimal(rate))
    return product


def credit(district, proc, food, cases: int, on: date = date(2019, 8, 20)):
    return inventory_credit(district_id=district.pk, processor=proc, food=food, cases=cases, on=on, user=None,
                            reference="test")  # fmt: skip
