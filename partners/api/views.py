from __future__ import annotations

from rest_framework import viewsets

from focus_lab.api import ScopedViewSetMixin
from partners.api.serializers import PartnerOrganisationSerializer, PartnershipSerializer
from partners.filters import PartnerFilter, PartnershipFilter
from partners.models import PartnerOrganisation, Partnership


class PartnerViewSet(ScopedViewSetMixin, viewsets.ModelViewSet):
    queryset_model = PartnerOrganisation
    serializer_class = PartnerOrganisationSerializer
    filterset_class = PartnerFilter
    ordering_fields = ["name"]


class PartnershipViewSet(ScopedViewSetMixin, viewsets.ModelViewSet):
    queryset_model = Partnership
    serializer_class = PartnershipSerializer
    filterset_class = PartnershipFilter
    ordering_fields = ["start_date"]
