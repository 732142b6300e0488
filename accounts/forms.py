from __future__ import annotations

from typing import TYPE_CHECKING

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.contrib.auth import authenticate, password_validation
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template import loader

from accounts import access
from accounts.models import ROLE_TARGET, Role, User

if TYPE_CHECKING:
    from django.db.models import Model
    from django.http import HttpRequest


class EmailAuthenticationForm(AuthenticationForm):
    username = forms.EmailField(label="Email", widget=forms.EmailInput(attrs={"autofocus": True}))

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", "Log in", css_class="w-100"))


class QueuedPasswordResetForm(PasswordResetForm):
    """Password-reset email goes through Celery: the request renders it and returns at once; the
    worker sends it, retrying while the mail server is away."""

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict,
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        from focus_lab.tasks import send_email

        subject = "".join(loader.render_to_string(subject_template_name, context).splitlines())
        body = loader.render_to_string(email_template_name, context)
        html = (
            loader.render_to_string(html_email_template_name, context) if html_email_template_name else None
        )
        message_id = f"password-reset:{context['uid']}:{context['token']}"
        transaction.on_commit(lambda: send_email.delay(message_id, subject, body, [to_email], html))


# --- Bringing people in -----------------------------------------------------------------------

NATIONAL = "national"
ORGANISATION_KINDS = [
    ("district", "Districts (SFAs)"),
    ("partner", "Partner organisations"),
    ("state_agency", "State agencies"),
    ("collaborative", "Learning labs"),
]


class InvitationForm(forms.Form):
    """Who to invite, to which role, where. The choices are only the roles and organisations the
    user may grant (accounts/access.py); the service checks the pair again."""

    email = forms.EmailField(label="Email address", help_text="The invitation link is sent here.")
    role = forms.ChoiceField(label="Role")
    organisation = forms.ChoiceField(
        label="Organisation",
        help_text="District roles need a district, partner staff a partner organisation, reviewers a "
        "state agency.",
    )

    def __init__(self, *args: object, user: User, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        roles = access.invitable_roles(user)
        self.fields["role"].choices = [(role.value, role.label) for role in roles]
        kinds = {ROLE_TARGET[role] for role in roles}
        self.targets: dict[str, dict[str, Model]] = {}
        groups: list[tuple[str, object]] = [("", "Choose an organisation")]
        for kind, label in ORGANISATION_KINDS:
            if kind in kinds:
                found = {str(o.pk): o for o in access.invitable_targets(user, kind).order_by("pk")}
                self.targets[kind] = found
                options = sorted(((f"{kind}:{pk}", str(o)) for pk, o in found.items()), key=lambda c: c[1])
                groups.append((label, options))
        if None in kinds:  # a national role: superusers only
            groups.append(("National", [(NATIONAL, "No organisation (a national role)")]))
        self.fields["organisation"].choices = groups
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", "Send the invitation"))

    def clean(self) -> dict[str, object]:
        data = super().clean()
        role, chosen = data.get("role"), data.get("organisation")
        if not role or not chosen:
            return data
        wanted = ROLE_TARGET[Role(role)]
        kind, _, pk = str(chosen).partition(":")
        if wanted is None:
            if chosen != NATIONAL:
                self.add_error("organisation", f"A {Role(role).label} belongs to no organisation: choose "
                                               "“No organisation”.")  # fmt: skip
            data["target"] = None
        elif kind != wanted:
            noun = dict(ORGANISATION_KINDS)[wanted].lower()
            self.add_error("organisation", f"A {Role(role).label} belongs to one of the {noun}: choose one.")
        else:
            data["target"] = self.targets[kind][pk]
        return data


class MembershipRoleForm(forms.Form):
    role = forms.ChoiceField(label="Role", widget=forms.RadioSelect)

    def __init__(self, *args: object, choices: list[Role], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [(role.value, role.label) for role in choices]
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", "Save the role"))


class AcceptNewAccountForm(forms.Form):
    """A new person accepting: their name and the password they will log in with."""

    first_name = forms.CharField(label="First name", max_length=150, required=False)
    last_name = forms.CharField(label="Last name", max_length=150, required=False)
    password1 = forms.CharField(
        label="Choose a password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label="The same password again",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args: object, email: str, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.email = email
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", "Create my account and accept"))

    def clean(self) -> dict[str, object]:
        data = super().clean()
        first, second = data.get("password1"), data.get("password2")
        if first and second and first != second:
            self.add_error("password2", "The two passwords differ.")
        elif first:
            candidate = User(email=self.email, first_name=data.get("first_name", ""),
                             last_name=data.get("last_name", ""))  # fmt: skip
            try:
                password_validation.validate_password(first, candidate)
            except ValidationError as error:
                self.add_error("password1", error)
        return data


class AcceptExistingAccountForm(forms.Form):
    """Someone who has an account accepting without being logged in: their password proves it."""

    password = forms.CharField(
        label="Your password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args: object, email: str, request: HttpRequest, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.email, self.request, self.user = email, request, None
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", "Log in and accept"))

    def clean(self) -> dict[str, object]:
        data = super().clean()
        if data.get("password"):
            # Through authenticate, so failed attempts count towards the log-in lock-out.
            self.user = authenticate(self.request, username=self.email, password=data["password"])
            if self.user is None:
                raise ValidationError(f"That is not the password of {self.email}.")
        return data


class AcceptConfirmForm(forms.Form):
    """The invited person is logged in already: one button."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", "Accept the invitation"))
