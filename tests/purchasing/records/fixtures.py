"""A lab with a definition of local (Minnesota local; MN, WI and IA regional), suppliers, and
helpers to import a distributor's file."""

from __future__ import annotations

from decimal import Decimal

from focus_lab.imports.services import import_data
from purchasing.records.models import LocalDefinition

HEADER = "District,Site,Invoice Date,Vendor,Description,Category,Qty,UOM,Case Weight,Ext Price,Origin,Source,Claims\n"


def lab_definition(collaborative, **overrides) -> LocalDefinition:
    values = {"name": "Grown in Minnesota", "local_states": ["MN"], "regional_states": ["MN", "WI", "IA"]}
    return LocalDefinition.objects.create(collaborative=collaborative, **{**values, **overrides})


def line(district="Alpha Public Schools", site="", day="09/15/2026", vendor="North Star Foods",
         description="Carrots, whole", category="vegetable", qty="10", unit="case", weight="25",
         spend="$250.00", origin="MN", source="commercial", claims="") -> str:  # fmt: skip
    cells = [
        district,
        site,
        day,
        vendor,
        description,
        category,
        qty,
        unit,
        weight,
        spend,
        origin,
        source,
        claims,
    ]
    return ",".join(f'"{c}"' if "," in c else c for c in cells) + "\n"


def purchases(user, *rows: str, name: str = "", **kwargs):
    body = HEADER + "".join(rows)
    return import_data(
        kind="purchases", data=body, user=user, filename=name or f"report-{hash(body)}.csv", **kwargs
    )


D = Decimal
