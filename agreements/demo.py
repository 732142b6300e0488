"""Demo letters of agreement for the demo lab, in varied states. Idempotent: a lab that already
has letters is left alone."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from agreements import services
from agreements.models import Letter
from districts.models import Collaborative, District
from partners.models import PartnerOrganisation

ADMIN, MANAGER, VIEWER, PARTNER = (
    "admin@focuslab.example", "manager@mpls.example", "viewer@spps.example", "partner@northstar.example")  # fmt: skip


def _sign(letter: Letter, user: User, title: str, *, lab: bool = False) -> None:
    sign = services.letter_countersign if lab else services.letter_sign
    sign(letter=letter, user=user, typed_name=user.get_full_name(), title=title, consent=True,
         letter_sha256=letter.text_sha256, tz="America/Chicago", client=services.ClientInfo("127.0.0.1", "FOCUS Lab demo"))  # fmt: skip


def seed_agreements(*, lab: Collaborative, school_year: int, out: list[str]) -> None:
    if Letter.objects.filter(collaborative=lab).exists():
        return
    users = {u.email: u for u in User.objects.filter(email__in=[ADMIN, MANAGER, VIEWER, PARTNER])}
    if len(users) < 4:
        return
    admin = users[ADMIN]
    version = services.template_default(collaborative=lab, user=admin).current
    district = {d.name: d for d in District.objects.filter(collaborative=lab)}
    partner = {p.name: p for p in PartnerOrganisation.objects.filter(collaborative=lab)}

    def issue(party: object, year: int = school_year, send: bool = True) -> Letter:
        return services.letter_issue(version=version, party=party, school_year=year, user=admin, send=send)

    with transaction.atomic():
        last_year = issue(district["Minneapolis Public Schools"], school_year - 1)
        _sign(
            last_year, users[MANAGER], "Director of Culinary & Wellness Services"
        )  # awaits countersignature
        declined = issue(partner["North Star Farm to School Network"], school_year - 1)
        services.letter_decline(letter=declined, user=users[PARTNER],
                                reason="Our board approves new commitments in January; please send it again then.")  # fmt: skip
        complete = issue(district["Minneapolis Public Schools"])
        _sign(complete, users[MANAGER], "Director of Culinary & Wellness Services")
        _sign(complete, admin, "Learning Lab Coordinator", lab=True)
        issue(partner["North Star Farm to School Network"])  # awaits the partner's signature
        viewed = issue(district["Saint Paul Public Schools"])
        services.letter_view(letter=viewed, user=users[VIEWER])
        issue(district["Milwaukee Public Schools"])
        issue(district["Madison Metropolitan School District"], send=False)  # a draft
        withdrawn = issue(district["Des Moines Public Schools"])
        services.letter_withdraw(letter=withdrawn, user=admin, reason="Sent to the wrong contact; reissuing.")
        expired = issue(district["Cedar Rapids Community School District"])
        Letter.objects.filter(pk=expired.pk).update(sent_at=timezone.now() - timedelta(days=60),
                                                    expires_at=timezone.now() - timedelta(days=15))  # fmt: skip
        services.letters_expire_due()
    out.append(f"Letters of agreement: {Letter.objects.filter(collaborative=lab).count()} in varied states.")
