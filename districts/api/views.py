from __future__ import annotations

from django.db import transaction
from rest_framework import viewsets

from districts.api.serializers import (
    CollaborativeSerializer,
    CoopSerializer,
    DistrictSerializer,
    SiteSerializer,
    StateAgencySerializer,
)
from districts.filters import CoopFilter, DistrictFilter, SiteFilter, StateAgencyFilter
from districts.models import Collaborative, Coop, District, Site, StateAgency
from focus_lab.api import ScopedViewSetMixin


class DistrictViewSet(ScopedViewSetMixin, viewsets.ModelViewSet):
    queryset_model = District
    serializer_class = DistrictSerializer
    filterset_class = DistrictFilter
    select = ("state_agency",)
    ordering_fields = ["name", "enrollment"]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def perform_update(self, serializer: DistrictSerializer) -> None:
        """As the page does: a changed commodity-school status recomputes the district's
        entitlements (it decides whether the Section 4 payment counts in the COV)."""
        before = serializer.instance.is_commodity_school
        with transaction.atomic():
            district = serializer.save()
            if district.is_commodity_school != before:
                from usda_foods.entitlements.services.entitlements import district_entitlements_recompute

                district_entitlements_recompute(district=district, user=self.request.user)


class SiteViewSet(ScopedViewSetMixin, viewsets.ModelViewSet):
    queryset_model = Site
    serializer_class = SiteSerializer
    filterset_class = SiteFilter
    ordering_fields = ["name", "city"]


class CoopViewSet(ScopedViewSetMixin, viewsets.ModelViewSet):
    queryset_model = Coop
    serializer_class = CoopSerializer
    filterset_class = CoopFilter
    prefetch = ("members",)

    def perform_create(self, serializer: CoopSerializer) -> None:
        coop = serializer.save()
        coop.members.add(coop.lead_district)


class StateAgencyViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    queryset_model = StateAgency
    serializer_class = StateAgencySerializer
    filterset_class = StateAgencyFilter


class CollaborativeViewSet(ScopedViewSetMixin, viewsets.ModelViewSet):
    queryset_model = Collaborative
    serializer_class = CollaborativeSerializer
    http_method_names = ["get", "put", "patch", "head", "options"]
