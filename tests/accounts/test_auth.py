"""Email log-in, lock-out, password reset, log-out and the profile page."""

from __future__ import annotations

import re
import uuid

import pytest
from django.core import mail
from django.urls import reverse

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def login(client, email: str, password: str):
    return client.post(reverse("login"), {"username": email, "password": password})


def test_login_page_renders(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert 'type="email"' in response.content.decode()


def test_login_with_email_and_password(client, manager):
    response = login(client, manager.email, PASSWORD)
    assert response.status_code == 302 and response.url == reverse("dashboard")
    assert client.get(reverse("dashboard")).status_code == 200


def test_wrong_password_is_refused_with_a_message(client, manager):
    response = login(client, manager.email, "wrong")
    assert response.status_code == 200
    assert "Please enter a correct email" in response.content.decode()


def test_repeated_failures_lock_the_account_out(client, manager, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(client, manager.email, "wrong")
    response = login(client, manager.email, PASSWORD)
    assert response.status_code == 429
    assert "Too many failed log-ins" in response.content.decode()
    assert client.get(reverse("dashboard")).status_code == 302  # still logged out


def test_password_reset_by_email(client, manager, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = client.post(reverse("password_reset"), {"email": manager.email})
    assert response.status_code == 302
    # The request only queued the email (Celery, after commit); it sent nothing itself.
    assert len(queued) == 1 and mail.outbox == []
    queued[0]()  # the worker's turn (tasks run eagerly in tests)
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [manager.email]
    link = re.search(r"https?://[^/]+(/accounts/reset/\S+)", mail.outbox[0].body).group(1)
    form_url = client.get(link).url  # Django swaps the token for a session-held one
    response = client.post(form_url, {"new_password1": "a-new-Passw0rd!", "new_password2": "a-new-Passw0rd!"})
    assert response.status_code == 302
    assert login(client, manager.email, "a-new-Passw0rd!").status_code == 302


def test_password_reset_for_unknown_email_reveals_nothing(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as queued:
        response = client.post(reverse("password_reset"), {"email": "nobody@nowhere.example"})
    assert response.status_code == 302
    assert queued == [] and mail.outbox == []


def test_password_reset_task_sends_once_per_message(manager):
    from focus_lab.tasks import send_email

    args = (f"test-reset:{uuid.uuid4()}", "Reset", "Follow the link", [manager.email])
    assert send_email.delay(*args).get() is True
    assert send_email.delay(*args).get() is False  # a redelivered message sends nothing more
    assert len(mail.outbox) == 1


def test_logout(client_for, manager):
    client = client_for(manager)
    assert client.post(reverse("logout")).status_code == 302
    assert client.get(reverse("dashboard")).status_code == 302


def test_profile_lists_memberships_and_makes_a_token(client_for, manager, district):
    from rest_framework.authtoken.models import Token

    client = client_for(manager)
    html = client.get(reverse("profile")).content.decode()
    assert "District manager" in html and district.name in html
    client.post(reverse("token-regenerate"))
    first = Token.objects.get(user=manager).key
    assert first in client.get(reverse("profile")).content.decode()
    client.post(reverse("token-regenerate"))
    assert Token.objects.get(user=manager).key != first


def test_admin_site_is_for_superusers(client_for, manager):
    assert client_for(manager).get("/admin/").status_code == 302


@pytest.mark.django_db
def test_token_request_with_an_overlong_username_is_a_400(client):
    """Found by the schema fuzz test: axes could not record the failure (a 500)."""
    response = client.post("/api/v1/auth/token/", {"username": "x" * 300, "password": "wrong"})
    assert response.status_code == 400
    assert "254" in response.json()["username"][0]
