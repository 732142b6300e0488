"""The letter as a US Letter PDF, rendered by WeasyPrint from templates/agreements/letter_pdf.html.

``letter_pdf`` renders any letter (a draft is marked as such); ``letter_seal`` renders the final
PDF once, when the letter is complete: PDF/A-3b, with a last page holding the evidence trail and
the trail attached as JSON, stored through Django's storage with its SHA-256. It is never
rendered again: the stored bytes are the record."""

from __future__ import annotations

import base64
import json
import mimetypes
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from weasyprint import CSS, HTML, Attachment
from weasyprint.text.fonts import FontConfiguration

from agreements.content import letter_content
from agreements.models import EventKind, Letter, LetterEvent, SignatureRole
from agreements.rules import CONSENT_TEXT, CONSENT_VERSION, sha256_bytes, sha256_text
from agreements.seal import seal_configured, seal_pdf

PDF_VARIANT = "pdf/a-3b"
STYLESHEET = Path(__file__).with_name("letter_pdf.css")


@lru_cache(maxsize=1)
def _style() -> tuple[CSS, FontConfiguration]:
    """The letter's stylesheet, parsed once per process with one font configuration: a batch
    renders hundreds of letters without parsing the CSS or loading the fonts again."""
    fonts = FontConfiguration()
    return CSS(string=STYLESHEET.read_text(), font_config=fonts), fonts


def _no_fetch(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    """Letters load nothing from outside: the logo is inlined as a data URI."""
    raise ValueError(f"Letters load no external resources ({url[:40]}).")


def _logo_uri(letter: Letter) -> str:
    logo = letter.version.template.logo
    if not logo:
        return ""
    try:
        with logo.open("rb") as handle:
            data = handle.read(2_000_001)
    except OSError:
        return ""
    kind = mimetypes.guess_type(logo.name)[0] or ""
    if len(data) > 2_000_000 or kind not in {"image/png", "image/jpeg"}:
        return ""
    return f"data:{kind};base64,{base64.b64encode(data).decode()}"


def _context(letter: Letter, *, final: bool) -> dict[str, Any]:
    content = letter_content(version=letter.version, party=letter.party, lab=letter.collaborative.name,
                             school_year=letter.school_year)  # fmt: skip
    signatures = {s.role: s for s in letter.signatures.all()}
    return {
        "letter": letter, "content": content, "final": final, "logo": _logo_uri(letter),
        "party_signature": signatures.get(SignatureRole.PARTY), "lab_signature": signatures.get(SignatureRole.LAB),
        "events": list(letter.events.all()) if final else [], "consent_text": CONSENT_TEXT,
        "consent_sha256": sha256_text(CONSENT_TEXT), "consent_version": CONSENT_VERSION,
        "generated_at": timezone.localtime(),
    }  # fmt: skip


def evidence(letter: Letter) -> dict[str, Any]:
    """The evidence trail as data: the letter's hash, each signature's evidence and every event."""
    return {
        "letter": letter.pk, "party": str(letter.party), "collaborative": letter.collaborative.name,
        "school_year": letter.school_year_label, "template_version": letter.version.number,
        "letter_sha256": letter.text_sha256, "consent_sha256": sha256_text(CONSENT_TEXT),
        "signatures": [{"role": s.role, "user": s.user_email, "typed_name": s.typed_name, "title": s.title,
                        "signed_at": s.signed_at.isoformat(), "timezone": s.timezone, "local_time": s.local_time,
                        "ip_address": s.ip_address, "user_agent": s.user_agent, "consent_sha256": s.consent_sha256,
                        "letter_sha256": s.letter_sha256} for s in letter.signatures.all()],
        "events": [{"kind": e.kind, "at": e.at.isoformat(), "actor": e.actor_email, "ip_address": e.ip_address,
                    "user_agent": e.user_agent, "step": e.step, "detail": e.detail} for e in letter.events.all()],
    }  # fmt: skip


def letter_pdf(letter: Letter, *, final: bool = False) -> bytes:
    """The letter's PDF. ``final`` adds the evidence page, PDF/A-3b and the attached trail."""
    html = render_to_string("agreements/letter_pdf.html", _context(letter, final=final))
    document = HTML(string=html, url_fetcher=_no_fetch)
    css, fonts = _style()
    if not final:
        return document.write_pdf(stylesheets=[css], font_config=fonts)
    trail = json.dumps(evidence(letter), indent=2, ensure_ascii=False)
    attachment = Attachment(string=trail, name="evidence.json", description="Evidence trail (JSON)")
    return document.write_pdf(stylesheets=[css], font_config=fonts, pdf_variant=PDF_VARIANT, attachments=[attachment],
                              pdf_identifier=letter.text_sha256[:32].encode())  # fmt: skip


def letter_seal(*, letter: Letter) -> Letter:
    """Render and store the final PDF of a complete letter, once. A letter that already has its
    PDF is returned as it is (the stored bytes are never replaced)."""
    with transaction.atomic():
        letter = Letter.objects.select_for_update().get(pk=letter.pk)
        if letter.pdf_sha256 or not letter.is_complete:
            return letter
        data = seal_pdf(letter_pdf(letter, final=True),
                        reason=f"Letter of agreement #{letter.pk} complete; letter SHA-256 {letter.text_sha256}")  # fmt: skip
        digest = sha256_bytes(data)
        name = f"letter-{letter.pk}-{letter.school_year}-{digest[:12]}.pdf"
        letter.pdf.save(name, ContentFile(data), save=False)
        letter.pdf_sha256 = digest
        letter.save(update_fields=["pdf", "pdf_sha256"])
        LetterEvent.objects.create(letter=letter, kind=EventKind.SEALED, at=timezone.now(),
                                   detail={"pdf_sha256": digest, "bytes": len(data), "pdf_variant": PDF_VARIANT,
                                           "pades": seal_configured()})  # fmt: skip
    return letter
