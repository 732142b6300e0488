from __future__ import annotations

from django.db.models import QuerySet
from rest_framework import viewsets
from rest_framework.exceptions import PermissionDenied

from focus_lab.api import ScopedViewSetMixin
from partners import services
from partners.api.serializers import PartnerOrganisationSerializer, PartnershipSerializer
from partners.filters import PartnerFilter, PartnershipFilter
from partners.models import PartnerOrganisation, Partnership
from partners.rights import can_remove_partner


class PartnerViewSet(ScopedViewSetMixin, viewsets.ModelViewSet):
    """DELETE removes the partner from its lab (``partner_remove``): its partnerships end and are
    kept. Only the lab's admins may; the partner's own staff get 403."""

    queryset_model = PartnerOrganisation
    serializer_class = PartnerOrganisationSerializer
    filterset_class = PartnerFilter
    ordering_fields = ["name"]

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        # The list filters (which hide removed partners) are for lists; a removed partner's own
        # URL still answers, with its ``removed_on``.
        if self.action != "list":
            return queryset
        return super().filter_queryset(queryset)

    def perform_destroy(self, instance: PartnerOrganisation) -> None:
        if not can_remove_partner(self.request.user, instance):
            raise PermissionDenied("Only the learning lab's admins remove a partner.")
        services.partner_remove(partner=instance, by=self.request.user)


class PartnershipViewSet(ScopedViewSetMixin, viewsets.ModelViewSet):
    queryset_model = Partnership
    serializer_class = PartnershipSerializer
    filterset_class = PartnershipFilter
    ordering_fields = ["start_date"]
