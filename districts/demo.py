"""The demo learning lab: seven districts of the Upper Midwest across MN, WI, IA and IL."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

COLLABORATIVE = {
    "slug": "umrll",
    "name": "Upper Midwest Regional Learning Lab",
    "description": "Seven school districts leveraging buying power to bring more healthful, regional, "
    "sustainably produced food to their students, with their community procurement partners.",
}

STATE_AGENCIES = [
    ("MN", "Minnesota Department of Education, Food and Nutrition Service", "mde.fns@state.mn.example"),
    ("WI", "Wisconsin Department of Public Instruction, School Nutrition Team", "dpi.snt@state.wi.example"),
    ("IA", "Iowa Department of Education, Bureau of Nutrition and Health Services", "nhs@state.ia.example"),
    ("IL", "Illinois State Board of Education, Nutrition Department", "nutrition@state.il.example"),
]

# name, state, agency code, enrollment, commodity school, sites (name, kind, street, city, zip, lat, lon)
DISTRICTS = [
    ("Minneapolis Public Schools", "MN", "0001-03", 29_000, False, [
        ("Culinary & Wellness Services Center", "kitchen", "812 Plymouth Ave N", "Minneapolis", "55411", "44.991200", "-93.285400"),
        ("South High School", "school", "3131 19th Ave S", "Minneapolis", "55407", "44.946600", "-93.247400"),
        ("Roosevelt High School", "school", "4029 28th Ave S", "Minneapolis", "55406", "44.928900", "-93.231900"),
    ]),
    ("Saint Paul Public Schools", "MN", "0625-01", 33_000, False, [
        ("Nutrition Services Central Kitchen", "kitchen", "1930 Como Ave", "Saint Paul", "55108", "44.978900", "-93.172600"),
        ("Central High School", "school", "275 Lexington Pkwy N", "Saint Paul", "55104", "44.949900", "-93.146900"),
        ("Harding High School", "school", "1540 6th St E", "Saint Paul", "55106", "44.961200", "-93.031700"),
    ]),
    ("Madison Metropolitan School District", "WI", "3269", 25_500, False, [
        ("Food Services Warehouse", "warehouse", "4711 Pflaum Rd", "Madison", "53718", "43.075600", "-89.303900"),
        ("East High School", "school", "2222 E Washington Ave", "Madison", "53704", "43.099300", "-89.356600"),
    ]),
    ("Milwaukee Public Schools", "WI", "3619", 67_000, True, [
        ("Central Kitchen", "kitchen", "3620 N 18th St", "Milwaukee", "53206", "43.082400", "-87.936500"),
        ("Riverside University High School", "school", "1615 E Locust St", "Milwaukee", "53211", "43.071500", "-87.889100"),
        ("Bay View High School", "school", "2751 S Lenox St", "Milwaukee", "53207", "42.993300", "-87.897000"),
    ]),
    ("Des Moines Public Schools", "IA", "77-1737", 30_000, False, [
        ("Nutrition Services Center", "kitchen", "1800 Grand Ave", "Des Moines", "50309", "41.585300", "-93.645900"),
        ("Roosevelt High School", "school", "4419 Center St", "Des Moines", "50312", "41.588600", "-93.681100"),
    ]),
    ("Cedar Rapids Community School District", "IA", "57-1053", 15_500, False, [
        ("Nutrition Services Warehouse", "warehouse", "2500 Edgewood Rd NW", "Cedar Rapids", "52405", "41.993300", "-91.711200"),
        ("Kennedy High School", "school", "4545 Wenig Rd NE", "Cedar Rapids", "52402", "42.034500", "-91.626600"),
    ]),
    ("Rockford Public Schools", "IL", "04-101-2050-25", 27_000, False, [
        ("Nutrition Services Commissary", "kitchen", "501 7th St", "Rockford", "61104", "42.263700", "-89.088700"),
        ("Auburn High School", "school", "5110 Auburn St", "Rockford", "61101", "42.287900", "-89.145600"),
    ]),
]  # fmt: skip

PARTNERS = [
    ("North Star Farm to School Network", "nonprofit", "Minneapolis", "MN",
     "Connects Twin Cities districts with Minnesota growers, processors and distributors; helps write specs.",
     ["Minneapolis Public Schools", "Saint Paul Public Schools"], "Regional poultry and whole grains"),
    ("Driftless Food Hub", "food_hub", "Viroqua", "WI",
     "Aggregates produce from small Driftless-region farms and delivers to Wisconsin and Iowa districts.",
     ["Madison Metropolitan School District", "Milwaukee Public Schools", "Cedar Rapids Community School District"],
     "Fresh and lightly processed vegetables"),
    ("Prairie Harvest Extension Partnership", "extension", "Ames", "IA",
     "University extension educators supporting farm-to-school procurement in Iowa and northern Illinois.",
     ["Des Moines Public Schools", "Rockford Public Schools"], "Local beef and apples"),
]  # fmt: skip

COOP = {
    "name": "Twin Cities USDA Foods Co-op",
    "lead": "Minneapolis Public Schools",
    "site": "Culinary & Wellness Services Center",
    "members": ["Minneapolis Public Schools", "Saint Paul Public Schools"],
}

DEMO_PASSWORD = "focus-lab-demo"  # noqa: S105 - demo logins, printed on first run and in the README

# email, first name, last name, role, target (district / partner name / state / collaborative slug;
# None for a national role)
USERS = [
    ("admin@focuslab.example", "Avery", "Lindqvist", "collaborative_admin", "umrll"),
    ("manager@mpls.example", "Dana", "Okafor", "district_manager", "Minneapolis Public Schools"),
    ("viewer@spps.example", "Sam", "Vang", "district_viewer", "Saint Paul Public Schools"),
    ("partner@northstar.example", "Jordan", "Hanson", "partner_staff", "North Star Farm to School Network"),
    ("reviewer@mde.example", "Riley", "Peterson", "sda_reviewer", "MN"),
    # Wisconsin's reviewer: the partner agency of the demo's joint truck (cross-state coordination)
    ("reviewer@dpi.example", "Casey", "Lund", "sda_reviewer", "WI"),
    # national: per-meal values, reimbursement rates, Section 4 payments, the USDA Foods list
    ("reference@focuslab.example", "Morgan", "Reyes", "reference_data", None),
]
SUPERUSER = ("superuser@focuslab.example", "Site", "Admin")

PARTNERSHIP_START = date(2025, 8, 1)
_ = Decimal  # coordinates above are strings parsed as Decimal by the seeder
