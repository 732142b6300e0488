"""FilterSets for the USDA Foods pages. Choice lists are scoped to the request's user."""

from __future__ import annotations

import django_filters
from django.db.models import QuerySet

from districts.filters import SearchFilterSet
from districts.models import District
from usda_foods.entitlements.access import lunch_count_districts
from usda_foods.entitlements.models import LunchCount


def lunch_count_district_choices(request) -> QuerySet[District]:
    if request is None:
        return District.objects.none()
    return lunch_count_districts(request.user, write=False).order_by("name")


class LunchCountFilter(SearchFilterSet):
    search_fields = ("district__name", "district__agency_code")
    district = django_filters.ModelChoiceFilter(queryset=lunch_count_district_choices)
    school_year = django_filters.CharFilter(label="School year", lookup_expr="exact")

    class Meta:
        model = LunchCount
        fields = ["q", "district", "school_year"]
