from __future__ import annotations

import pytest

from agreements import services
from agreements.models import Letter


@pytest.fixture
def template(collaborative, collab_admin):
    return services.template_default(collaborative=collaborative, user=collab_admin)


@pytest.fixture
def version(template):
    return template.current


@pytest.fixture
def draft(version, district, collab_admin) -> Letter:
    return services.letter_issue(version=version, party=district, school_year=2026, user=collab_admin)


@pytest.fixture
def sent(draft, collab_admin, manager, django_capture_on_commit_callbacks) -> Letter:
    with django_capture_on_commit_callbacks(execute=True):
        return services.letter_send(letter=draft, user=collab_admin)


@pytest.fixture
def partner_letter(version, partner, collab_admin, partner_user) -> Letter:
    return services.letter_issue(
        version=version, party=partner, school_year=2026, user=collab_admin, send=True
    )


def sign(letter: Letter, user, **extra) -> object:
    values = {"typed_name": "Dana Okafor", "title": "Food Service Director", "consent": True,
              "letter_sha256": letter.text_sha256, "tz": "America/Chicago"} | extra  # fmt: skip
    return services.letter_sign(letter=letter, user=user, **values)


def countersign(letter: Letter, user, **extra) -> object:
    values = {"typed_name": "Avery Lindqvist", "title": "Lab Director", "consent": True,
              "letter_sha256": letter.text_sha256, "tz": "America/New_York"} | extra  # fmt: skip
    return services.letter_countersign(letter=letter, user=user, **values)


@pytest.fixture
def complete(sent, manager, collab_admin) -> Letter:
    sign(sent, manager)
    countersign(sent, collab_admin)
    sent.refresh_from_db()
    return sent
