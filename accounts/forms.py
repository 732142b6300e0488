from __future__ import annotations

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.db import transaction
from django.template import loader


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
