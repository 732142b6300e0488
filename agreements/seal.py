"""An optional PAdES seal over a completed letter's final PDF, with the deployment's key.

When ``AGREEMENTS_SEAL_KEY`` and ``AGREEMENTS_SEAL_CERT`` name PEM files (a private key and its
certificate; ``AGREEMENTS_SEAL_KEY_PASSPHRASE`` if the key is encrypted), the final PDF is signed
as a PAdES baseline (B-B) signature by pyHanko, in an incremental update: the PDF/A content stays
as rendered, and any later change to the file breaks the seal. Without them the PDF is stored as
rendered; its SHA-256 still ties it to the record."""

from __future__ import annotations

import io
from functools import lru_cache

from django.conf import settings


def seal_configured() -> bool:
    return bool(
        getattr(settings, "AGREEMENTS_SEAL_KEY", "") and getattr(settings, "AGREEMENTS_SEAL_CERT", "")
    )


@lru_cache(maxsize=4)
def _signer(key: str, cert: str, passphrase: str) -> object:
    from pyhanko.sign import signers

    return signers.SimpleSigner.load(key, cert, key_passphrase=passphrase.encode() or None)


def seal_pdf(data: bytes, *, reason: str, location: str = "FOCUS Lab") -> bytes:
    """The PDF with a PAdES seal, or as it is when no key is configured."""
    if not seal_configured():
        return data
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    signer = _signer(settings.AGREEMENTS_SEAL_KEY, settings.AGREEMENTS_SEAL_CERT,
                     getattr(settings, "AGREEMENTS_SEAL_KEY_PASSPHRASE", ""))  # fmt: skip
    meta = signers.PdfSignatureMetadata(field_name="FOCUSLabSeal", subfilter=fields.SigSeedSubFilter.PADES,
                                        reason=reason, location=location)  # fmt: skip
    writer = IncrementalPdfFileWriter(io.BytesIO(data))
    return signers.sign_pdf(writer, meta, signer=signer).getvalue()
