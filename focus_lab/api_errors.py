"""How the API answers an error: one shape, and one rule for refusals, the same as the pages'.

Shape: a bad input is a 400 with ``{"field": ["message", ...]}`` (``"detail"`` for what no field
names); any other error is ``{"detail": "message"}``.

Refusals, pages and API alike:

- 404 for an object the user may not see: the same answer as for one that does not exist, so it
  confirms nothing (``access.get_for_user``; a state or collaborative none of whose districts the
  user sees, for a recompute);
- 403 for an object the user sees but may not change, whatever the request body: the permission
  is checked before the input (setting a PAL as anyone but the state's reviewers, recomputing a
  state one only partly sees, writing national reference data as a tenant);
- 400 for bad input from a user who may make the change (``DomainError``, a model's
  ``ValidationError``, a serializer's errors).

Pages and endpoints check the right before reading the input; a service's own check is a
backstop. The entitlement and reference-data services raise ``PermissionDenied`` (or ``Http404``)
for a refusal and ``DomainError`` only for bad input, so even their backstop answers by the rule;
other services' backstops still raise ``DomainError``, reached only if a view forgot its check.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import ProtectedError, RestrictedError
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from focus_lab.errors import DomainError, in_use_message


class InUse(exceptions.APIException):
    """A delete refused because other records still point at the object (PROTECT/RESTRICT)."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = "This record is still in use and cannot be deleted."
    default_code = "in_use"


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DomainError and model ValidationError become 400s with the message, keyed by field; a
    delete that other records prevent becomes a 409 saying what holds it. Every error body is an
    object (the schema's ``Error``): a ValidationError raised with bare messages (DRF's search
    filter does, for a NUL byte) answers them under ``detail``, as a DomainError without a field
    does."""
    if isinstance(exc, DomainError):
        exc = exceptions.ValidationError({exc.field or "detail": [exc.message]})
    elif isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
        exc = exceptions.ValidationError(detail)
    elif isinstance(exc, ProtectedError | RestrictedError):
        exc = InUse(in_use_message(exc, what=_what(context)))
    elif isinstance(exc, exceptions.ValidationError) and isinstance(exc.detail, list):
        exc = exceptions.ValidationError({"detail": exc.detail})
    return drf_exception_handler(exc, context)


def _what(context: dict[str, Any]) -> str:
    """“This site”, from the view's model, for the 409's message."""
    view = context.get("view")
    model = getattr(view, "queryset_model", None) or getattr(getattr(view, "queryset", None), "model", None)
    return f"This {model._meta.verbose_name}" if model is not None else "This record"
