from __future__ import annotations

from typing import Any

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.utils import timezone

from accounts.models import User
from districts.models import District
from partners.contacts import services
from partners.contacts.models import InteractionKind
from partners.suppliers.models import Product, Supplier, SupplierPerson


def _org_key(org: services.AuthorOrg) -> str:
    return f"{org.partner_id or ''}:{org.district_id or ''}:{org.lab_id or ''}"


def _org_from_key(key: str) -> services.AuthorOrg:
    p, d, lab = (int(x) if x else None for x in key.split(":"))
    return services.AuthorOrg(p, d, lab)


class InteractionForm(forms.Form):
    """Log (or edit) a note. Supplier, people and product choices are the lab's directory; the
    districts are those of the lab the user sees. One follow-up can be added right away."""

    org = forms.ChoiceField(label="On behalf of")
    occurred_on = forms.DateField(label="Date", widget=forms.DateInput(attrs={"type": "date"}))
    kind = forms.ChoiceField(choices=InteractionKind.choices)
    suppliers = forms.ModelMultipleChoiceField(queryset=Supplier.objects.none())
    districts = forms.ModelMultipleChoiceField(queryset=District.objects.none(), required=False,
                                               label="Districts concerned", widget=forms.CheckboxSelectMultiple)  # fmt: skip
    people = forms.ModelMultipleChoiceField(queryset=SupplierPerson.objects.none(), required=False,
                                            label="People present", widget=forms.CheckboxSelectMultiple)  # fmt: skip
    products = forms.ModelMultipleChoiceField(queryset=Product.objects.none(), required=False,
                                              label="Products discussed", widget=forms.CheckboxSelectMultiple)  # fmt: skip
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 5}), required=False)
    private = forms.BooleanField(required=False, label="Private to my organisation")
    follow_up_what = forms.CharField(required=False, max_length=300, label="Follow-up: what")
    follow_up_due = forms.DateField(
        required=False, label="Follow-up: due", widget=forms.DateInput(attrs={"type": "date"})
    )
    follow_up_owner = forms.ModelChoiceField(
        queryset=User.objects.none(), required=False, label="Follow-up: owner"
    )

    def __init__(self, *args: Any, user: Any, supplier_ids: list[int] | None = None, editing: bool = False,
                 **kwargs: Any) -> None:  # fmt: skip
        super().__init__(*args, **kwargs)
        self.user = user
        orgs = services.author_orgs(user)
        self.orgs = {_org_key(o): o for o, _ in orgs}
        self.fields["org"].choices = [(_org_key(o), label) for o, label in orgs]
        if len(orgs) == 1:
            self.fields["org"].initial = _org_key(orgs[0][0])
            self.fields["org"].widget = forms.HiddenInput()
        suppliers = Supplier.objects.for_user(user).filter(merged_into__isnull=True).order_by("name")
        self.fields["suppliers"].queryset = suppliers
        self.fields["districts"].queryset = District.objects.for_user(user).order_by("name")
        if self.is_bound and hasattr(self.data, "getlist"):
            chosen = [int(x) for x in self.data.getlist("suppliers") if str(x).isdigit()]
        else:
            chosen = list(supplier_ids or [])
        self.fields["people"].queryset = SupplierPerson.objects.for_user(user).filter(supplier_id__in=chosen)
        self.fields["products"].queryset = Product.objects.for_user(user).filter(supplier_id__in=chosen)
        members = set()
        for org, _ in orgs:
            members.update(services.org_members(org))
        self.fields["follow_up_owner"].queryset = User.objects.filter(pk__in=members).order_by(
            "first_name", "email"
        )
        self.fields["follow_up_owner"].initial = user.pk
        if editing:
            for name in ("org", "follow_up_what", "follow_up_due", "follow_up_owner"):
                del self.fields[name]
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", "Save"))

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if "follow_up_what" in self.fields and data.get("follow_up_what"):
            if not data.get("follow_up_due"):
                self.add_error("follow_up_due", "When is the follow-up due?")
            if not data.get("follow_up_owner"):
                self.add_error("follow_up_owner", "Who owns the follow-up?")
        return data

    def author_org(self) -> services.AuthorOrg:
        return self.orgs[self.cleaned_data["org"]]

    def follow_ups(self) -> list[services.FollowUpInput]:
        data = self.cleaned_data
        if not data.get("follow_up_what"):
            return []
        return [
            services.FollowUpInput(data["follow_up_what"], data["follow_up_due"], data["follow_up_owner"].pk)
        ]


class FollowUpForm(forms.Form):
    what = forms.CharField(max_length=300)
    due_on = forms.DateField(label="Due", widget=forms.DateInput(attrs={"type": "date"}))
    owner = forms.ModelChoiceField(queryset=User.objects.none())

    def __init__(self, *args: Any, interaction: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        org = services.AuthorOrg(
            interaction.author_partner_id, interaction.author_district_id, interaction.author_lab_id
        )
        self.fields["owner"].queryset = User.objects.filter(pk__in=services.org_members(org))
        self.fields["owner"].initial = user.pk
        self.fields["due_on"].initial = timezone.localdate
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", "Add follow-up"))
