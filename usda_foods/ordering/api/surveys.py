"""Preference surveys over the API: the state runs them, districts answer."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Prefetch, QuerySet
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from districts import access
from districts.models import District
from focus_lab.api import ScopedPrimaryKeyRelatedField, ScopedViewSetMixin
from usda_foods.ordering.api.fields import ReviewedStateAgencyField
from usda_foods.ordering.models import (
    CatalogItem,
    Survey,
    SurveyResponse,
    SurveyResponseLine,
)
from usda_foods.ordering.services.surveys import (
    survey_choose_offered,
    survey_non_respondents,
    survey_open,
    survey_remind,
    survey_respond,
    survey_results,
)

# --- Preference surveys ---------------------------------------------------------------------------


class SurveySerializer(serializers.ModelSerializer):
    state_agency = ReviewedStateAgencyField(help_text="A state agency you review")
    is_open = serializers.BooleanField(read_only=True)
    offered_items = serializers.PrimaryKeyRelatedField(
        many=True, read_only=True, help_text="The foods chosen from the results (see the offer action)"
    )

    class Meta:
        model = Survey
        fields = ["id", "state_agency", "school_year", "title", "opens_at", "closes_at", "is_open",
                  "offered_items", "created_at"]  # fmt: skip
        read_only_fields = ["created_at"]
        validators: list = []  # survey_open runs full_clean: one per state and year, closes after opening


class SurveyResultSerializer(serializers.Serializer):
    catalog_item = serializers.IntegerField(source="item.pk")
    material_code = serializers.CharField(source="item.material_code")
    description = serializers.CharField(source="item.description")
    category = serializers.CharField(source="item.category")
    sfa_count = serializers.IntegerField(help_text="SFAs that asked for the food")
    total_cases = serializers.IntegerField(help_text="Their estimated cases, summed")
    offered = serializers.BooleanField()


class OfferSerializer(serializers.Serializer):
    items = ScopedPrimaryKeyRelatedField(model=CatalogItem, write=False, many=True)


class DistrictBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = District
        fields = ["id", "name", "agency_code"]


class SurveyViewSet(ScopedViewSetMixin, viewsets.ModelViewSet):
    """SDA preference surveys (SFA input at least annually on which foods are offered). District
    users see their state's surveys; SDA reviewers open them for the states they review, read the
    results, choose the foods to offer and remind the SFAs that have not answered."""

    queryset_model = Survey
    serializer_class = SurveySerializer
    filterset_fields = ["school_year", "state_agency"]
    prefetch = ("offered_items",)
    http_method_names = ["get", "post", "head", "options"]

    def perform_create(self, serializer: SurveySerializer) -> None:
        serializer.instance = survey_open(user=self.request.user, **serializer.validated_data)

    def _reviewed(self, pk: str | None) -> Survey:
        """The survey if the user runs it: outsiders get 404, district users who see it 403."""
        return access.get_for_user(self.get_queryset(), self.request.user, pk, write=True)

    @extend_schema(responses=SurveyResultSerializer(many=True))
    @action(detail=True, methods=["get"])
    def results(self, request: Request, pk: str | None = None) -> Response:
        """How many SFAs want each food and the cases they estimate, most wanted first."""
        rows = survey_results(self._reviewed(pk))
        return Response(SurveyResultSerializer(rows, many=True).data)

    @extend_schema(request=OfferSerializer, responses=SurveySerializer)
    @action(detail=True, methods=["post"])
    def offer(self, request: Request, pk: str | None = None) -> Response:
        """Choose, from the results, the foods offered in the year's order windows (replaces the
        earlier choice)."""
        survey = self._reviewed(pk)
        data = OfferSerializer(data=request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        survey_choose_offered(survey=survey, items=data.validated_data["items"], user=request.user)
        return Response(self.get_serializer(self.get_queryset().get(pk=survey.pk)).data)

    @extend_schema(
        request=None,
        responses=inline_serializer("SurveyRemindResult", {"reminded": serializers.IntegerField()}),
    )
    @action(detail=True, methods=["post"])
    def remind(self, request: Request, pk: str | None = None) -> Response:
        """Email the SFAs that have not answered; returns how many districts were reminded."""
        return Response({"reminded": survey_remind(survey=self._reviewed(pk), user=request.user)})

    @extend_schema(responses=DistrictBriefSerializer(many=True))
    @action(detail=True, methods=["get"])
    def non_respondents(self, request: Request, pk: str | None = None) -> Response:
        """The state's SFAs that have not answered yet."""
        districts = survey_non_respondents(self._reviewed(pk))
        return Response(DistrictBriefSerializer(districts, many=True).data)


class SurveyLineSerializer(serializers.ModelSerializer):
    catalog_item = ScopedPrimaryKeyRelatedField(model=CatalogItem, write=False)
    description = serializers.CharField(source="catalog_item.description", read_only=True)
    estimated_cases = serializers.IntegerField(min_value=0)

    class Meta:
        model = SurveyResponseLine
        fields = ["catalog_item", "description", "estimated_cases"]


class SurveyResponseSerializer(serializers.ModelSerializer):
    survey = ScopedPrimaryKeyRelatedField(model=Survey, write=False)
    district = ScopedPrimaryKeyRelatedField(model=District, write=True, help_text="A district you manage")
    district_name = serializers.CharField(source="district.name", read_only=True)
    submitted_by = serializers.EmailField(source="submitted_by.email", read_only=True, allow_null=True)
    lines = SurveyLineSerializer(many=True, help_text="Foods with 0 estimated cases are left out")

    class Meta:
        model = SurveyResponse
        fields = ["id", "survey", "district", "district_name", "submitted_at", "submitted_by",
                  "last_reminded_at", "lines"]  # fmt: skip
        read_only_fields = ["submitted_at", "last_reminded_at"]
        validators: list = []  # answering again replaces the earlier answer

    def validate_lines(self, lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
        items = [line["catalog_item"].pk for line in lines]
        if len(items) != len(set(items)):
            raise ValidationError("Name each food once.")
        return lines


class SurveyResponseFilter(django_filters.FilterSet):
    survey = django_filters.NumberFilter(field_name="survey_id")
    district = django_filters.NumberFilter(field_name="district_id")

    class Meta:
        model = SurveyResponse
        fields = ["survey", "district"]


class SurveyResponseViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """A district's answer to a survey. POST creates it or, while the survey is open, replaces the
    district's earlier answer."""

    queryset_model = SurveyResponse
    serializer_class = SurveyResponseSerializer
    filterset_class = SurveyResponseFilter
    select = ("district", "submitted_by")

    def get_queryset(self) -> QuerySet[SurveyResponse]:
        lines = SurveyResponseLine.objects.select_related("catalog_item")
        return super().get_queryset().prefetch_related(Prefetch("lines", queryset=lines))

    def perform_create(self, serializer: SurveyResponseSerializer) -> None:
        data = serializer.validated_data
        serializer.instance = survey_respond(
            survey=data["survey"], district=data["district"], user=self.request.user,
            lines=[(line["catalog_item"], line["estimated_cases"]) for line in data["lines"]],
        )  # fmt: skip
