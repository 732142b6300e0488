from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.generic import TemplateView

from districts import access
from districts.mixins import ScopedCreateView, ScopedDetailView, ScopedListView, ScopedUpdateView
from partners import services
from partners.filters import PartnerFilter, PartnershipFilter
from partners.forms import PartnerOrganisationForm, PartnershipForm
from partners.models import PartnerOrganisation, Partnership
from partners.rights import can_remove_partner


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
        context["can_remove"] = self.object.removed_on is None and can_remove_partner(
            self.request.user, self.object
        )
        return context


class PartnerCreate(ScopedCreateView):
    model = PartnerOrganisation
    form_class = PartnerOrganisationForm


class PartnerUpdate(ScopedUpdateView):
    model = PartnerOrganisation
    form_class = PartnerOrganisationForm


class PartnerRemove(LoginRequiredMixin, TemplateView):
    """GET asks for confirmation, POST removes: the lab's admins only (partner_remove)."""

    template_name = "partners/partner_remove.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated:
            self.partner = access.get_for_user(
                PartnerOrganisation.objects.select_related("collaborative"), request.user, kwargs["pk"]
            )
            if not can_remove_partner(request.user, self.partner):
                raise PermissionDenied("Only the learning lab's admins remove a partner.")
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["partner"] = self.partner
        context["partnerships"] = (
            Partnership.objects.for_user(self.request.user)
            .filter(partner=self.partner)
            .select_related("district")
        )
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if self.partner.removed_on is None:
            services.partner_remove(partner=self.partner, by=request.user)
            messages.success(request, f"“{self.partner}” removed; its partnerships ended today.")
        return redirect(self.partner)


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
