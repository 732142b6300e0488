"""Friendly 403, 404 and 500 pages with the site's navigation, so a person who lands on one
knows where they are and what to do next.

The 500 page renders with the request (navigation, the user's name) when it can; when that
fails too (the database is what broke, say), a plain page with no queries."""

from __future__ import annotations

import logging

from django.http import HttpRequest, HttpResponse, HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader

logger = logging.getLogger(__name__)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    detail = str(exception) if exception and str(exception) else ""
    return render(request, "403.html", {"detail": detail}, status=403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    # Under /api/ a path no route matches (an id with a dot, say) never reaches DRF: answer the
    # schema's ``Error`` as DRF would, not a page.
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Not found."}, status=404)
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    try:
        return render(request, "500.html", status=500)
    except Exception:  # noqa: BLE001 - the error page itself must never fail
        logger.exception("The 500 page could not render with the request; serving the plain one")
        return HttpResponseServerError(loader.render_to_string("500_plain.html"))
