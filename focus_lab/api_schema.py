"""The OpenAPI schema's view of the API: every operation documents its error answers, once, here.

``api_errors.exception_handler`` answers every error with one shape (the ``Error`` component
below); the rules for which operation may give which code follow DRF's own behaviour, so they
hold for new views without per-view annotations:

- 400 for input: a request body, query parameters (filters, pages), or any write (a service's
  ``DomainError`` becomes a 400).
- 401 wherever authentication runs: a missing or invalid token.
- 403 for writes (role rights, and the CSRF check of session authentication) and for custom
  actions, which check rights beyond reading; plain list and retrieve never answer 403, since
  what the user may not read is simply not in their queryset.
- 404 for routes with an id (outside the user's scope is the same answer as missing) and for
  paginated lists (a page past the last).
- 409 for deletes of objects that others still use.
- 415 for operations that read a body: one sent in a media type they do not read.

A view that documents its own answer for a code (the imports' line-by-line 400) keeps it.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular import openapi
from drf_spectacular.plumbing import ResolvedComponent
from rest_framework import permissions

ERROR_COMPONENT = "Error"

ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": (
        "Every error answer. ``detail`` says what went wrong with the request as a whole; a 400 for "
        "bad input instead names each field with its messages (``non_field_errors`` for the input as a "
        "whole), nested the way the input is (a list field's messages keyed by position, say)."
    ),
    "properties": {
        "detail": {
            "oneOf": [
                {"type": "string"},
                {"type": "array", "items": {"type": "string"}},
            ],
        },
    },
    "additionalProperties": {
        "description": "The messages for one input field",
        "oneOf": [
            {
                "type": "array",
                "items": {"oneOf": [{"type": "string"}, {"type": "object", "additionalProperties": {}}]},
            },
            {"type": "object", "additionalProperties": {}},
        ],
    },
}

ERROR_DESCRIPTIONS = {
    "400": "The input is not valid: messages keyed by field, or ``detail``; nothing was changed.",
    "401": "Not signed in, or the token is not valid.",
    "403": "Signed in, but your role may not do this here.",
    "404": "Not found: missing, outside your scope (the same answer), or a page past the last.",
    "409": "Other records still use it, so it cannot be deleted; nothing was changed.",
    "415": "The body's media type is not one this operation reads.",
}

UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
# The only actions DRF's mixins filter and paginate; a custom action does neither unless it calls
# ``filter_queryset`` / ``paginate_queryset`` itself, so its schema must not promise them.
LIST_ACTION = "list"


class AutoSchema(openapi.AutoSchema):
    def get_operation(self, path: str, path_regex: str, path_prefix: str, method: str, registry: Any) -> Any:
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None:
            return None
        responses = operation.setdefault("responses", {})
        for code in self.error_codes(operation):
            responses.setdefault(code, self._error_response(code))
        return operation

    def error_codes(self, operation: dict[str, Any]) -> list[str]:
        parameters = operation.get("parameters", [])
        has_query = any(p.get("in") == "query" for p in parameters)
        has_id = any(p.get("in") == "path" for p in parameters)
        paginated = any(p.get("in") == "query" and p.get("name") == "page" for p in parameters)
        write = self.method in UNSAFE_METHODS
        custom_action = getattr(self.view, "action", None) not in (None, LIST_ACTION, "retrieve")
        codes = []
        if write or has_query or "requestBody" in operation:
            codes.append("400")
        if self.view.get_authenticators():
            codes.append("401")
        if write or (custom_action and not self._anyone_may()):
            codes.append("403")
        if has_id or paginated:
            codes.append("404")
        if self.method == "DELETE":
            codes.append("409")
        if "requestBody" in operation:
            codes.append("415")
        return codes

    def _anyone_may(self) -> bool:
        return all(isinstance(p, permissions.AllowAny) for p in self.view.get_permissions())

    def _error_response(self, code: str) -> dict[str, Any]:
        component = ResolvedComponent(
            name=ERROR_COMPONENT, type=ResolvedComponent.SCHEMA, object=ERROR_COMPONENT, schema=ERROR_SCHEMA
        )
        self.registry.register_on_missing(component)
        return {
            "content": {"application/json": {"schema": component.ref}},
            "description": ERROR_DESCRIPTIONS[code],
        }

    # Lists: only the list action filters and paginates (see LIST_ACTION).

    def _list_mechanics(self) -> bool:
        return getattr(self.view, "action", LIST_ACTION) == LIST_ACTION

    def get_filter_backends(self) -> list[Any]:
        return super().get_filter_backends() if self._list_mechanics() else []

    def _get_paginator(self) -> Any:
        return super()._get_paginator() if self._list_mechanics() else None
