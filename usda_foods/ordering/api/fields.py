"""Serializer fields and parsers the ordering API shares."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import ParseError
from rest_framework.parsers import BaseParser

from districts.models import Site, StateAgency
from focus_lab.csv_import import RowError
from focus_lab.imports.readers import MAX_FILE_BYTES
from usda_foods.ordering.access import reviewed_state_agencies
from usda_foods.ordering.services.orders import delivery_sites_for

# --- Shared fields --------------------------------------------------------------------------------


def money(**kwargs: Any) -> serializers.DecimalField:
    """Dollars as a decimal string with two places."""
    return serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True, **kwargs)


class ReviewedStateAgencyField(serializers.PrimaryKeyRelatedField):
    """A state agency the user reviews: SDA reviewers open surveys and windows for their own state
    only, and any other agency is answered like one that does not exist."""

    def get_queryset(self) -> QuerySet[StateAgency]:
        request = self.context.get("request")
        if request is None:
            return StateAgency.objects.none()
        return reviewed_state_agencies(request.user)


@extend_schema_field(OpenApiTypes.INT)
class DeliverySiteField(serializers.PrimaryKeyRelatedField):
    """A delivery site of the order's district or of a co-op it belongs to (``context["order"]``)."""

    default_error_messages = {
        "does_not_exist": "Site {pk_value} is not a delivery site of this district or of its co-op."
    }

    def get_queryset(self) -> QuerySet[Site]:
        order = self.context.get("order")
        return delivery_sites_for(order.district) if order else Site.objects.none()


class CSVTextParser(BaseParser):
    """A ``text/csv`` request body, handed over as bytes (read up to the import size limit + 1, so
    the import reports a file that is too large instead of reading it all)."""

    media_type = "text/csv"

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> bytes:
        return stream.read(MAX_FILE_BYTES + 1) if stream is not None else b""


def import_body(request: Any) -> bytes | RowError:
    """The CSV of an import request: a ``text/csv`` body or a multipart ``file`` (read up to the
    size limit + 1), or the request's own problem as a line-0 ``RowError``."""
    try:
        body = request.data
    except ParseError as exc:
        return RowError(0, "file", str(exc.detail))
    if isinstance(body, bytes):
        return body
    if "file" in request.FILES:
        return request.FILES["file"].read(MAX_FILE_BYTES + 1)
    return RowError(0, "file", "Send the CSV as a multipart “file” or as a text/csv body.")
