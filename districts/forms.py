"""Forms. Every foreign-key choice list is limited to what the user may change (the classic leak),
and every field the user's role does not own is disabled (districts/access.py ``writable_fields``)."""

from __future__ import annotations

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms

from accounts.models import User
from districts import access, services
from districts.models import Collaborative, Coop, District, Site


class ScopedModelForm(forms.ModelForm):
    """A ModelForm that knows its user, limits FK choices with ``for_user(write=True)``, disables
    the fields the user may not change and renders itself with crispy-forms.

    A disabled field renders read-only and Django cleans its initial (stored) value whatever is
    posted, so saving the form unchanged, or tampering with the HTML, changes nothing the user does
    not own. Its choices shrink to the stored value: it must stay valid even when the user could
    not pick it (a manager's district sits in a lab the manager does not administer)."""

    scoped_fields: dict[str, type] = {}
    submit_label = "Save"

    def __init__(self, *args: object, user: User, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        for name, model in self.scoped_fields.items():
            if name in self.fields:
                self.fields[name].queryset = model.objects.for_user(user, write=True)
        existing = self.instance if self.instance.pk else None
        self.writable = access.writable_fields(user, existing, self._meta.model)
        for name, field in self.fields.items():
            if name not in self.writable:
                self._make_read_only(name, field)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", self.submit_label))

    def _make_read_only(self, name: str, field: forms.Field) -> None:
        field.disabled = True
        if isinstance(field, forms.ModelChoiceField):
            initial = self.get_initial_for_field(field, name)
            if isinstance(field, forms.ModelMultipleChoiceField):
                pks = [getattr(value, "pk", value) for value in initial or []]
            else:
                pks = [getattr(initial, "pk", initial)] if initial not in (None, "") else []
            field.queryset = field.queryset.model._default_manager.filter(pk__in=pks)

    def require_unless_superuser(self, name: str) -> None:
        """A writable choice that only superusers may leave blank (a lab admin must not orphan
        a district or partner out of every lab, including their own)."""
        if name in self.fields and not self.fields[name].disabled and not self.user.is_superuser:
            self.fields[name].required = True


class DistrictForm(ScopedModelForm):
    scoped_fields = {"collaborative": Collaborative}

    def __init__(self, *args: object, user: User, **kwargs: object) -> None:
        super().__init__(*args, user=user, **kwargs)
        self.require_unless_superuser("collaborative")

    class Meta:
        model = District
        fields = ["name", "state_agency", "agency_code", "enrollment", "is_commodity_school", "collaborative",
                  "contact_name", "contact_email", "contact_phone"]  # fmt: skip


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
        members = self.fields["members"]
        members.widget = forms.CheckboxSelectMultiple()
        if not members.disabled:
            members.queryset = District.objects.for_user(user).order_by("name")

    def clean_members(self) -> list[District]:
        # The checkboxes list only the districts the user sees; the others stay members.
        return services.coop_members_merge(
            coop=self.instance if self.instance.pk else None,
            chosen=self.cleaned_data["members"],
            user=self.user,
        )

    class Meta:
        model = Coop
        fields = ["name", "lead_district", "receiving_site", "members"]
