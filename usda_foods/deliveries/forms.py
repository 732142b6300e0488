"""The receipt form."""

from __future__ import annotations

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.db.models import QuerySet

from accounts.models import User
from districts.forms import ScopedModelForm
from usda_foods.deliveries.models import FeeSchedule, Reason, validate_photo
from usda_foods.deliveries.rules import ROUNDING
from usda_foods.ordering.access import reviewed_state_agencies


class ReceiptForm(forms.Form):
    received_on = forms.DateField(
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"), label="Received on"
    )
    cases_received = forms.IntegerField(min_value=0, max_value=1_000_000, label="Cases received")
    reason = forms.ChoiceField(choices=[("", "— none (received as planned) —"), *Reason.choices], required=False,
                               label="Reason for a shortage or overage")  # fmt: skip
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=5000)
    photo = forms.ImageField(required=False, validators=[validate_photo],
                             widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
                             help_text="Optional: the signed bill of lading or the damage (JPEG, PNG or WebP, up to 5 MB).")  # fmt: skip

    def __init__(self, *args: object, shared: bool = False, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        if shared:
            self.fields["cases_received"].help_text = ROUNDING
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", "Record the receipt"))


class FeeScheduleForm(ScopedModelForm):
    submit_label = "Save the fee schedule"

    def __init__(self, *args: object, user: User, **kwargs: object) -> None:
        super().__init__(*args, user=user, **kwargs)
        if not self.fields["state_agency"].disabled:
            self.fields["state_agency"].queryset = reviewed_state_agencies(user)

    class Meta:
        model = FeeSchedule
        fields = ["state_agency", "effective_from", "min_cases_per_drop", "drop_fee", "delivery_fee_per_lb",
                  "delivery_fee_per_case", "storage_fee_per_case_month", "storage_free_days"]  # fmt: skip
        widgets = {"effective_from": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}


class PickupForm(forms.Form):
    """A member's pickup from the co-op's storage (the lead's managers record it)."""

    district = forms.ModelChoiceField(queryset=None, label="District (SFA)")
    food = forms.ModelChoiceField(queryset=None, label="USDA Food")
    cases = forms.IntegerField(min_value=1, max_value=1_000_000)
    picked_up_on = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                                   label="Picked up on")  # fmt: skip
    notes = forms.CharField(required=False, max_length=300)

    def __init__(self, *args: object, districts: QuerySet, foods: QuerySet, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["district"].queryset = districts
        self.fields["food"].queryset = foods
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", "Record the pickup"))
