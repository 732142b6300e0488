"""The PDF: its text (pypdf) has the party, every commitment, the signature blocks and the hash;
the stored bytes match the recorded SHA-256; the verify page accepts them and refuses one changed
byte."""

from __future__ import annotations

import hashlib
import io
import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from pypdf import PdfReader

from agreements.pdf import letter_pdf

pytestmark = pytest.mark.django_db


def _text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages)


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def test_final_pdf_has_party_commitments_signatures_and_hash(complete):
    data = complete.pdf.open("rb").read()
    text = _flat(_text(data))
    assert "Alpha Public Schools" in text and complete.collaborative.name in text
    for item in complete.version.gives("district") + complete.version.gets:
        assert _flat(item) in text, item
    assert complete.version.gives_partners[0] not in text
    assert "/s/ Dana Okafor" in text and "/s/ Avery Lindqvist" in text
    assert "Title: Food Service Director" in text and "Title: Lab Director" in text
    assert f"Letter SHA-256: {complete.text_sha256}" in text
    assert "Page 1 of" in text
    assert "Evidence of electronic signature" in text and complete.signatures.first().consent_sha256 in text


def test_final_pdf_is_pdfa_with_the_evidence_attached(complete):
    reader = PdfReader(complete.pdf.open("rb"))
    assert b"pdfaid:part" in reader.xmp_metadata.stream.get_data()
    evidence = json.loads(reader.attachments["evidence.json"][0])
    assert evidence["letter_sha256"] == complete.text_sha256
    assert [s["role"] for s in evidence["signatures"]] == ["party", "lab"]
    assert "countersigned" in [e["kind"] for e in evidence["events"]]


def test_stored_pdf_sha256_equals_the_recorded_one(complete):
    with complete.pdf.open("rb") as handle:
        assert hashlib.sha256(handle.read()).hexdigest() == complete.pdf_sha256


def test_a_draft_pdf_shows_empty_signature_blocks(draft):
    text = _flat(_text(letter_pdf(draft)))
    assert "DRAFT" in text and "Signature for Alpha Public Schools" in text and "/s/" not in text
    assert draft.text_sha256 in text


def test_verify_accepts_the_stored_pdf_and_refuses_one_changed_byte(complete):
    data = complete.pdf.open("rb").read()
    client = Client()  # anonymous: the page is public
    page = client.post("/verify/", {"pdf": SimpleUploadedFile("letter.pdf", data, "application/pdf")})
    assert page.status_code == 200 and 'data-match="yes"' in page.content.decode()
    assert "Alpha Public Schools" in page.content.decode()
    changed = bytearray(data)
    changed[len(changed) // 2] ^= 0x01
    page = client.post(
        "/verify/", {"pdf": SimpleUploadedFile("letter.pdf", bytes(changed), "application/pdf")}
    )
    assert 'data-match="no"' in page.content.decode() and "Alpha Public Schools" not in page.content.decode()
    assert client.get("/verify/").status_code == 200


def test_download_serves_the_stored_bytes(complete, client_for, manager):
    response = client_for(manager).get(f"/agreements/letters/{complete.pk}/pdf/")
    assert hashlib.sha256(b"".join(response.streaming_content)).hexdigest() == complete.pdf_sha256
