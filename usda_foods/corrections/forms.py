"""Forms and the filter of the correction pages. They check shape; ``services.correction_*``
check the rules (who may propose or decide, one pending at a time), and a refusal is shown on the
field it names."""

from __future__ import annotations

from typing import TYPE_CHECKING

import django_filters
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.db.models import QuerySet

from districts.filters import SearchFilterSet
from districts.models import District
from usda_foods.corrections.models import CorrectionKind, CorrectionStatus, DataCorrection
from usda_foods.corrections.services import MAX_LUNCHES
from usda_foods.entitlements import rules as entitlements
from usda_foods.entitlements.access import correction_districts

if TYPE_CHECKING:
    from accounts.models import User

COMMODITY_CHOICES = [("true", "Yes, a commodity school"), ("false", "No, not a commodity school")]


class CorrectionForm(forms.Form):
    """A district manager's proposal: new lunch counts for one year, or a new commodity-school
    status, always with the reason. Only the fields of the chosen kind are shown."""

    district = forms.ModelChoiceField(queryset=District.objects.none(), empty_label=None)
    school_year = forms.CharField(
        max_length=7, help_text="The year the lunches were served in (July 1 to June 30), e.g. 2018-19."
    )
    free = forms.IntegerField(label="Free lunches", min_value=0, max_value=MAX_LUNCHES)
    reduced = forms.IntegerField(label="Reduced-price lunches", min_value=0, max_value=MAX_LUNCHES)
    paid = forms.IntegerField(label="Paid lunches", min_value=0, max_value=MAX_LUNCHES)
    is_commodity_school = forms.TypedChoiceField(
        label="Commodity school", choices=COMMODITY_CHOICES, coerce=lambda v: v == "true",
        widget=forms.RadioSelect,
        help_text="A commodity school adds the Section 4 cash payment per lunch to the per-meal value.",
    )  # fmt: skip
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
        help_text="Why the state's figures are wrong, and where the right ones come from (e.g. the "
        "corrected claim for May). The state's reviewer decides on it.",
    )

    KIND_FIELDS = {
        CorrectionKind.LUNCH_COUNTS: ("district", "school_year", "free", "reduced", "paid", "reason"),
        CorrectionKind.COMMODITY_SCHOOL: ("district", "is_commodity_school", "reason"),
    }

    def __init__(self, *args: object, user: User, kind: str, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.kind = kind
        for name in list(self.fields):
            if name not in self.KIND_FIELDS[CorrectionKind(kind)]:
                del self.fields[name]
        self.fields["district"].queryset = correction_districts(user).order_by("name")
        self.helper = FormHelper()
        self.helper.form_tag = False  # the page's form also carries the kind
        self.helper.add_input(Submit("submit", "Propose the correction"))

    def clean_school_year(self) -> str:
        try:
            return str(entitlements.parse_school_year(self.cleaned_data["school_year"].strip()))
        except entitlements.EntitlementInputError as exc:
            raise forms.ValidationError(str(exc)) from exc


class DecisionForm(forms.Form):
    """A reviewer's decision. The note is required to reject (the service says so)."""

    note = forms.CharField(
        label="Note to the district", required=False, max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Required to reject: the district sees it in the decision email.",
    )  # fmt: skip


def _correction_districts(request: object) -> QuerySet[District]:
    user = getattr(request, "user", None)
    if user is None:
        return District.objects.none()
    return District.objects.filter(
        pk__in=DataCorrection.objects.for_user(user).values("district_id")
    ).order_by("name")


class CorrectionFilter(SearchFilterSet):
    search_fields = ("district__name", "district__agency_code", "reason")
    status = django_filters.ChoiceFilter(choices=CorrectionStatus.choices, empty_label="Any status")
    kind = django_filters.ChoiceFilter(choices=CorrectionKind.choices, empty_label="Any data")
    district = django_filters.ModelChoiceFilter(queryset=_correction_districts, empty_label="Any district")

    class Meta:
        model = DataCorrection
        fields = ["q", "status", "kind", "district"]
