"""Security headers on every page: a Content-Security-Policy that allows no inline script and no
other origin, and a Permissions-Policy that turns off the browser features the app never uses."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"


def _directives(header: str) -> dict[str, list[str]]:
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


@pytest.mark.parametrize("url_name", ["login", "dashboard", "districts:district-list", "api-docs"])
def test_pages_send_a_strict_content_security_policy(client_for, manager, url_name):
    response = client_for(manager).get(reverse(url_name))
    assert response.status_code == 200
    policy = _directives(response["Content-Security-Policy"])
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]  # no inline script, no eval, no CDN
    assert policy["style-src"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"] and policy["object-src"] == ["'none'"]


def test_pages_send_a_permissions_policy(client):
    header = client.get(reverse("login"))["Permissions-Policy"]
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert f"{feature}=()" in header


def test_no_template_has_inline_script_or_style_elements():
    """The policy would block them in the browser: keep every script and stylesheet in a file."""
    offenders = []
    for path in TEMPLATES.rglob("*.html"):
        if path.name.endswith("_pdf.html"):  # WeasyPrint documents, never served to a browser
            continue
        text = path.read_text()
        for match in re.finditer(r"<script\b[^>]*>", text):
            tag = match.group(0)
            if "src=" not in tag and 'type="application/json"' not in tag:
                offenders.append(f"{path.relative_to(TEMPLATES)}: {tag}")
        if re.search(r"<style\b", text) or re.search(r"\son[a-z]+=", text):
            offenders.append(f"{path.relative_to(TEMPLATES)}: <style> or on* handler")
    assert offenders == []


def test_api_docs_load_their_script_from_a_file(client_for, manager):
    html = client_for(manager).get(reverse("api-docs")).content.decode()
    scripts = re.findall(r"<script\b[^>]*>", html)
    assert scripts and all("src=" in tag for tag in scripts)
    assert "googleapis" not in html and "cdn" not in html.lower()


def test_every_page_has_a_favicon_served_from_here(client):
    html = client.get(reverse("login")).content.decode()
    assert '<link rel="icon" href="/static/img/favicon.svg"' in html
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response.url == "/static/img/favicon.svg"
    assert client.get(response.url).status_code == 200
