"""The lock-out behind the deployment's proxy: the client's own address comes from the trusted
proxy's X-Forwarded-For entry, and an account is locked for that address only (the pair of
username and address), so five wrong passwords from one person never lock everyone out."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

PROXY = "172.30.0.10"


def login(client, email: str, password: str, **meta: str):
    return client.post(reverse("login"), {"username": email, "password": password}, **meta)


def via_proxy(client_address: str) -> dict[str, str]:
    return {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": client_address}


def fail_until_locked(client, email: str, settings, **meta: str) -> None:
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(client, email, "wrong", **meta)
    assert login(client, email, PASSWORD, **meta).status_code == 429


def test_behind_the_trusted_proxy_a_lockout_is_for_the_guessers_address_only(client, manager, settings):
    settings.TRUSTED_PROXIES = [PROXY]
    fail_until_locked(client, manager.email, settings, **via_proxy("203.0.113.7"))
    # The real owner, through the same proxy from another address, still logs in.
    assert login(client, manager.email, PASSWORD, **via_proxy("198.51.100.20")).status_code == 302


def test_a_trusted_proxy_may_be_named_by_its_network(client, manager, settings):
    settings.TRUSTED_PROXIES = ["172.30.0.0/24"]
    fail_until_locked(client, manager.email, settings, **via_proxy("203.0.113.7"))
    assert login(client, manager.email, PASSWORD, **via_proxy("198.51.100.20")).status_code == 302


def test_only_the_last_forwarded_entry_counts(client, manager, settings):
    """Entries before the proxy's own are the client's to write: changing them changes nothing."""
    settings.TRUSTED_PROXIES = [PROXY]
    for n in range(settings.AXES_FAILURE_LIMIT):
        login(client, manager.email, "wrong", **via_proxy(f"10.9.9.{n}, 203.0.113.7"))
    assert login(client, manager.email, PASSWORD, **via_proxy("10.1.1.1, 203.0.113.7")).status_code == 429


def test_forwarded_header_from_an_untrusted_address_is_ignored(client, manager, settings):
    settings.TRUSTED_PROXIES = [PROXY]
    attacker = "203.0.113.50"
    for n in range(settings.AXES_FAILURE_LIMIT):  # a new forged address each time
        login(client, manager.email, "wrong", REMOTE_ADDR=attacker, HTTP_X_FORWARDED_FOR=f"192.0.2.{n}")
    response = login(client, manager.email, PASSWORD, REMOTE_ADDR=attacker, HTTP_X_FORWARDED_FOR="192.0.2.99")
    assert response.status_code == 429


def test_without_a_proxy_the_lock_is_per_username_and_address(client, manager, settings):
    settings.TRUSTED_PROXIES = []
    fail_until_locked(client, manager.email, settings, REMOTE_ADDR="203.0.113.7")
    assert login(client, manager.email, PASSWORD, REMOTE_ADDR="198.51.100.20").status_code == 302
