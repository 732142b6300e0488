"""Forms for the USDA Foods pages. They check shape; the services check the rules (a DomainError
becomes an error on the field it names). Foreign-key choices are limited to what the user may
change, through districts/access.py."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Hidden, Submit
from django import forms
from django.core.exceptions import ValidationError

from districts.forms import ScopedModelForm
from focus_lab.errors import DomainError
from usda_foods.entitlements import rules as entitlements
from usda_foods.entitlements import units
from usda_foods.entitlements.access import lunch_count_districts
from usda_foods.entitlements.models import LunchCount, PerMealValue, ReimbursementRate, Section4Payment

if TYPE_CHECKING:
    from accounts.models import User


def add_domain_error(form: forms.Form, exc: DomainError) -> None:
    """Show a service's refusal on the field it names, or above the form."""
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


def add_validation_error(form: forms.Form, exc: ValidationError) -> None:
    """Show a model's ``full_clean`` errors on the form's fields (others above the form)."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for name, errors in exc.message_dict.items():
        form.add_error(name if name in form.fields else None, errors)


def _helper(submit: str, *inputs: object) -> FormHelper:
    helper = FormHelper()
    for item in inputs:
        helper.add_input(item)
    helper.add_input(Submit("submit", submit))
    return helper


class ReferenceAmountField(forms.DecimalField):
    """A reference value in its unit. An implausible one, most often typed in the other unit, is
    refused with what was probably meant, alone: not beside "no more than 2 decimal places", which
    would send the user hunting for a rounding when the unit is what is wrong."""

    def __init__(self, *, plausible: units.Plausible, **kwargs: object) -> None:
        self.plausible = plausible
        super().__init__(**kwargs)  # type: ignore[arg-type]

    def run_validators(self, value: Decimal | None) -> None:
        if value not in self.empty_values:
            try:
                self.plausible.check(value)  # type: ignore[arg-type]
            except units.ImplausibleValue as exc:
                raise ValidationError(str(exc), code="implausible") from exc
        super().run_validators(value)


def _reference_field(model: type, name: str, plausible: units.Plausible) -> ReferenceAmountField:
    field = model._meta.get_field(name)
    return ReferenceAmountField(plausible=plausible, label=field.verbose_name[:1].upper() + field.verbose_name[1:],
                                max_digits=field.max_digits, decimal_places=field.decimal_places,
                                help_text=field.help_text)  # fmt: skip


def _school_year(value: str) -> str:
    try:
        return str(entitlements.parse_school_year(value.strip()))
    except entitlements.EntitlementInputError as exc:
        raise ValidationError(str(exc)) from exc


class PlannedAssistanceLevelForm(forms.Form):
    """The SDA loads a planned assistance level (PAL) at or above the COV and says why."""

    amount = forms.DecimalField(
        label="Planned assistance level (dollars)", max_digits=14, decimal_places=2, min_value=Decimal("0"),
        help_text="At least the commodity offer value (the legal floor, 7 CFR 250.58(b)) and what is drawn.",
    )  # fmt: skip
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="e.g. bonus USDA Foods, 12 percent provision dollars.",
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper("Set the PAL", Hidden("action", "set_pal"))


class LunchCountForm(ScopedModelForm):
    """A district's reimbursable lunches for a year. Saved by ``services.lunch_count_save`` (which
    recomputes the entitlements that use it), not by ``form.save()``. On edit, the district and
    year are fixed: the service saves by (district, year)."""

    submit_label = "Save lunch count"

    class Meta:
        model = LunchCount
        fields = ["district", "school_year", "free", "reduced", "paid"]

    def __init__(self, *args: object, user: User, **kwargs: object) -> None:
        super().__init__(*args, user=user, **kwargs)
        self.fields["district"].queryset = lunch_count_districts(user).order_by("name")
        self.fields["school_year"].help_text = (
            "The school year the lunches were served in (July 1 to June 30), e.g. 2018-19. "
            "They set the next year's commodity offer value."
        )
        if self.instance.pk:
            self.fields["district"].disabled = True
            self.fields["school_year"].disabled = True

    def clean_school_year(self) -> str:
        return _school_year(self.cleaned_data["school_year"])


class PerMealValueForm(forms.Form):
    """A published national per-meal value (or a correction). Checked by the service, which refuses
    a value that is not a multiple of 1/4 cent (42 USC 1755(c))."""

    school_year = forms.CharField(max_length=7, help_text="e.g. 2019-20")
    cents = _reference_field(PerMealValue, "cents", units.PER_MEAL_VALUE)
    citation = forms.CharField(max_length=300, help_text="e.g. Federal Register notice of July 2019")
    published_on = forms.DateField(
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="A later publication for the same year is a correction: it supersedes the earlier one. "
        "Two values of a year cannot share a publication date.",
    )
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper("Add per-meal value")

    def clean_school_year(self) -> str:
        return _school_year(self.cleaned_data["school_year"])


class ReimbursementRateForm(ScopedModelForm):
    submit_label = "Add rate"
    dollars = _reference_field(ReimbursementRate, "dollars", units.REIMBURSEMENT_RATE)

    class Meta:
        model = ReimbursementRate
        fields = ["school_year", "category", "dollars", "citation"]


class Section4PaymentForm(ScopedModelForm):
    submit_label = "Add Section 4 payment"
    cents = _reference_field(Section4Payment, "cents", units.SECTION4_PAYMENT)

    class Meta:
        model = Section4Payment
        fields = ["school_year", "cents", "citation"]


class EntitlementFilterForm(forms.Form):
    """The filters of the state and collaborative tables (GET)."""

    year = forms.ChoiceField(label="School year", required=False)
    q = forms.CharField(
        label="Search", required=False, widget=forms.TextInput(attrs={"placeholder": "Name or code"})
    )
    incomplete = forms.BooleanField(label="Only those that cannot be fully computed", required=False)

    def __init__(self, *args: object, years: list[str], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(y, f"SY {y}") for y in years]
        self.fields["year"].widget.attrs["class"] = "form-select form-select-sm"
        self.fields["q"].widget.attrs["class"] = "form-control form-control-sm"
        self.fields["incomplete"].widget.attrs["class"] = "form-check-input"
