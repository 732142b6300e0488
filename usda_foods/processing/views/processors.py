"""Processor pages: the list, the agreement and its end-product schedule (reviewers of the
processor's state keep them; the state's districts read them)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views import View

from districts import access
from districts.mixins import ScopedCreateView, ScopedDetailView, ScopedListView, ScopedUpdateView
from districts.models import District
from focus_lab.errors import DomainError
from usda_foods.processing.access import reviews_processor_state
from usda_foods.processing.forms import EndProductForm, ProcessorForm, RateForm
from usda_foods.processing.models import EndProduct, EndProductFood, Processor
from usda_foods.processing.services.processors import end_product_food_set
from usda_foods.processing.services.schedule_import import end_products_import


class ProcessorList(ScopedListView):
    model = Processor
    filterset_fields = ["state_agency"]
    template_name = "usda_foods/processing/processor_list.html"

    def get_queryset(self) -> QuerySet[Processor]:
        return (
            super().get_queryset().select_related("state_agency")
            .prefetch_related("accepted_foods").order_by("state_agency__state", "name")
        )  # fmt: skip


class ProcessorCreate(ScopedCreateView):
    model = Processor
    form_class = ProcessorForm


class ProcessorUpdate(ScopedUpdateView):
    model = Processor
    form_class = ProcessorForm


class ProcessorDetail(ScopedDetailView):
    """The agreement, the end-product schedule with its drawdown rates, and the user's districts
    with inventory at the processor (each links to its district processor page)."""

    model = Processor
    template_name = "usda_foods/processing/processor_detail.html"

    def get_queryset(self) -> QuerySet[Processor]:
        foods = EndProductFood.objects.select_related("food")
        products = EndProduct.objects.prefetch_related(Prefetch("foods", queryset=foods))
        return (
            super().get_queryset().select_related("state_agency")
            .prefetch_related("accepted_foods", Prefetch("end_products", queryset=products))
        )  # fmt: skip

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        processor, user = self.object, self.request.user
        reviewer = reviews_processor_state(user, processor)
        context.update(
            reviewer=reviewer,
            rate_form=RateForm(processor=processor) if reviewer else None,
            districts=District.objects.filter(access.district_q(user, write=False),
                                              state_agency_id=processor.state_agency_id).order_by("name")[:50],
            can_add_product=reviewer,
        )  # fmt: skip
        return context


class EndProductCreate(ScopedCreateView):
    model = EndProduct
    form_class = EndProductForm

    def get_initial(self) -> dict[str, Any]:
        return {**super().get_initial(), "processor": self.kwargs["pk"]}

    def get_success_url(self) -> str:
        return self.object.processor.get_absolute_url()


class EndProductUpdate(ScopedUpdateView):
    model = EndProduct
    form_class = EndProductForm


class EndProductRateSet(LoginRequiredMixin, View):
    """POST: set the pounds of a USDA Food per case of an end product (reviewers)."""

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        product = access.get_for_user(EndProduct.objects.select_related("processor"), request.user, pk)
        if not reviews_processor_state(request.user, product.processor):
            raise PermissionDenied("Only the state agency's reviewers change the schedule.")
        form = RateForm(request.POST, processor=product.processor)
        if not form.is_valid():
            messages.error(request, "Choose an accepted food and the pounds per case; nothing was saved.")
            return redirect(product.processor)
        try:
            end_product_food_set(end_product=product, user=request.user, **form.cleaned_data)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"{product}: {form.cleaned_data['pounds_per_case']} lb of "
                                      f"{form.cleaned_data['food']} per case.")  # fmt: skip
        return redirect(product.processor)


class EndProductImport(LoginRequiredMixin, View):
    """POST a CSV file (``file``): the processor's end-product schedule, checked row by row first;
    the outcome (counts, or the problems by line and column) is shown as messages."""

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        processor = access.get_for_user(Processor.objects.all(), request.user, pk)
        if not reviews_processor_state(request.user, processor):
            raise PermissionDenied("Only the state agency's reviewers load the schedule.")
        upload = request.FILES.get("file")
        if upload is None:
            messages.error(request, "Choose a CSV file of the schedule; nothing was imported.")
            return redirect(processor)
        report = end_products_import(processor=processor, data=upload.read(), user=request.user)
        if report.ok:
            messages.success(request, f"Schedule imported: {report.created} new, {report.updated} changed, "
                                      f"{report.unchanged} unchanged end products.")  # fmt: skip
        else:
            shown = "; ".join(str(e) for e in report.errors[:20])
            more = f" (and {len(report.errors) - 20:,} more)" if len(report.errors) > 20 else ""
            messages.error(request, f"Nothing was imported: {shown}{more}.")
        return redirect(processor)
