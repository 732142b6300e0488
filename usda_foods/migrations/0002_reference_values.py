"""The published reference values listed in DOMAIN.md, with their citations. Admins add others."""

from datetime import date
from decimal import Decimal

from django.db import migrations

PER_MEAL_VALUES = [
    ("1998-99", "14.75", date(1998, 7, 1), "USDA FNS notice of July 1998", ""),
    ("2006-07", "16.75", date(2006, 7, 1), "USDA FNS notice of July 2006", "First published value; corrected in May 2007."),
    ("2006-07", "17.00", date(2007, 5, 1), "FNS correction notice, May 2007", "Correction: supersedes 16.75 cents."),
    ("2019-20", "23.75", date(2019, 7, 1), "Federal Register notice, July 2019", ""),
]

RATES = {
    "2019-20": ("3.41", "3.01", "0.32"),
    "2022-23": ("3.93", "3.53", "0.37"),
    "2023-24": ("4.25", "3.85", "0.40"),
    "2024-25": ("4.43", "4.03", "0.42"),
}


def load(apps, schema_editor):
    PerMealValue = apps.get_model("usda_foods", "PerMealValue")
    ReimbursementRate = apps.get_model("usda_foods", "ReimbursementRate")
    for year, cents, published, citation, notes in PER_MEAL_VALUES:
        PerMealValue.objects.update_or_create(
            school_year=year, published_on=published,
            defaults={"cents": Decimal(cents), "citation": citation, "notes": notes},
        )  # fmt: skip
    for year, values in RATES.items():
        citation = f"Federal Register notice of NSLP reimbursement rates, July {year[:4]} (contiguous states, <60% F/R)"
        for category, dollars in zip(("free", "reduced", "paid"), values, strict=True):
            ReimbursementRate.objects.update_or_create(
                school_year=year, category=category, defaults={"dollars": Decimal(dollars), "citation": citation}
            )


class Migration(migrations.Migration):
    dependencies = [("usda_foods", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
