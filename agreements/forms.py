"""Forms of the letters pages. Choice lists are scoped to the user (districts/access.py)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone

from agreements.models import Formality, LetterTemplate, TemplateVersion
from agreements.rules import CONSENT_TEXT, school_year_label
from agreements.services.templates import LIST_FIELDS
from districts.models import Collaborative, District
from partners.models import PartnerOrganisation

MAX_PDF_BYTES = 20 * 1024 * 1024


def current_school_year() -> int:
    today = timezone.localdate()
    return today.year if today.month >= 7 else today.year - 1


def year_choices() -> list[tuple[int, str]]:
    start = current_school_year()
    return [(year, school_year_label(year)) for year in range(start - 2, start + 3)]


class ListField(forms.CharField):
    """An ordered list edited as text, one item a line."""

    widget = forms.Textarea(attrs={"rows": 6})

    def prepare_value(self, value: Any) -> Any:
        return "\n".join(value) if isinstance(value, list) else value

    def to_python(self, value: Any) -> list[str]:
        if isinstance(value, list):
            return value
        return [line.strip() for line in (value or "").splitlines() if line.strip()]

    def has_changed(self, initial: Any, data: Any) -> bool:
        return self.to_python(initial) != self.to_python(data)


class TemplateForm(forms.ModelForm):
    name = forms.CharField(max_length=200)
    gives_both = ListField(
        label="“Give” — districts and partners", required=False, help_text="One commitment a line, in order."
    )
    gives_districts = ListField(label="“Give” — districts only", required=False)
    gives_partners = ListField(label="“Give” — partners only", required=False)
    gets = ListField(label="“Get” — what the lab offers", help_text="One benefit a line, in order.")

    class Meta:
        model = TemplateVersion
        fields = ["title", "introduction", "gives_both", "gives_districts", "gives_partners", "gets", "closing",
                  "formality", "term", "start_date", "end_date", "remind_every_days", "expire_after_days"]  # fmt: skip
        widgets = {"start_date": forms.DateInput(attrs={"type": "date"}),
                   "end_date": forms.DateInput(attrs={"type": "date"}),
                   "introduction": forms.Textarea(attrs={"rows": 4}), "closing": forms.Textarea(attrs={"rows": 3})}  # fmt: skip

    def __init__(self, *args: Any, template: LetterTemplate | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["name"].initial = template.name if template else "Give-get letter"
        if template is not None:
            self.fields["name"].disabled = True
        self.order_fields(["name"])

    def content(self) -> dict[str, Any]:
        data = {key: value for key, value in self.cleaned_data.items() if key != "name"}
        for key in LIST_FIELDS:
            data[key] = list(data.get(key) or [])
        if data.get("formality") != Formality.FORMAL:
            data["formality"] = Formality.LETTER
        return data


class NewTemplateForm(TemplateForm):
    collaborative = forms.ModelChoiceField(queryset=Collaborative.objects.none(), label="Learning lab")

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["collaborative"].queryset = Collaborative.objects.for_user(user, write=True)
        self.order_fields(["collaborative", "name"])


class IssueForm(forms.Form):
    version = forms.ModelChoiceField(queryset=TemplateVersion.objects.none(), label="Template version")
    school_year = forms.TypedChoiceField(coerce=int, choices=year_choices)
    everyone = forms.BooleanField(required=False, label="Issue to every district and partner of the lab",
                                  help_text="Runs in the background with a progress bar.")  # fmt: skip
    districts = forms.ModelMultipleChoiceField(queryset=District.objects.none(), required=False,
                                               widget=forms.CheckboxSelectMultiple)  # fmt: skip
    partners = forms.ModelMultipleChoiceField(queryset=PartnerOrganisation.objects.none(), required=False,
                                              widget=forms.CheckboxSelectMultiple)  # fmt: skip
    send = forms.BooleanField(
        required=False, initial=True, label="Send at once (emails each party's signatories)"
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        labs = Collaborative.objects.for_user(user, write=True)
        versions = TemplateVersion.objects.for_user(user).filter(template__collaborative__in=labs)
        self.fields["version"].queryset = versions.select_related("template").order_by(
            "template__name", "-number"
        )
        self.fields["version"].label_from_instance = lambda v: f"{v.template.name}, version {v.number}"
        self.fields["school_year"].initial = current_school_year()
        self.fields["districts"].queryset = District.objects.for_user(user, write=True).filter(
            collaborative__in=labs
        )
        self.fields["partners"].queryset = PartnerOrganisation.objects.for_user(user, write=True).filter(
            collaborative__in=labs, removed_on__isnull=True)  # fmt: skip

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not data.get("everyone") and not data.get("districts") and not data.get("partners"):
            raise forms.ValidationError("Choose at least one district or partner, or issue to everyone.")
        version = data.get("version")
        if version:
            lab = version.template.collaborative_id
            stray = [
                p
                for p in [*data.get("districts", []), *data.get("partners", [])]
                if p.collaborative_id != lab
            ]
            if stray:
                raise forms.ValidationError(f"{stray[0]} is not part of the template's lab.")
        return data


class SignForm(forms.Form):
    consent = forms.BooleanField(
        label=CONSENT_TEXT, error_messages={"required": "Tick the consent statement to sign."}
    )
    typed_name = forms.CharField(
        label="Your full name", max_length=200, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    title = forms.CharField(
        label="Your title",
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "organization-title"}),
    )
    letter_sha256 = forms.CharField(widget=forms.HiddenInput, max_length=64)
    tz = forms.CharField(
        widget=forms.HiddenInput(attrs={"data-timezone": "1"}), required=False, max_length=64
    )


class DeclineForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), max_length=2000, label="Why do you decline?"
    )


class WithdrawForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), max_length=2000, required=False,
                             label="Reason (optional)")  # fmt: skip


def _only_lab(field: forms.ModelChoiceField) -> None:
    """Preselect the lab when the user administers just one."""
    labs = list(field.queryset[:2])
    if len(labs) == 1:
        field.initial = labs[0].pk


class RenewForm(forms.Form):
    collaborative = forms.ModelChoiceField(queryset=Collaborative.objects.none(), label="Learning lab")
    from_year = forms.TypedChoiceField(
        coerce=int, choices=year_choices, label="Renew the letters completed in"
    )
    to_year = forms.TypedChoiceField(coerce=int, choices=year_choices, label="for")
    send = forms.BooleanField(required=False, initial=True, label="Send at once")

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["collaborative"].queryset = Collaborative.objects.for_user(user, write=True)
        _only_lab(self.fields["collaborative"])
        self.fields["from_year"].initial = current_school_year() - 1
        self.fields["to_year"].initial = current_school_year()


class ZipForm(forms.Form):
    collaborative = forms.ModelChoiceField(queryset=Collaborative.objects.none(), label="Learning lab")
    school_year = forms.TypedChoiceField(coerce=int, choices=year_choices)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["collaborative"].queryset = Collaborative.objects.for_user(user, write=True)
        _only_lab(self.fields["collaborative"])
        self.fields["school_year"].initial = current_school_year()


class VerifyForm(forms.Form):
    pdf = forms.FileField(label="The signed PDF", help_text="Up to 20 MB.")

    def clean_pdf(self) -> Any:
        upload = self.cleaned_data["pdf"]
        if upload.size > MAX_PDF_BYTES:
            raise forms.ValidationError("That file is larger than 20 MB: no letter PDF is that large.")
        return upload
