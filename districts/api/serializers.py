from __future__ import annotations

from django.db.models import Q, QuerySet
from rest_framework import serializers

from districts import services
from districts.models import Collaborative, Coop, District, Site, StateAgency
from focus_lab.api import FieldRightsMixin, ScopedPrimaryKeyRelatedField

LAB_REQUIRED = "Choose a learning lab you administer; only superusers leave it empty."


def require_lab_unless_superuser(serializer: serializers.ModelSerializer, attrs: dict) -> None:
    """A lab admin must not orphan a district or partner out of every lab (their own included)."""
    field = serializer.fields.get("collaborative")
    if field is None or field.read_only or serializer.context["request"].user.is_superuser:
        return
    if serializer.instance is None or "collaborative" in attrs:
        if attrs.get("collaborative") is None:
            raise serializers.ValidationError({"collaborative": [LAB_REQUIRED]})


class CollaborativeSerializer(serializers.ModelSerializer):
    class Meta:
        model = Collaborative
        fields = ["id", "name", "slug", "description"]


class StateAgencySerializer(serializers.ModelSerializer):
    class Meta:
        model = StateAgency
        fields = ["id", "state", "name", "email"]


class DistrictSerializer(FieldRightsMixin, serializers.ModelSerializer):
    state = serializers.CharField(source="state_agency.state", read_only=True)
    collaborative = ScopedPrimaryKeyRelatedField(model=Collaborative, allow_null=True, required=False)

    class Meta:
        model = District
        fields = ["id", "name", "state", "state_agency", "agency_code", "enrollment", "is_commodity_school",
                  "collaborative", "contact_name", "contact_email", "contact_phone"]  # fmt: skip

    def validate(self, attrs: dict) -> dict:
        require_lab_unless_superuser(self, attrs)
        return attrs


class SiteSerializer(FieldRightsMixin, serializers.ModelSerializer):
    district = ScopedPrimaryKeyRelatedField(model=District)

    class Meta:
        model = Site
        fields = ["id", "district", "name", "kind", "street", "city", "state", "postal_code", "latitude",
                  "longitude", "receives_deliveries"]  # fmt: skip


class CoopMemberField(ScopedPrimaryKeyRelatedField):
    """A district the user sees, or one already in the co-op: a client sends back the members it
    was shown, and those it cannot see are kept whatever it sends (``coop_members_merge``)."""

    def get_queryset(self) -> QuerySet:
        visible = super().get_queryset()
        coop = self.root.instance
        if not isinstance(coop, Coop):
            return visible
        return District.objects.filter(Q(pk__in=visible.values("pk")) | Q(pk__in=coop.members.values("pk")))


class CoopSerializer(FieldRightsMixin, serializers.ModelSerializer):
    lead_district = ScopedPrimaryKeyRelatedField(model=District)
    receiving_site = ScopedPrimaryKeyRelatedField(model=Site)
    members = CoopMemberField(model=District, write=False, many=True, required=False)

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
        if "members" in attrs:  # the client lists only the districts it sees; keep the others
            attrs["members"] = services.coop_members_merge(
                coop=self.instance, chosen=attrs["members"], user=self.context["request"].user
            )
        return attrs
