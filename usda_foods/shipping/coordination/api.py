"""Cross-state coordination API: remainder offers (a plan's reviewers offer a food's remainder to
other states' agencies; the receiving agency plans it jointly or declines) and joint plans (both
agencies accept or decline; a joint plan's stops in the partner state show by site name only).
Only the two agencies' SDA reviewers see an offer or a joint plan: everyone else gets 404."""

from __future__ import annotations

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from districts import access
from districts.models import StateAgency
from focus_lab.api import ScopedViewSetMixin
from focus_lab.errors import DomainError
from usda_foods.ordering.models import CatalogItem, OrderWindow
from usda_foods.shipping.coordination import selectors
from usda_foods.shipping.coordination.services import (
    joint_plan_accept,
    joint_plan_create,
    joint_plan_decline,
    remainder_offer,
    remainder_offer_decline,
)
from usda_foods.shipping.models import JointPlan, RemainderOffer, ShipmentPlan

KM_PER_MILE = 1.609344


class RemainderOfferSerializer(serializers.ModelSerializer):
    food_description = serializers.CharField(source="food.description", read_only=True)
    from_state = serializers.CharField(source="from_agency.state", read_only=True)
    to_state = serializers.CharField(source="to_agency.state", read_only=True)
    joint_plan = serializers.SerializerMethodField()

    class Meta:
        model = RemainderOffer
        fields = ["id", "plan", "food", "food_description", "from_state", "to_state", "cases", "note", "status",
                  "created_at", "decided_at", "joint_plan"]  # fmt: skip
        read_only_fields = fields

    def get_joint_plan(self, offer: RemainderOffer) -> int | None:
        joint = getattr(offer, "joint_plan", None)
        return joint.pk if joint else None


class OfferCreateSerializer(serializers.Serializer):
    plan = serializers.IntegerField(min_value=1, max_value=2**31 - 1)
    food = serializers.IntegerField(min_value=1, max_value=2**31 - 1)
    agencies = serializers.ListField(child=serializers.IntegerField(min_value=1, max_value=2**31 - 1),
                                     min_length=1, max_length=60)  # fmt: skip
    note = serializers.CharField(required=False, allow_blank=True, max_length=300, default="")


class PlanJointlySerializer(serializers.Serializer):
    window = serializers.IntegerField(required=False, min_value=1, max_value=2**31 - 1,
                                      help_text="One of your windows offering the food; by default the first.")  # fmt: skip


class StopSerializer(serializers.Serializer):
    sequence = serializers.IntegerField()
    site = serializers.CharField()
    state = serializers.CharField()
    own = serializers.BooleanField(
        help_text="Your state's stop: false means the partner state's, by name only."
    )
    cases = serializers.IntegerField(allow_null=True)
    district = serializers.CharField(allow_null=True)
    address = serializers.CharField(allow_null=True)


class TruckSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    cases = serializers.IntegerField()
    miles = serializers.SerializerMethodField()
    delivery_date = serializers.DateField()
    crosses_state_line = serializers.BooleanField()
    stops = StopSerializer(many=True)

    def get_miles(self, truck) -> float:
        return round(truck.distance_km / KM_PER_MILE, 1)


class JointPlanSerializer(serializers.ModelSerializer):
    food_description = serializers.CharField(source="food.description", read_only=True)
    from_state = serializers.CharField(source="offer.from_agency.state", read_only=True)
    to_state = serializers.CharField(source="offer.to_agency.state", read_only=True)
    total_miles = serializers.SerializerMethodField()

    class Meta:
        model = JointPlan
        fields = ["id", "offer", "food", "food_description", "from_state", "to_state", "partner_window", "status",
                  "requested_cases", "adjusted_cases", "trucks", "cross_state_trucks", "total_miles",
                  "offerer_accepted_at", "partner_accepted_at", "decided_at"]  # fmt: skip
        read_only_fields = fields

    def get_total_miles(self, joint: JointPlan) -> float:
        return round(float(joint.total_km) / KM_PER_MILE, 1)


class JointPlanDetailSerializer(JointPlanSerializer):
    truck_list = serializers.SerializerMethodField()

    class Meta(JointPlanSerializer.Meta):
        fields = [*JointPlanSerializer.Meta.fields, "truck_list"]
        read_only_fields = fields

    @extend_schema(exclude=True)
    def get_truck_list(self, joint: JointPlan) -> list[dict]:
        user = self.context["request"].user
        return TruckSerializer(
            selectors.visible_trucks(joint, selectors.own_agencies(user, joint)), many=True
        ).data


class RemainderOfferViewSet(ScopedViewSetMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Remainder offers to and from the agencies you review, newest first."""

    queryset_model = RemainderOffer
    serializer_class = RemainderOfferSerializer
    select = ("food", "from_agency", "to_agency", "joint_plan")
    filterset_fields = ["status", "plan"]

    @extend_schema(request=OfferCreateSerializer, responses={201: RemainderOfferSerializer(many=True)})
    def create(self, request: Request, *args, **kwargs) -> Response:
        """Offer a food's remainder of a finished plan (yours to review) to other states' agencies."""
        data = OfferCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        plan = (ShipmentPlan.objects.for_user(request.user, write=True).select_related("window")
                .filter(pk=data.validated_data["plan"]).first())  # fmt: skip
        if plan is None:  # one answer for a plan that does not exist and one the user does not review
            raise DomainError("No shipment plan of yours has this id.", field="plan")
        food = CatalogItem.objects.filter(pk=data.validated_data["food"]).first()
        agencies = list(StateAgency.objects.filter(pk__in=data.validated_data["agencies"]))
        if food is None or len(agencies) != len(set(data.validated_data["agencies"])):
            raise DomainError("Choose a food of the plan and existing state agencies.")
        offers = remainder_offer(plan=plan, food=food, agencies=agencies, user=request.user,
                                 note=data.validated_data["note"])  # fmt: skip
        rows = self.get_queryset().filter(pk__in=[o.pk for o in offers])
        return Response(self.get_serializer(rows, many=True).data, status=status.HTTP_201_CREATED)

    def _offer(self, pk: str | None) -> RemainderOffer:
        return access.get_for_user(RemainderOffer.objects.all(), self.request.user, pk)

    @extend_schema(request=PlanJointlySerializer, responses={201: JointPlanDetailSerializer})
    @action(detail=True, methods=["post"], url_path="plan-jointly")
    def plan_jointly(self, request: Request, pk: str | None = None) -> Response:
        """Take up the offer (receiving agency's reviewers): a joint plan over both states'
        remainders, waiting for both agencies to accept it."""
        offer = self._offer(pk)
        data = PlanJointlySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        window = None
        if "window" in data.validated_data:
            window = OrderWindow.objects.filter(pk=data.validated_data["window"]).first()
            if window is None:
                raise DomainError("No such window.", field="window")
        joint = joint_plan_create(offer=offer, user=request.user, window=window)
        body = JointPlanDetailSerializer(joint, context=self.get_serializer_context()).data
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=RemainderOfferSerializer)
    @action(detail=True, methods=["post"])
    def decline(self, request: Request, pk: str | None = None) -> Response:
        """Decline the offer (receiving agency's reviewers)."""
        offer = remainder_offer_decline(offer=self._offer(pk), user=request.user)
        return Response(self.get_serializer(self.get_queryset().get(pk=offer.pk)).data)


class JointPlanViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Joint plans of the agencies you review. A joint plan's detail lists its trucks: your
    state's stops in full, the partner state's by site name only; ``crosses_state_line`` marks a
    truck with stops in both states."""

    queryset_model = JointPlan
    select = ("food", "offer__from_agency", "offer__to_agency")
    filterset_fields = ["status"]

    def get_serializer_class(self) -> type[serializers.Serializer]:
        return JointPlanDetailSerializer if self.action != "list" else JointPlanSerializer

    def get_queryset(self) -> QuerySet[JointPlan]:
        return super().get_queryset().order_by("-created_at", "-id")

    def _answer(self, pk: str | None, service) -> Response:
        joint = access.get_for_user(JointPlan.objects.all(), self.request.user, pk)
        joint = service(joint=joint, user=self.request.user)
        return Response(self.get_serializer(self.get_queryset().get(pk=joint.pk)).data)

    @extend_schema(request=None, responses=JointPlanDetailSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request: Request, pk: str | None = None) -> Response:
        """Accept for your agency; the joint plan binds once both agencies have accepted."""
        return self._answer(pk, joint_plan_accept)

    @extend_schema(request=None, responses=JointPlanDetailSerializer)
    @action(detail=True, methods=["post"])
    def decline(self, request: Request, pk: str | None = None) -> Response:
        """Decline: the joint plan is refused and binds neither agency."""
        return self._answer(pk, joint_plan_decline)
