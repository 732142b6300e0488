"""The USDA Foods available list over the API: read it, load it from CSV."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from districts import access
from focus_lab.api import ScopedViewSetMixin
from focus_lab.csv_import import RowError
from usda_foods.ordering.api.fields import CSVTextParser, import_body
from usda_foods.ordering.models import (
    CatalogItem,
)
from usda_foods.ordering.services.catalog import CATALOG_COLUMNS, catalog_import

# --- Catalog --------------------------------------------------------------------------------------


class CatalogItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = CatalogItem
        fields = ["id", "school_year", "material_code", "description", "category", "pack_description",
                  "net_case_weight_lb", "cases_per_truckload", "unit_price", "is_bulk_for_processing"]  # fmt: skip


class CatalogUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="The available list as CSV: " + ", ".join(CATALOG_COLUMNS))


class ImportResultSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()


class ImportErrorSerializer(serializers.Serializer):
    line = serializers.IntegerField(help_text="Line in the file; the header is line 1, 0 the file as a whole")
    column = serializers.CharField()
    message = serializers.CharField()


class ImportErrorsSerializer(serializers.Serializer):
    errors = ImportErrorSerializer(many=True)


def _import_errors(errors: list[RowError]) -> Response:
    rows = [{"line": e.line, "column": e.column, "message": e.message} for e in errors]
    return Response({"errors": rows}, status=status.HTTP_400_BAD_REQUEST)


class CatalogItemViewSet(ScopedViewSetMixin, viewsets.ModelViewSet):
    """The USDA Foods available list, national: everyone signed in reads it; national
    reference-data editors (and superusers) add, correct and import it. A state chooses what it
    offers from it in its surveys and order windows."""

    queryset_model = CatalogItem
    serializer_class = CatalogItemSerializer
    filterset_fields = ["school_year", "category", "is_bulk_for_processing"]
    search_fields = ["description", "material_code"]
    ordering_fields = ["description", "material_code", "unit_price"]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    @extend_schema(
        request={"multipart/form-data": CatalogUploadSerializer, "text/csv": OpenApiTypes.STR},
        responses={200: ImportResultSerializer, 400: ImportErrorsSerializer},
    )
    @action(detail=False, methods=["post"], url_path="import", url_name="import",
            parser_classes=[MultiPartParser, CSVTextParser])  # fmt: skip
    def import_csv(self, request: Request) -> Response:
        """Import the available list (a multipart ``file`` or a ``text/csv`` body). Every row is
        checked first: one bad row means nothing is written, and each problem is reported by line
        and column. Rows match on school year + material code, so re-importing changes nothing."""
        if not access.can_create(request.user, CatalogItem):
            raise PermissionDenied("Only national reference-data editors load the USDA Foods available list.")
        # Every 400 here has the documented shape, the request's own problems as line 0.
        data = import_body(request)
        if isinstance(data, RowError):
            return _import_errors([data])
        report = catalog_import(data=data, user=request.user)
        if report.errors:
            return _import_errors(report.errors)
        return Response({"created": report.created, "updated": report.updated, "unchanged": report.unchanged})
