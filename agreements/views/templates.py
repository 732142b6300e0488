"""Letter templates: list, detail (its versions), create, and edit (which saves a new version)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.forms.models import model_to_dict
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from agreements import access as letter_access
from agreements import selectors, services
from agreements.forms import NewTemplateForm, TemplateForm
from agreements.models import LetterTemplate
from districts import access
from districts.models import Collaborative
from focus_lab.errors import DomainError


@login_required
def template_list(request: HttpRequest) -> HttpResponse:
    if not letter_access.administers(request.user):
        raise PermissionDenied("Letter templates are the learning lab admins' to write.")
    templates = list(selectors.template_list(user=request.user))
    labs_without = Collaborative.objects.for_user(request.user, write=True).exclude(
        letter_templates__isnull=False
    )
    return render(
        request, "agreements/template_list.html", {"templates": templates, "labs_without": labs_without}
    )


@login_required
def template_detail(request: HttpRequest, pk: int) -> HttpResponse:
    template = access.get_for_user(LetterTemplate.objects.select_related("collaborative"), request.user, pk)
    versions = template.versions.select_related("created_by").order_by("-number")
    return render(request, "agreements/template_detail.html", {"template": template, "versions": versions})


@login_required
def template_create(request: HttpRequest) -> HttpResponse:
    if not letter_access.administers(request.user):
        raise PermissionDenied("Letter templates are the learning lab admins' to write.")
    lab_id = request.GET.get("collaborative")
    initial = {}
    lab = (
        Collaborative.objects.for_user(request.user, write=True).filter(pk=lab_id).first() if lab_id else None
    )
    if lab is not None:
        initial = {"collaborative": lab, **services.templates.default_content(lab)}
    form = NewTemplateForm(request.POST or None, initial=initial, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            template = services.template_create(collaborative=form.cleaned_data["collaborative"],
                                                name=form.cleaned_data["name"], content=form.content(),
                                                user=request.user)  # fmt: skip
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, f"Template “{template}” created (version 1).")
            return redirect(template)
    return render(request, "agreements/template_form.html", {"form": form, "template": None})


@login_required
def template_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Editing a template saves a new version; issued letters keep theirs. Saved unchanged, it
    saves nothing."""
    template = access.get_for_user(LetterTemplate.objects.all(), request.user, pk, write=True)
    current = template.current
    initial = model_to_dict(current) if current else {}
    form = TemplateForm(request.POST or None, instance=None, initial=initial, template=template)
    if request.method == "POST" and form.is_valid():
        try:
            version = services.template_revise(template=template, content=form.content(), user=request.user)
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            if version is None:
                messages.info(request, "Nothing changed.")
            else:
                messages.success(
                    request, f"Saved as version {version.number}; letters already issued keep theirs."
                )
            return redirect(template)
    return render(request, "agreements/template_form.html", {"form": form, "template": template})


@login_required
def template_default(request: HttpRequest) -> HttpResponse:
    """Start a lab's first template from the default text (POST)."""
    if request.method != "POST":
        return redirect("agreements:template-list")
    lab = access.get_for_user(
        Collaborative.objects.all(), request.user, request.POST.get("collaborative"), write=True
    )
    template = services.template_default(collaborative=lab, user=request.user)
    messages.success(request, f"“{template}” is ready from the default text: edit it to make it your own.")
    return redirect(template)
