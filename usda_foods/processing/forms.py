"""Forms of the processing pages. Choice lists are limited to what the user may use."""

from __future__ import annotations

from decimal import Decimal

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms

from accounts.models import User
from districts.forms import ScopedModelForm
from usda_foods.ordering.access import reviewed_state_agencies
from usda_foods.ordering.models import CatalogItem
from usda_foods.processing.models import EndProduct, PassThrough, Processor

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ProcessorForm(ScopedModelForm):
    submit_label = "Save processor"

    def __init__(self, *args: object, user: User, **kwargs: object) -> None:
        super().__init__(*args, user=user, **kwargs)
        if not self.fields["state_agency"].disabled:
            self.fields["state_agency"].queryset = reviewed_state_agencies(user)
        if not self.fields["accepted_foods"].disabled:
            self.fields["accepted_foods"].queryset = CatalogItem.objects.filter(is_bulk_for_processing=True)
        self.fields[
            "accepted_foods"
        ].help_text = "Bulk USDA Foods offered for processing (hold Ctrl to pick several)."

    class Meta:
        model = Processor
        fields = ["state_agency", "name", "agreement_start", "agreement_end", "accepted_foods", "contact_name",
                  "contact_email", "contact_phone", "street", "city", "state", "postal_code", "latitude", "longitude"]  # fmt: skip
        widgets = {"agreement_start": DATE, "agreement_end": DATE}


class EndProductForm(ScopedModelForm):
    submit_label = "Save end product"
    scoped_fields = {"processor": Processor}
    pass_through_methods = forms.MultipleChoiceField(
        choices=PassThrough.choices, widget=forms.CheckboxSelectMultiple, required=False,
        label="Value pass-through methods offered",
    )  # fmt: skip

    class Meta:
        model = EndProduct
        fields = ["processor", "code", "name", "case_pack", "net_weight_lb", "pass_through_methods",
                  "value_per_case", "fee_per_case"]  # fmt: skip


class RateForm(forms.Form):
    """Pounds of one USDA Food per case of an end product (zero removes it)."""

    food = forms.ModelChoiceField(queryset=CatalogItem.objects.none(), label="USDA Food")
    pounds_per_case = forms.DecimalField(min_value=Decimal("0"), max_digits=10, decimal_places=4,
                                         label="Pounds per case")  # fmt: skip

    def __init__(self, *args: object, processor: Processor, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["food"].queryset = processor.accepted_foods.all()
        self.helper = FormHelper()
        self.helper.form_tag = False


class PurchaseForm(forms.Form):
    end_product = forms.ModelChoiceField(queryset=EndProduct.objects.none())
    purchased_on = forms.DateField(widget=DATE, label="Purchased on")
    cases = forms.IntegerField(min_value=1, max_value=1_000_000)
    distributor = forms.CharField(max_length=200, required=False)
    pass_through = forms.ChoiceField(choices=PassThrough.choices, label="Value pass-through")
    value_credited = forms.DecimalField(min_value=Decimal("0"), max_digits=14, decimal_places=2,
                                        label="Value credited ($)")  # fmt: skip

    def __init__(self, *args: object, processor: Processor, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["end_product"].queryset = processor.end_products.all()
        self.helper = FormHelper()
        self.helper.form_tag = False


class TransferForm(forms.Form):
    food = forms.ModelChoiceField(queryset=CatalogItem.objects.none(), label="USDA Food")
    from_district = forms.ModelChoiceField(queryset=CatalogItem.objects.none(), label="From district")
    to_district = forms.ModelChoiceField(queryset=CatalogItem.objects.none(), label="To district")
    pounds = forms.DecimalField(min_value=Decimal("0.01"), max_digits=14, decimal_places=2, label="Pounds")
    transferred_on = forms.DateField(widget=DATE, label="Transferred on")
    memo = forms.CharField(max_length=300, required=False)

    def __init__(self, *args: object, processor: Processor, districts, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["food"].queryset = processor.accepted_foods.all()
        self.fields["from_district"].queryset = districts
        self.fields["to_district"].queryset = districts
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", "Approve the transfer"))
