from __future__ import annotations

from decimal import Decimal

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from districts.models import District
from usda_foods.entitlements import rules as entitlements
from usda_foods.entitlements import units
from usda_foods.entitlements.access import lunch_count_districts
from usda_foods.entitlements.models import (
    Entitlement,
    LunchCount,
    PerMealValue,
    ReimbursementRate,
    Section4Payment,
)


def money(description: str) -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True, allow_null=True,
                                    help_text=f"{description}, in dollars (a decimal string with two places).")  # fmt: skip


class ReferenceAmountField(serializers.DecimalField):
    """A reference value in its unit. An implausible one, most often typed in the other unit, is
    refused with what was probably meant, before the count of decimal places would hide that
    (0.2375 "cents" is a per-meal value typed in dollars, not a value with too many places)."""

    def __init__(self, *, plausible: units.Plausible, **kwargs: object) -> None:
        self.plausible = plausible
        super().__init__(**kwargs)  # type: ignore[arg-type]

    def validate_precision(self, value: Decimal) -> Decimal:
        try:
            self.plausible.check(value)
        except units.ImplausibleValue as exc:
            raise serializers.ValidationError(str(exc), code="implausible") from exc
        return super().validate_precision(value)


def _model_help(model: type, field: str) -> str:
    return str(model._meta.get_field(field).help_text)


class PerMealValueSerializer(serializers.ModelSerializer):
    cents = ReferenceAmountField(plausible=units.PER_MEAL_VALUE, max_digits=6, decimal_places=2,
                                 help_text=_model_help(PerMealValue, "cents"))  # fmt: skip
    superseded = serializers.BooleanField(read_only=True)

    class Meta:
        model = PerMealValue
        fields = ["id", "school_year", "cents", "citation", "published_on", "notes", "superseded"]
        validators: list = []  # the service checks the quarter-cent rule and uniqueness with clear messages


class ReimbursementRateSerializer(serializers.ModelSerializer):
    dollars = ReferenceAmountField(plausible=units.REIMBURSEMENT_RATE, max_digits=6, decimal_places=4,
                                   help_text=_model_help(ReimbursementRate, "dollars"))  # fmt: skip

    class Meta:
        model = ReimbursementRate
        fields = ["id", "school_year", "category", "dollars", "citation"]


class Section4PaymentSerializer(serializers.ModelSerializer):
    cents = ReferenceAmountField(plausible=units.SECTION4_PAYMENT, max_digits=6, decimal_places=2,
                                 help_text=_model_help(Section4Payment, "cents"))  # fmt: skip

    class Meta:
        model = Section4Payment
        fields = ["id", "school_year", "cents", "citation"]


class LunchCountDistrictField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self):
        request = self.context.get("request")
        return lunch_count_districts(request.user) if request else District.objects.none()


class LunchCountSerializer(serializers.ModelSerializer):
    district = LunchCountDistrictField()
    total = serializers.IntegerField(read_only=True)

    class Meta:
        model = LunchCount
        fields = ["id", "district", "school_year", "free", "reduced", "paid", "total", "updated_at"]
        read_only_fields = ["updated_at"]


class TwelvePercentSerializer(serializers.Serializer):
    cash = money("Lunch cash reimbursements: the year's free, reduced-price and paid lunches x its rates")
    usda_foods = money("USDA Foods value C: the planned assistance level, else the commodity offer value")
    share = serializers.DecimalField(max_digits=6, decimal_places=4, read_only=True,
                                     help_text="C / (cash + C), a fraction rounded half up to 4 places "
                                               "(0.0712 is 7.12 percent).")  # fmt: skip
    needed_for_twelve_percent = money("USDA Foods that would make 12 percent (0.12 / 0.88 x cash)")
    meets_twelve_percent = serializers.BooleanField(read_only=True, help_text=(
        "Whether C reaches 12 percent, decided on exact values (a share shown as 0.1200 may fall short)."))  # fmt: skip
    additional_needed = money("How much more USDA Foods would reach 12 percent (0.00 when it is reached)")
    explanation = serializers.CharField(read_only=True)


class MissingInputSerializer(serializers.Serializer):
    input = serializers.ChoiceField(choices=[str(i) for i in entitlements.Input], read_only=True,
                                    help_text="The absent input.")  # fmt: skip
    blocks = serializers.ChoiceField(choices=[str(f) for f in entitlements.Figure], read_only=True,
                                     help_text="The figure it blocks: the commodity offer value (cov) or the "
                                               "12 percent share (twelve_percent).")  # fmt: skip
    reason = serializers.CharField(read_only=True, help_text="The same reason as in ``missing``.")


TWELVE_EXPLANATION = (
    "The 12 percent floor (NSLA section 6(e), 42 USC 1755(e)) is a national rule: USDA Foods must be at least "
    "12% of lunch cash reimbursements plus USDA Foods nationally. For one SFA this share is informative, never a failure."
)


class EntitlementSerializer(serializers.ModelSerializer):
    """``id`` is null for a district listed (``?school_year=``) whose entitlement was never computed."""

    id = serializers.IntegerField(read_only=True, allow_null=True, help_text=(
        "Null for a district listed with ?school_year= whose entitlement was never computed."))  # fmt: skip
    district_name = serializers.CharField(source="district.name", read_only=True)
    state = serializers.CharField(source="district.state_agency.state", read_only=True)
    commodity_offer_value = money("Commodity offer value, the legal floor (7 CFR 250.58(b))")
    planned_assistance_level = money("Planned assistance level the state agency loads")
    drawn = money("Drawn: pending and final drawdowns")
    remaining = serializers.SerializerMethodField(help_text="PAL minus drawn, in dollars.")
    utilisation_percent = serializers.SerializerMethodField(
        help_text="Drawn / PAL, in percent with two places."
    )
    twelve_percent = serializers.SerializerMethodField()
    missing = serializers.ListField(child=serializers.CharField(), read_only=True,
                                    help_text="Every reason a figure cannot be computed, in words.")  # fmt: skip
    missing_inputs = MissingInputSerializer(many=True, read_only=True, help_text=(
        "The reasons of ``missing``, each with the input it names and the figure it blocks."))  # fmt: skip
    status = serializers.CharField(source="status_text", read_only=True, help_text=(
        'One line: "complete", "cannot compute: no lunch counts", "12% share n/a: no reimbursement rates"...'))  # fmt: skip

    class Meta:
        model = Entitlement
        fields = ["id", "district", "district_name", "state", "school_year", "prior_year_lunches",
                  "per_meal_value_cents", "section4_cents", "commodity_offer_value", "planned_assistance_level",
                  "pal_overridden", "pal_reason", "drawn", "remaining", "utilisation_percent", "twelve_percent",
                  "missing", "missing_inputs", "status", "computed_at"]  # fmt: skip

    def get_remaining(self, row: Entitlement) -> str | None:
        remaining = getattr(row, "remaining_amount", row.remaining)
        return None if remaining is None else f"{remaining:.2f}"

    def get_utilisation_percent(self, row: Entitlement) -> str | None:
        value = row.utilisation if hasattr(row, "utilisation") else row.utilisation_percent
        return None if value is None else f"{value:.2f}"

    @extend_schema_field(TwelvePercentSerializer(allow_null=True))
    def get_twelve_percent(self, row: Entitlement) -> dict | None:
        if row.twelve_share is None:
            return None
        return TwelvePercentSerializer({"cash": row.twelve_cash, "usda_foods": row.twelve_usda_foods,
                                        "share": row.twelve_share, "needed_for_twelve_percent": row.twelve_needed,
                                        "meets_twelve_percent": row.twelve_meets,
                                        "additional_needed": row.twelve_additional,
                                        "explanation": TWELVE_EXPLANATION}).data  # fmt: skip


class PalSerializer(serializers.Serializer):
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=Decimal("0"),
                                      help_text="The planned assistance level, in dollars.")  # fmt: skip
    reason = serializers.CharField(help_text="Why the PAL differs from the commodity offer value.")


class RecomputeSerializer(serializers.Serializer):
    school_year = serializers.CharField()
    state = serializers.CharField(required=False, allow_blank=True)
    collaborative = serializers.IntegerField(required=False, allow_null=True)
