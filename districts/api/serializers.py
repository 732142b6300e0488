from __future__ import annotations

from rest_framework import serializers

from districts.models import Collaborative, Coop, District, Site, StateAgency
from focus_lab.api import ScopedPrimaryKeyRelatedField


class CollaborativeSerializer(serializers.ModelSerializer):
    class Meta:
        model = Collaborative
        fields = ["id", "name", "slug", "description"]


class StateAgencySerializer(serializers.ModelSerializer):
    class Meta:
        model = StateAgency
        fields = ["id", "state", "name", "email"]


class DistrictSerializer(serializers.ModelSerializer):
    state = serializers.CharField(source="state_agency.state", read_only=True)
    collaborative = ScopedPrimaryKeyRelatedField(model=Collaborative, allow_null=True, required=False)

    class Meta:
        model = District
        fields = ["id", "name", "state", "state_agency", "agency_code", "enrollment", "is_commodity_school",
                  "collaborative"]  # fmt: skip


class SiteSerializer(serializers.ModelSerializer):
    district = ScopedPrimaryKeyRelatedField(model=District)

    class Meta:
        model = Site
        fields = ["id", "district", "name", "kind", "street", "city", "state", "postal_code", "latitude",
                  "longitude", "receives_deliveries"]  # fmt: skip


class CoopSerializer(serializers.ModelSerializer):
    lead_district = ScopedPrimaryKeyRelatedField(model=District)
    receiving_site = ScopedPrimaryKeyRelatedField(model=Site)
    members = ScopedPrimaryKeyRelatedField(model=District, write=False, many=True, required=False)

    class Meta:
        model = Coop
        fields = ["id", "name", "lead_district", "receiving_site", "members"]

    def validate(self, attrs: dict) -> dict:
        lead = attrs.get("lead_district", getattr(self.instance, "lead_district", None))
        site = attrs.get("receiving_site", getattr(self.instance, "receiving_site", None))
        if lead and site and site.district_id != lead.id:
            raise serializers.ValidationError(
                {"receiving_site": "The receiving site must belong to the lead district."}
            )
        return attrs
