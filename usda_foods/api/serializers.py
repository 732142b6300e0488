from __future__ import annotations

from decimal import Decimal

from rest_framework import serializers

from districts import access
from districts.models import District
from usda_foods.models import Entitlement, LunchCount, PerMealValue, ReimbursementRate, Section4Payment


def money() -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True, allow_null=True)


class PerMealValueSerializer(serializers.ModelSerializer):
    superseded = serializers.BooleanField(read_only=True)

    class Meta:
        model = PerMealValue
        fields = ["id", "school_year", "cents", "citation", "published_on", "notes", "superseded"]
        validators: list = []  # the service checks the quarter-cent rule and uniqueness with clear messages


class ReimbursementRateSerializer(serializers.ModelSerializer):
    class Meta:
        model = ReimbursementRate
        fields = ["id", "school_year", "category", "dollars", "citation"]


class Section4PaymentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Section4Payment
        fields = ["id", "school_year", "cents", "citation"]


class LunchCountDistrictField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self):
        request = self.context.get("request")
        return access.lunch_count_districts(request.user) if request else District.objects.none()


class LunchCountSerializer(serializers.ModelSerializer):
    district = LunchCountDistrictField()
    total = serializers.IntegerField(read_only=True)

    class Meta:
        model = LunchCount
        fields = ["id", "district", "school_year", "free", "reduced", "paid", "total", "updated_at"]
        read_only_fields = ["updated_at"]


class TwelvePercentSerializer(serializers.Serializer):
    cash = money()
    usda_foods = money()
    share = serializers.DecimalField(max_digits=6, decimal_places=4, read_only=True)
    needed_for_twelve_percent = money()
    explanation = serializers.CharField(read_only=True)


TWELVE_EXPLANATION = (
    "The 12 percent floor (NSLA section 6(e), 42 USC 1755(e)) is a national rule: USDA Foods must be at least "
    "12% of lunch cash reimbursements plus USDA Foods nationally. For one SFA this share is informative, never a failure."
)


class EntitlementSerializer(serializers.ModelSerializer):
    district_name = serializers.CharField(source="district.name", read_only=True)
    state = serializers.CharField(source="district.state_agency.state", read_only=True)
    commodity_offer_value = money()
    planned_assistance_level = money()
    drawn = money()
    remaining = serializers.SerializerMethodField()
    utilisation_percent = serializers.SerializerMethodField()
    twelve_percent = serializers.SerializerMethodField()

    class Meta:
        model = Entitlement
        fields = ["id", "district", "district_name", "state", "school_year", "prior_year_lunches",
                  "per_meal_value_cents", "section4_cents", "commodity_offer_value", "planned_assistance_level",
                  "pal_overridden", "pal_reason", "drawn", "remaining", "utilisation_percent", "twelve_percent",
                  "missing", "computed_at"]  # fmt: skip

    def get_remaining(self, row: Entitlement) -> str | None:
        remaining = getattr(row, "remaining_amount", row.remaining)
        return None if remaining is None else f"{remaining:.2f}"

    def get_utilisation_percent(self, row: Entitlement) -> str | None:
        value = row.utilisation if hasattr(row, "utilisation") else row.utilisation_percent
        return None if value is None else f"{value:.2f}"

    def get_twelve_percent(self, row: Entitlement) -> dict | None:
        if row.twelve_share is None:
            return None
        return TwelvePercentSerializer({"cash": row.twelve_cash, "usda_foods": row.twelve_usda_foods,
                                        "share": row.twelve_share, "needed_for_twelve_percent": row.twelve_needed,
                                        "explanation": TWELVE_EXPLANATION}).data  # fmt: skip


class PalSerializer(serializers.Serializer):
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=Decimal("0"))
    reason = serializers.CharField()


class RecomputeSerializer(serializers.Serializer):
    school_year = serializers.CharField()
    state = serializers.CharField(required=False, allow_blank=True)
    collaborative = serializers.IntegerField(required=False, allow_null=True)
