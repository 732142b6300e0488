from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet
from django.utils import timezone

from districts.filters import SearchFilterSet, scoped_districts
from partners.models import PartnerKind, PartnerOrganisation, Partnership


def scoped_partners(request) -> QuerySet[PartnerOrganisation]:
    if request is None:
        return PartnerOrganisation.objects.none()
    return PartnerOrganisation.objects.for_user(request.user)


SHOW_REMOVED = {"removed": "Removed partners", "all": "Current and removed"}


class PartnerFilter(SearchFilterSet):
    """Removed partners are history: hidden unless ``removed`` asks for them."""

    search_fields = ("name", "city", "description")
    kind = django_filters.ChoiceFilter(choices=PartnerKind.choices)
    removed = django_filters.ChoiceFilter(
        choices=list(SHOW_REMOVED.items()),
        empty_label="Current partners",
        label="Show",
        method="filter_removed",
    )

    def filter_removed(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(removed_on__isnull=False) if value == "removed" else queryset

    def __init__(self, data=None, queryset=None, **kwargs) -> None:
        # Hidden before any filtering, so that an unfiltered page (an unbound filter set) hides
        # them too.
        if queryset is not None and (data or {}).get("removed") not in SHOW_REMOVED:
            queryset = queryset.filter(removed_on__isnull=True)
        super().__init__(data, queryset, **kwargs)

    class Meta:
        model = PartnerOrganisation
        fields = ["q", "kind", "state", "removed"]


class PartnershipFilter(SearchFilterSet):
    search_fields = ("partner__name", "district__name", "focus")
    partner = django_filters.ModelChoiceFilter(queryset=scoped_partners)
    district = django_filters.ModelChoiceFilter(queryset=scoped_districts)
    active = django_filters.BooleanFilter(method="filter_active", label="Active")

    def filter_active(self, queryset: QuerySet, name: str, value: bool | None) -> QuerySet:
        if value is None:
            return queryset
        active = Q(end_date__isnull=True) | Q(end_date__gte=timezone.localdate())
        return queryset.filter(active) if value else queryset.exclude(active)

    class Meta:
        model = Partnership
        fields = ["q", "partner", "district", "active"]
