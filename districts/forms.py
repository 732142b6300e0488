"""Forms. Every foreign-key choice list is limited to what the user may change: the classic leak."""

from __future__ import annotations

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms

from accounts.models import User
from districts.models import Collaborative, Coop, District, Site


class ScopedModelForm(forms.ModelForm):
    """A ModelForm that knows its user, limits FK choices with ``for_user(write=True)`` and renders
    itself with crispy-forms."""

    scoped_fields: dict[str, type] = {}
    submit_label = "Save"

    def __init__(self, *args: object, user: User, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        for name, model in self.scoped_fields.items():
            if name in self.fields:
                self.fields[name].queryset = model.objects.for_user(user, write=True)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", self.submit_label))


class DistrictForm(ScopedModelForm):
    scoped_fields = {"collaborative": Collaborative}

    class Meta:
        model = District
        fields = ["name", "state_agency", "agency_code", "enrollment", "is_commodity_school", "collaborative"]


class SiteForm(ScopedModelForm):
    scoped_fields = {"district": District}

    class Meta:
        model = Site
        fields = [
            "district",
            "name",
            "kind",
            "street",
            "city",
            "state",
            "postal_code",
            "latitude",
            "longitude",
            "receives_deliveries",
        ]


class CoopForm(ScopedModelForm):
    scoped_fields = {"lead_district": District, "receiving_site": Site}

    def __init__(self, *args: object, user: User, **kwargs: object) -> None:
        super().__init__(*args, user=user, **kwargs)
        # Members may be any district the user can see (a co-op spans districts); the lead must be
        # one the user manages.
        self.fields["members"].queryset = District.objects.for_user(user)
        self.fields["members"].widget = forms.CheckboxSelectMultiple()
        self.fields["members"].queryset = self.fields["members"].queryset.order_by("name")

    class Meta:
        model = Coop
        fields = ["name", "lead_district", "receiving_site", "members"]
