"""Class-based view building blocks. Every object a view reaches comes through districts/access.py."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.shortcuts import redirect
from django.views.generic import CreateView, DetailView, UpdateView
from django_filters.views import FilterView

from districts import access


class ScopedMixin(LoginRequiredMixin):
    model: type[Model]

    def get_queryset(self) -> QuerySet:
        return self.model.objects.for_user(self.request.user)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["can_create"] = access.can_create(self.request.user, self.model)
        context["verbose_name"] = self.model._meta.verbose_name
        context["verbose_name_plural"] = self.model._meta.verbose_name_plural
        return context


class ScopedListView(ScopedMixin, FilterView):
    paginate_by = 25
    strict = False
    template_name_suffix = "_list"


class ScopedDetailView(ScopedMixin, DetailView):
    def get_object(self, queryset: QuerySet | None = None) -> Model:
        return access.get_for_user(queryset or self.get_queryset(), self.request.user, self.kwargs["pk"])

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["can_edit"] = bool(access.writable_fields(self.request.user, self.object, self.model))
        return context


class ScopedFormMixin(ScopedMixin):
    template_name = "generic/form.html"
    success_verb = "saved"

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        kwargs["user"] = self.request.user
        return kwargs

    def form_valid(self, form: Any) -> Any:
        response = super().form_valid(form)
        messages.success(
            self.request, f"{self.model._meta.verbose_name.capitalize()} “{self.object}” {self.success_verb}."
        )
        return response

    def form_invalid(self, form: Any) -> Any:
        messages.error(self.request, "Please correct the errors below; nothing was saved.")
        return super().form_invalid(form)


class ScopedCreateView(ScopedFormMixin, CreateView):
    success_verb = "created"

    def dispatch(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        if request.user.is_authenticated and not access.can_create(request.user, self.model):
            raise PermissionDenied("Your role cannot create this.")
        return super().dispatch(request, *args, **kwargs)


class ScopedUpdateView(ScopedFormMixin, UpdateView):
    """Opens for whoever may change at least one field of the object (an SDA reviewer changes a
    district's agency code without being able to change the district otherwise); the form then
    disables the rest."""

    def get_object(self, queryset: QuerySet | None = None) -> Model:
        obj = access.get_for_user(self.get_queryset(), self.request.user, self.kwargs["pk"])
        if not access.writable_fields(self.request.user, obj, self.model):
            raise PermissionDenied("You can view this but not change it.")
        return obj

    def post(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        """UpdateView's POST, except that a form saved unchanged saves nothing, so that it has no
        side effects either (recomputed entitlements, history rows, ``auto_now`` stamps)."""
        self.object = self.get_object()
        form = self.get_form()
        if not form.is_valid():
            return self.form_invalid(form)
        if not form.has_changed():
            messages.info(request, "Nothing changed.")
            return redirect(self.object.get_absolute_url())
        return self.form_valid(form)
