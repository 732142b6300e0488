from django.contrib import admin
from django.db import models

from partners.models import PartnerOrganisation, Partnership


@admin.register(PartnerOrganisation)
class PartnerOrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "collaborative", "city", "state", "removed_on"]
    search_fields = ["name"]
    readonly_fields = ["removed_on"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}  # as the partner form


@admin.register(Partnership)
class PartnershipAdmin(admin.ModelAdmin):
    list_display = ["partner", "district", "start_date", "end_date"]
    list_select_related = ["partner", "district"]
