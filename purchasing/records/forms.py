"""Forms for purchase records: the list's filters, a definition of local (fields per role), a
keyword rule."""

from __future__ import annotations

from typing import Any

import django_filters
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.db.models import Q, QuerySet

from districts.filters import SearchFilterSet
from districts.models import US_STATES, Collaborative, District
from partners.suppliers.models import ProductCategory
from purchasing.priority_items.models import PriorityItem
from purchasing.records.models import KeywordRule, LocalClass, LocalDefinition, PurchaseRecord, PurchaseSource


class RecordFilter(SearchFilterSet):
    search_fields = ("product_description", "vendor_name")
    district = django_filters.CharFilter(
        method="filter_district", label="District", help_text="Name or agency code"
    )
    start = django_filters.DateFilter(field_name="invoice_date", lookup_expr="gte", label="From",
                                      widget=forms.DateInput(attrs={"type": "date"}))  # fmt: skip
    end = django_filters.DateFilter(field_name="invoice_date", lookup_expr="lte", label="To",
                                    widget=forms.DateInput(attrs={"type": "date"}))  # fmt: skip
    category = django_filters.ChoiceFilter(choices=ProductCategory.choices)
    source = django_filters.ChoiceFilter(choices=PurchaseSource.choices)
    local_class = django_filters.ChoiceFilter(choices=LocalClass.choices, label="Local class")

    class Meta:
        model = PurchaseRecord
        fields = ["q", "district", "start", "end", "category", "source", "local_class"]

    def filter_district(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        value = (value or "").strip()
        if not value:
            return queryset
        condition = Q(district__agency_code__iexact=value) | Q(district__name__icontains=value)
        return queryset.filter(condition | Q(district_id=int(value)) if value.isdigit() else condition)


def _list(value: str) -> list[str]:
    return [part.strip() for part in value.replace(";", ",").split(",") if part.strip()]


STATE_CODES = [code for code, _ in US_STATES]


class DefinitionForm(forms.ModelForm):
    """What local and regional mean. A lab admin sets the lab's (and may set a district's); a
    district manager sets only their own district's."""

    local_states = forms.MultipleChoiceField(
        choices=US_STATES, required=False, widget=forms.SelectMultiple(attrs={"size": 6})
    )
    regional_states = forms.MultipleChoiceField(
        choices=US_STATES, required=False, widget=forms.SelectMultiple(attrs={"size": 6})
    )
    local_counties = forms.CharField(
        required=False, help_text='State and county, comma separated: "MN:Hennepin, WI:Dane"'
    )
    regional_counties = forms.CharField(required=False, help_text="State and county, comma separated")

    class Meta:
        model = LocalDefinition
        fields = ["collaborative", "district", "name", "local_radius_miles", "local_states", "local_counties",
                  "regional_radius_miles", "regional_states", "regional_counties"]  # fmt: skip

    def __init__(
        self, *args: Any, labs: QuerySet[Collaborative], districts: QuerySet[District], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["collaborative"].queryset = labs
        self.fields["collaborative"].label = "Lab"
        self.fields["district"].queryset = districts
        self.fields["district"].required = not labs.exists()
        self.fields["collaborative"].required = False  # a district's definition takes its district's lab
        self.fields["collaborative"].help_text = "For the lab's definition; leave empty for a district's own."
        if self.instance.pk:
            for name in ("collaborative", "district"):
                self.fields[name].disabled = True
        for name in ("local_counties", "regional_counties"):
            self.initial[name] = ", ".join(getattr(self.instance, name) or [])
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", "Save and re-classify purchases"))

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        district = data.get("district")
        if district is not None:
            data["collaborative"] = district.collaborative
            self.instance.collaborative = district.collaborative
        elif not data.get("collaborative") and not self.instance.pk:
            raise forms.ValidationError("Choose the lab (for its definition) or a district (for its own).")
        return data

    def _counties(self, name: str) -> list[str]:
        found = []
        for entry in _list(self.cleaned_data.get(name) or ""):
            state, _, county = entry.partition(":")
            if state.strip().upper() not in STATE_CODES or not county.strip():
                raise forms.ValidationError(f"“{entry}” is not STATE:County, e.g. MN:Hennepin.")
            found.append(f"{state.strip().upper()}:{county.strip()}")
        return found

    def clean_local_counties(self) -> list[str]:
        return self._counties("local_counties")

    def clean_regional_counties(self) -> list[str]:
        return self._counties("regional_counties")


class KeywordRuleForm(forms.ModelForm):
    class Meta:
        model = KeywordRule
        fields = ["collaborative", "keyword", "priority_item"]

    def __init__(self, *args: Any, labs: QuerySet[Collaborative], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["collaborative"].queryset = labs
        self.fields["collaborative"].label = "Lab"
        self.fields["priority_item"].queryset = PriorityItem.objects.filter(collaborative__in=labs).order_by(
            "name"
        )
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", "Keep this rule and apply it"))
