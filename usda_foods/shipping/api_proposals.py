"""Proposals to a district (issue 18), for its own users: the changes the state proposes to its
approved orders, and its managers' accept and decline. Another district's proposals are 404."""

from __future__ import annotations

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from usda_foods.shipping.models import PlanAdjustment
from usda_foods.shipping.proposals import proposal_decide, proposals_for


class ProposalSerializer(serializers.ModelSerializer):
    food_description = serializers.CharField(source="food.description", read_only=True)
    site_name = serializers.CharField(source="site.name", read_only=True)
    district = serializers.IntegerField(source="site.district_id", read_only=True)
    window = serializers.IntegerField(source="plan.window_id", read_only=True)
    entitlement_cost = serializers.DecimalField(source="value", max_digits=14, decimal_places=2, read_only=True,
                                                help_text="Dollars: + draws more, - gives back")  # fmt: skip

    class Meta:
        model = PlanAdjustment
        fields = ["id", "plan", "window", "food", "food_description", "site", "site_name", "district",
                  "requested_cases", "cases", "reason", "trucks", "entitlement_cost", "status", "decision_note",
                  "decided_at"]  # fmt: skip
        read_only_fields = fields


class ProposalDecisionSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, max_length=300, default="")


class ProposalViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The state's proposed changes at your districts' sites; accept or decline each (district
    managers). A refusal (already decided, an overdraw) is a 400 and changes nothing."""

    serializer_class = ProposalSerializer
    permission_classes = [IsAuthenticated]

    def get_queryset(self) -> QuerySet[PlanAdjustment]:
        return proposals_for(self.request.user)

    def _decide(self, request: Request, accept: bool) -> Response:
        proposal = self.get_object()
        data = ProposalDecisionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        proposal_decide(
            adjustment_id=proposal.pk, user=request.user, accept=accept, note=data.validated_data["note"]
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=proposal.pk)).data)

    @extend_schema(request=ProposalDecisionSerializer, responses=ProposalSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request: Request, pk: str | None = None) -> Response:
        """Accept: the change applies to your approved order and its drawdown."""
        return self._decide(request, True)

    @extend_schema(request=ProposalDecisionSerializer, responses=ProposalSerializer)
    @action(detail=True, methods=["post"])
    def decline(self, request: Request, pk: str | None = None) -> Response:
        """Decline: an increase waits for a full truck instead; a cut stays an open problem for the state."""
        return self._decide(request, False)
