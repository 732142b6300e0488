from __future__ import annotations

import io

import pytest

from focus_lab.imports import services
from focus_lab.imports.kinds import get_kind
from tests.imports.files import csv_bytes, xlsx_bytes

CLAIMS_HEADERS = [
    "St",
    "SFA Code",
    "Program Year",
    "Free Meals",
    "Reduced Price Meals",
    "Paid Meals",
    "Sponsor Name",
]


@pytest.fixture
def lunch_kind():
    return get_kind("lunch-counts")


@pytest.fixture
def catalog_kind():
    return get_kind("catalog")


def claims_rows(district, *, year: str = "2024-25", free: object = 412_000) -> list[list[object]]:
    """The state's claims export: a title row, other column names, a totals row."""
    return [
        ["Minnesota Department of Education — CNP claims export"],
        [],
        CLAIMS_HEADERS,
        ["MN", district.agency_code, year, free, 61_500, 530_250, district.name],
        ["Total", "", "", 412_000, 61_500, 530_250, ""],
    ]


def upload(kind, data: bytes, *, user, name: str = "claims.xlsx", source: str = "", **kwargs):
    return services.import_upload(
        kind=kind, file=io.BytesIO(data), filename=name, source=source, user=user, **kwargs
    )


def claims_xlsx(district, **kwargs) -> bytes:
    return xlsx_bytes({"Claims": claims_rows(district, **kwargs)})


def claims_csv(district, **kwargs) -> bytes:
    return csv_bytes(claims_rows(district, **kwargs))
