"""National reference data pages: per-meal values, reimbursement rates, Section 4 payments."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import (
    HttpRequest,
    HttpResponse,
    QueryDict,
)
from django.shortcuts import redirect
from django.urls import reverse_lazy
from django.views.generic import FormView, TemplateView

from districts import access
from districts.mixins import ScopedCreateView
from focus_lab.errors import DomainError
from usda_foods.entitlements import rules as entitlements
from usda_foods.entitlements.forms import (
    PerMealValueForm,
    ReimbursementRateForm,
    Section4PaymentForm,
    add_domain_error,
    add_validation_error,
)
from usda_foods.entitlements.models import (
    PerMealValue,
    ReimbursementRate,
    Section4Payment,
)
from usda_foods.entitlements.services.reference import per_meal_value_create, reference_value_save

# --- Reference data ------------------------------------------------------------------------------


@dataclass(frozen=True)
class PerMealValueRow:
    value: PerMealValue
    current: bool
    superseded_by: PerMealValue | None


class PerMealValueList(LoginRequiredMixin, TemplateView):
    """Every published per-meal value, marking the one in force for each year and the
    publications a later correction superseded."""

    template_name = "usda_foods/entitlements/permealvalue_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        values = list(PerMealValue.objects.for_user(self.request.user).select_related("created_by"))
        by_year: dict[str, list[PerMealValue]] = {}
        for value in values:
            by_year.setdefault(value.school_year, []).append(value)
        rows = []
        for year, publications in by_year.items():
            records = [entitlements.PerMealValueRecord(school_year=v.school_year, cents=v.cents,
                                                       published_on=v.published_on, citation=v.citation)
                       for v in publications]  # fmt: skip
            chosen = entitlements.pick_per_meal_value(records, school_year=year)
            current = next(v for v, r in zip(publications, records, strict=True) if r == chosen)
            rows += [
                PerMealValueRow(v, v is current, None if v is current else current) for v in publications
            ]
        context.update(rows=rows, can_create=access.can_create(self.request.user, PerMealValue))
        return context


class ReferenceCreateMixin:
    """Reference data is national: reference-data editors and superusers add it."""

    reference_model: type

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated and not access.can_create(request.user, self.reference_model):
            raise PermissionDenied("Only national reference-data editors add reference data.")
        return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]


class PerMealValueCreate(ReferenceCreateMixin, LoginRequiredMixin, FormView):
    reference_model = PerMealValue
    form_class = PerMealValueForm
    template_name = "usda_foods/form.html"
    extra_context = {"title": "New per-meal value", "back_url": reverse_lazy("usda_foods:per-meal-value-list"),
                     "back_label": "Per-meal values"}  # fmt: skip

    def form_valid(self, form: PerMealValueForm) -> HttpResponse:
        try:
            value = per_meal_value_create(user=self.request.user, **form.cleaned_data)
        except DomainError as exc:
            add_domain_error(form, exc)
            return self.form_invalid(form)
        except ValidationError as exc:
            add_validation_error(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, f"Per-meal value {value} recorded; the SY {value.school_year} "
                                       "entitlements are being recomputed.")  # fmt: skip
        return redirect("usda_foods:per-meal-value-list")

    def form_invalid(self, form: PerMealValueForm) -> HttpResponse:
        messages.error(self.request, "Please correct the errors below; nothing was saved.")
        return super().form_invalid(form)


class ReimbursementRateList(LoginRequiredMixin, TemplateView):
    template_name = "usda_foods/entitlements/reimbursementrate_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        years: dict[str, dict[str, Any]] = {}
        for rate in ReimbursementRate.objects.for_user(self.request.user):
            row = years.setdefault(
                rate.school_year, {"school_year": rate.school_year, "citations": [], "demo": False}
            )
            row[rate.category] = rate.dollars
            row["demo"] = row["demo"] or rate.is_demo_value
            if rate.citation not in row["citations"]:
                row["citations"].append(rate.citation)
        context.update(
            rows=list(years.values()), can_create=access.can_create(self.request.user, ReimbursementRate)
        )
        return context


class ReferenceValueCreate(ScopedCreateView):
    """Rates and Section 4 payments go through the service, which recomputes the year. A value for
    a year (and category) that has only a demo value on file replaces that demo value: it is what
    the demo value stood in for (a published one is never overwritten: that stays a duplicate)."""

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        if self.request.method == "POST":
            kwargs["instance"] = self._demo_value(self.request.POST) or kwargs.get("instance")
        return kwargs

    def _demo_value(self, data: QueryDict) -> ReimbursementRate | Section4Payment | None:
        lookup = {"school_year": data.get("school_year", "")}
        if self.model is ReimbursementRate:
            lookup["category"] = data.get("category", "")
        existing = self.model.objects.for_user(self.request.user).filter(**lookup).first()
        return existing if existing is not None and existing.is_demo_value else None

    def form_valid(self, form: Any) -> HttpResponse:
        self.object = reference_value_save(value=form.instance, user=self.request.user)
        messages.success(
            self.request,
            f"{self.object} saved; SY{self.object.school_year} entitlements are being recomputed.",
        )
        return redirect(self.get_success_url())


class ReimbursementRateCreate(ReferenceValueCreate):
    model = ReimbursementRate
    form_class = ReimbursementRateForm
    success_url = reverse_lazy("usda_foods:reimbursement-rate-list")


class Section4PaymentList(LoginRequiredMixin, TemplateView):
    template_name = "usda_foods/entitlements/section4payment_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(rows=Section4Payment.objects.for_user(self.request.user),
                       can_create=access.can_create(self.request.user, Section4Payment))  # fmt: skip
        return context


class Section4PaymentCreate(ReferenceValueCreate):
    model = Section4Payment
    form_class = Section4PaymentForm
    success_url = reverse_lazy("usda_foods:section4-payment-list")
