"""403, 404 and 500 are friendly pages with the navigation and a way on, never a bare status line
or Django's debug page; `make run` serves with DEBUG off unless asked."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

from tests.factories import SiteFactory

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[1]


def test_404_is_friendly_with_navigation(client_for, manager):
    response = client_for(manager).get("/no-such-page/")
    html = response.content.decode()
    assert response.status_code == 404
    assert "We couldn&#x27;t find that page" in html or "We couldn't find that page" in html
    assert 'class="navbar' in html and reverse("districts:district-list") in html  # the navigation
    assert "Go to your dashboard" in html
    assert "Using the URLconf" not in html  # never the debug page


def test_another_districts_object_is_a_friendly_404(client_for, manager, other_site):
    response = client_for(manager).get(other_site.get_absolute_url())
    assert response.status_code == 404 and "Go to your dashboard" in response.content.decode()


def test_403_is_friendly_and_says_why(client_for, viewer, district):
    site = SiteFactory(district=district)
    response = client_for(viewer).get(reverse("districts:site-update", args=[site.pk]))
    html = response.content.decode()
    assert response.status_code == 403
    assert "You can&#x27;t do that here" in html or "You can't do that here" in html
    assert "You can view this but not change it." in html
    assert 'class="navbar' in html


def test_404_for_someone_logged_out_offers_the_login(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404 and reverse("login") in response.content.decode()


@pytest.mark.urls("tests.error_urls")
def test_500_is_friendly_with_navigation(client_for, manager):
    client = client_for(manager)
    client.raise_request_exception = False
    response = client.get("/broken/")
    html = response.content.decode()
    assert response.status_code == 500
    assert "Something went wrong on our side" in html and 'class="navbar' in html
    assert "boom" not in html  # no internals


def test_run_command_serves_with_debug_off_unless_asked():
    code = "from django.conf import settings; print(settings.DEBUG)"
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_DEBUG"}
    env["DJANGO_SETTINGS_MODULE"] = "focus_lab.settings.dev"

    def debug(**extra: str) -> str:
        result = subprocess.run([sys.executable, "-c", f"import django; django.setup(); {code}"],
                                cwd=ROOT, env={**env, **extra}, capture_output=True, text=True, timeout=60)  # fmt: skip
        assert result.returncode == 0, result.stderr
        return result.stdout.strip()

    assert debug() == "False"
    assert debug(DJANGO_DEBUG="true") == "True"
