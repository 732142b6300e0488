"""The ordering API (FD-125): the USDA Foods available list, preference surveys and their
answers, order windows and orders.

Reads are scoped viewsets. Every change goes through one service: serializers check the shape of
the input, the service applies the rule, and its ``DomainError`` becomes a 400 keyed by field.
Who may do what is ``districts/access.py``'s: district managers answer surveys and edit their
district's orders; SDA reviewers run their state's surveys and windows and review its orders
(``reviewable_orders``). Outsiders get 404, the same answer as for a missing object, and a
foreign key pointed outside the user's scope is a 400 naming the field.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import django_filters
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from districts import access
from districts.models import District
from focus_lab.api import ScopedPrimaryKeyRelatedField, ScopedViewSetMixin
from usda_foods.bounds import MAX_CASES_PER_REQUEST
from usda_foods.ordering.access import reviewable_orders
from usda_foods.ordering.api.fields import DeliverySiteField, ReviewedStateAgencyField, money
from usda_foods.ordering.models import (
    CatalogItem,
    Order,
    OrderLine,
    OrderStatus,
    OrderTransition,
    OrderWindow,
    WindowState,
    window_dates_outside_school_year,
)
from usda_foods.ordering.selectors import order_fee_estimate, with_line_counts
from usda_foods.ordering.services.orders import (
    LineChange,
    order_approve,
    order_create,
    order_line_set,
    order_lines_set,
    order_reject,
    order_return,
    order_submit,
    order_withdraw,
)
from usda_foods.ordering.services.windows import window_create

MAX_LINES_AT_ONCE = 2000

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
        serializer.instance = window_create(user=self.request.user, **serializer.validated_data)


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


class OrderSummarySerializer(OrderSerializer):
    """An order in a list: no nested lines or transitions (a page of 50 orders used to serialize
    thousands of lines), their count and the link to the full order instead. ``?expand=lines``
    gives the full orders."""

    line_count = serializers.IntegerField(read_only=True)
    url = serializers.HyperlinkedIdentityField(view_name="order-detail", read_only=True)

    class Meta(OrderSerializer.Meta):
        fields = ["id", "url", "district", "district_name", "window", "window_name", "school_year", "status",
                  "value", "locked", "is_editable", "line_count", "created_at", "submitted_at", "decided_at"]  # fmt: skip


EXPAND = OpenApiParameter("expand", str, enum=["lines"], required=False,
                          description="lines: each order with its lines and transitions, as the detail gives it")  # fmt: skip


class OrderLineInputSerializer(serializers.Serializer):
    catalog_item = ScopedPrimaryKeyRelatedField(model=CatalogItem, write=False)
    cases = serializers.IntegerField(
        min_value=0, max_value=MAX_CASES_PER_REQUEST, help_text="0 removes the line"
    )
    delivery_site = DeliverySiteField()


class OrderLineBulkItemSerializer(serializers.Serializer):
    """Ids, not looked-up objects: the service checks them all at once (offered in the window,
    a site of the district or its co-op), where a related field would query once per line."""

    catalog_item = serializers.IntegerField(min_value=1, max_value=2**31 - 1)
    delivery_site = serializers.IntegerField(min_value=1, max_value=2**31 - 1)
    cases = serializers.IntegerField(
        min_value=0, max_value=MAX_CASES_PER_REQUEST, help_text="0 removes the line"
    )


class OrderLinesBulkSerializer(serializers.Serializer):
    lines = OrderLineBulkItemSerializer(many=True, allow_empty=False, max_length=MAX_LINES_AT_ONCE)


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


class FeeDropSerializer(serializers.Serializer):
    site = serializers.CharField()
    cases = serializers.IntegerField()
    fee = money()


class FeeEstimateSerializer(serializers.Serializer):
    """The state's distribution fees the order will incur as it stands (the order page's figures):
    one drop fee per site whose cases are under the minimum, the delivery fee on every case and
    pound. ``schedule_effective_from`` is null (and every amount 0.00) when the state has no
    fee schedule in force on the window's first delivery day."""

    schedule_effective_from = serializers.DateField(allow_null=True)
    min_cases_per_drop = serializers.IntegerField(allow_null=True)
    drops = FeeDropSerializer(many=True)
    delivery = money()
    cases = serializers.IntegerField()
    pounds = serializers.DecimalField(max_digits=16, decimal_places=2)
    total = money()


def fee_estimate_data(order: Order) -> dict[str, Any]:
    estimate = order_fee_estimate(order)
    if estimate is None:
        return {"schedule_effective_from": None, "min_cases_per_drop": None, "drops": [], "delivery": Decimal("0"),
                "cases": sum(line.cases for line in order.lines.all()), "pounds": Decimal("0"), "total": Decimal("0")}  # fmt: skip
    return {"schedule_effective_from": estimate.schedule.effective_from,
            "min_cases_per_drop": estimate.schedule.min_cases_per_drop,
            "drops": [{"site": site, "cases": cases, "fee": fee} for site, cases, fee in estimate.drops],
            "delivery": estimate.delivery, "cases": estimate.cases, "pounds": estimate.pounds, "total": estimate.total}  # fmt: skip


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

    def _summaries(self) -> bool:
        return self.action == "list" and self.request.query_params.get("expand") != "lines"

    def get_serializer_class(self) -> type[serializers.Serializer]:
        return OrderSummarySerializer if self._summaries() else OrderSerializer

    def get_queryset(self) -> QuerySet[Order]:
        if self._summaries():
            return with_line_counts(super().get_queryset())
        return (
            super()
            .get_queryset()
            .prefetch_related(
                Prefetch("lines", queryset=OrderLine.objects.select_related("catalog_item")),
                Prefetch("transitions", queryset=OrderTransition.objects.select_related("user")),
            )
        )

    @extend_schema(parameters=[EXPAND], responses=OrderSummarySerializer(many=True))
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Summaries (``line_count`` and ``url`` instead of the nested lines); ``?expand=lines``
        for the full orders."""
        return super().list(request, *args, **kwargs)

    def _respond(self, order: Order, code: int = status.HTTP_200_OK) -> Response:
        return Response(self.get_serializer(self.get_queryset().get(pk=order.pk)).data, status=code)

    @extend_schema(responses={201: OrderSerializer, 200: OrderSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Start the district's order in an open window (201), or return the one it has (200)."""
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        district, window = serializer.validated_data["district"], serializer.validated_data["window"]
        existed = self.get_queryset().filter(district=district, window=window).exists()
        order = order_create(district=district, window=window, user=request.user)
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
        if not reviewable_orders(self.request.user, visible.filter(pk=order.pk)).exists():
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
        order_line_set(order_id=order.pk, user=request.user, **data.validated_data)
        return self._respond(order)

    @extend_schema(request=OrderLinesBulkSerializer, responses=OrderSerializer)
    @action(detail=True, methods=["post"], url_path="lines/bulk", url_name="lines-bulk")
    def lines_bulk(self, request: Request, pk: str | None = None) -> Response:
        """Set many lines at once, all or nothing (a spreadsheet's worth): each as in ``lines``,
        0 cases removes one. A refusal is a 400 naming the line at fault; none is saved."""
        order = self._editable(pk)
        data = OrderLinesBulkSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        changes = [LineChange(row["catalog_item"], row["delivery_site"], row["cases"])
                   for row in data.validated_data["lines"]]  # fmt: skip
        order_lines_set(order_id=order.pk, lines=changes, user=request.user)
        return self._respond(order)

    @extend_schema(responses=FeeEstimateSerializer)
    @action(detail=True, methods=["get"], url_path="fee-estimate", url_name="fee-estimate")
    def fee_estimate(self, request: Request, pk: str | None = None) -> Response:
        """The state's distribution fees the order will incur as it stands, before submission
        (anyone who sees the order); the same figures as the order page."""
        order = access.get_for_user(Order.objects.select_related("window"), request.user, pk)
        return Response(FeeEstimateSerializer(fee_estimate_data(order)).data)

    @extend_schema(request=None, responses=OrderSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: str | None = None) -> Response:
        """Submit while the window is open: posts a pending drawdown of the order's value, refused
        when it exceeds the entitlement's remaining balance."""
        order = order_submit(order_id=self._editable(pk).pk, user=request.user)
        return self._respond(order)

    @extend_schema(request=None, responses=OrderSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, pk: str | None = None) -> Response:
        """Take a submitted order back while the window is open (district managers): the hold on
        the entitlement is released and the order is a draft again."""
        order = order_withdraw(order_id=self._editable(pk).pk, user=request.user)
        return self._respond(order)

    @extend_schema(request=ApproveSerializer, responses=OrderSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str | None = None) -> Response:
        """Approve a submitted order (SDA reviewers): the pending drawdown becomes final."""
        order = self._reviewable(pk)
        data = ApproveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._respond(order_approve(order_id=order.pk, user=request.user, **data.validated_data))

    @extend_schema(request=ReasonSerializer, responses=OrderSerializer)
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def send_back(self, request: Request, pk: str | None = None) -> Response:
        """Return a submitted order for changes, with a comment (SDA reviewers): the pending
        drawdown is released until the district resubmits."""
        order = self._reviewable(pk)
        data = ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._respond(order_return(order_id=order.pk, user=request.user, **data.validated_data))

    @extend_schema(request=ReasonSerializer, responses=OrderSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, pk: str | None = None) -> Response:
        """Reject a submitted order, with a comment (SDA reviewers): the pending drawdown is
        released and the order is closed."""
        order = self._reviewable(pk)
        data = ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._respond(order_reject(order_id=order.pk, user=request.user, **data.validated_data))
