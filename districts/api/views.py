from __future__ import annotations

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
