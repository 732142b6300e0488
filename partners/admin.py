from django.contrib import admin

from partners.models import PartnerOrganisation, Partnership


@admin.register(PartnerOrganisation)
class PartnerOrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "collaborative", "city", "state"]
    search_fields = ["name"]


@admin.register(Partnership)
class PartnershipAdmin(admin.ModelAdmin):
    list_display = ["partner", "district", "start_date", "end_date"]
    list_select_related = ["partner", "district"]
