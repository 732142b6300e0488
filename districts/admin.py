from django.contrib import admin
from django.db import transaction

from districts.models import Collaborative, Coop, District, Site, StateAgency


@admin.register(Collaborative)
class CollaborativeAdmin(admin.ModelAdmin):
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(StateAgency)
class StateAgencyAdmin(admin.ModelAdmin):
    list_display = ["state", "name"]
    search_fields = ["name", "state"]


@admin.register(District)
class DistrictAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "state_agency",
        "agency_code",
        "enrollment",
        "is_commodity_school",
        "collaborative",
    ]
    list_filter = ["state_agency", "collaborative", "is_commodity_school"]
    list_select_related = ["state_agency", "collaborative"]
    search_fields = ["name", "agency_code"]

    def save_model(self, request, obj, form, change):
        """As the district page and API do: a changed commodity-school status recomputes the
        district's entitlements (it decides whether the Section 4 payment counts in the COV)."""
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            if change and "is_commodity_school" in form.changed_data:
                from usda_foods.entitlements.services.entitlements import district_entitlements_recompute

                district_entitlements_recompute(district=obj, user=request.user)


@admin.register(Site)
class SiteAdmin(admin.ModelAdmin):
    list_display = ["name", "district", "kind", "city", "state"]
    list_filter = ["kind", "state"]
    list_select_related = ["district"]
    search_fields = ["name", "city"]


@admin.register(Coop)
class CoopAdmin(admin.ModelAdmin):
    list_display = ["name", "lead_district", "receiving_site"]
    filter_horizontal = ["members"]
