from __future__ import annotations

import django_filters
from django.db.models import QuerySet

from agreements.forms import year_choices
from agreements.models import Letter, PartyKind
from agreements.rules import AWAITING_PARTY, State
from districts.filters import SearchFilterSet

STATE_CHOICES = [(s.value, s.value.capitalize()) for s in State] + [
    ("unsigned", "Not signed by the party yet")
]


class LetterFilter(SearchFilterSet):
    search_fields = ("district__name", "partner__name")
    state = django_filters.ChoiceFilter(choices=STATE_CHOICES, method="by_state", empty_label="Any")
    school_year = django_filters.ChoiceFilter(choices=year_choices, empty_label="Any")
    party_kind = django_filters.ChoiceFilter(choices=PartyKind.choices, empty_label="Any", label="Party")

    class Meta:
        model = Letter
        fields = ["q", "state", "school_year", "party_kind"]

    def by_state(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        if value == "unsigned":
            return queryset.filter(state__in=sorted(AWAITING_PARTY))
        return queryset.filter(state=value)
