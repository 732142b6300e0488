"""A letter's content with its party filled in: what the page shows, the PDF prints and the
canonical text (and hash) the party signs."""

from __future__ import annotations

from agreements.models import Formality, PartyKind, TemplateVersion
from agreements.rules import LetterContent, school_year_label
from districts.models import District
from partners.models import PartnerOrganisation


def _fmt(day: object) -> str:
    return f"{day:%B} {day.day}, {day.year}" if day else ""  # type: ignore[attr-defined]


def letter_content(*, version: TemplateVersion, party: District | PartnerOrganisation, lab: str,
                   school_year: int) -> LetterContent:  # fmt: skip
    kind = PartyKind.DISTRICT if isinstance(party, District) else PartyKind.PARTNER
    return LetterContent(
        collaborative=lab, party=party.name, party_kind=str(kind), school_year=school_year_label(school_year),
        title=version.title, introduction=version.introduction, gives=version.gives(kind), gets=list(version.gets),
        closing=version.closing, formal=version.formality == Formality.FORMAL, term=version.term,
        start=_fmt(version.start_date), end=_fmt(version.end_date), version=version.number,
    )  # fmt: skip
