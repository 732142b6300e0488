"""The demo lab's supplier directory: Upper Midwest farms, a poultry processor, a food hub, two
distributors and a fish co-op, with the North Star partner's contact log, follow-ups and a GAP
certificate about to expire. Idempotent: a second run changes nothing."""

from __future__ import annotations

from datetime import date, timedelta

from django.utils import timezone

from accounts.models import User
from districts.models import Collaborative, District
from partners.contacts import services as contact_services
from partners.contacts.models import Interaction
from partners.suppliers import services
from partners.suppliers.models import (
    Certification,
    Origin,
    Product,
    ProductionPractice,
    Supplier,
    SupplierPerson,
)

# name, kind, mailing city, state, zip, phone, email, website, description,
# origins (label, city, state, zip), people (name, role, channel, phone, email),
# products (name, category, forms/packs, months, minimum order, delivery mode, lead days),
# practices (practice, verification), certifications (kind, scope, days since audit or None), buying districts
SUPPLIERS = [
    ("Cannon River Orchard", "farm", "Faribault", "MN", "55021", "507-555-0141", "orders@cannonriver.example",
     "https://cannonriver.example", "Fourth-generation orchard; bagged apples sized for school lunch.",
     [("Home orchard", "Faribault", "MN", "55021")],
     [("Kari Hanson", "Owner", "phone", "507-555-0141", "kari@cannonriver.example")],
     [("Honeycrisp apples", "fruit", "138-count, 40 lb case", [9, 10, 11, 12, 1], "20 cases", "sites", 5),
      ("Zestar apples", "fruit", "125-count, 40 lb case", [8, 9], "20 cases", "sites", 5)],
     [("ipm", "third_party")], [("gap", "apples: field operations and packing house", 335)],
     ["Minneapolis Public Schools"]),
    ("Prairie Bloom Vegetable Farm", "farm", "Northfield", "MN", "55057", "507-555-0177", "hello@prairiebloom.example",
     "", "Storage vegetables for the winter menu.",
     [("Fields", "Northfield", "MN", "55057")],
     [("Luis Ortega", "Grower", "text", "507-555-0178", "")],
     [("Carrots", "vegetable", "whole, 25 lb bag; coins, 5 lb bag", [8, 9, 10, 11, 12, 1, 2], "10 bags", "sites", 7),
      ("Butternut squash", "vegetable", "whole, 40 lb case", [9, 10, 11, 12], "10 cases", "sites", 7)],
     [("ipm", "supplier")], [("gap", "carrots and winter squash", 120)], ["Saint Paul Public Schools"]),
    ("Driftless Valley Farm", "farm", "Viroqua", "WI", "54665", "608-555-0102", "farm@driftlessvalley.example", "",
     "Certified organic vegetables, aggregated through the Driftless Food Hub.",
     [("Ridge fields", "Viroqua", "WI", "54665")], [("Anna Berg", "Co-owner", "email", "", "anna@driftlessvalley.example")],
     [("Salad greens", "vegetable", "chopped, 4 x 2.5 lb", [5, 6, 9, 10], "5 cases", "distributor", 4)],
     [("organic", "third_party")], [("organic", "whole farm", 200)], []),
    ("Sunrise Grass-Fed Beef", "farm", "Decorah", "IA", "52101", "563-555-0120", "sales@sunrisebeef.example", "",
     "Grass-fed beef from a cooperative of northeast Iowa ranches.",
     [("Pasture", "Decorah", "IA", "52101")], [("Tom Ruud", "Sales", "phone", "563-555-0121", "")],
     [("Ground beef, 85/15", "meat_poultry", "10 lb chubs, frozen", list(range(1, 13)), "500 lb", "distributor", 14)],
     [("grass_fed", "supplier"), ("rwa", "supplier")], [("haccp", "processing at partner plant", 90)],
     ["Des Moines Public Schools"]),
    ("Kickapoo Whole Grains", "farm", "La Farge", "WI", "54639", "608-555-0165", "", "",
     "Stone-milled whole wheat flour and rolled oats.", [("Mill", "La Farge", "WI", "54639")], [],
     [("Whole wheat flour", "grain", "50 lb bag", list(range(1, 13)), "10 bags", "distributor", 10)], [], [], []),
    ("Gold Prairie Poultry", "processor", "Pelican Rapids", "MN", "56572", "218-555-0190", "schools@goldprairie.example",
     "https://goldprairie.example", "Processes chicken from Minnesota family farms; drumsticks to the lab's spec.",
     [("Processing plant", "Pelican Rapids", "MN", "56572")],
     [("Maria Lind", "K-12 sales", "email", "218-555-0191", "maria@goldprairie.example")],
     [("Chicken drumsticks, raised without antibiotics", "meat_poultry", "IQF, 2 x 10 lb", list(range(1, 13)),
       "1 pallet", "distributor", 21)],
     [("rwa", "pvp")], [("haccp", "poultry processing", 150), ("sqf", "plant", 300)],
     ["Minneapolis Public Schools", "Saint Paul Public Schools"]),
    ("Twin Cities Regional Food Hub", "food_hub", "Minneapolis", "MN", "55411", "612-555-0133",
     "orders@tcfoodhub.example", "", "Aggregates produce from 40 member farms and delivers to school kitchens.",
     [("Aggregation warehouse", "Minneapolis", "MN", "55411")],
     [("Deb Johnson", "Operations", "phone", "612-555-0134", "deb@tcfoodhub.example")],
     [("Mixed local vegetables", "vegetable", "case sizes vary", [6, 7, 8, 9, 10], "$250", "sites", 3)],
     [], [("ghp", "aggregation warehouse", 60)], ["Minneapolis Public Schools", "Saint Paul Public Schools"]),
    ("Northland Produce Distributors", "distributor", "Saint Paul", "MN", "55107", "651-555-0150",
     "k12@northlandproduce.example", "", "Broadline produce distributor; can identify farm of origin on invoices.",
     [], [("Sam Vue", "K-12 account manager", "email", "651-555-0151", "sam@northlandproduce.example")],
     [], [], [], ["Minneapolis Public Schools", "Saint Paul Public Schools"]),
    ("Heartland Foodservice Distribution", "distributor", "Des Moines", "IA", "50317", "515-555-0160",
     "schools@heartlandfs.example", "", "Broadline distributor serving Iowa and Illinois districts.",
     [], [("Jenna Price", "Account manager", "phone", "515-555-0161", "")], [], [], [],
     ["Des Moines Public Schools", "Rockford Public Schools"]),
    ("Bayfield Fish Co-op", "coop", "Bayfield", "WI", "54814", "715-555-0118", "", "",
     "Lake Superior whitefish and herring from member fishers.", [("Harbor", "Bayfield", "WI", "54814")], [],
     [("Whitefish fillets", "seafood", "skin-on, IQF, 10 lb", [5, 6, 7, 8, 9, 10], "200 lb", "distributor", 14)],
     [], [], []),
]  # fmt: skip

PARTNER_EMAIL = "partner@northstar.example"
MANAGER_EMAIL = "manager@mpls.example"

# author email, days ago, kind, suppliers, districts, notes, private, follow-ups (what, due in days, owner email)
NOTES = [
    (PARTNER_EMAIL, 12, "farm_tour", ["Cannon River Orchard"], ["Minneapolis Public Schools", "Saint Paul Public Schools"],
     "Toured the orchard and packing shed with both food service directors. Honeycrisp size 138 fits the "
     "lunch spec; Kari can bag 3 per bag for elementary.", False,
     [("Send Kari the apple specification and the lab's volume estimate", -3, PARTNER_EMAIL)]),
    (PARTNER_EMAIL, 5, "call", ["Gold Prairie Poultry"], ["Minneapolis Public Schools"],
     "Drumsticks raised without antibiotics: PVP documentation confirmed. They need the RFP by January.", False,
     [("Share the drumstick RFP draft", 10, PARTNER_EMAIL)]),
    (PARTNER_EMAIL, 3, "meeting", ["Twin Cities Regional Food Hub"], ["Saint Paul Public Schools"],
     "Food hub can add a Tuesday route to SPPS central kitchen from March.", False, []),
    (PARTNER_EMAIL, 2, "call", ["Prairie Bloom Vegetable Farm"], [],
     "Pricing thoughts before we share them with districts.", True, []),
    (MANAGER_EMAIL, 8, "call", ["Northland Produce Distributors"], ["Minneapolis Public Schools"],
     "Northland will show farm of origin on invoices for MN apples and carrots.", False,
     [("Check the first invoice with farm of origin", 20, MANAGER_EMAIL)]),
]  # fmt: skip


def _supplier(lab: Collaborative, districts: dict[str, District], spec: tuple, today: date) -> Supplier:
    (name, kind, city, state, zip_code, phone, email, website, description, origins, people, products, practices,
     certs, buying) = spec  # fmt: skip
    supplier = Supplier.objects.filter(collaborative=lab, name=name).first()
    if supplier is not None:
        return supplier
    supplier = services.supplier_create(user=None, collaborative_id=lab.pk, force=True, data={
        "name": name, "kind": kind, "city": city, "state": state, "postal_code": zip_code, "phone": phone,
        "email": email, "website": website, "description": description,
    }, buying_district_ids=[districts[d].pk for d in buying if d in districts])  # fmt: skip
    for label, o_city, o_state, o_zip in origins:
        services.child_save(
            obj=Origin(supplier=supplier, label=label, city=o_city, state=o_state, postal_code=o_zip)
        )
    for p_name, role, channel, p_phone, p_email in people:
        services.child_save(obj=SupplierPerson(supplier=supplier, name=p_name, role=role, preferred_channel=channel,
                                               phone=p_phone, email=p_email))  # fmt: skip
    for pr_name, category, packs, months, minimum, mode, lead in products:
        services.child_save(obj=Product(supplier=supplier, name=pr_name, category=category, forms_and_packs=packs,
                                        months_available=months, minimum_order=minimum, delivery_mode=mode,
                                        lead_time_days=lead))  # fmt: skip
    for practice, verification in practices:
        services.child_save(
            obj=ProductionPractice(supplier=supplier, practice=practice, verification=verification)
        )
    for cert_kind, scope, days_ago in certs:
        services.child_save(obj=Certification(supplier=supplier, kind=cert_kind, scope=scope,
                                              audit_date=today - timedelta(days=days_ago),
                                              expires_on=None if cert_kind in ("gap", "ghp") else
                                              today - timedelta(days=days_ago) + timedelta(days=730)))  # fmt: skip
    return supplier


def seed_suppliers(*, out: list[str]) -> None:
    lab = Collaborative.objects.filter(slug="umrll").first()
    if lab is None:
        return
    today = timezone.localdate()
    districts = {d.name: d for d in District.objects.filter(collaborative=lab)}
    suppliers = {spec[0]: _supplier(lab, districts, spec, today) for spec in SUPPLIERS}
    users = {u.email: u for u in User.objects.filter(email__in=[PARTNER_EMAIL, MANAGER_EMAIL])}
    logged = 0
    for email, days_ago, kind, names, concerned, text, private, follow_ups in NOTES:
        user = users.get(email)
        if user is None or Interaction.objects.filter(author=user, notes=text).exists():
            continue
        orgs = contact_services.author_orgs(user)
        if not orgs:
            continue
        contact_services.interaction_log(
            user=user, org=orgs[0][0], occurred_on=today - timedelta(days=days_ago), kind=kind, notes=text,
            private=private, supplier_ids=[suppliers[n].pk for n in names],
            district_ids=[districts[d].pk for d in concerned if d in districts],
            follow_ups=[contact_services.FollowUpInput(what, today + timedelta(days=due), users[owner].pk)
                        for what, due, owner in follow_ups if owner in users],
        )  # fmt: skip
        logged += 1
    if logged:
        out.append(f"Supplier directory: {len(suppliers)} suppliers, {logged} logged interactions.")
