"""Delivery pages: the deliveries a user receives (or its state's, for reviewers, with the plans
ready to release), and a delivery with its lines and the receipt form."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views import View
from django.views.generic import ListView

from districts import access
from focus_lab.errors import DomainError
from usda_foods.deliveries.forms import ReceiptForm
from usda_foods.deliveries.models import ExpectedDelivery, Receipt
from usda_foods.deliveries.services import deliveries_release, receipt_record
from usda_foods.entitlements.forms import add_domain_error
from usda_foods.ordering.access import reviewed_state_agencies
from usda_foods.shipping.models import ShipmentPlan

STATUSES = {"expected": "Awaiting receipt", "late": "Late", "received": "Received"}


class DeliveryList(LoginRequiredMixin, ListView):
    template_name = "usda_foods/deliveries/delivery_list.html"
    paginate_by = 50

    def get_queryset(self) -> QuerySet[ExpectedDelivery]:
        queryset = (ExpectedDelivery.objects.for_user(self.request.user)
                    .select_related("food", "site", "processor", "district", "receipt").order_by("-delivery_date", "truck_number", "pk"))  # fmt: skip
        status = self.request.GET.get("status")
        if status == "received":
            queryset = queryset.filter(receipt__isnull=False)
        elif status == "late":
            queryset = queryset.filter(receipt__isnull=True, late_at__isnull=False)
        elif status == "expected":
            queryset = queryset.filter(receipt__isnull=True)
        return queryset

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        states = reviewed_state_agencies(self.request.user)
        releasable = (ShipmentPlan.objects.filter(window__state_agency__in=states, status="done", trucks__gt=0)
                      .exclude(window__shipment_plans__deliveries__isnull=False)
                      .select_related("window").order_by("-created_at").distinct()[:20])  # fmt: skip
        context.update(statuses=STATUSES, status=self.request.GET.get("status", ""), releasable=releasable,
                       today=timezone.localdate())  # fmt: skip
        return context


class PlanRelease(LoginRequiredMixin, View):
    """POST: the state's reviewers release a done plan's stops as expected deliveries."""

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        plan = access.get_for_user(ShipmentPlan.objects.select_related("window"), request.user, pk)
        if not access.can_write(request.user, plan):
            raise PermissionDenied("Only the state agency's reviewers release plans.")
        try:
            made = deliveries_release(plan=plan, user=request.user)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request, f"{made:,} expected deliver{'y' if made == 1 else 'ies'} created from {plan}."
            )
        return redirect("usda_foods:delivery-list")


class DeliveryDetail(LoginRequiredMixin, View):
    """GET: the delivery, its lines (each member district's cases) and its receipt or the receipt
    form. POST: record the receipt (the receiving district's managers; the state's reviewers for
    a processor)."""

    template_name = "usda_foods/deliveries/delivery_detail.html"

    def _delivery(self, request: HttpRequest, pk: int) -> ExpectedDelivery:
        return access.get_for_user(
            ExpectedDelivery.objects.select_related("food", "site", "processor", "district", "plan__window"),
            request.user, pk,
        )  # fmt: skip

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        delivery = self._delivery(request, pk)
        return self._render(request, delivery, ReceiptForm(initial={"received_on": delivery.delivery_date,
                                                                     "cases_received": delivery.cases}, shared=True))  # fmt: skip

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        delivery = self._delivery(request, pk)
        if not access.can_write(request.user, delivery):
            raise PermissionDenied("Only the receiving district records this receipt.")
        form = ReceiptForm(request.POST, request.FILES, shared=True)
        if form.is_valid():
            try:
                receipt_record(delivery_id=delivery.pk, user=request.user, **form.cleaned_data)
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                messages.success(request, "Receipt recorded.")
                return redirect(delivery)
        messages.error(request, "Please correct the errors below; nothing was recorded.")
        return self._render(request, delivery, form, status=400)

    def _render(
        self, request: HttpRequest, delivery: ExpectedDelivery, form: ReceiptForm, status: int = 200
    ) -> HttpResponse:
        receipt = Receipt.objects.filter(delivery=delivery).select_related("recorded_by").first()
        lines = delivery.lines.select_related("district", "received", "order_line__order")
        return render(request, self.template_name, {
            "delivery": delivery, "receipt": receipt, "lines": lines, "form": form,
            "can_receive": receipt is None and access.can_write(request.user, delivery),
        }, status=status)  # fmt: skip


class ReceiptPhoto(LoginRequiredMixin, View):
    """GET: the receipt's photo, for whoever may see the delivery (404 for anyone else)."""

    def get(self, request: HttpRequest, pk: int) -> FileResponse:
        delivery = access.get_for_user(ExpectedDelivery.objects.all(), request.user, pk)
        receipt = Receipt.objects.filter(delivery=delivery).exclude(photo="").first()
        if receipt is None:
            raise Http404("No photo with this receipt.")
        response = FileResponse(receipt.photo.open("rb"))
        response["Cache-Control"] = "private, max-age=3600"
        response["X-Content-Type-Options"] = "nosniff"
        return response
