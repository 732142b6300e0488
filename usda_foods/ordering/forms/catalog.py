"""Forms and filters for the catalog, preference survey and order-window pages. They check shape;
the services check the rules. Every choice list is limited to what the user may pick: state
agencies to those the user reviews, districts to those the user manages, foods to the year's list."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import django_filters
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.db.models import QuerySet

from districts.filters import SearchFilterSet
from districts.models import District, StateAgency
from usda_foods.ordering.access import reviewed_state_agencies
from usda_foods.ordering.models import CatalogItem, FoodCategory, window_dates_outside_school_year

if TYPE_CHECKING:
    from accounts.models import User

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


def _datetime_input() -> forms.DateTimeInput:
    return forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_FORMAT)


def _date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


CLOSES_BEFORE_OPENING = "It must close after it opens."
DELIVERY_ENDS_BEFORE_START = "Deliveries must end on or after the day they start."


def _check_order(form: forms.Form, first: str, last: str, message: str, *, strict: bool = True) -> None:
    """Put an ordering mistake on the later field. The models' constraints refuse it too, but their
    message names the constraint, not the field."""
    start, end = form.cleaned_data.get(first), form.cleaned_data.get(last)
    if start is not None and end is not None and (end <= start if strict else end < start):
        form.add_error(last, message)


def reviewed_agencies(user: User) -> QuerySet[StateAgency]:
    """The state agencies whose surveys and windows the user runs: those of their SDA reviewer
    memberships (every agency for a superuser)."""
    return reviewed_state_agencies(user)


def catalog_years(user: User) -> list[str]:
    """The school years with a loaded available list, newest first (one query)."""
    return list(
        CatalogItem.objects.for_user(user)
        .order_by("-school_year")
        .values_list("school_year", flat=True)
        .distinct()
    )


# --- Catalog -------------------------------------------------------------------------------------


class CatalogFilter(SearchFilterSet):
    search_fields = ("description", "material_code")
    school_year = django_filters.ChoiceFilter(label="School year", empty_label="Any year")
    category = django_filters.ChoiceFilter(choices=FoodCategory.choices, empty_label="Any category")
    is_bulk_for_processing = django_filters.BooleanFilter(
        label="Bulk for processing",
        widget=forms.Select(choices=[("", "Any"), ("true", "Bulk for processing"), ("false", "Not bulk")]),
    )

    class Meta:
        model = CatalogItem
        fields = ["q", "school_year", "category", "is_bulk_for_processing"]

    def __init__(self, *args: object, request: object = None, **kwargs: object) -> None:
        super().__init__(*args, request=request, **kwargs)
        user = getattr(request, "user", None)
        years = catalog_years(user) if user is not None else []
        self.form.fields["school_year"].choices = [(y, f"SY {y}") for y in years]  # the empty choice is added
        self.form.fields["q"].widget.attrs["placeholder"] = "Description or material code"


# --- Preference survey ---------------------------------------------------------------------------


class SurveyForm(forms.Form):
    """An SDA opens its annual preference survey over a year's available list."""

    state_agency = forms.ModelChoiceField(queryset=StateAgency.objects.none(), empty_label=None)
    school_year = forms.ChoiceField(help_text="A year whose USDA Foods available list is loaded.")
    title = forms.CharField(max_length=200)
    opens_at = forms.DateTimeField(widget=_datetime_input())
    closes_at = forms.DateTimeField(widget=_datetime_input())

    def __init__(self, *args: object, user: User, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["state_agency"].queryset = reviewed_agencies(user)
        self.fields["school_year"].choices = [(y, f"SY {y}") for y in catalog_years(user)]
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", "Open the survey"))

    def clean(self) -> dict[str, object]:
        cleaned = super().clean()
        _check_order(self, "opens_at", "closes_at", CLOSES_BEFORE_OPENING)
        return cleaned


class SurveyResponseForm(forms.Form):
    """A district's answer: estimated cases for each food of the year (blank or 0: not wanted).
    ``district`` is carried as a hidden field and checked against the districts the user manages."""

    district = forms.ModelChoiceField(queryset=District.objects.none(), widget=forms.HiddenInput)

    def __init__(
        self,
        *args: object,
        items: Iterable[CatalogItem],
        districts: QuerySet[District],
        earlier: dict[int, int] | None = None,
        **kwargs: object,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.items = list(items)
        self.fields["district"].queryset = districts
        earlier = earlier or {}
        for item in self.items:
            self.fields[self.field_name(item)] = forms.IntegerField(
                label=f"Estimated cases of {item.description}",
                min_value=0,
                max_value=1_000_000,
                required=False,
                initial=earlier.get(item.pk),
                widget=forms.NumberInput(
                    attrs={
                        "class": "form-control form-control-sm text-end",
                        "min": 0,
                        "style": "max-width: 8rem",
                    }
                ),
            )

    @staticmethod
    def field_name(item: CatalogItem) -> str:
        return f"cases_{item.pk}"

    def rows(self) -> list[tuple[CatalogItem, forms.BoundField]]:
        return [(item, self[self.field_name(item)]) for item in self.items]

    def lines(self) -> list[tuple[CatalogItem, int]]:
        return [(item, self.cleaned_data.get(self.field_name(item)) or 0) for item in self.items]


class OfferedItemsForm(forms.Form):
    """The foods the SDA chooses, from the survey results, to offer in the year's windows."""

    offered = forms.ModelMultipleChoiceField(
        queryset=CatalogItem.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: object, items: QuerySet[CatalogItem], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["offered"].queryset = items


# --- Order windows -------------------------------------------------------------------------------


class OfferedFoodsField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: CatalogItem) -> str:
        return f"{obj.material_code} · {obj.description} ({obj.pack_description})"


class OrderWindowForm(forms.Form):
    """A period in which SFAs order. The offered foods are the chosen year's available list."""

    state_agency = forms.ModelChoiceField(queryset=StateAgency.objects.none(), empty_label=None)
    school_year = forms.ChoiceField()
    name = forms.CharField(max_length=120, help_text="e.g. Fall deliveries")
    opens_at = forms.DateTimeField(widget=_datetime_input())
    closes_at = forms.DateTimeField(widget=_datetime_input())
    delivery_start = forms.DateField(widget=_date_input())
    delivery_end = forms.DateField(widget=_date_input())
    reminder_days_before = forms.IntegerField(
        label="Reminder (days before closing)",
        min_value=0,
        max_value=60,
        initial=3,
        help_text="SFAs that have not submitted an order are emailed this many days before the close.",
    )
    offered_items = OfferedFoodsField(
        label="Offered foods",
        queryset=CatalogItem.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    def __init__(self, *args: object, user: User, school_year: str | None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["state_agency"].queryset = reviewed_agencies(user)
        self.fields["school_year"].choices = [(y, f"SY {y}") for y in catalog_years(user)]
        self.fields["offered_items"].queryset = (
            CatalogItem.objects.for_user(user)
            .filter(school_year=school_year)
            .order_by("category", "description")
            if school_year
            else CatalogItem.objects.none()
        )

    def clean(self) -> dict[str, object]:
        cleaned = super().clean()
        _check_order(self, "opens_at", "closes_at", CLOSES_BEFORE_OPENING)
        _check_order(self, "delivery_start", "delivery_end", DELIVERY_ENDS_BEFORE_START, strict=False)
        for name, message in window_dates_outside_school_year(cleaned.get("school_year"), cleaned).items():
            if name not in self.errors:
                self.add_error(name, message)
        return cleaned
