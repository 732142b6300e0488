"""The spending API: dashboard figures of a district or of a learning lab (``school_year`` or
``month`` filters), and the labs' goals (read by their members, set by their admins). Figures
come as tables, each with typed columns and the local definition named in its caption; lab
figures are sums over all the lab's districts, with the per-district table for its admins only."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import permissions, serializers, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from districts import access
from districts.models import Collaborative, District
from focus_lab.api import ScopedViewSetMixin
from purchasing.priority_items.models import PriorityItem
from purchasing.spend import rules
from purchasing.spend.dashboards import dashboard
from purchasing.spend.forms import administered_labs
from purchasing.spend.models import Goal, GoalMetric
from purchasing.spend.selectors import Dashboard, lab_for
from purchasing.spend.services import goal_create, goal_delete, goal_update

PERIOD_PARAMETERS = [
    OpenApiParameter("school_year", OpenApiTypes.INT, description="First year of the school year (2026 for "
                     "SY 2026-27, July to June). Default: the latest school year with purchases."),
    OpenApiParameter("month", OpenApiTypes.STR, description="One month, YYYY-MM (wins over school_year)."),
]  # fmt: skip
ID_PARAMETER = OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH)


class ColumnSerializer(serializers.Serializer):
    label = serializers.CharField()
    kind = serializers.ChoiceField(choices=["text", "money", "percent", "pounds", "volume"],
                                   help_text="money in dollars, percent 0-100, pounds, volume in the item's unit")  # fmt: skip


@extend_schema_field({"type": "array", "items": {"type": "string", "nullable": True}})
class RowField(serializers.ListField):
    child = serializers.CharField(allow_null=True)


class TableSerializer(serializers.Serializer):
    slug = serializers.CharField()
    title = serializers.CharField()
    caption = serializers.CharField(help_text="What the table shows, with the local definition it used")
    note = serializers.CharField()
    columns = ColumnSerializer(many=True)
    rows = serializers.ListField(
        child=RowField(), help_text="Numbers as exact decimal strings; null when empty"
    )
    total = RowField(allow_null=True)


class HeadlineSerializer(serializers.Serializer):
    total_spend = serializers.DecimalField(max_digits=16, decimal_places=2)
    local_spend = serializers.DecimalField(max_digits=16, decimal_places=2)
    regional_spend = serializers.DecimalField(max_digits=16, decimal_places=2)
    total_spend_excluding_usda_foods = serializers.DecimalField(max_digits=16, decimal_places=2)
    local_share = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)
    local_share_excluding_usda_foods = serializers.DecimalField(
        max_digits=5, decimal_places=2, allow_null=True, help_text="The Farm to School Census headline figure"
    )
    local_regional_share = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)
    local_regional_share_excluding_usda_foods = serializers.DecimalField(max_digits=5, decimal_places=2,
                                                                         allow_null=True)  # fmt: skip


class DashboardSerializer(serializers.Serializer):
    scope = serializers.ChoiceField(choices=["district", "lab"])
    name = serializers.CharField()
    collaborative = serializers.IntegerField()
    district = serializers.IntegerField(allow_null=True)
    period = serializers.CharField(help_text='e.g. "SY 2026-27" or "Sep 2026"')
    school_year = serializers.IntegerField()
    month = serializers.DateField(allow_null=True)
    local_definition = serializers.CharField(help_text="The local definition every figure used")
    headline = HeadlineSerializer()
    tables = TableSerializer(many=True)


def board_json(board: Dashboard) -> dict[str, Any]:
    scope = board.scope
    return {
        "scope": "district" if scope.district else "lab", "name": scope.name, "collaborative": scope.lab.pk,
        "district": scope.district.pk if scope.district else None, "period": board.period.label,
        "school_year": board.period.school_year, "month": board.period.month, "local_definition": board.definition,
        "headline": board.headline, "tables": [table.as_dict() for table in board.tables],
    }  # fmt: skip


def period_of(request: Request) -> rules.Period | None:
    school_year, month = request.query_params.get("school_year"), request.query_params.get("month")
    if not (school_year or month):
        return None
    period = rules.parse_period(school_year=school_year, month=month, default=access.today())
    if period is None:
        message = "Give a school year (e.g. 2026) or a month (YYYY-MM) between 2000 and 2100."
        raise ValidationError({"month" if month else "school_year": [message]})
    return period


class SpendDistrictViewSet(viewsets.ViewSet):
    """A district's food spending: yours, your partners' or your lab's (404 for any other)."""

    queryset_model = District  # what the id names
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(parameters=[*PERIOD_PARAMETERS, ID_PARAMETER], responses=DashboardSerializer)
    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        district = access.get_for_user(District.objects.select_related("collaborative"), request.user, pk)
        board = dashboard(user=request.user, lab=district.collaborative, district=district,
                          period=period_of(request), today=access.today())  # fmt: skip
        return Response(DashboardSerializer(board_json(board)).data)


class SpendLabViewSet(viewsets.ViewSet):
    """A learning lab's food spending, summed over all its districts (its members only)."""

    queryset_model = Collaborative  # what the id names
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(parameters=[*PERIOD_PARAMETERS, ID_PARAMETER], responses=DashboardSerializer)
    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        board = dashboard(user=request.user, lab=lab_for(request.user, pk), period=period_of(request),
                          today=access.today())  # fmt: skip
        return Response(DashboardSerializer(board_json(board)).data)


class AdminLabField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self) -> QuerySet[Collaborative]:
        request = self.context.get("request")
        return administered_labs(request.user) if request else Collaborative.objects.none()


@extend_schema_field(OpenApiTypes.INT)
class LabDistrictField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self) -> QuerySet[District]:
        request = self.context.get("request")
        return District.objects.filter(collaborative__in=administered_labs(request.user)) if request else (
            District.objects.none())  # fmt: skip


@extend_schema_field(OpenApiTypes.INT)
class LabItemField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self) -> QuerySet[PriorityItem]:
        request = self.context.get("request")
        return PriorityItem.objects.filter(collaborative__in=administered_labs(request.user)) if request else (
            PriorityItem.objects.none())  # fmt: skip


class GoalSerializer(serializers.ModelSerializer):
    collaborative = AdminLabField(help_text="A learning lab you administer")
    district = LabDistrictField(required=False, allow_null=True, help_text="Empty for the whole lab")
    priority_item = LabItemField(required=False, allow_null=True,
                                 help_text="For a priority_volume goal: one item (empty: all)")  # fmt: skip
    metric = serializers.ChoiceField(choices=GoalMetric.choices)
    target_percent = serializers.DecimalField(max_digits=5, decimal_places=2, min_value=Decimal(0),
                                              max_value=Decimal(100))  # fmt: skip
    school_year = serializers.IntegerField(min_value=2000, max_value=2100,
                                           help_text="First year: 2027 for SY 2027-28")  # fmt: skip
    school_year_label = serializers.CharField(read_only=True)

    class Meta:
        model = Goal
        fields = ["id", "collaborative", "district", "metric", "priority_item", "target_percent", "school_year",
                  "school_year_label", "set_in", "note", "updated_at"]  # fmt: skip
        read_only_fields = ["set_in", "updated_at"]

    def get_fields(self) -> dict:
        fields = super().get_fields()
        if self.instance is not None and not isinstance(self.instance, list | QuerySet):
            fields["collaborative"].read_only = True  # a goal stays in its lab
        return fields


class GoalViewSet(ScopedViewSetMixin, viewsets.ModelViewSet):
    """The goals of your learning labs (a district's own goal only for those who see the district).
    The lab's admins create, change and remove them."""

    queryset_model = Goal
    serializer_class = GoalSerializer
    select = ("district", "priority_item")
    filterset_fields = ["collaborative", "district", "metric", "school_year"]

    def perform_create(self, serializer: serializers.Serializer) -> None:
        goal = goal_create(user=self.request.user, **serializer.validated_data)
        serializer.instance = self.get_queryset().get(pk=goal.pk)

    def perform_update(self, serializer: serializers.Serializer) -> None:
        goal = goal_update(
            user=self.request.user, goal_id=serializer.instance.pk, **serializer.validated_data
        )
        serializer.instance = self.get_queryset().get(pk=goal.pk)

    def perform_destroy(self, instance: Goal) -> None:
        goal_delete(user=self.request.user, goal_id=instance.pk)
