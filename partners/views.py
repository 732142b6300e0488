from __future__ import annotations

from typing import Any

from django.db.models import Count, QuerySet

from districts.mixins import ScopedCreateView, ScopedDetailView, ScopedListView, ScopedUpdateView
from partners.filters import PartnerFilter, PartnershipFilter
from partners.forms import PartnerOrganisationForm, PartnershipForm
from partners.models import PartnerOrganisation, Partnership


class PartnerList(ScopedListView):
    model = PartnerOrganisation
    filterset_class = PartnerFilter

    def get_queryset(self) -> QuerySet:
        return (
            super()
            .get_queryset()
            .select_related("collaborative")
            .annotate(district_count=Count("partnerships"))
            .order_by("name")
        )


class PartnerDetail(ScopedDetailView):
    model = PartnerOrganisation

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["partnerships"] = (
            Partnership.objects.for_user(self.request.user)
            .filter(partner=self.object)
            .select_related("district")
        )
        return context


class PartnerCreate(ScopedCreateView):
    model = PartnerOrganisation
    form_class = PartnerOrganisationForm


class PartnerUpdate(ScopedUpdateView):
    model = PartnerOrganisation
    form_class = PartnerOrganisationForm


class PartnershipList(ScopedListView):
    model = Partnership
    filterset_class = PartnershipFilter

    def get_queryset(self) -> QuerySet:
        return super().get_queryset().select_related("partner", "district")


class PartnershipDetail(ScopedDetailView):
    model = Partnership

    def get_queryset(self) -> QuerySet:
        return super().get_queryset().select_related("partner", "district")


class PartnershipCreate(ScopedCreateView):
    model = Partnership
    form_class = PartnershipForm


class PartnershipUpdate(ScopedUpdateView):
    model = Partnership
    form_class = PartnershipForm
