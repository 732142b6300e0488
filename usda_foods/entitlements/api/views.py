from __future__ import annotations

import django_filters
from django.db.models import Exists, OuterRef
from drf_spectacular.utils import extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from districts import access
from districts.filters import scoped_districts
from districts.models import District
from focus_lab.api import ScopedViewSetMixin
from usda_foods.entitlements import rules as entitlements
from usda_foods.entitlements.access import can_set_pal
from usda_foods.entitlements.api.serializers import (
    EntitlementSerializer,
    LunchCountSerializer,
    PalSerializer,
    PerMealValueSerializer,
    RecomputeSerializer,
    ReimbursementRateSerializer,
    Section4PaymentSerializer,
)
from usda_foods.entitlements.models import (
    Entitlement,
    LunchCount,
    PerMealValue,
    ReimbursementRate,
    Section4Payment,
)
from usda_foods.entitlements.selectors import as_entitlements, entitlement_rows, with_balance
from usda_foods.entitlements.services.common import PAL_IS_THE_STATES
from usda_foods.entitlements.services.entitlements import (
    entitlement_set_pal,
    entitlements_recompute,
    recompute_scope,
)
from usda_foods.entitlements.services.lunch_counts import lunch_count_save
from usda_foods.entitlements.services.reference import per_meal_value_create, reference_value_save


class PerMealValueViewSet(ScopedViewSetMixin, viewsets.ModelViewSet):
    """National per-meal values of USDA Foods, in cents per lunch, with corrections (a later
    publication for the same year supersedes the earlier, which stays listed with
    ``superseded: true``; a second value with the same publication date is refused). Everyone
    reads; national reference-data editors add them."""

    queryset_model = PerMealValue
    serializer_class = PerMealValueSerializer
    filterset_fields = ["school_year"]
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self):
        later = PerMealValue.objects.filter(
            school_year=OuterRef("school_year"), published_on__gt=OuterRef("published_on")
        )
        return super().get_queryset().annotate(superseded=Exists(later))

    def perform_create(self, serializer: PerMealValueSerializer) -> None:
        serializer.instance = per_meal_value_create(user=self.request.user, **serializer.validated_data)
        serializer.instance.superseded = False


class ReferenceValueSaveMixin:
    """Rates and Section 4 payments are national: reference-data editors write them (the access
    rules and ``can_create``), through the service, which recomputes the year's entitlements (both
    years when an edit moves a value to another year). They are not deleted: a wrong value is
    corrected in place, so the entitlements follow."""

    def perform_create(self, serializer) -> None:
        value = self.queryset_model(**serializer.validated_data)  # type: ignore[attr-defined]
        serializer.instance = reference_value_save(value=value, user=self.request.user)  # type: ignore[attr-defined]

    def perform_update(self, serializer) -> None:
        value = serializer.instance
        for name, new in serializer.validated_data.items():
            setattr(value, name, new)
        serializer.instance = reference_value_save(value=value, user=self.request.user)  # type: ignore[attr-defined]


class ReimbursementRateViewSet(ReferenceValueSaveMixin, ScopedViewSetMixin, viewsets.ModelViewSet):
    """NSLP lunch reimbursement rates, in dollars per lunch (national): everyone reads;
    reference-data editors write."""

    queryset_model = ReimbursementRate
    serializer_class = ReimbursementRateSerializer
    filterset_fields = ["school_year", "category"]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]


class Section4PaymentViewSet(ReferenceValueSaveMixin, ScopedViewSetMixin, viewsets.ModelViewSet):
    """Section 4 cash payments per lunch, in cents (national): everyone reads; reference-data
    editors write."""

    queryset_model = Section4Payment
    serializer_class = Section4PaymentSerializer
    filterset_fields = ["school_year"]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]


class LunchCountFilter(django_filters.FilterSet):
    district = django_filters.ModelChoiceFilter(queryset=scoped_districts)

    class Meta:
        model = LunchCount
        fields = ["district", "school_year"]


class LunchCountViewSet(ScopedViewSetMixin, viewsets.ModelViewSet):
    """Reimbursable lunches by district and school year: the state's claims data. Everyone who sees
    the district reads them; only SDA reviewers of its state write them (a district proposes a
    correction at ``/corrections/``). Saving recomputes the entitlements that use the count (the
    next year's COV and this year's 12 percent check)."""

    queryset_model = LunchCount
    serializer_class = LunchCountSerializer
    filterset_class = LunchCountFilter
    select = ("district",)
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def perform_create(self, serializer: LunchCountSerializer) -> None:
        serializer.instance = lunch_count_save(user=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer: LunchCountSerializer) -> None:
        data = {**{f: getattr(serializer.instance, f) for f in ("district", "school_year", "free", "reduced", "paid")},
                **serializer.validated_data}  # fmt: skip
        serializer.instance = lunch_count_save(user=self.request.user, **data)


class EntitlementFilter(django_filters.FilterSet):
    state = django_filters.CharFilter(field_name="district__state_agency__state")
    collaborative = django_filters.NumberFilter(field_name="district__collaborative_id")
    district = django_filters.NumberFilter(field_name="district_id")

    class Meta:
        model = Entitlement
        fields = ["school_year", "state", "collaborative", "district"]


class EntitlementRowFilter(django_filters.FilterSet):
    """The same filters over districts, for the list of one school year (``entitlement_rows``)."""

    state = django_filters.CharFilter(field_name="state_agency__state")
    collaborative = django_filters.NumberFilter(field_name="collaborative_id")
    district = django_filters.NumberFilter(field_name="id")

    class Meta:
        model = District
        fields = ["state", "collaborative", "district"]


ROW_ORDERING = {"commodity_offer_value": "cov", "planned_assistance_level": "pal", "drawn": "drawn"}


class EntitlementViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Entitlements: COV, PAL, drawn, remaining, the 12 percent check, and what is missing when
    something cannot be computed (``missing_inputs`` says which figure each absent input blocks).
    Money is in dollars, a decimal string with two places; per-meal values and Section 4 payments
    in cents per lunch. With ``?school_year=``, every district you see is listed, those whose
    entitlement was never computed too (``id`` null, ``status`` "cannot compute: no lunch counts"
    or "not computed yet")."""

    queryset_model = Entitlement
    serializer_class = EntitlementSerializer
    filterset_class = EntitlementFilter
    ordering_fields = ["commodity_offer_value", "planned_assistance_level", "drawn"]

    def get_queryset(self):
        return with_balance(super().get_queryset())

    def list(self, request: Request, *args: object, **kwargs: object) -> Response:
        school_year = request.query_params.get("school_year")
        if not school_year:
            return super().list(request, *args, **kwargs)
        try:
            school_year = str(entitlements.parse_school_year(school_year))
        except entitlements.EntitlementInputError as exc:
            raise ValidationError({"school_year": [str(exc)]}) from exc
        ordering = request.query_params.get("ordering", "")
        sort = ("-" if ordering.startswith("-") else "") + ROW_ORDERING.get(ordering.lstrip("-"), "district")
        rows = entitlement_rows(user=request.user, school_year=school_year, sort=sort)
        filtered = EntitlementRowFilter(request.query_params, queryset=rows)
        if not filtered.is_valid():
            raise ValidationError(filtered.errors)
        page = self.paginate_queryset(filtered.qs)
        data = self.get_serializer(as_entitlements(page, school_year=school_year), many=True).data
        return self.get_paginated_response(data)

    @extend_schema(request=PalSerializer, responses=EntitlementSerializer)
    @action(detail=True, methods=["post"])
    def pal(self, request: Request, pk: str | None = None) -> Response:
        """Set the planned assistance level (SDA reviewers of the district's state). Anyone else
        who sees the entitlement gets 403, whatever the body; one who does not, 404."""
        entitlement = access.get_for_user(self.get_queryset(), request.user, pk)
        if not can_set_pal(request.user, entitlement):
            raise PermissionDenied(PAL_IS_THE_STATES)
        data = PalSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        updated = entitlement_set_pal(entitlement=entitlement, user=request.user, **data.validated_data)
        return Response(EntitlementSerializer(self.get_queryset().get(pk=updated.pk)).data)

    @extend_schema(request=RecomputeSerializer, responses={200: dict})
    @action(detail=False, methods=["post"])
    def recompute(self, request: Request) -> Response:
        """Recompute a whole state's (SDA reviewers) or collaborative's (admins) entitlements for a
        school year, in one call. 404 for a state or collaborative none of whose districts you see,
        403 for one you see but may not recompute."""
        data = RecomputeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        districts = recompute_scope(user=request.user, **data.validated_data)
        result = entitlements_recompute(school_year=data.validated_data["school_year"], districts=districts,
                                                 user=request.user)  # fmt: skip
        return Response(result.as_dict(), status=status.HTTP_200_OK)
