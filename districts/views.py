from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Count, IntegerField, OuterRef, Prefetch, QuerySet, Subquery
from django.db.models.functions import Coalesce

from districts.filters import CoopFilter, DistrictFilter, SiteFilter
from districts.forms import CoopForm, DistrictForm, SiteForm
from districts.mixins import ScopedCreateView, ScopedDetailView, ScopedListView, ScopedUpdateView
from districts.models import Collaborative, Coop, District, Site
from partners.models import Partnership


class DistrictList(ScopedListView):
    model = District
    filterset_class = DistrictFilter

    def get_queryset(self) -> QuerySet:
        return (
            super()
            .get_queryset()
            .select_related("state_agency", "collaborative")
            .annotate(site_count=_count_of(Site), partner_count=_count_of(Partnership))
            .order_by("name")
        )


def _count_of(model: type[Site] | type[Partnership]) -> Coalesce:
    """How many ``model`` rows point at the district, as a correlated subquery: evaluated for the
    page's 25 rows only, where a join with GROUP BY counted them for every district first."""
    rows = model.objects.filter(district=OuterRef("pk")).order_by().values("district").annotate(n=Count("pk"))
    return Coalesce(Subquery(rows.values("n"), output_field=IntegerField()), 0)


class DistrictDetail(ScopedDetailView):
    model = District

    def get_queryset(self) -> QuerySet:
        return super().get_queryset().select_related("state_agency", "collaborative")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        district = self.object
        user = self.request.user
        context["sites"] = Site.objects.for_user(user).filter(district=district)
        context["partnerships"] = (
            Partnership.objects.for_user(user).filter(district=district).select_related("partner")
        )
        context["coops"] = (
            Coop.objects.for_user(user).filter(members=district).select_related("lead_district")
        )
        return context


class DistrictCreate(ScopedCreateView):
    model = District
    form_class = DistrictForm


class DistrictUpdate(ScopedUpdateView):
    model = District
    form_class = DistrictForm

    def form_valid(self, form: Any) -> Any:
        """The commodity-school status decides whether the Section 4 payment counts in the COV, so
        changing it recomputes the district's entitlements, in the same transaction."""
        with transaction.atomic():
            response = super().form_valid(form)
            if "is_commodity_school" in form.changed_data:
                from usda_foods.entitlements.services.entitlements import district_entitlements_recompute

                district_entitlements_recompute(district=self.object, user=self.request.user)
        return response


class SiteList(ScopedListView):
    model = Site
    filterset_class = SiteFilter

    def get_queryset(self) -> QuerySet:
        return super().get_queryset().select_related("district")


class SiteDetail(ScopedDetailView):
    model = Site

    def get_queryset(self) -> QuerySet:
        return super().get_queryset().select_related("district")


class SiteCreate(ScopedCreateView):
    model = Site
    form_class = SiteForm

    def get_initial(self) -> dict[str, Any]:
        initial = super().get_initial()
        if district_id := self.request.GET.get("district"):
            initial["district"] = district_id
        return initial


class SiteUpdate(ScopedUpdateView):
    model = Site
    form_class = SiteForm


class CoopList(ScopedListView):
    model = Coop
    filterset_class = CoopFilter

    def get_queryset(self) -> QuerySet:
        return (
            super()
            .get_queryset()
            .select_related("lead_district", "receiving_site")
            .prefetch_related(Prefetch("members", queryset=District.objects.only("id", "name")))
        )


class CoopDetail(ScopedDetailView):
    model = Coop

    def get_queryset(self) -> QuerySet:
        return (
            super()
            .get_queryset()
            .select_related("lead_district", "receiving_site")
            .prefetch_related("members")
        )


class CoopCreate(ScopedCreateView):
    model = Coop
    form_class = CoopForm


class CoopUpdate(ScopedUpdateView):
    model = Coop
    form_class = CoopForm


class CollaborativeDetail(ScopedDetailView):
    model = Collaborative

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["districts"] = (
            District.objects.for_user(user).filter(collaborative=self.object).select_related("state_agency")
        )
        from partners.models import PartnerOrganisation

        context["partners"] = PartnerOrganisation.objects.for_user(user).filter(
            collaborative=self.object, removed_on__isnull=True
        )
        return context
