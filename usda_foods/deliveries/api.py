"""Deliveries and receipts over the API: the deliveries a user receives (reviewers: their
state's), a delivery's one receipt (``POST .../receipt/``), and releasing a shipment plan to
deliveries (``POST /deliveries/release/``). Scoped like the pages: outsiders get 404."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from districts import access
from districts.models import Coop, District, StateAgency
from focus_lab.api import ScopedViewSetMixin
from usda_foods.deliveries.models import (
    DeliveryLine,
    ExpectedDelivery,
    FeeSchedule,
    Reason,
    Receipt,
    StoragePickup,
    validate_photo,
)
from usda_foods.deliveries.selectors import coop_storage, month_range, statement_lines, storage_scope
from usda_foods.deliveries.services import deliveries_release, receipt_record, storage_pickup_record
from usda_foods.ordering.access import reviewed_state_agencies
from usda_foods.shipping.models import ShipmentPlan


class DeliveryLineSerializer(serializers.ModelSerializer):
    district_name = serializers.CharField(source="district.name", read_only=True)
    cases_received = serializers.SerializerMethodField()

    class Meta:
        model = DeliveryLine
        fields = ["id", "district", "district_name", "order_line", "cases", "cases_received"]

    def get_cases_received(self, obj: DeliveryLine) -> int | None:
        received = getattr(obj, "received", None)
        return received.cases_received if received else None


class ReceiptSerializer(serializers.ModelSerializer):
    recorded_by = serializers.StringRelatedField(read_only=True, allow_null=True)
    photo_url = serializers.CharField(
        read_only=True, help_text="The photo (through a page that checks who may see it), or empty"
    )

    class Meta:
        model = Receipt
        fields = [
            "received_on",
            "cases_received",
            "reason",
            "notes",
            "photo_url",
            "recorded_by",
            "recorded_at",
        ]


class DeliverySerializer(serializers.ModelSerializer):
    food_description = serializers.CharField(source="food.description", read_only=True)
    place = serializers.CharField(read_only=True, help_text="The site's or processor's name")
    lines = DeliveryLineSerializer(many=True, read_only=True)
    receipt = serializers.SerializerMethodField()
    late = serializers.SerializerMethodField()

    class Meta:
        model = ExpectedDelivery
        fields = ["id", "plan", "district", "site", "processor", "place", "food", "food_description", "truck_number",
                  "delivery_date", "due_on", "cases", "late", "lines", "receipt"]  # fmt: skip

    @extend_schema(responses=ReceiptSerializer(allow_null=True))
    def get_receipt(self, obj: ExpectedDelivery) -> dict | None:
        receipt = getattr(obj, "receipt", None) if hasattr(obj, "receipt") else None
        return ReceiptSerializer(receipt).data if receipt else None

    def get_late(self, obj: ExpectedDelivery) -> bool:
        return obj.late_at is not None


class ReceiptInputSerializer(serializers.Serializer):
    received_on = serializers.DateField()
    cases_received = serializers.IntegerField(min_value=0, max_value=1_000_000)
    reason = serializers.ChoiceField(choices=Reason.choices, required=False, allow_blank=True,
                                     help_text="Required when the cases received differ from those expected")  # fmt: skip
    notes = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    photo = serializers.ImageField(required=False, validators=[validate_photo],
                                   help_text="Optional (multipart/form-data): JPEG, PNG or WebP, up to 5 MB")  # fmt: skip


@extend_schema_field(OpenApiTypes.INT)
class ReviewedPlanField(serializers.PrimaryKeyRelatedField):
    """A shipment plan the user may change (its state's reviewers): any other id is a 400."""

    def get_queryset(self) -> QuerySet[ShipmentPlan]:
        request = self.context.get("request")
        if request is None:
            return ShipmentPlan.objects.none()
        return ShipmentPlan.objects.for_user(request.user, write=True).select_related("window")


class ReleaseSerializer(serializers.Serializer):
    plan = ReviewedPlanField(help_text="A done shipment plan of a window of your state")


class ReleaseResultSerializer(serializers.Serializer):
    created = serializers.IntegerField()


class DeliveryViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Expected deliveries (each stop of a released plan) with their lines and receipt. Receipts
    are due within 2 calendar days of delivery (FD-062)."""

    queryset_model = ExpectedDelivery
    serializer_class = DeliverySerializer
    filterset_fields = ["plan", "district", "processor", "delivery_date"]

    def get_queryset(self) -> QuerySet[ExpectedDelivery]:
        lines = DeliveryLine.objects.select_related("district", "received")
        return (super().get_queryset().select_related("food", "site", "processor", "receipt__recorded_by")
                .prefetch_related(Prefetch("lines", queryset=lines)).order_by("delivery_date", "pk"))  # fmt: skip

    @extend_schema(request=ReceiptInputSerializer, responses=DeliverySerializer)
    @action(detail=True, methods=["post"])
    def receipt(self, request: Request, pk: str | None = None) -> Response:
        """Record the one receipt (the receiving district's managers; the state's reviewers for a
        processor). A second receipt is a 400."""
        delivery = self.get_object()
        if not access.can_write(request.user, delivery):
            raise PermissionDenied("Only the receiving district records this receipt.")
        data = ReceiptInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        receipt_record(delivery_id=delivery.pk, user=request.user, **data.validated_data)
        return Response(self.get_serializer(self.get_queryset().get(pk=delivery.pk)).data)

    @extend_schema(request=ReleaseSerializer, responses={201: ReleaseResultSerializer})
    @action(detail=False, methods=["post"])
    def release(self, request: Request) -> Response:
        """Release a done shipment plan's stops as expected deliveries (the state's reviewers)."""
        data = ReleaseSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        made = deliveries_release(plan=data.validated_data["plan"], user=request.user)
        return Response({"created": made}, status=status.HTTP_201_CREATED)


class ReviewedStateField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self) -> QuerySet:
        request = self.context.get("request")
        return reviewed_state_agencies(request.user) if request else StateAgency.objects.none()


class FeeScheduleSerializer(serializers.ModelSerializer):
    state_agency = ReviewedStateField(help_text="A state agency you review")

    class Meta:
        model = FeeSchedule
        fields = ["id", "state_agency", "effective_from", "min_cases_per_drop", "drop_fee", "delivery_fee_per_lb",
                  "delivery_fee_per_case", "storage_fee_per_case_month", "storage_free_days"]  # fmt: skip


class FeeScheduleViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                         mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.GenericViewSet):  # fmt: skip
    """A state agency's distribution fees (its reviewers set them; its districts read them). A
    district's monthly statement is ``GET /api/v1/fee-statements/<district>/?month=YYYY-MM`` (and the
    CSV/XLSX page /usda-foods/fees/statement/<district>/)."""

    queryset_model = FeeSchedule
    serializer_class = FeeScheduleSerializer
    select = ("state_agency",)
    filterset_fields = ["state_agency"]


# --- Fee statements and co-op storage -----------------------------------------------------------------

MONTH = OpenApiParameter("month", str, description="YYYY-MM (default: this month)")


class StatementLineSerializer(serializers.Serializer):
    on = serializers.DateField(
        help_text="The receipt's date, the drop's first receipt, or the storage charge day"
    )
    delivery = serializers.CharField(help_text="The delivery, order or storage lot charged")
    food = serializers.CharField()
    place = serializers.CharField(help_text="The site or processor")
    cases = serializers.IntegerField()
    pounds = serializers.DecimalField(max_digits=16, decimal_places=2, allow_null=True)
    fee = serializers.ChoiceField(choices=["Delivery service fee", "Drop fee", "Storage"])
    rate = serializers.CharField()
    amount = serializers.DecimalField(
        max_digits=14, decimal_places=2, help_text="Dollars, rounded half up to the cent"
    )


class FeeStatementSerializer(serializers.Serializer):
    district = serializers.IntegerField()
    month = serializers.CharField(help_text="YYYY-MM")
    lines = StatementLineSerializer(many=True)
    total = serializers.DecimalField(max_digits=14, decimal_places=2)


class FeeStatementViewSet(viewsets.GenericViewSet):
    """A district's monthly fee statement (the CSV/XLSX page's lines): delivery fees on its cases
    received, one drop fee per site per order under the minimum, storage of its cases held at a
    co-op's receiving site after the free days. The district's staff and its state's reviewers;
    anyone else gets 404."""

    serializer_class = FeeStatementSerializer
    queryset = District.objects.none()

    @extend_schema(parameters=[MONTH], responses=FeeStatementSerializer)
    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        district = access.get_for_user(District.objects.all(), request.user, pk)
        first, last = month_range(request.query_params.get("month"), today=timezone.localdate())
        lines = statement_lines(
            district_id=district.pk, state_agency_id=district.state_agency_id, first=first, last=last
        )
        return Response(FeeStatementSerializer({
            "district": district.pk, "month": f"{first:%Y-%m}", "lines": lines,
            "total": sum((line.amount for line in lines), Decimal("0.00")),
        }).data)  # fmt: skip


class StorageRowSerializer(serializers.Serializer):
    district_id = serializers.IntegerField()
    district_name = serializers.CharField()
    food_id = serializers.IntegerField()
    food_name = serializers.CharField()
    received = serializers.IntegerField()
    picked_up = serializers.IntegerField()
    on_hand = serializers.IntegerField()


class CoopStorageSerializer(serializers.Serializer):
    coop = serializers.IntegerField()
    receiving_site = serializers.IntegerField()
    lead = serializers.BooleanField(help_text="True for the lead district's staff, who see every member")
    rows = StorageRowSerializer(many=True)


class CoopStorageViewSet(viewsets.GenericViewSet):
    """A co-op's storage at its receiving site: each member's cases on hand (received minus picked
    up). The lead district's staff see every member; a member's staff, their own lines."""

    serializer_class = CoopStorageSerializer
    queryset = Coop.objects.none()

    @extend_schema(responses=CoopStorageSerializer)
    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        coop = access.get_for_user(Coop.objects.all(), request.user, pk)
        lead, districts = storage_scope(request.user, coop)
        rows = coop_storage(coop_id=coop.pk, site_id=coop.receiving_site_id, district_ids=districts)
        return Response(CoopStorageSerializer(
            {"coop": coop.pk, "receiving_site": coop.receiving_site_id, "lead": lead, "rows": rows}
        ).data)  # fmt: skip


@extend_schema_field(OpenApiTypes.INT)
class LedCoopField(serializers.PrimaryKeyRelatedField):
    """A co-op whose lead district the user manages: any other id is a 400."""

    def get_queryset(self) -> QuerySet[Coop]:
        request = self.context.get("request")
        return Coop.objects.for_user(request.user, write=True) if request else Coop.objects.none()


class StoragePickupSerializer(serializers.ModelSerializer):
    coop = LedCoopField(help_text="A co-op your district leads")
    recorded_by = serializers.StringRelatedField(read_only=True, allow_null=True)

    class Meta:
        model = StoragePickup
        fields = [
            "id",
            "coop",
            "district",
            "food",
            "picked_up_on",
            "cases",
            "notes",
            "recorded_by",
            "recorded_at",
        ]


class StoragePickupViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                           mixins.CreateModelMixin, viewsets.GenericViewSet):  # fmt: skip
    """Pickups from a co-op's storage (the lead's managers record them; never more than the
    member's cases on hand: a 400 naming ``cases``)."""

    queryset_model = StoragePickup
    serializer_class = StoragePickupSerializer
    select = ("recorded_by",)
    filterset_fields = ["coop", "district", "food"]

    def perform_create(self, serializer: StoragePickupSerializer) -> None:
        data = serializer.validated_data
        serializer.instance = storage_pickup_record(
            coop=data["coop"], district=data["district"], food=data["food"], cases=data["cases"],
            picked_up_on=data["picked_up_on"], notes=data.get("notes", ""), user=self.request.user,
        )  # fmt: skip
