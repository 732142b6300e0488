"""Processing over the API: processors and their end-product schedules (trivial CRUD for the
state's reviewers), processor inventory with its figures (read), end-product purchases and
transfers (created through their services). Scoped like the pages: outsiders get 404."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import QuerySet
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from districts.models import District, StateAgency
from focus_lab.api import ScopedViewSetMixin
from focus_lab.csv_import import RowError
from usda_foods.ordering.access import reviewed_state_agencies
from usda_foods.ordering.api.catalog import ImportErrorsSerializer, ImportResultSerializer
from usda_foods.ordering.api.fields import CSVTextParser, import_body
from usda_foods.ordering.models import CatalogItem
from usda_foods.processing import rules, selectors
from usda_foods.processing.access import reviews_processor_state
from usda_foods.processing.models import (
    EndProduct,
    EndProductFood,
    EndProductPurchase,
    InventoryTransfer,
    PassThrough,
    Processor,
    ProcessorInventory,
)
from usda_foods.processing.services.inventory import end_product_purchase_record, inventory_transfer_record
from usda_foods.processing.services.processors import end_product_food_set
from usda_foods.processing.services.schedule_import import SCHEDULE_COLUMNS, end_products_import


def _user(field: serializers.Field):
    request = field.context.get("request")
    return request.user if request else None


class ReviewedStateField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self) -> QuerySet[StateAgency]:
        user = _user(self)
        return reviewed_state_agencies(user) if user else StateAgency.objects.none()


class WritableProcessorField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self) -> QuerySet[Processor]:
        user = _user(self)
        return Processor.objects.for_user(user, write=True) if user else Processor.objects.none()


class VisibleProcessorField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self) -> QuerySet[Processor]:
        user = _user(self)
        return Processor.objects.for_user(user) if user else Processor.objects.none()


class VisibleEndProductField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self) -> QuerySet[EndProduct]:
        user = _user(self)
        return (
            EndProduct.objects.for_user(user).select_related("processor")
            if user
            else EndProduct.objects.none()
        )


class ManagedDistrictField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self) -> QuerySet[District]:
        user = _user(self)
        return District.objects.for_user(user, write=True) if user else District.objects.none()


class ReviewedDistrictField(serializers.PrimaryKeyRelatedField):
    """A district of a state the user reviews (transfers)."""

    def get_queryset(self) -> QuerySet[District]:
        user = _user(self)
        if not user:
            return District.objects.none()
        return District.objects.filter(state_agency__in=reviewed_state_agencies(user))


class ProcessorSerializer(serializers.ModelSerializer):
    state_agency = ReviewedStateField(help_text="A state agency you review")
    accepted_foods = serializers.PrimaryKeyRelatedField(
        many=True, required=False, queryset=CatalogItem.objects.filter(is_bulk_for_processing=True),
        help_text="Bulk USDA Foods (catalog item ids) the processor accepts",
    )  # fmt: skip

    class Meta:
        model = Processor
        fields = ["id", "state_agency", "name", "agreement_start", "agreement_end", "accepted_foods", "contact_name",
                  "contact_email", "contact_phone", "street", "city", "state", "postal_code", "latitude", "longitude"]  # fmt: skip

    def validate(self, attrs: dict) -> dict:
        start = attrs.get("agreement_start", getattr(self.instance, "agreement_start", None))
        end = attrs.get("agreement_end", getattr(self.instance, "agreement_end", None))
        if start and end and end < start:
            raise serializers.ValidationError(
                {"agreement_end": ["The agreement must end on or after it starts."]}
            )
        return attrs


class EndProductFoodSerializer(serializers.ModelSerializer):
    food_description = serializers.CharField(source="food.description", read_only=True)

    class Meta:
        model = EndProductFood
        fields = ["food", "food_description", "pounds_per_case"]


class EndProductSerializer(serializers.ModelSerializer):
    processor = WritableProcessorField(help_text="A processor of a state you review")
    foods = EndProductFoodSerializer(many=True, read_only=True)
    pass_through_methods = serializers.ListField(child=serializers.ChoiceField(choices=PassThrough.choices),
                                                 required=False, max_length=4)  # fmt: skip

    class Meta:
        model = EndProduct
        fields = ["id", "processor", "code", "name", "case_pack", "net_weight_lb", "pass_through_methods",
                  "value_per_case", "fee_per_case", "foods"]  # fmt: skip

    def get_fields(self) -> dict:
        fields = super().get_fields()
        if self.instance is not None and not isinstance(self.instance, list | QuerySet):
            fields["processor"].read_only = True  # a schedule line stays with its processor
        return fields


class RateSerializer(serializers.Serializer):
    food = serializers.PrimaryKeyRelatedField(queryset=CatalogItem.objects.all())
    pounds_per_case = serializers.DecimalField(max_digits=10, decimal_places=4, min_value=Decimal("0"),
                                               help_text="Pounds of the food in a case; 0 removes it")  # fmt: skip


class ScheduleUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="The schedule as CSV: " + ", ".join(SCHEDULE_COLUMNS))


def _import_errors(errors: list[RowError]) -> Response:
    rows = [{"line": e.line, "column": e.column, "message": e.message} for e in errors]
    return Response({"errors": rows}, status=status.HTTP_400_BAD_REQUEST)


class ProcessorViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                       mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.GenericViewSet):  # fmt: skip
    """Processors with an agreement approved by a state agency: its reviewers add and change
    them; the state's districts read them."""

    queryset_model = Processor
    serializer_class = ProcessorSerializer
    select = ("state_agency",)
    prefetch = ("accepted_foods",)
    filterset_fields = ["state_agency"]

    @extend_schema(
        request={"multipart/form-data": ScheduleUploadSerializer, "text/csv": OpenApiTypes.STR},
        responses={200: ImportResultSerializer, 400: ImportErrorsSerializer},
    )
    @action(detail=True, methods=["post"], url_path="import-end-products", url_name="import-end-products",
            parser_classes=[MultiPartParser, CSVTextParser])  # fmt: skip
    def import_end_products(self, request: Request, pk: str | None = None) -> Response:
        """Import the processor's end-product schedule (the state's reviewers): a multipart ``file``
        or a ``text/csv`` body, one row per end product and USDA Food. Every row is checked first;
        one bad row means nothing is written; re-importing the same file changes nothing."""
        processor = self.get_object()
        if not reviews_processor_state(request.user, processor):
            raise PermissionDenied("Only the state agency's reviewers load the schedule.")
        data = import_body(request)
        if isinstance(data, RowError):
            return _import_errors([data])
        report = end_products_import(processor=processor, data=data, user=request.user)
        if report.errors:
            return _import_errors(report.errors)
        return Response({"created": report.created, "updated": report.updated, "unchanged": report.unchanged})


class EndProductViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                        mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.GenericViewSet):  # fmt: skip
    """End products of the processors' summary end-product data schedules, with the pounds of
    each USDA Food per case (``set_rate``)."""

    queryset_model = EndProduct
    serializer_class = EndProductSerializer
    select = ("processor",)
    prefetch = ("foods__food",)
    filterset_fields = ["processor"]

    @extend_schema(request=RateSerializer, responses=EndProductSerializer)
    @action(detail=True, methods=["post"], url_path="set-rate")
    def set_rate(self, request: Request, pk: str | None = None) -> Response:
        """Set the pounds of a USDA Food per case (the state's reviewers; the food must be one
        the processor accepts)."""
        product = self.get_object()
        if not reviews_processor_state(request.user, product.processor):
            raise PermissionDenied("Only the state agency's reviewers change the schedule.")
        data = RateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        end_product_food_set(end_product=product, user=request.user, **data.validated_data)
        return Response(self.get_serializer(self.get_queryset().get(pk=product.pk)).data)


class InventorySerializer(serializers.ModelSerializer):
    district_name = serializers.CharField(source="district.name", read_only=True)
    processor_name = serializers.CharField(source="processor.name", read_only=True)
    food_description = serializers.CharField(source="food.description", read_only=True)
    pounds_drawn = serializers.SerializerMethodField()
    average_monthly_usage = serializers.SerializerMethodField()
    months_on_hand = serializers.SerializerMethodField()
    over_six_months = serializers.SerializerMethodField()
    pace = serializers.SerializerMethodField()

    class Meta:
        model = ProcessorInventory
        fields = ["id", "district", "district_name", "processor", "processor_name", "food", "food_description",
                  "pounds", "pounds_drawn", "average_monthly_usage", "months_on_hand", "over_six_months", "pace"]  # fmt: skip

    def _status(self, obj: ProcessorInventory) -> rules.InventoryStatus:
        return rules.inventory_status(on_hand=obj.pounds, used=obj.used, school_year_start=int(obj.food.school_year[:4]),
                                      as_of=timezone.localdate())  # fmt: skip

    def get_pounds_drawn(self, obj) -> Decimal:
        return obj.used

    def get_average_monthly_usage(self, obj) -> Decimal:
        return rules.shown(self._status(obj).monthly_usage)

    def get_months_on_hand(self, obj) -> Decimal | None:
        months = self._status(obj).months
        return None if months is None else rules.shown(months)

    def get_over_six_months(self, obj) -> bool:
        return self._status(obj).flagged

    def get_pace(self, obj) -> str:
        return self._status(obj).pace.value


class InventoryViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Each district's pounds of each USDA Food at each processor, with average monthly usage,
    months on hand (``over_six_months``: 7 CFR 250.30(n)) and pace against an even draw."""

    queryset_model = ProcessorInventory
    serializer_class = InventorySerializer
    filterset_fields = ["district", "processor", "food"]

    def get_queryset(self) -> QuerySet[ProcessorInventory]:
        return selectors.inventory_queryset(self.request.user).order_by("pk")


class PurchaseSerializer(serializers.ModelSerializer):
    district = ManagedDistrictField(help_text="A district you manage")
    end_product = VisibleEndProductField()

    class Meta:
        model = EndProductPurchase
        fields = ["id", "district", "end_product", "purchased_on", "cases", "distributor", "pass_through",
                  "value_credited", "created_at"]  # fmt: skip
        read_only_fields = ["created_at"]


class EndProductPurchaseViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                                mixins.CreateModelMixin, viewsets.GenericViewSet):  # fmt: skip
    """End-product purchases: each draws the district's inventory by pounds per case x cases,
    never below zero (400 with the figures)."""

    queryset_model = EndProductPurchase
    serializer_class = PurchaseSerializer
    select = ("end_product",)
    filterset_fields = ["district", "end_product"]

    def perform_create(self, serializer: PurchaseSerializer) -> None:
        serializer.instance = end_product_purchase_record(user=self.request.user, **serializer.validated_data)


class TransferSerializer(serializers.ModelSerializer):
    processor = VisibleProcessorField()
    from_district = ReviewedDistrictField()
    to_district = ReviewedDistrictField()
    food = serializers.PrimaryKeyRelatedField(queryset=CatalogItem.objects.all())

    class Meta:
        model = InventoryTransfer
        fields = ["id", "processor", "food", "from_district", "to_district", "pounds", "transferred_on", "memo",
                  "created_at"]  # fmt: skip
        read_only_fields = ["created_at"]
        validators: list = []


class InventoryTransferViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                               mixins.CreateModelMixin, viewsets.GenericViewSet):  # fmt: skip
    """Transfers of inventory between two districts at one processor, approved by the state
    agency's reviewers (the totals stay equal)."""

    queryset_model = InventoryTransfer
    serializer_class = TransferSerializer
    select = ("processor", "food", "from_district", "to_district")
    filterset_fields = ["processor", "from_district", "to_district"]

    def perform_create(self, serializer: TransferSerializer) -> None:
        serializer.instance = inventory_transfer_record(user=self.request.user, **serializer.validated_data)
