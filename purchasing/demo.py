"""Purchasing demo data for the seven-district lab: two adopted priority items (drumsticks raised
without antibiotics, after a revision; whole-grain tortillas) with every district's menu
commitment, and one under discussion. Through the services, as the lab's people would (a demo
district without its own login answers through the superuser). Idempotent: an item already there
is left as it is."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction

from accounts.models import User
from districts.models import Collaborative, District
from purchasing.priority_items.models import PriorityItem
from purchasing.priority_items.services import (
    commitment_set,
    consensus_rule_set,
    endorsement_record,
    item_create,
    version_propose,
    version_revise,
    version_update,
)

SCHOOL_YEAR = [8, 9, 10, 11, 12, 1, 2, 3, 4, 5]  # August to May
LOCAL = "Grown, raised or caught in MN, WI, IA or IL, or within 250 miles of the delivering district"

DRUMSTICKS = {
    "name": "Chicken drumsticks, raised without antibiotics", "unit": "lb", "reference_price": Decimal("2.35"),
    "supplier_category": "meat_poultry", "supplier_keywords": "drumstick", "max_distance_miles": 300,
    "why": "Antibiotic stewardship, and a regional processor (the seed's Jeffco example bought 7,000 lb a month) "
           "can supply the lab if its districts buy together.",
    "spec": {
        "product_form": "Chicken drumsticks, bone-in, skin-on, raw, individually quick frozen",
        "pack_size": "40 lb case, 4 x 10 lb bags", "grade": "USDA Grade A",
        "crediting": "2 oz eq meat/meat alternate per 4 oz raw drumstick",
        "processing": "minimal",
        "claims": [{"claim": "Raised without antibiotics", "verification": "USDA Process Verified Program"},
                   {"claim": "Humanely raised", "verification": "Third-party certificate (Global Animal Partnership)"}],
        "allergens": "none", "local_clause": "preference", "local_definition": LOCAL,
        "attributes": {"piece size": "3.5-5 oz"}, "required_practices": ["rwa"], "required_certifications": ["haccp"],
    },
}  # fmt: skip
TORTILLAS = {
    "name": "Whole-grain tortillas, 8 inch", "unit": "each", "reference_price": Decimal("0.19"),
    "supplier_category": "grain", "supplier_keywords": "tortilla, whole wheat",
    "why": "Whole grain-rich for the meal pattern, and a regional mill can supply the flour.",
    "spec": {
        "product_form": "Whole-grain flour tortillas, 8 inch, frozen", "pack_size": "12 packs of 24 (288 a case)",
        "grade": "Whole grain-rich (at least 50% whole grain, remainder enriched)",
        "crediting": "1.5 oz eq grains per tortilla", "processing": "processed",
        "claims": [{"claim": "Whole grain-rich", "verification": "Manufacturer's Product Formulation Statement"}],
        "allergens": "wheat", "local_clause": "preference", "local_definition": LOCAL,
        "attributes": {"sodium": "at most 300 mg a tortilla"},
    },
}  # fmt: skip
SQUASH = {
    "name": "Frozen diced butternut squash", "unit": "lb", "reference_price": Decimal("1.45"),
    "supplier_category": "vegetable", "supplier_keywords": "squash", "max_distance_miles": 250,
    "why": "A winter vegetable Upper Midwest farms grow in volume; a food hub can dice and freeze it.",
    "spec": {
        "product_form": "Butternut squash, peeled, 3/4 inch dice, individually quick frozen",
        "pack_size": "30 lb case", "grade": "U.S. Grade A (frozen)", "crediting": "1/2 cup red/orange vegetable",
        "processing": "minimal",
        "claims": [{"claim": "GAP-certified farms", "verification": "USDA GAP audit, valid one year from the audit"}],
        "allergens": "none", "local_clause": "both", "local_definition": LOCAL, "required_certifications": ["gap"],
    },
}  # fmt: skip

# Per district: (times a month, servings a day) for drumsticks at 4 oz, tortillas at 1 each.
MENU = {
    "Minneapolis Public Schools": ((2, 9_000), (2, 6_000)),
    "Saint Paul Public Schools": ((2, 10_000), (1, 7_000)),
    "Madison Metropolitan School District": ((1, 6_500), (2, 4_500)),
    "Milwaukee Public Schools": ((2, 22_000), (2, 15_000)),
    "Des Moines Public Schools": ((2, 8_000), (1, 6_000)),
    "Cedar Rapids Community School District": ((1, 4_000), (2, 3_000)),
    "Rockford Public Schools": ((2, 7_500), (1, 5_500)),
}


def _answer_all(version_id: int, districts: list[District], actor: User, **overrides: Any) -> None:
    for district in districts:
        stance, comment = overrides.get(district.name, ("endorse", ""))
        endorsement_record(
            user=actor, version_id=version_id, district=district, stance=stance, comment=comment
        )


@transaction.atomic
def seed_purchasing(*, out: list[str]) -> None:
    from purchasing.spend.demo import seed_spend_goals

    _seed_items(out=out)
    seed_purchase_records(out=out)
    seed_spend_goals(out=out)


def _seed_items(*, out: list[str]) -> None:
    lab = Collaborative.objects.get(slug="umrll")
    if PriorityItem.objects.filter(collaborative=lab).exists():
        return
    root = User.objects.get(email="superuser@focuslab.example")
    partner = User.objects.get(email="partner@northstar.example")
    admin = User.objects.get(email="admin@focuslab.example")
    districts = list(District.objects.filter(collaborative=lab).order_by("name"))
    consensus_rule_set(
        user=admin, collaborative=lab, kind="unanimity", objection_blocks=True, local_definition=LOCAL
    )

    def create(data: dict[str, Any]) -> PriorityItem:
        fields = {k: v for k, v in data.items() if k != "spec"}
        return item_create(user=partner, collaborative=lab, spec=dict(data["spec"]), **fields)

    drumsticks = create(DRUMSTICKS)
    v1 = version_propose(user=partner, version_id=drumsticks.versions.get().pk)
    _answer_all(v1.pk, districts, root, **{
        "Madison Metropolitan School District": ("object", "Our combi ovens cook a 3.5-4.5 oz piece evenly; 5 oz pieces undercook."),
        "Milwaukee Public Schools": ("conditions", "Delivered to our central kitchen, not to each school."),
    })  # fmt: skip
    v2 = version_revise(
        user=partner, item_id=drumsticks.pk, change_note="Piece size narrowed after Madison's objection"
    )
    version_update(user=partner, version_id=v2.pk, attributes={"piece size": "3.5-4.5 oz"})
    version_propose(user=partner, version_id=v2.pk)
    _answer_all(v2.pk, districts, root)

    tortillas = create(TORTILLAS)
    version_propose(user=partner, version_id=tortillas.versions.get().pk)
    _answer_all(tortillas.versions.get().pk, districts, root,
                **{"Rockford Public Schools": ("abstain", "")})  # fmt: skip

    for district in districts:
        (d_times, d_servings), (t_times, t_servings) = MENU[district.name]
        commitment_set(user=root, item_id=drumsticks.pk, district=district, times_per_month=Decimal(d_times),
                       months=SCHOOL_YEAR[1:], servings_per_day=d_servings, serving_size=Decimal(4), serving_unit="oz")  # fmt: skip
        commitment_set(user=root, item_id=tortillas.pk, district=district, times_per_month=Decimal(t_times),
                       months=SCHOOL_YEAR, servings_per_day=t_servings, serving_size=Decimal(1), serving_unit="each")  # fmt: skip

    squash = create(SQUASH)
    proposed = version_propose(user=partner, version_id=squash.versions.get().pk)
    answering = districts[:4]
    _answer_all(proposed.pk, answering, root, **{
        answering[1].name: ("conditions", "Only if delivered by the food hub: our warehouse has no freezer space for pallets."),
    })  # fmt: skip
    out.append(f"Priority items: {drumsticks.name} and {tortillas.name} adopted with 7 commitments each; "
               f"{squash.name} under discussion ({len(answering)} of {len(districts)} districts answered).")  # fmt: skip


# --- a year of purchases (issue 15) ------------------------------------------------------------

# vendor as written, description, category, unit, case weight, price a unit, origins, source, claims
PURCHASE_LINES = [
    ("Cannon River Orchard", "Honeycrisp apples 138ct", "fruit", "case", "40", "38.00", ["Rice County, MN"], "local_direct", ["ipm"]),
    ("Prairie Bloom Vegetable Farm", "Carrots, whole, 25 lb bag", "vegetable", "case", "25", "21.50", ["MN"], "local_direct", []),
    ("Northland Produce Distributors", "Romaine hearts 24ct", "vegetable", "case", "22", "34.75", ["CA", "AZ", "Mexico"], "commercial", []),
    ("Northland Produce Distributors", "Potatoes, russet, 50 lb", "vegetable", "case", "50", "27.00", ["ND", "MN", "unknown"], "commercial", []),
    ("Northland Produce Distributors", "Bananas 150ct", "fruit", "case", "40", "29.50", ["Guatemala", "Mexico"], "commercial", []),
    ("Heartland Foodservice Distribution", "CHICKEN DRUMSTICK IQF RWA 2/10#", "meat_poultry", "case", "20", "47.00", ["MN", "IA", "unknown"], "commercial", ["rwa"]),
    ("Heartland Foodservice Distribution", "Whole grain tortilla 8in 12/24", "grain", "case", "18", "54.72", ["IL", "unknown"], "commercial", []),
    ("Heartland Foodservice Distribution", "Milk 1% half pint", "dairy", "case", "25", "17.10", ["WI", "MN"], "commercial", []),
    ("Sunrise Grass-Fed Beef", "Ground beef 85/15 10 lb chub", "meat_poultry", "lb", "", "4.65", ["Winneshiek County, IA"], "local_direct", ["grass_fed", "rwa"]),
    ("USDA Foods (state agency)", "Cheese, mozzarella, lite, shredded", "dairy", "case", "30", "0", ["WI", "unknown"], "usda_foods", []),
    ("USDA Foods (state agency)", "Beans, black, canned 6/#10", "legumes", "case", "42", "0", ["unknown"], "usda_foods", []),
    ("DoD Fresh (state agency)", "Pears, d'Anjou 100ct", "fruit", "case", "44", "31.00", ["WA", "OR"], "dod_fresh", []),
    ("Twin Cities Regional Food Hub", "Mixed local vegetables", "vegetable", "each", "", "185.00", ["MN"], "local_direct", ["organic"]),
]  # fmt: skip
USDA_VALUE = {
    "Cheese, mozzarella, lite, shredded": Decimal("71.40"),
    "Beans, black, canned 6/#10": Decimal("24.90"),
}
PURCHASE_MONTHS = [(2025, m) for m in range(8, 13)] + [(2026, m) for m in range(1, 8)]
LAB_LOCAL = {"name": "Within 250 miles of a site, or grown in Minnesota", "local_radius_miles": Decimal(250),
             "local_states": ["MN"], "regional_states": ["MN", "WI", "IA", "IL", "ND", "SD"]}  # fmt: skip


def seed_purchase_records(*, out: list[str]) -> None:
    """A school year of purchase lines for the lab's seven districts (about 5 a month each), the
    lab's definition of local and two keyword rules, classified and summarised by the services
    the import uses. Idempotent: a lab with purchases already is left as it is."""
    import random
    from datetime import date

    from partners.suppliers.models import Supplier
    from purchasing.records import rules
    from purchasing.records.models import KeywordRule, LocalDefinition, PurchaseRecord
    from purchasing.records.services import records_classify, summaries_refresh

    lab = Collaborative.objects.filter(slug="umrll").first()
    if lab is None or PurchaseRecord.objects.filter(district__collaborative=lab).exists():
        return
    districts = list(District.objects.filter(collaborative=lab).order_by("name").prefetch_related("sites"))
    admin = User.objects.filter(email="admin@focuslab.example").first()
    LocalDefinition.objects.get_or_create(
        collaborative=lab, district=None, defaults={**LAB_LOCAL, "updated_by": admin}
    )
    items = {i.name: i for i in PriorityItem.objects.filter(collaborative=lab)}
    for keyword, name in (("drumstick", DRUMSTICKS["name"]), ("tortilla", TORTILLAS["name"])):
        if name in items:
            KeywordRule.objects.get_or_create(collaborative=lab, keyword=keyword,
                                              defaults={"priority_item": items[name], "created_by": admin})  # fmt: skip
    suppliers = {s.name: s.pk for s in Supplier.objects.filter(collaborative=lab)}
    pattern = {"drumstick": items.get(DRUMSTICKS["name"]), "tortilla": items.get(TORTILLAS["name"])}
    pick = random.Random(15)
    records = []
    for district in districts:
        sites = list(district.sites.all())
        scale = Decimal(max(1, district.enrollment // 5000))
        for year, month in PURCHASE_MONTHS:
            for vendor, description, category, unit, weight, price, origins, source, claims in pick.sample(
                PURCHASE_LINES, 5
            ):
                quantity = Decimal(pick.randint(4, 30)) * scale
                unit_price = USDA_VALUE.get(description, Decimal(price))
                origin = rules.parse_origin(pick.choice(origins))
                item = next((i for k, i in pattern.items() if k in description.lower() and i), None)
                case_weight = Decimal(weight) if weight else None
                records.append(PurchaseRecord(
                    district=district, site=pick.choice(sites) if sites else None,
                    invoice_date=date(year, month, pick.randint(1, 28)), vendor_id=suppliers.get(vendor),
                    vendor_name=vendor, product_description=description, category=category, priority_item=item,
                    quantity=quantity, unit=unit, case_weight_lb=case_weight,
                    pounds=rules.pounds_of(quantity, unit, case_weight), spend=quantity * unit_price,
                    origin_text=origin.text, origin_state=origin.state, origin_county=origin.county,
                    source=source, claims=claims,
                ))  # fmt: skip
    PurchaseRecord.objects.bulk_create(records, batch_size=1000)
    ids = [d.pk for d in districts]
    records_classify(district_ids=ids)
    summaries_refresh(district_ids=ids)
    out.append(f"Purchases: {len(records):,} lines over {len(PURCHASE_MONTHS)} months for {len(districts)} districts, "
               f"classified under “{LAB_LOCAL['name']}”.")  # fmt: skip
