"""The address a request really came from, for the log-in lock-out.

Behind the deployment's proxy every request arrives from the proxy's address, so locking on
REMOTE_ADDR would lock an account for everyone after five wrong passwords. The proxy appends the
client's address to X-Forwarded-For; anything before that entry came from the client and can be
forged. So the header is believed only when the request comes from a proxy we trust
(``TRUSTED_PROXIES``), and then only its last entry.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def _trusted(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in ipaddress.ip_network(network, strict=False) for network in settings.TRUSTED_PROXIES)


def client_address(request: HttpRequest) -> str | None:
    remote = request.META.get("REMOTE_ADDR")
    if not remote or not _trusted(remote):
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    last = forwarded[-1] if forwarded else ""
    try:
        return str(ipaddress.ip_address(last))
    except ValueError:  # a trusted proxy that sent no usable address: fall back to the proxy's
        return remote
