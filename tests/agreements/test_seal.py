"""The optional PAdES seal: with a key configured, the stored final PDF carries a valid, intact
PAdES signature by that certificate over the whole file; its text and hash checks still hold."""

from __future__ import annotations

import datetime as dt
import io

import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture
def seal_key(tmp_path, settings):
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "FOCUS Lab test seal")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=30))
            .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True, key_encipherment=False,
                                         data_encipherment=False, key_agreement=False, key_cert_sign=True,
                                         crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
            .sign(key, hashes.SHA256()))  # fmt: skip
    key_path, cert_path = tmp_path / "seal.key", tmp_path / "seal.crt"
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))  # fmt: skip
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    settings.AGREEMENTS_SEAL_KEY, settings.AGREEMENTS_SEAL_CERT = str(key_path), str(cert_path)
    return cert_path


def test_the_final_pdf_carries_a_valid_pades_seal(seal_key, request):
    import hashlib

    from asn1crypto import pem, x509
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext
    from pypdf import PdfReader

    letter = request.getfixturevalue("complete")
    data = letter.pdf.open("rb").read()
    assert hashlib.sha256(data).hexdigest() == letter.pdf_sha256
    _, _, der = pem.unarmor(seal_key.read_bytes())
    reader = PdfFileReader(io.BytesIO(data))
    (signature,) = reader.embedded_signatures
    status = validate_pdf_signature(signature, ValidationContext(trust_roots=[x509.Certificate.load(der)]))
    assert status.intact and status.valid and status.coverage.name == "ENTIRE_FILE"
    assert signature.sig_object["/SubFilter"] == "/ETSI.CAdES.detached"  # PAdES
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    assert letter.text_sha256 in text and "Evidence of electronic signature" in text
    assert letter.events.get(kind="sealed").detail["pades"] is True


def test_without_a_key_the_pdf_is_stored_as_rendered(complete):
    from pyhanko.pdf_utils.reader import PdfFileReader

    assert PdfFileReader(complete.pdf.open("rb")).embedded_signatures == []
    assert complete.events.get(kind="sealed").detail["pades"] is False
