from __future__ import annotations

from rest_framework import serializers

from districts.api.serializers import require_lab_unless_superuser
from districts.models import Collaborative, District
from focus_lab.api import FieldRightsMixin, ScopedPrimaryKeyRelatedField
from partners.models import PartnerOrganisation, Partnership


class PartnerOrganisationSerializer(FieldRightsMixin, serializers.ModelSerializer):
    collaborative = ScopedPrimaryKeyRelatedField(model=Collaborative, allow_null=True, required=False)

    class Meta:
        model = PartnerOrganisation
        fields = ["id", "name", "kind", "collaborative", "city", "state", "website", "email", "description",
                  "removed_on"]  # fmt: skip

    def validate(self, attrs: dict) -> dict:
        require_lab_unless_superuser(self, attrs)
        return attrs


class PartnershipSerializer(FieldRightsMixin, serializers.ModelSerializer):
    partner = ScopedPrimaryKeyRelatedField(model=PartnerOrganisation, write=False)
    district = ScopedPrimaryKeyRelatedField(model=District)

    class Meta:
        model = Partnership
        fields = ["id", "partner", "district", "start_date", "end_date", "focus", "notes"]

    def validate(self, attrs: dict) -> dict:
        start = attrs.get("start_date", getattr(self.instance, "start_date", None))
        end = attrs.get("end_date", getattr(self.instance, "end_date", None))
        if start and end and end < start:
            raise serializers.ValidationError({"end_date": "The end date cannot be before the start date."})
        return attrs
