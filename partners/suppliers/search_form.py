"""The search box and filters, shared by the supplier pages, the map and the API."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms

from districts.models import US_STATES, District
from partners.suppliers.models import CertificationKind, Practice, ProductCategory, SupplierKind
from partners.suppliers.selectors import SupplierSearch

ANY = "Any"


class SupplierSearchForm(forms.Form):
    q = forms.CharField(required=False, max_length=200, label="Search",
                        help_text="Names, products, people and your notes; misspellings are forgiven.")  # fmt: skip
    kind = forms.ChoiceField(required=False, choices=[("", ANY), *SupplierKind.choices])
    category = forms.ChoiceField(
        required=False, label="Product category", choices=[("", ANY), *ProductCategory.choices]
    )
    practice = forms.ChoiceField(required=False, choices=[("", ANY), *Practice.choices])
    certification_kind = forms.ChoiceField(required=False, label="Certification",
                                           choices=[("", ANY), *CertificationKind.choices])  # fmt: skip
    certified_on = forms.DateField(required=False, label="Certified on",
                                   widget=forms.DateInput(attrs={"type": "date"}))  # fmt: skip
    state = forms.ChoiceField(required=False, choices=[("", ANY), *US_STATES])
    near = forms.ModelChoiceField(queryset=District.objects.none(), required=False, empty_label=ANY,
                                  label="Near district's sites")  # fmt: skip
    within = forms.DecimalField(required=False, min_value=Decimal("0"), max_value=Decimal("5000"),
                                decimal_places=1, label="Within (miles)")  # fmt: skip

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["near"].queryset = District.objects.for_user(user).order_by("name")
        for field in self.fields.values():
            is_select = isinstance(field.widget, forms.Select)
            field.widget.attrs.setdefault("class", "form-select form-select-sm" if is_select
                                          else "form-control form-control-sm")  # fmt: skip

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("within") is not None and not data.get("near"):
            self.add_error("near", "Choose the district whose sites the distance is measured from.")
        return data

    def search(self) -> SupplierSearch:
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        near = data.get("near")
        return SupplierSearch(
            q=data.get("q") or "", kind=data.get("kind") or "", category=data.get("category") or "",
            practice=data.get("practice") or "", certified_on=data.get("certified_on"),
            certification_kind=data.get("certification_kind") or "", state=data.get("state") or "",
            near_district_id=near.pk if near else None, within_miles=data.get("within"),
        )  # fmt: skip
