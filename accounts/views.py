from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import BooleanField, ExpressionWrapper, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.views import View
from django.views.decorators.http import require_POST
from django.views.generic import FormView, TemplateView
from rest_framework.authtoken.models import Token

from accounts import access, services
from accounts.forms import (
    AcceptConfirmForm,
    AcceptExistingAccountForm,
    AcceptNewAccountForm,
    InvitationForm,
    MembershipRoleForm,
)
from accounts.models import DISTRICT_ROLES, Invitation, User
from districts import access as access_registry
from focus_lab.errors import DomainError


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    memberships = request.user.memberships.select_related(
        "district", "partner", "state_agency", "collaborative"
    )
    token = Token.objects.filter(user=request.user).first()
    return render(request, "accounts/profile.html", {"memberships": memberships, "token": token})


@login_required
@require_POST
def token_regenerate(request: HttpRequest) -> HttpResponse:
    Token.objects.filter(user=request.user).delete()
    Token.objects.create(user=request.user)
    messages.success(request, "A new API token was created; the old one no longer works.")
    return redirect("profile")


# --- People: invitations and memberships ----------------------------------------------------------

PEOPLE_PAGE_SIZE = 50
ORGANISATIONS = ("district", "partner", "state_agency", "collaborative")


def _base_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/")


class PeopleMixin(LoginRequiredMixin):
    """The People pages are for those who administer organisations (accounts/access.py)."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated and not access.manages_people(request.user):
            raise PermissionDenied(
                "Only a learning lab's admins, a state agency's reviewers and superusers manage people."
            )
        return super().dispatch(request, *args, **kwargs)


class PeopleList(PeopleMixin, TemplateView):
    """The memberships of the organisations the user administers, and the invitations still
    waiting. Two queries for the rows and one count, whatever their number."""

    template_name = "accounts/people.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        query = self.request.GET.get("q", "").strip()
        memberships = (
            access.people_memberships(user)
            .select_related("user", *ORGANISATIONS)
            .annotate(manageable=ExpressionWrapper(access.manageable_q(user), output_field=BooleanField()))
            .order_by("user__email", "role", "pk")
        )
        if query:
            memberships = memberships.filter(
                Q(user__email__icontains=query) | Q(user__first_name__icontains=query)
                | Q(user__last_name__icontains=query)
            )  # fmt: skip
        page = Paginator(memberships, PEOPLE_PAGE_SIZE).get_page(self.request.GET.get("page"))
        invitations = (
            Invitation.objects.for_user(user)
            .filter(accepted_at__isnull=True, revoked_at__isnull=True)
            .select_related("invited_by", *ORGANISATIONS)
            .order_by("-sent_at", "-pk")
        )
        context.update(
            page_obj=page, paginator=page.paginator, is_paginated=page.has_other_pages(), query=query,
            memberships=page.object_list, invitations=invitations, role_changes=DISTRICT_ROLES,
        )  # fmt: skip
        return context


class InvitationCreate(PeopleMixin, FormView):
    form_class = InvitationForm
    template_name = "accounts/invitation_form.html"

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "user": self.request.user}

    def form_valid(self, form: InvitationForm) -> HttpResponse:
        try:
            invitation = services.invitation_create(
                by=self.request.user, email=form.cleaned_data["email"], role=form.cleaned_data["role"],
                target=form.cleaned_data["target"], base_url=_base_url(self.request),
            )  # fmt: skip
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
            return self.form_invalid(form)
        messages.success(self.request, f"Invitation sent to {invitation.email}. The link works once, until "
                                       f"{date_format(timezone.localtime(invitation.expires_at))}.")  # fmt: skip
        return redirect("people")


class InvitationAction(PeopleMixin, View):
    """POST only: resend or revoke an invitation the user may manage (outsiders get 404)."""

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        invitation = access_registry.get_for_user(Invitation.objects.all(), request.user, pk, write=True)
        try:
            self.act(invitation)
        except DomainError as error:
            messages.error(request, error.message)
        return redirect("people")

    def act(self, invitation: Invitation) -> None:
        raise NotImplementedError


class InvitationResend(InvitationAction):
    def act(self, invitation: Invitation) -> None:
        services.invitation_resend(
            by=self.request.user, invitation=invitation, base_url=_base_url(self.request)
        )
        messages.success(
            self.request, f"A new link was sent to {invitation.email}; the old one no longer works."
        )


class InvitationRevoke(InvitationAction):
    def act(self, invitation: Invitation) -> None:
        services.invitation_revoke(by=self.request.user, invitation=invitation)
        messages.success(
            self.request, f"The invitation to {invitation.email} was revoked: its link no longer works."
        )


class MembershipMixin(PeopleMixin):
    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated and access.manages_people(request.user):
            self.membership = access.get_membership_for_user(request.user, kwargs["pk"], write=True)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "membership": self.membership}


class MembershipUpdate(MembershipMixin, FormView):
    """Change a membership's role within its organisation (a district's manager or viewer)."""

    template_name = "accounts/membership_form.html"
    form_class = MembershipRoleForm

    def get_form_kwargs(self) -> dict[str, Any]:
        choices = services.role_choices_for(self.request.user, self.membership)
        return {**super().get_form_kwargs(), "choices": choices, "initial": {"role": self.membership.role}}

    def form_valid(self, form: MembershipRoleForm) -> HttpResponse:
        before = self.membership.get_role_display()
        try:
            membership = services.membership_change_role(
                by=self.request.user, membership=self.membership, role=form.cleaned_data["role"]
            )
        except DomainError as error:
            form.add_error("role", error.message)
            return self.form_invalid(form)
        if membership.get_role_display() != before:
            messages.success(self.request, f"{membership.user} is now {membership.get_role_display()} of "
                                           f"{membership.target}.")  # fmt: skip
        return redirect("people")


class MembershipEnd(MembershipMixin, TemplateView):
    """GET asks for confirmation; POST ends the membership (the history keeps it)."""

    template_name = "accounts/membership_end.html"

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        membership = self.membership
        try:
            services.membership_end(by=request.user, membership=membership)
        except DomainError as error:
            messages.error(request, error.message)
            return redirect("people-membership-end", membership.pk)
        where = membership.target or "FOCUS Lab"
        messages.success(
            request, f"{membership.user} is no longer {membership.get_role_display()} of {where}."
        )
        if membership.user_id == request.user.pk and not access.manages_people(_fresh(request.user)):
            return redirect("dashboard")
        return redirect("people")


def _fresh(user: Any) -> Any:
    """The user without the roles memoised for this request (they just changed)."""
    for cached in ("_focus_roles", "_focus_membership_rows"):
        user.__dict__.pop(cached, None)
    return user


class InvitationAccept(View):
    """The page the email links to, open to anyone holding the link. A new person sets their
    password; someone with an account confirms with theirs (or with one click when logged in as
    the invited address). Used, revoked, expired and made-up links get a page that says what to do.
    The token is in the path: once used it is dead, so its appearing in the history's request
    context gives nothing away."""

    template_name = "accounts/invitation_accept.html"

    def setup(self, request: HttpRequest, *args: Any, **kwargs: Any) -> None:
        super().setup(request, *args, **kwargs)
        self.token = kwargs["token"]

    def _mode(self, invitation: Invitation) -> str:
        user = self.request.user
        if user.is_authenticated and user.email.lower() == invitation.email.lower():
            return "confirm"
        if User.objects.filter(email__iexact=invitation.email).exists():
            return "existing"
        return "new"

    def _form(self, mode: str, invitation: Invitation, data: Any = None) -> Any:
        if mode == "confirm":
            return AcceptConfirmForm(data)
        if mode == "existing":
            return AcceptExistingAccountForm(data, email=invitation.email, request=self.request)
        return AcceptNewAccountForm(data, email=invitation.email)

    def _refused(self, message: str, status: int) -> HttpResponse:
        return render(self.request, self.template_name, {"refusal": message}, status=status)

    def _invitation(self) -> Invitation:
        invitation = services.invitation_for_token(self.token)
        services.invitation_check(invitation)
        return invitation

    def _page(self, invitation: Invitation, mode: str, form: Any) -> HttpResponse:
        context = {"invitation": invitation, "mode": mode, "form": form, "where": invitation.target}
        return render(self.request, self.template_name, context)

    def get(self, request: HttpRequest, token: str) -> HttpResponse:
        try:
            invitation = self._invitation()
        except DomainError as error:
            return self._refused(error.message, 404 if error.message == services.UNKNOWN_LINK else 410)
        mode = self._mode(invitation)
        return self._page(invitation, mode, self._form(mode, invitation))

    def post(self, request: HttpRequest, token: str) -> HttpResponse:
        try:
            invitation = self._invitation()
        except DomainError as error:
            return self._refused(error.message, 404 if error.message == services.UNKNOWN_LINK else 410)
        mode = self._mode(invitation)
        form = self._form(mode, invitation, request.POST)
        if not form.is_valid():
            return self._page(invitation, mode, form)
        try:
            if mode == "new":
                membership = services.invitation_accept(
                    token=token, password=form.cleaned_data["password1"],
                    first_name=form.cleaned_data["first_name"], last_name=form.cleaned_data["last_name"],
                )  # fmt: skip
                login(request, membership.user, backend="django.contrib.auth.backends.ModelBackend")
            else:
                user = request.user if mode == "confirm" else form.user
                membership = services.invitation_accept(token=token, user=user)
                if mode == "existing":
                    login(request, user)
        except DomainError as error:
            form.add_error(None, error.message)
            return self._page(invitation, mode, form)
        where = membership.target or "FOCUS Lab"
        messages.success(request, f"Welcome: you are now {membership.get_role_display()} of {where}.")
        return redirect("dashboard")
