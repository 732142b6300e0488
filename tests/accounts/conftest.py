"""Shared pieces of the invitation tests: another lab's admin, a superuser, the link out of an
email, a spy on the Celery email task."""

from __future__ import annotations

import re

import pytest
from django.core import mail

from accounts.models import Role
from tests.factories import member

LINK = re.compile(r"https?://[^/\s]+(/accounts/invitations/([^/\s]+)/)")
BASE_URL = "http://testserver/"


@pytest.fixture
def other_admin(other_district):
    """The admin of the other district's lab: a real admin, just not of our lab."""
    return member(Role.COLLABORATIVE_ADMIN, other_district.collaborative, email="admin@other-lab.example")


@pytest.fixture
def superuser(db):
    from tests.factories import UserFactory

    return UserFactory(is_superuser=True, is_staff=True, email="root@example.org")


def link_in(message: mail.EmailMessage) -> tuple[str, str]:
    """(path, token) of the invitation link in an email."""
    found = LINK.search(message.body)
    assert found, message.body
    return found.group(1), found.group(2)


def last_link() -> tuple[str, str]:
    assert mail.outbox, "no email was sent"
    return link_in(mail.outbox[-1])


@pytest.fixture
def sent_through_task(monkeypatch):
    """The (message_id, to) of every email handed to ``focus_lab.tasks.send_email.delay``, which
    still runs (eagerly in tests) and so still lands in ``mail.outbox``."""
    from focus_lab import tasks

    calls: list[tuple[str, list[str]]] = []
    original = tasks.send_email.delay

    def spy(message_id, subject, body, to, *args, **kwargs):
        calls.append((message_id, to))
        return original(message_id, subject, body, to, *args, **kwargs)

    monkeypatch.setattr(tasks.send_email, "delay", spy)
    return calls
