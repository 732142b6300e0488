"""The purchase-records API: the rows a user sees (read, filtered), the definitions of local (read;
written by the lab's admins and a district's managers, which re-classifies in the background),
the vendor matches (confirm or reject) and the lab's keyword rules. Imports go through
``/api/v1/imports/`` with the kind ``purchases``. Scoped like the pages (outsiders get 404)."""

from __future__ import annotations

from typing import Any

import django_filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from districts.models import Collaborative, District
from focus_lab.api import ScopedPrimaryKeyRelatedField, ScopedViewSetMixin
from focus_lab.errors import DomainError
from partners.suppliers.models import ProductCategory
from purchasing.priority_items.models import PriorityItem
from purchasing.records import selectors, services
from purchasing.records.models import (
    KeywordRule,
    LocalClass,
    LocalDefinition,
    PurchaseRecord,
    PurchaseSource,
    VendorAlias,
)


class PurchaseRecordSerializer(serializers.ModelSerializer):
    conversion = serializers.SerializerMethodField(help_text="How the pounds were worked out, or why unknown")

    class Meta:
        model = PurchaseRecord
        fields = ["id", "district", "site", "invoice_date", "vendor", "vendor_name", "product_description",
                  "category", "priority_item", "quantity", "unit", "case_weight_lb", "pounds", "conversion", "spend",
                  "origin_text", "origin_state", "origin_county", "origin_latitude", "origin_longitude", "source",
                  "claims", "local_class", "import_run"]  # fmt: skip
        read_only_fields = fields

    def get_conversion(self, record: PurchaseRecord) -> str:
        return selectors.conversion_text(record)


class RecordFilter(django_filters.FilterSet):
    start = django_filters.DateFilter(field_name="invoice_date", lookup_expr="gte")
    end = django_filters.DateFilter(field_name="invoice_date", lookup_expr="lte")
    vendor = django_filters.CharFilter(field_name="vendor_name", lookup_expr="icontains")
    category = django_filters.ChoiceFilter(choices=ProductCategory.choices)
    source = django_filters.ChoiceFilter(choices=PurchaseSource.choices)
    local_class = django_filters.ChoiceFilter(choices=LocalClass.choices)

    class Meta:
        model = PurchaseRecord
        fields = [
            "district",
            "site",
            "priority_item",
            "start",
            "end",
            "vendor",
            "category",
            "source",
            "local_class",
        ]


class PurchaseRecordViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Purchase lines of the districts you see, newest first."""

    queryset_model = PurchaseRecord
    serializer_class = PurchaseRecordSerializer
    filterset_class = RecordFilter


class LocalDefinitionSerializer(serializers.ModelSerializer):
    collaborative = ScopedPrimaryKeyRelatedField(model=Collaborative, write=False)
    district = ScopedPrimaryKeyRelatedField(model=District, write=False, required=False, allow_null=True)
    reclassify_job = serializers.SerializerMethodField(help_text="The re-classification started by this save")

    class Meta:
        model = LocalDefinition
        fields = ["id", "collaborative", "district", "name", "local_radius_miles", "local_states", "local_counties",
                  "regional_radius_miles", "regional_states", "regional_counties", "updated_at", "reclassify_job"]  # fmt: skip
        read_only_fields = ["updated_at"]
        validators: list[Any] = []  # the service says what is wrong, as a 400

    def get_reclassify_job(self, definition: LocalDefinition) -> int | None:
        return getattr(definition, "job_id", None)


class LocalDefinitionViewSet(
    ScopedViewSetMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet
):
    """What the labs (and districts) you belong to call local. Saving one re-classifies the rows it
    governs in the background: follow ``reclassify_job`` at ``/api/v1/jobs/<id>/``."""

    queryset_model = LocalDefinition
    serializer_class = LocalDefinitionSerializer
    select = ("collaborative", "district")
    filterset_fields = ["collaborative", "district"]

    def _save(self, serializer: serializers.BaseSerializer) -> None:
        definition = serializer.instance or LocalDefinition()
        for name, value in serializer.validated_data.items():
            if name in ("collaborative", "district") and definition.pk:
                continue  # who it is for does not change
            setattr(definition, name, value)
        try:
            definition.job_id = services.definition_save(definition=definition, user=self.request.user)  # type: ignore[attr-defined]
        except services.NotAllowed as exc:
            raise PermissionDenied(exc.message) from None
        except DomainError as exc:
            raise ValidationError({exc.field or "non_field_errors": [exc.message]}) from None
        serializer.instance = definition

    def perform_create(self, serializer: serializers.BaseSerializer) -> None:
        self._save(serializer)

    def perform_update(self, serializer: serializers.BaseSerializer) -> None:
        self._save(serializer)


class VendorAliasSerializer(serializers.ModelSerializer):
    supplier_name = serializers.CharField(source="supplier.name", read_only=True, default="")

    class Meta:
        model = VendorAlias
        fields = ["id", "collaborative", "name", "supplier", "supplier_name", "status", "score", "decided_at"]
        read_only_fields = fields


class VendorMatchDecisionSerializer(serializers.Serializer):
    accept = serializers.BooleanField(help_text="true: the same supplier; false: not this one")


class VendorAliasViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Vendor names similar to a directory supplier: confirm (or reject) each once."""

    queryset_model = VendorAlias
    serializer_class = VendorAliasSerializer
    select = ("supplier",)
    filterset_fields = ["collaborative", "status"]

    @extend_schema(request=VendorMatchDecisionSerializer, responses=VendorAliasSerializer)
    @action(detail=True, methods=["post"])
    def decide(self, request: Request, pk: str | None = None) -> Response:
        """Confirm (``accept: true``) or reject a match; a confirmed one links the lab's rows."""
        alias = self.get_object()
        form = VendorMatchDecisionSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        try:
            services.vendor_alias_decide(alias=alias, accept=form.validated_data["accept"], user=request.user)
        except DomainError as exc:
            raise PermissionDenied(exc.message) from None
        alias.refresh_from_db()
        return Response(VendorAliasSerializer(alias).data)


class KeywordRuleSerializer(serializers.ModelSerializer):
    collaborative = ScopedPrimaryKeyRelatedField(model=Collaborative, write=False)
    priority_item = ScopedPrimaryKeyRelatedField(model=PriorityItem, write=False)
    matched = serializers.SerializerMethodField(help_text="Rows this save matched (on create)")

    class Meta:
        model = KeywordRule
        fields = ["id", "collaborative", "keyword", "priority_item", "created_at", "matched"]
        read_only_fields = ["created_at"]
        validators: list[Any] = []

    def get_matched(self, rule: KeywordRule) -> int | None:
        return getattr(rule, "matched", None)


class KeywordRuleViewSet(
    ScopedViewSetMixin, mixins.CreateModelMixin, mixins.DestroyModelMixin, viewsets.ReadOnlyModelViewSet
):
    """The lab's keyword rules (product description -> priority item); its admins keep them."""

    queryset_model = KeywordRule
    serializer_class = KeywordRuleSerializer
    select = ("priority_item",)
    filterset_fields = ["collaborative", "priority_item"]

    def perform_create(self, serializer: serializers.BaseSerializer) -> None:
        rule = KeywordRule(**serializer.validated_data)
        if KeywordRule.objects.filter(
            collaborative=rule.collaborative, keyword__iexact=" ".join(rule.keyword.lower().split())
        ).exists():
            raise ValidationError({"keyword": ["The lab already has this keyword."]})
        try:
            rule.matched = services.keyword_rule_save(rule=rule, user=self.request.user)  # type: ignore[attr-defined]
        except services.NotAllowed as exc:
            raise PermissionDenied(exc.message) from None
        except DomainError as exc:
            raise ValidationError({exc.field or "non_field_errors": [exc.message]}) from None
        serializer.instance = rule

    def perform_destroy(self, instance: KeywordRule) -> None:
        try:
            services.keyword_rule_delete(rule=instance, user=self.request.user)
        except DomainError as exc:
            raise PermissionDenied(exc.message) from None
