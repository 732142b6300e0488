"""Forms for priority items: the item with its first specification, a draft's specification, a
district's answer, a menu commitment, the lab's consensus rule. Choice lists are scoped."""

from __future__ import annotations

from typing import Any

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms

from accounts.models import User
from districts.models import Collaborative, District
from focus_lab.errors import DomainError
from partners.suppliers.models import CertificationKind, Practice, ProductCategory
from purchasing.access import lab_ids, managed_district_ids
from purchasing.priority_items import rules
from purchasing.priority_items.models import (
    MONTHS,
    ConsensusRule,
    ItemUnit,
    LocalClause,
    PriorityItem,
    Processing,
    ServingUnit,
    SpecVersion,
    Stance,
)


def add_domain_error(form: forms.Form, exc: DomainError) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


def _helper(label: str) -> FormHelper:
    helper = FormHelper()
    helper.add_input(Submit("submit", label))
    return helper


class SpecFields(forms.Form):
    product_form = forms.CharField(label="Product and form", max_length=300,
                                   help_text="e.g. chicken drumsticks, bone-in, raw, individually quick frozen")  # fmt: skip
    pack_size = forms.CharField(
        label="Pack and size", max_length=200, required=False, help_text="e.g. 40 lb case"
    )
    grade = forms.CharField(label="Grade or quality standard", max_length=200, required=False)
    crediting = forms.CharField(label="Crediting (meal-pattern contribution)", max_length=300, required=False,
                                help_text="e.g. 2 oz eq meat/meat alternate per 3.2 oz serving")  # fmt: skip
    processing = forms.ChoiceField(choices=Processing.choices)
    claims = forms.CharField(label="Production claims", required=False, widget=forms.Textarea(attrs={"rows": 3}),
                             help_text="One a line: the claim, a bar, how it is verified — "
                                       "“No antibiotics ever | USDA Process Verified Program”.")  # fmt: skip
    allergens = forms.CharField(max_length=200, required=False, help_text="e.g. wheat, soy; or none")
    local_clause = forms.ChoiceField(choices=LocalClause.choices,
                                     help_text="Since the 2024 rule local may be a specification only for "
                                               "unprocessed or minimally processed foods.")  # fmt: skip
    local_definition = forms.CharField(label="Definition of local", max_length=300, required=False,
                                       help_text="Where the food was grown, raised or caught: a radius or states.")  # fmt: skip
    attributes = forms.CharField(label="Other attributes", required=False, widget=forms.Textarea(attrs={"rows": 3}),
                                 help_text="One a line, “name: value” (e.g. “piece size: 3.5–4.5 oz”).")  # fmt: skip
    required_practices = forms.MultipleChoiceField(label="Practices suppliers must have", required=False,
                                                   choices=Practice.choices, widget=forms.CheckboxSelectMultiple)  # fmt: skip
    required_certifications = forms.MultipleChoiceField(
        label="Certifications suppliers must hold", required=False, choices=CertificationKind.choices,
        widget=forms.CheckboxSelectMultiple, help_text="Valid today (USDA GAP/GHP: one year from the audit).",
    )  # fmt: skip
    change_note = forms.CharField(label="What changed", max_length=300, required=False)

    def clean_claims(self) -> list[dict[str, str]]:
        try:
            return rules.parse_claims(self.cleaned_data["claims"])
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from None

    def clean_attributes(self) -> dict[str, str]:
        try:
            return rules.parse_attributes(self.cleaned_data["attributes"])
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from None

    @staticmethod
    def initial_for(version: SpecVersion) -> dict[str, Any]:
        initial = {k: getattr(version, k) for k in ("product_form", "pack_size", "grade", "crediting", "processing",
                                                    "allergens", "local_clause", "local_definition", "change_note",
                                                    "required_practices", "required_certifications")}  # fmt: skip
        initial["claims"] = rules.claims_text(version.claims)
        initial["attributes"] = rules.attributes_text(version.attributes)
        return initial


class SpecForm(SpecFields):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper("Save the draft")


class ItemFields(forms.Form):
    name = forms.CharField(max_length=200, help_text="e.g. chicken drumsticks, raised without antibiotics")
    why = forms.CharField(label="Why it matters", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    unit = forms.ChoiceField(label="Unit of volume", choices=ItemUnit.choices)
    case_net_weight_lb = forms.DecimalField(label="Net weight of a case (lb)", required=False, min_value=0.01,
                                            max_digits=8, decimal_places=2, help_text="Needed when the unit is cases.")  # fmt: skip
    reference_price = forms.DecimalField(label="Reference price per unit ($)", required=False, min_value=0,
                                         max_digits=10, decimal_places=4,
                                         help_text="What the lab pays today; values the pooled demand.")  # fmt: skip
    supplier_category = forms.ChoiceField(label="Supplier product category", required=False,
                                          choices=[("", "Any"), *ProductCategory.choices])  # fmt: skip
    supplier_keywords = forms.CharField(label="Product words", max_length=200, required=False,
                                        help_text="Words a supplier's product must contain, comma-separated.")  # fmt: skip
    max_distance_miles = forms.IntegerField(label="Farthest origin (miles)", required=False, min_value=1, max_value=5000,
                                            help_text="From where the food is grown or raised to the nearest delivery point.")  # fmt: skip


class ItemCreateForm(ItemFields, SpecFields):
    collaborative = forms.ModelChoiceField(label="Learning lab", queryset=Collaborative.objects.none())

    field_order = ["collaborative", "name", "why", "unit", "case_net_weight_lb", "reference_price"]

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        labs = (
            Collaborative.objects.all()
            if user.is_superuser
            else Collaborative.objects.filter(id__in=lab_ids(user, write=True))
        )
        self.fields["collaborative"].queryset = labs
        if len(labs) == 1:
            self.initial.setdefault("collaborative", labs[0].pk)
        self.fields.pop("change_note")
        self.helper = _helper("Save as a draft")


class ItemForm(ItemFields):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper("Save")

    @staticmethod
    def initial_for(item: PriorityItem) -> dict[str, Any]:
        return {k: getattr(item, k) for k in ("name", "why", "unit", "case_net_weight_lb", "reference_price",
                                              "supplier_category", "supplier_keywords", "max_distance_miles")}  # fmt: skip


def managed_districts(user: User, collaborative_id: int) -> Any:
    districts = District.objects.filter(collaborative_id=collaborative_id)
    return districts if user.is_superuser else districts.filter(id__in=managed_district_ids(user))


class EndorsementForm(forms.Form):
    district = forms.ModelChoiceField(queryset=District.objects.none())
    stance = forms.ChoiceField(
        label="Your district's answer", choices=Stance.choices, widget=forms.RadioSelect
    )
    comment = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}),
                              help_text="Required to object (the reason) or to endorse with conditions.")  # fmt: skip

    def __init__(self, *args: Any, user: User, collaborative_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["district"].queryset = districts = managed_districts(user, collaborative_id)
        if len(districts) == 1:  # the usual case: a manager answers for one district
            self.fields["district"].initial = districts[0].pk
        self.helper = _helper("Record the answer")


class CommitmentForm(forms.Form):
    district = forms.ModelChoiceField(queryset=District.objects.none())
    times_per_month = forms.DecimalField(
        label="Times a month", min_value=0.01, max_value=31, max_digits=5, decimal_places=2
    )
    months = forms.TypedMultipleChoiceField(label="Months on the menu", choices=MONTHS, coerce=int,
                                            widget=forms.CheckboxSelectMultiple)  # fmt: skip
    servings_per_day = forms.IntegerField(label="Servings a menu day (expected participation)", min_value=1,
                                          max_value=1_000_000)  # fmt: skip
    serving_size = forms.DecimalField(min_value=0.001, max_digits=8, decimal_places=3)
    serving_unit = forms.ChoiceField(choices=ServingUnit.choices)
    override_volume = forms.DecimalField(label="Override the annual volume", required=False, min_value=0,
                                         max_digits=14, decimal_places=2,
                                         help_text="Leave empty to use the computed volume.")  # fmt: skip
    override_reason = forms.CharField(label="Why override", max_length=300, required=False)

    def __init__(self, *args: Any, user: User, collaborative_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["district"].queryset = managed_districts(user, collaborative_id)
        self.helper = _helper("Save the commitment")


class ConsensusRuleForm(forms.ModelForm):
    class Meta:
        model = ConsensusRule
        fields = ["kind", "quorum_percent", "threshold_percent", "objection_blocks", "local_definition"]
        widgets = {"kind": forms.RadioSelect}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper("Save the rule")
