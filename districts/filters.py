"""FilterSets shared by the pages and the API. Choice lists are scoped to the request's user."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q, QuerySet

from districts.models import US_STATES, Coop, District, Site, SiteKind, StateAgency
from focus_lab.fast_render import fetch_choices_plainly, make_fast

ANY = "Any"


def _user(request) -> object | None:
    return getattr(request, "user", None)


def scoped_districts(request) -> QuerySet[District]:
    if request is None:
        return District.objects.none()
    return District.objects.for_user(request.user)


class SearchFilterSet(django_filters.FilterSet):
    """A free-text ``q`` over the fields named in ``search_fields``."""

    search_fields: tuple[str, ...] = ()
    q = django_filters.CharFilter(method="filter_q", label="Search")

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        for field in self.form.fields.values():
            # A filter left empty means "any": say so, instead of "---------" or "Unknown" (which
            # reads like a value).
            if isinstance(field, forms.ModelChoiceField):
                field.empty_label = ANY
            elif isinstance(field, forms.NullBooleanField):
                field.widget.choices = [("unknown", ANY), ("true", "Yes"), ("false", "No")]
            # Plain choice filters take their empty label from FILTERS_EMPTY_CHOICE_LABEL (settings).
        # Bootstrap classes here so the template can lay the filters out in one row.
        for field in self.form.fields.values():
            is_select = getattr(field.widget, "input_type", "") == "select" or hasattr(
                field.widget, "choices"
            )
            field.widget.attrs.setdefault(
                "class", "form-select form-select-sm" if is_select else "form-control form-control-sm"
            )
            fetch_choices_plainly(field)  # one plain query, not a server-side cursor (issue 16)
            make_fast(field.widget)  # options written in Python, not one template each (issue 16)

    def filter_q(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        condition = Q()
        for field in self.search_fields:
            condition |= Q(**{f"{field}__icontains": value.strip()})
        return queryset.filter(condition)


class DistrictFilter(SearchFilterSet):
    search_fields = ("name", "agency_code")
    state = django_filters.ChoiceFilter(field_name="state_agency__state", choices=US_STATES, label="State")
    is_commodity_school = django_filters.BooleanFilter(label="Commodity school")
    collaborative = django_filters.NumberFilter(field_name="collaborative_id")

    class Meta:
        model = District
        fields = ["q", "state", "is_commodity_school", "collaborative"]


class SiteFilter(SearchFilterSet):
    search_fields = ("name", "city", "street", "postal_code")
    kind = django_filters.ChoiceFilter(choices=SiteKind.choices)
    district = django_filters.ModelChoiceFilter(queryset=scoped_districts)
    state = django_filters.ChoiceFilter(choices=US_STATES)

    class Meta:
        model = Site
        fields = ["q", "kind", "district", "state"]


class CoopFilter(SearchFilterSet):
    search_fields = ("name",)
    district = django_filters.ModelChoiceFilter(queryset=scoped_districts, method="filter_district")

    def filter_district(self, queryset: QuerySet, name: str, value: District) -> QuerySet:
        return queryset.filter(Q(lead_district=value) | Q(members=value)).distinct()

    class Meta:
        model = Coop
        fields = ["q", "district"]


class StateAgencyFilter(SearchFilterSet):
    search_fields = ("name", "state")

    class Meta:
        model = StateAgency
        fields = ["q", "state"]
