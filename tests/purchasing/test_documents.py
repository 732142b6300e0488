"""The documents, read back: text from the PDFs (pypdf) and the DOCX (python-docx) holds every
spec field and the pooled volumes; the XLSX bid sheet opens in openpyxl with the expected rows."""

import io

import docx
import openpyxl
import pytest
from django.urls import reverse
from pypdf import PdfReader

from tests.purchasing.fixtures import DRUMSTICK_SPEC, adopt, build_lab, commit, propose_drumsticks

pytestmark = pytest.mark.django_db

SPEC_TEXTS = [
    DRUMSTICK_SPEC["product_form"], DRUMSTICK_SPEC["pack_size"], DRUMSTICK_SPEC["grade"], DRUMSTICK_SPEC["crediting"],
    "Minimally processed", "Raised without antibiotics (verified by USDA Process Verified Program)", "none",
    "Local is a scoring advantage (geographic preference)", DRUMSTICK_SPEC["local_definition"], "piece size", "3.5-4.5 oz",
]  # fmt: skip


@pytest.fixture
def item(district, manager, partner_user, collaborative):
    lab = build_lab(district, manager)
    item, version = propose_drumsticks(partner_user, collaborative)
    adopt(version, lab)
    commit(item, *lab[0])  # 5,400 lb, Sep-May
    commit(item, *lab[1], servings_per_day=1000)  # 2 x 9 x 1,000 x 4 oz / 16 = 4,500 lb
    return item


def _pdf_text(body: bytes) -> str:
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)
    return " ".join(text.split())


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_spec_sheet_pdf_holds_every_spec_field(item, member_client):
    version = item.versions.get()
    response = member_client.get(reverse("purchasing:version-pdf", args=[version.pk]))
    assert response["Content-Type"] == "application/pdf"
    text = _pdf_text(response.content)
    for expected in SPEC_TEXTS:
        assert _flat(expected) in text, expected
    assert "Geographic preference (7 CFR 210.21(g))" in text


def test_rfp_pdf_and_docx_hold_specs_and_pooled_volumes(item, collab_admin, client_for):
    client = client_for(collab_admin)
    url = reverse("purchasing:rfp-draft")
    pdf = client.get(url, {"item": item.pk, "format": "pdf"})
    assert pdf["Content-Type"] == "application/pdf"
    word = client.get(url, {"item": item.pk, "format": "docx"})
    assert word["Content-Disposition"] == 'attachment; filename="rfp-draft.docx"'
    document = docx.Document(io.BytesIO(word.content))
    parts = [p.text for p in document.paragraphs]
    parts += [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    docx_text = _flat("\n".join(parts))
    for text in (_pdf_text(pdf.content), docx_text):
        for expected in SPEC_TEXTS:
            assert _flat(expected) in text, expected
        assert "Alpha Public Schools" in text and "Lab District 1" in text
        assert "5,400" in text and "4,500" in text and "9,900" in text  # by district and the total
        assert "1,100" in text  # by month: (5,400 + 4,500) / 9
        assert "Alpha Public Schools Kitchen" in text  # a delivery point
        assert "Geographic preference" in text


def test_xlsx_bid_sheet_opens_with_the_expected_rows(item, member_client):
    response = member_client.get(reverse("purchasing:rfp-draft"), {"item": item.pk, "format": "xlsx"})
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    rows = list(book["Bid sheet"].iter_rows(values_only=True))
    assert rows[0] == ("Item", "Specification", "Unit", "Pooled annual volume", "Price per unit ($)",
                       "Origin (where grown, raised or caught)", "Production practices", "Notes")  # fmt: skip
    assert rows[1][:5] == ("Chicken drumsticks, raised without antibiotics", "version 1", "lb", 9900, None)
    assert len(rows) == 2
    volumes = list(book["Volumes by district"].iter_rows(values_only=True))
    assert volumes[1:] == [
        ("Chicken drumsticks, raised without antibiotics", "Alpha Public Schools", 5400, "lb", 1),
        ("Chicken drumsticks, raised without antibiotics", "Lab District 1", 4500, "lb", 2),
    ]


def test_spec_sheet_only_for_adopted_versions(district, manager, collaborative, member_client):
    build_lab(district, manager)
    _, version = propose_drumsticks(manager, collaborative)
    assert member_client.get(reverse("purchasing:version-pdf", args=[version.pk])).status_code == 404
