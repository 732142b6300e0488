"""Lunch count pages: the state's claims data, listed, entered and imported."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import (
    HttpRequest,
    HttpResponse,
)
from django.shortcuts import redirect
from django.urls import reverse
from django.views import View

from districts import access
from districts.mixins import ScopedCreateView, ScopedListView, ScopedUpdateView
from focus_lab.errors import DomainError
from focus_lab.imports import views as import_views
from focus_lab.links import with_query
from usda_foods.entitlements import rules as entitlements
from usda_foods.entitlements.access import correction_districts, lunch_count_districts
from usda_foods.entitlements.filters import LunchCountFilter
from usda_foods.entitlements.forms import (
    LunchCountForm,
    add_domain_error,
    add_validation_error,
)
from usda_foods.entitlements.models import (
    LunchCount,
)
from usda_foods.entitlements.school_years import school_year_or_none
from usda_foods.entitlements.selectors import lunch_count_list
from usda_foods.entitlements.services.lunch_counts import lunch_count_save

# --- Lunch counts -------------------------------------------------------------------------------


class LunchCountList(ScopedListView):
    model = LunchCount
    filterset_class = LunchCountFilter
    template_name = "usda_foods/entitlements/lunchcount_list.html"

    def get_queryset(self) -> QuerySet[LunchCount]:
        return lunch_count_list(user=self.request.user)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        shown = {count.district_id for count in context["object_list"]}
        user = self.request.user
        context["editable"] = set(
            lunch_count_districts(user).filter(pk__in=shown).values_list("pk", flat=True)
        ) if shown else set()  # fmt: skip
        # A district's managers cannot change the state's counts; they propose corrections.
        context["proposable"] = set(correction_districts(user).values_list("pk", flat=True))
        return context


class LunchCountSaveMixin:
    """Save through ``lunch_count_save`` (which recomputes the entitlements that use the
    count) instead of ``form.save()``."""

    model = LunchCount
    form_class = LunchCountForm
    template_name = "usda_foods/entitlements/lunchcount_form.html"

    def form_valid(self, form: LunchCountForm) -> HttpResponse:
        data = form.cleaned_data
        try:
            self.object = lunch_count_save(
                district=data["district"], school_year=data["school_year"], free=data["free"],
                reduced=data["reduced"], paid=data["paid"], user=self.request.user,
            )  # fmt: skip
        except DomainError as exc:
            add_domain_error(form, exc)
            return self.form_invalid(form)
        except ValidationError as exc:
            add_validation_error(form, exc)
            return self.form_invalid(form)
        year = self.object.school_year
        messages.success(self.request, f"Lunch count “{self.object}” saved; the SY {year} and SY "
                                       f"{entitlements.next_school_year(year)} entitlements were recomputed.")  # fmt: skip
        return redirect(
            with_query(reverse("usda_foods:lunch-count-list"), district=str(self.object.district_id))
        )


class LunchCountCreate(LunchCountSaveMixin, ScopedCreateView):
    def get_initial(self) -> dict[str, Any]:
        initial = super().get_initial()
        if district_id := self.request.GET.get("district"):
            initial["district"] = district_id
        if year := school_year_or_none(self.request.GET.get("school_year")):
            initial["school_year"] = year
        return initial


class LunchCountUpdate(LunchCountSaveMixin, ScopedUpdateView):
    def get_queryset(self) -> QuerySet[LunchCount]:
        return super().get_queryset().select_related("district")


class LunchCountImport(LoginRequiredMixin, View):
    """Lunch counts are imported through the shared import pipeline (CSV or Excel, columns matched
    and checked, then all rows or none): this address, for the state's reviewers, leads to its
    upload page, and a file posted here is taken as uploaded there."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated and not access.can_create(request.user, LunchCount):
            raise PermissionDenied("Your role cannot import lunch counts.")
        return super().dispatch(request, *args, **kwargs)

    def get(self, request: HttpRequest) -> HttpResponse:
        return redirect("imports:upload", kind="lunch-counts")

    def post(self, request: HttpRequest) -> HttpResponse:
        return import_views.import_upload(request, kind="lunch-counts")
