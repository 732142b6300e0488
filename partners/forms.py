from __future__ import annotations

from django import forms

from districts.forms import ScopedModelForm
from districts.models import Collaborative, District
from partners.models import PartnerOrganisation, Partnership


class PartnerOrganisationForm(ScopedModelForm):
    scoped_fields = {"collaborative": Collaborative}
    website = forms.URLField(required=False, assume_scheme="https")

    def __init__(self, *args: object, user, **kwargs: object) -> None:
        super().__init__(*args, user=user, **kwargs)
        self.require_unless_superuser("collaborative")

    class Meta:
        model = PartnerOrganisation
        fields = ["name", "kind", "collaborative", "city", "state", "website", "email", "description"]


class PartnershipForm(ScopedModelForm):
    scoped_fields = {"district": District}

    def __init__(self, *args: object, user, **kwargs: object) -> None:
        super().__init__(*args, user=user, **kwargs)
        self.fields["partner"].queryset = PartnerOrganisation.objects.for_user(user)

    class Meta:
        model = Partnership
        fields = ["partner", "district", "start_date", "end_date", "focus", "notes"]
        widgets = {
            "start_date": forms.DateInput(attrs={"type": "date"}),
            "end_date": forms.DateInput(attrs={"type": "date"}),
        }
