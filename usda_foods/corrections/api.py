"""Corrections to the state's data about a district, through the API: a district manager proposes
one (``POST``), a reviewer of the district's state accepts or rejects it. Reads are scoped like the
pages (district staff their district's, reviewers their state's, collaborative admins their
lab's; outsiders get 404); every change goes through ``correction_*``."""

from __future__ import annotations

import django_filters
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from districts import access
from districts.models import District
from focus_lab.api import ScopedViewSetMixin
from usda_foods.corrections.models import DataCorrection
from usda_foods.corrections.services import correction_accept, correction_propose, correction_reject
from usda_foods.entitlements.access import correction_districts
from usda_foods.ordering.access import reviews_state


class CorrectionDistrictField(serializers.PrimaryKeyRelatedField):
    """A district the user manages: only its managers propose corrections to its data."""

    def get_queryset(self) -> QuerySet[District]:
        request = self.context.get("request")
        return correction_districts(request.user) if request else District.objects.none()


class DataCorrectionSerializer(serializers.ModelSerializer):
    district = CorrectionDistrictField(help_text="A district you manage")
    district_name = serializers.CharField(source="district.name", read_only=True)
    proposed_total = serializers.IntegerField(read_only=True, allow_null=True)
    # Null when the person's account is gone (created_by) or nobody has decided yet (decided_by).
    created_by = serializers.StringRelatedField(read_only=True, allow_null=True)
    decided_by = serializers.StringRelatedField(read_only=True, allow_null=True)

    class Meta:
        model = DataCorrection
        fields = ["id", "district", "district_name", "kind", "school_year", "free", "reduced", "paid",
                  "proposed_total", "is_commodity_school", "reason", "status", "created_by", "created_at",
                  "decided_by", "decided_at", "decision_note"]  # fmt: skip
        read_only_fields = ["status", "created_at", "decided_at", "decision_note"]
        validators: list = []  # correction_propose checks the fields of the kind and one pending at a time


class DecisionSerializer(serializers.Serializer):
    note = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=5000,
        help_text="Required to reject: the district sees it.",
    )


class CorrectionFilter(django_filters.FilterSet):
    class Meta:
        model = DataCorrection
        fields = ["district", "kind", "status", "school_year"]


class DataCorrectionViewSet(
    ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):  # fmt: skip
    """Corrections to a district's lunch counts (one school year) or commodity-school status.
    ``kind=lunch_counts`` needs ``school_year``, ``free``, ``reduced`` and ``paid``;
    ``kind=commodity_school`` needs ``is_commodity_school``. Nothing changes until a reviewer of
    the district's state accepts it; accepting applies it and recomputes the entitlements."""

    queryset_model = DataCorrection
    serializer_class = DataCorrectionSerializer
    filterset_class = CorrectionFilter
    select = ("district", "created_by", "decided_by")

    def perform_create(self, serializer: DataCorrectionSerializer) -> None:
        serializer.instance = correction_propose(user=self.request.user, **serializer.validated_data)

    def _decidable(self, pk: str | None) -> DataCorrection:
        """The correction if the user reviews its district's state: outsiders 404, others 403."""
        correction = access.get_for_user(self.get_queryset(), self.request.user, pk)
        if not reviews_state(self.request.user, correction.district.state_agency_id):
            raise PermissionDenied("Only the state agency's reviewers decide corrections.")
        return correction

    def _decide(self, request: Request, pk: str | None, service) -> Response:
        correction = self._decidable(pk)
        data = DecisionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        service(correction_id=correction.pk, user=request.user, note=data.validated_data.get("note", ""))
        return Response(self.get_serializer(self.get_queryset().get(pk=correction.pk)).data)

    @extend_schema(request=DecisionSerializer, responses=DataCorrectionSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request: Request, pk: str | None = None) -> Response:
        """Accept and apply (reviewers of the district's state): the lunch counts are saved, or the
        commodity-school status set, and the entitlements that use them are recomputed."""
        return self._decide(request, pk, correction_accept)

    @extend_schema(request=DecisionSerializer, responses=DataCorrectionSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, pk: str | None = None) -> Response:
        """Reject with a note (reviewers of the district's state); the state's data stays."""
        return self._decide(request, pk, correction_reject)
