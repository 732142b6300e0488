from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views import defaults
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from focus_lab.errors import DomainError


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DomainError and model ValidationError become 400s with the message, keyed by field. Every
    error body is an object (the schema's ``Error``): a ValidationError raised with bare messages
    (DRF's search filter does, for a NUL byte) answers them under ``detail``, as a DomainError
    without a field does."""
    if isinstance(exc, DomainError):
        exc = exceptions.ValidationError({exc.field or "detail": [exc.message]})
    elif isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
        exc = exceptions.ValidationError(detail)
    elif isinstance(exc, exceptions.ValidationError) and isinstance(exc.detail, list):
        exc = exceptions.ValidationError({"detail": exc.detail})
    return drf_exception_handler(exc, context)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Django's 404 for pages; under /api/ the schema's ``Error``, as DRF answers it. A path no API
    route matches at all (an id with a dot, say) never reaches DRF."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Not found."}, status=404)
    return defaults.page_not_found(request, exception)
