from __future__ import annotations

from typing import Any

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms

from districts.forms import ScopedModelForm
from districts.models import Collaborative, District
from partners import access as partner_access
from partners.suppliers.models import (
    MONTHS,
    Certification,
    Origin,
    Product,
    ProductionPractice,
    Supplier,
    SupplierPerson,
)


class SupplierForm(ScopedModelForm):
    """Creating asks for the learning lab only when the user works in several."""

    website = forms.URLField(required=False, assume_scheme="https")
    collaborative = forms.ModelChoiceField(queryset=Collaborative.objects.none(), label="Learning lab")

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        labs = Collaborative.objects.filter(id__in=partner_access.lab_ids_for(user, write=True))
        if user.is_superuser:
            labs = Collaborative.objects.all()
        if self.instance.pk:
            del self.fields["collaborative"]
            lab_id = self.instance.collaborative_id
        else:
            self.fields["collaborative"].queryset = labs
            only = list(labs[:2])
            if len(only) == 1:
                self.fields["collaborative"].initial = only[0].pk
                self.fields["collaborative"].widget = forms.HiddenInput()
            lab_id = only[0].pk if len(only) == 1 else None
        districts = District.objects.for_user(user)
        if lab_id:
            districts = districts.filter(collaborative_id=lab_id)
        if "buying_districts" in self.fields and not self.fields["buying_districts"].disabled:
            self.fields["buying_districts"].queryset = districts
        self.fields["buying_districts"].widget = forms.CheckboxSelectMultiple(
            choices=self.fields["buying_districts"].choices
        )
        self.fields["buying_districts"].required = False
        self.fields["force"] = forms.BooleanField(required=False, widget=forms.HiddenInput())

    class Meta:
        model = Supplier
        fields = ["name", "kind", "website", "phone", "email", "street", "city", "state", "postal_code",
                  "description", "buying_districts"]  # fmt: skip
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class ChildForm(ScopedModelForm):
    """A form for something hanging off a supplier; the view sets ``supplier``."""

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)


class OriginForm(ChildForm):
    class Meta:
        model = Origin
        fields = ["label", "street", "city", "county", "state", "postal_code", "latitude", "longitude"]
        help_texts = {"latitude": "Leave latitude and longitude blank to use the ZIP code's centre."}


class SupplierPersonForm(ChildForm):
    class Meta:
        model = SupplierPerson
        fields = ["name", "role", "email", "phone", "preferred_channel"]


class ProductForm(ChildForm):
    months_available = forms.TypedMultipleChoiceField(
        choices=MONTHS,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Months available",
    )

    class Meta:
        model = Product
        fields = ["name", "category", "forms_and_packs", "months_available", "minimum_order", "delivery_area",
                  "delivery_mode", "lead_time_days"]  # fmt: skip


class ProductionPracticeForm(ChildForm):
    class Meta:
        model = ProductionPractice
        fields = ["practice", "verification", "note"]


class CertificationForm(ChildForm):
    class Meta:
        model = Certification
        fields = ["kind", "scope", "audit_date", "expires_on", "certificate"]
        widgets = {"audit_date": forms.DateInput(attrs={"type": "date"}),
                   "expires_on": forms.DateInput(attrs={"type": "date"})}  # fmt: skip


class MergeForm(forms.Form):
    into = forms.ModelChoiceField(queryset=Supplier.objects.none(), label="Merge into (the supplier kept)")

    def __init__(self, *args: Any, merged: Supplier, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["into"].queryset = (
            Supplier.objects.for_user(user, write=True)
            .filter(collaborative_id=merged.collaborative_id, merged_into__isnull=True)
            .exclude(pk=merged.pk)
        )
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", "Merge", css_class="btn-danger"))
