from __future__ import annotations

from django.http import HttpRequest

from accounts.client_ip import client_address
from agreements.services import ClientInfo


def client_info(request: HttpRequest) -> ClientInfo:
    """Who is on the other end, for the evidence trail: the client's address (behind the trusted
    proxy, its forwarded address) and the browser's user agent."""
    return ClientInfo(ip=client_address(request), user_agent=request.META.get("HTTP_USER_AGENT", "")[:1000])
