"""The ordering API (FD-125): the USDA Foods available list, preference surveys and their
answers, order windows and orders.

Reads are scoped viewsets. Every change goes through one service: serializers check the shape of
the input, the service applies the rule, and its ``DomainError`` becomes a 400 keyed by field.
Who may do what is ``districts/access.py``'s: district managers answer surveys and edit their
district's orders; SDA reviewers run their state's surveys and windows and review its orders
(``usda_access.reviewable_orders``). Outsiders get 404, the same answer as for a missing object, and a
foreign key pointed outside the user's scope is a 400 naming the field.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field, inline_serializer
from rest_framework import generics, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ParseError, PermissionDenied, ValidationError
from rest_framework.parsers import BaseParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from districts import access
from districts.models import District, Site, StateAgency
from focus_lab.api import ScopedPrimaryKeyRelatedField, ScopedViewSetMixin
from focus_lab.csv_import import MAX_IMPORT_BYTES, RowError
from usda_foods import access as usda_access
from usda_foods import services
from usda_foods.models import (
    CatalogItem,
    Order,
    OrderLine,
    OrderStatus,
    OrderTransition,
    OrderWindow,
    Survey,
    SurveyResponse,
    SurveyResponseLine,
    window_dates_outside_school_year,
)
from usda_foods.models.ordering import WindowState
from usda_foods.shipping.bounds import MAX_CASES_PER_REQUEST

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
        return usda_access.reviewed_state_agencies(request.user)


@extend_schema_field(OpenApiTypes.INT)
class DeliverySiteField(serializers.PrimaryKeyRelatedField):
    """A delivery site of the order's district or of a co-op it belongs to (``context["order"]``)."""

    default_error_messages = {
        "does_not_exist": "Site {pk_value} is not a delivery site of this district or of its co-op."
    }

    def get_queryset(self) -> QuerySet[Site]:
        order = self.context.get("order")
        return services.delivery_sites_for(order.district) if order else Site.objects.none()


class CSVTextParser(BaseParser):
    """A ``text/csv`` request body, handed over as bytes (read up to the import size limit + 1, so
    the import reports a file that is too large instead of reading it all)."""

    media_type = "text/csv"

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> bytes:
        return stream.read(MAX_IMPORT_BYTES + 1) if stream is not None else b""


# --- Catalog --------------------------------------------------------------------------------------


class CatalogItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = CatalogItem
        fields = ["id", "school_year", "material_code", "description", "category", "pack_description",
                  "net_case_weight_lb", "cases_per_truckload", "unit_price", "is_bulk_for_processing"]  # fmt: skip


class CatalogUploadSerializer(serializers.Serializer):
    file = serializers.FileField(
        help_text="The available list as CSV: " + ", ".join(services.CATALOG_COLUMNS)
    )


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
        try:
            body = request.data
        except ParseError as exc:
            return _import_errors([RowError(0, "file", str(exc.detail))])
        if isinstance(body, bytes):
            data = body
        elif "file" in request.FILES:
            data = request.FILES["file"].read(MAX_IMPORT_BYTES + 1)
        else:
            return _import_errors(
                [RowError(0, "file", "Send the CSV as a multipart “file” or as a text/csv body.")]
            )
        report = services.catalog_import(data=data, user=request.user)
        if report.errors:
            return _import_errors(report.errors)
        return Response({"created": report.created, "updated": report.updated, "unchanged": report.unchanged})


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
        serializer.instance = services.survey_open(user=self.request.user, **serializer.validated_data)

    def _reviewed(self, pk: str | None) -> Survey:
        """The survey if the user runs it: outsiders get 404, district users who see it 403."""
        return access.get_for_user(self.get_queryset(), self.request.user, pk, write=True)

    @extend_schema(responses=SurveyResultSerializer(many=True))
    @action(detail=True, methods=["get"])
    def results(self, request: Request, pk: str | None = None) -> Response:
        """How many SFAs want each food and the cases they estimate, most wanted first."""
        rows = services.survey_results(self._reviewed(pk))
        return Response(SurveyResultSerializer(rows, many=True).data)

    @extend_schema(request=OfferSerializer, responses=SurveySerializer)
    @action(detail=True, methods=["post"])
    def offer(self, request: Request, pk: str | None = None) -> Response:
        """Choose, from the results, the foods offered in the year's order windows (replaces the
        earlier choice)."""
        survey = self._reviewed(pk)
        data = OfferSerializer(data=request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        services.survey_choose_offered(survey=survey, items=data.validated_data["items"], user=request.user)
        return Response(self.get_serializer(self.get_queryset().get(pk=survey.pk)).data)

    @extend_schema(
        request=None,
        responses=inline_serializer("SurveyRemindResult", {"reminded": serializers.IntegerField()}),
    )
    @action(detail=True, methods=["post"])
    def remind(self, request: Request, pk: str | None = None) -> Response:
        """Email the SFAs that have not answered; returns how many districts were reminded."""
        return Response({"reminded": services.survey_remind(survey=self._reviewed(pk), user=request.user)})

    @extend_schema(responses=DistrictBriefSerializer(many=True))
    @action(detail=True, methods=["get"])
    def non_respondents(self, request: Request, pk: str | None = None) -> Response:
        """The state's SFAs that have not answered yet."""
        districts = services.survey_non_respondents(self._reviewed(pk))
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
        serializer.instance = services.survey_respond(
            survey=data["survey"], district=data["district"], user=self.request.user,
            lines=[(line["catalog_item"], line["estimated_cases"]) for line in data["lines"]],
        )  # fmt: skip


# --- Order windows --------------------------------------------------------------------------------


class OrderWindowSerializer(serializers.ModelSerializer):
    state_agency = ReviewedStateAgencyField(help_text="A state agency you review")
    offered_items = ScopedPrimaryKeyRelatedField(model=CatalogItem, write=False, many=True)
    state = serializers.ChoiceField(
        choices=WindowState.choices, read_only=True, help_text="Derived from opens_at and closes_at"
    )

    class Meta:
        model = OrderWindow
        fields = ["id", "state_agency", "school_year", "name", "opens_at", "closes_at", "delivery_start",
                  "delivery_end", "reminder_days_before", "offered_items", "state", "opened_notice_sent_at",
                  "reminder_sent_at", "closed_processed_at"]  # fmt: skip
        read_only_fields = ["opened_notice_sent_at", "reminder_sent_at", "closed_processed_at"]

    def validate(self, attrs: dict) -> dict:
        """Every date at fault at once (the service checks the same rule, one field at a time)."""
        errors = window_dates_outside_school_year(attrs.get("school_year"), attrs)
        if errors:
            raise serializers.ValidationError({name: [message] for name, message in errors.items()})
        return attrs


class OrderWindowFilter(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(choices=WindowState.choices, method="filter_state")

    class Meta:
        model = OrderWindow
        fields = ["school_year", "state_agency", "state"]

    def filter_state(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        now = timezone.now()
        return queryset.filter(
            {
                WindowState.UPCOMING: Q(opens_at__gt=now),
                WindowState.OPEN: Q(opens_at__lte=now, closes_at__gt=now),
                WindowState.CLOSED: Q(closes_at__lte=now),
            }[value]
        )


class OrderWindowViewSet(ScopedViewSetMixin, viewsets.ModelViewSet):
    """Periods in which SFAs order (several per school year). District users see their state's;
    SDA reviewers create them for the states they review. ``state`` is derived from the
    timestamps, never stored."""

    queryset_model = OrderWindow
    serializer_class = OrderWindowSerializer
    filterset_class = OrderWindowFilter
    prefetch = ("offered_items",)
    http_method_names = ["get", "post", "head", "options"]

    def perform_create(self, serializer: OrderWindowSerializer) -> None:
        serializer.instance = services.window_create(user=self.request.user, **serializer.validated_data)


# --- Orders ---------------------------------------------------------------------------------------


class OrderLineSerializer(serializers.ModelSerializer):
    description = serializers.CharField(source="catalog_item.description", read_only=True)
    value = money(help_text="cases × unit_price")

    class Meta:
        model = OrderLine
        fields = ["id", "catalog_item", "description", "cases", "delivery_site", "unit_price", "value"]
        read_only_fields = fields


class OrderTransitionSerializer(serializers.ModelSerializer):
    # Declared so the schema lists "" (read-only model fields lose ``allow_blank``).
    from_status = serializers.ChoiceField(
        choices=OrderStatus.choices,
        allow_blank=True,
        read_only=True,
        help_text="Blank for the order's creation",
    )
    user = serializers.EmailField(source="user.email", read_only=True, allow_null=True)

    class Meta:
        model = OrderTransition
        fields = ["from_status", "to_status", "comment", "user", "at"]
        read_only_fields = fields


class OrderSerializer(serializers.ModelSerializer):
    district = ScopedPrimaryKeyRelatedField(model=District, write=True, help_text="A district you manage")
    window = ScopedPrimaryKeyRelatedField(model=OrderWindow, write=False)
    district_name = serializers.CharField(source="district.name", read_only=True)
    window_name = serializers.CharField(source="window.name", read_only=True)
    school_year = serializers.CharField(source="window.school_year", read_only=True)
    value = money()
    is_editable = serializers.BooleanField(read_only=True)
    lines = OrderLineSerializer(many=True, read_only=True)
    transitions = OrderTransitionSerializer(many=True, read_only=True)

    class Meta:
        model = Order
        fields = ["id", "district", "district_name", "window", "window_name", "school_year", "status", "value",
                  "locked", "is_editable", "created_at", "submitted_at", "decided_at", "lines", "transitions"]  # fmt: skip
        read_only_fields = ["status", "locked", "created_at", "submitted_at", "decided_at"]
        validators: list = []  # order_create returns the district's existing order in the window


class OrderLineInputSerializer(serializers.Serializer):
    catalog_item = ScopedPrimaryKeyRelatedField(model=CatalogItem, write=False)
    cases = serializers.IntegerField(
        min_value=0, max_value=MAX_CASES_PER_REQUEST, help_text="0 removes the line"
    )
    delivery_site = DeliverySiteField()


class ApproveSerializer(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class ReasonSerializer(serializers.Serializer):
    comment = serializers.CharField(allow_blank=True, help_text="Required: the district sees it")


class OrderFilter(django_filters.FilterSet):
    window = django_filters.NumberFilter(field_name="window_id")
    district = django_filters.NumberFilter(field_name="district_id")
    school_year = django_filters.CharFilter(field_name="window__school_year")
    status = django_filters.ChoiceFilter(choices=OrderStatus.choices)

    class Meta:
        model = Order
        fields = ["window", "district", "school_year", "status"]


class OrderViewSet(ScopedViewSetMixin, viewsets.ModelViewSet):
    """A district's order in a window, with its lines and every transition. District managers
    create, fill and submit it (submitting posts a pending drawdown on the entitlement); the
    state's SDA reviewers approve, return or reject it. Money is a decimal string, two places."""

    queryset_model = Order
    serializer_class = OrderSerializer
    filterset_class = OrderFilter
    select = ("district", "window")
    ordering_fields = ["created_at", "submitted_at", "value"]
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self) -> QuerySet[Order]:
        return (
            super()
            .get_queryset()
            .prefetch_related(
                Prefetch("lines", queryset=OrderLine.objects.select_related("catalog_item")),
                Prefetch("transitions", queryset=OrderTransition.objects.select_related("user")),
            )
        )

    def _respond(self, order: Order, code: int = status.HTTP_200_OK) -> Response:
        return Response(self.get_serializer(self.get_queryset().get(pk=order.pk)).data, status=code)

    @extend_schema(responses={201: OrderSerializer, 200: OrderSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Start the district's order in an open window (201), or return the one it has (200)."""
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        district, window = serializer.validated_data["district"], serializer.validated_data["window"]
        existed = self.get_queryset().filter(district=district, window=window).exists()
        order = services.order_create(district=district, window=window, user=request.user)
        return self._respond(order, status.HTTP_200_OK if existed else status.HTTP_201_CREATED)

    def _editable(self, pk: str | None) -> Order:
        """The order for a district action: outsiders get 404, users who only see it 403."""
        return access.get_for_user(
            Order.objects.select_related("district"), self.request.user, pk, write=True
        )

    def _reviewable(self, pk: str | None) -> Order:
        """The order for a review action: outsiders get 404, users who see it but do not review
        it (district staff) 403."""
        visible = Order.objects.for_user(self.request.user)
        order = generics.get_object_or_404(visible, pk=pk)
        if not usda_access.reviewable_orders(self.request.user, visible.filter(pk=order.pk)).exists():
            raise PermissionDenied("Only the state agency's reviewers approve, return or reject its orders.")
        return order

    @extend_schema(request=OrderLineInputSerializer, responses=OrderSerializer)
    @action(detail=True, methods=["post"])
    def lines(self, request: Request, pk: str | None = None) -> Response:
        """Add a line, or change the cases of the same food to the same site; 0 cases removes it."""
        order = self._editable(pk)
        data = OrderLineInputSerializer(
            data=request.data, context={**self.get_serializer_context(), "order": order}
        )
        data.is_valid(raise_exception=True)
        services.order_line_set(order_id=order.pk, user=request.user, **data.validated_data)
        return self._respond(order)

    @extend_schema(request=None, responses=OrderSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: str | None = None) -> Response:
        """Submit while the window is open: posts a pending drawdown of the order's value, refused
        when it exceeds the entitlement's remaining balance."""
        order = services.order_submit(order_id=self._editable(pk).pk, user=request.user)
        return self._respond(order)

    @extend_schema(request=None, responses=OrderSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, pk: str | None = None) -> Response:
        """Take a submitted order back while the window is open (district managers): the hold on
        the entitlement is released and the order is a draft again."""
        order = services.order_withdraw(order_id=self._editable(pk).pk, user=request.user)
        return self._respond(order)

    @extend_schema(request=ApproveSerializer, responses=OrderSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str | None = None) -> Response:
        """Approve a submitted order (SDA reviewers): the pending drawdown becomes final."""
        order = self._reviewable(pk)
        data = ApproveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._respond(
            services.order_approve(order_id=order.pk, user=request.user, **data.validated_data)
        )

    @extend_schema(request=ReasonSerializer, responses=OrderSerializer)
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def send_back(self, request: Request, pk: str | None = None) -> Response:
        """Return a submitted order for changes, with a comment (SDA reviewers): the pending
        drawdown is released until the district resubmits."""
        order = self._reviewable(pk)
        data = ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._respond(
            services.order_return(order_id=order.pk, user=request.user, **data.validated_data)
        )

    @extend_schema(request=ReasonSerializer, responses=OrderSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, pk: str | None = None) -> Response:
        """Reject a submitted order, with a comment (SDA reviewers): the pending drawdown is
        released and the order is closed."""
        order = self._reviewable(pk)
        data = ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._respond(
            services.order_reject(order_id=order.pk, user=request.user, **data.validated_data)
        )
