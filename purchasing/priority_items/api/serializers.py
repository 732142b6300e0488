"""Serializers for the priority-item API: they check shape; the services check the rules."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from districts.models import Collaborative, District
from partners.suppliers.models import CertificationKind, Practice
from purchasing.access import lab_ids
from purchasing.priority_items.models import (
    MONTHS,
    Endorsement,
    ItemUnit,
    LocalClause,
    MenuCommitment,
    PriorityItem,
    Processing,
    ServingUnit,
    SpecVersion,
    Stance,
)


class LabField(serializers.PrimaryKeyRelatedField):
    """A learning lab the user may propose items in."""

    def get_queryset(self) -> QuerySet[Collaborative]:
        request = self.context.get("request")
        if request is None:
            return Collaborative.objects.none()
        if request.user.is_superuser:
            return Collaborative.objects.all()
        return Collaborative.objects.filter(id__in=lab_ids(request.user, write=True))


@extend_schema_field(OpenApiTypes.INT)
class ManagedDistrictField(serializers.PrimaryKeyRelatedField):
    """A district the user manages (the service checks it is in the item's lab)."""

    def get_queryset(self) -> QuerySet[District]:
        request = self.context.get("request")
        if request is None:
            return District.objects.none()
        return District.objects.for_user(request.user, write=True)


class ClaimSerializer(serializers.Serializer):
    claim = serializers.CharField(max_length=200)
    verification = serializers.CharField(
        max_length=200, help_text="How it is verified, e.g. USDA Process Verified Program"
    )


class SpecSerializer(serializers.Serializer):
    product_form = serializers.CharField(max_length=300)
    pack_size = serializers.CharField(max_length=200, required=False, allow_blank=True)
    grade = serializers.CharField(max_length=200, required=False, allow_blank=True)
    crediting = serializers.CharField(max_length=300, required=False, allow_blank=True)
    processing = serializers.ChoiceField(choices=Processing.choices, required=False)
    claims = ClaimSerializer(many=True, required=False)
    allergens = serializers.CharField(max_length=200, required=False, allow_blank=True)
    local_clause = serializers.ChoiceField(choices=LocalClause.choices, required=False)
    local_definition = serializers.CharField(max_length=300, required=False, allow_blank=True)
    attributes = serializers.DictField(
        child=serializers.CharField(max_length=300, allow_blank=True), required=False
    )
    required_practices = serializers.ListField(child=serializers.ChoiceField(choices=Practice.choices), required=False,
                                               max_length=len(Practice.choices))  # fmt: skip
    required_certifications = serializers.ListField(child=serializers.ChoiceField(choices=CertificationKind.choices),
                                                    required=False, max_length=len(CertificationKind.choices))  # fmt: skip
    change_note = serializers.CharField(max_length=300, required=False, allow_blank=True)


class SpecVersionSerializer(serializers.ModelSerializer):
    claims = ClaimSerializer(many=True, read_only=True)
    attributes = serializers.DictField(child=serializers.CharField(), read_only=True)
    created_by = serializers.StringRelatedField(read_only=True, allow_null=True)

    class Meta:
        model = SpecVersion
        fields = ["id", "item", "number", "status", "product_form", "pack_size", "grade", "crediting", "processing",
                  "claims", "allergens", "local_clause", "local_definition", "attributes", "required_practices",
                  "required_certifications", "change_note", "created_by", "created_at", "proposed_at", "decided_at", "decision"]  # fmt: skip
        read_only_fields = fields


class PriorityItemSerializer(serializers.ModelSerializer):
    collaborative = LabField(help_text="A learning lab you belong to")
    spec = SpecSerializer(write_only=True, help_text="The first specification (version 1, a draft)")
    adopted_version = serializers.SerializerMethodField()
    open_version = serializers.SerializerMethodField()

    class Meta:
        model = PriorityItem
        fields = ["id", "collaborative", "name", "why", "unit", "case_net_weight_lb", "reference_price",
                  "supplier_category", "supplier_keywords", "max_distance_miles", "spec",
                  "adopted_version", "open_version", "created_at"]  # fmt: skip
        read_only_fields = ["created_at"]
        validators: list = []  # item_create checks the name is new in the lab

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_adopted_version(self, item: PriorityItem) -> int | None:
        return getattr(item, "adopted_id", None)

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_open_version(self, item: PriorityItem) -> int | None:
        return getattr(item, "open_id", None)


class EndorsementSerializer(serializers.ModelSerializer):
    district_name = serializers.CharField(source="district.name", read_only=True)
    answered_by = serializers.StringRelatedField(read_only=True, allow_null=True)

    class Meta:
        model = Endorsement
        fields = [
            "id",
            "version",
            "district",
            "district_name",
            "stance",
            "comment",
            "answered_by",
            "answered_at",
        ]
        read_only_fields = fields


class AnswerSerializer(serializers.Serializer):
    district = ManagedDistrictField(help_text="A district you manage, in the item's lab")
    stance = serializers.ChoiceField(choices=Stance.choices)
    comment = serializers.CharField(max_length=5000, required=False, allow_blank=True,
                                    help_text="Required to object (the reason) or to endorse with conditions")  # fmt: skip


class VerdictSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=["adopt", "wait", "blocked", "rejected"])
    reason = serializers.CharField()
    status = serializers.CharField(help_text="The version's status after the answer")


class CommitmentSerializer(serializers.ModelSerializer):
    item = serializers.PrimaryKeyRelatedField(
        queryset=PriorityItem.objects.none(), help_text="An adopted item of your lab"
    )
    district = ManagedDistrictField(help_text="A district you manage")
    district_name = serializers.CharField(source="district.name", read_only=True)
    months = serializers.ListField(child=serializers.ChoiceField(choices=MONTHS), min_length=1, max_length=12)
    times_per_month = serializers.DecimalField(
        max_digits=5, decimal_places=2, min_value=Decimal("0.01"), max_value=Decimal(31)
    )
    serving_size = serializers.DecimalField(
        max_digits=8, decimal_places=3, min_value=Decimal("0.001"), max_value=Decimal(99999)
    )
    serving_unit = serializers.ChoiceField(choices=ServingUnit.choices)
    override_volume = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=Decimal(0),
                                               max_value=Decimal(1_000_000_000), required=False, allow_null=True)  # fmt: skip
    annual_volume = serializers.SerializerMethodField()
    computed_volume = serializers.SerializerMethodField()
    conversion = serializers.SerializerMethodField()
    unit = serializers.ChoiceField(source="item.unit", choices=ItemUnit.choices, read_only=True)

    class Meta:
        model = MenuCommitment
        fields = ["id", "item", "district", "district_name", "times_per_month", "months", "servings_per_day",
                  "serving_size", "serving_unit", "override_volume", "override_reason", "annual_volume",
                  "computed_volume", "unit", "conversion", "updated_at"]  # fmt: skip
        read_only_fields = ["updated_at"]
        validators: list = []  # commitment_set records or changes the district's one commitment

    def get_fields(self) -> dict:
        fields = super().get_fields()
        request = self.context.get("request")
        if request is not None:
            fields["item"].queryset = PriorityItem.objects.for_user(request.user)
        return fields

    @extend_schema_field(serializers.DecimalField(max_digits=20, decimal_places=2))
    def get_annual_volume(self, commitment: MenuCommitment) -> str:
        return str(commitment.annual_volume.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))

    @extend_schema_field(serializers.DecimalField(max_digits=20, decimal_places=2))
    def get_computed_volume(self, commitment: MenuCommitment) -> str:
        return str(commitment.computed().annual.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_conversion(self, commitment: MenuCommitment) -> list[str]:
        return list(commitment.computed().steps)


class DistrictDemandSerializer(serializers.Serializer):
    district = serializers.IntegerField(source="district.pk")
    district_name = serializers.CharField(source="district.name")
    annual_volume = serializers.DecimalField(
        source="annual", max_digits=20, decimal_places=2, rounding=ROUND_HALF_UP
    )
    delivery_points = serializers.IntegerField()


class MonthSerializer(serializers.Serializer):
    month = serializers.IntegerField()
    volume = serializers.DecimalField(max_digits=20, decimal_places=2)


class DemandSerializer(serializers.Serializer):
    item = serializers.IntegerField(source="item.pk")
    name = serializers.CharField(source="item.name")
    unit = serializers.CharField(source="item.unit")
    total = serializers.DecimalField(max_digits=20, decimal_places=2, rounding=ROUND_HALF_UP)
    delivery_points = serializers.IntegerField()
    value = serializers.DecimalField(max_digits=20, decimal_places=2, allow_null=True, rounding=ROUND_HALF_UP,
                                     help_text="At the item's reference price, in dollars")  # fmt: skip
    districts = DistrictDemandSerializer(source="rows", many=True)
    by_month = serializers.SerializerMethodField()

    @extend_schema_field(MonthSerializer(many=True))
    def get_by_month(self, demand) -> list[dict]:  # noqa: ANN001
        return [
            {"month": m, "volume": str(v.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))}
            for m, v in demand.by_month
        ]


class CandidateSerializer(serializers.Serializer):
    supplier = serializers.IntegerField(source="supplier.id")
    name = serializers.CharField(source="supplier.name")
    products = serializers.ListField(child=serializers.CharField())
    miles = serializers.FloatField(
        allow_null=True, help_text="From the nearest origin to the nearest delivery point"
    )
    unverified_practices = serializers.ListField(source="unverified", child=serializers.CharField(),
                                                 help_text="Required practices held on the supplier's word only")  # fmt: skip
    certifications_valid_until = serializers.DictField(source="valid_until", child=serializers.DateField())
