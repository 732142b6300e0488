"""The diversion page of an order: each line of a bulk food can go to a processor of the
district's state instead of its site (the district's managers, while the order is editable)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views import View

from districts import access
from focus_lab.errors import DomainError
from usda_foods.ordering.models import Order, OrderLine
from usda_foods.processing.models import Processor
from usda_foods.processing.services.diversion import order_line_divert


class OrderDiversions(LoginRequiredMixin, View):
    """GET: the order's lines of bulk foods, each with the processors that accept it. POST
    (``line``, ``processor`` or empty for the site): divert one line."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        order = access.get_for_user(Order.objects.select_related("district", "window"), request.user, pk)
        lines = list(OrderLine.objects.filter(order=order, catalog_item__is_bulk_for_processing=True)
                     .select_related("catalog_item", "delivery_site", "diverted_to"))  # fmt: skip
        processors = list(
            Processor.objects.for_user(request.user).filter(state_agency_id=order.district.state_agency_id)
            .prefetch_related("accepted_foods")
        )  # fmt: skip
        for line in lines:
            line.choices = [p for p in processors if line.catalog_item in p.accepted_foods.all()]
        return render(request, "usda_foods/processing/order_diversions.html", {
            "order": order, "lines": lines, "can_edit": order.is_editable and access.can_write(request.user, order),
        })  # fmt: skip

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        order = access.get_for_user(Order.objects.all(), request.user, pk)
        if not access.can_write(request.user, order):
            raise PermissionDenied("Only the district's managers divert its order lines.")
        line = OrderLine.objects.filter(order=order, pk=_int(request.POST.get("line"))).first()
        chosen = _int(request.POST.get("processor"))
        processor = Processor.objects.for_user(request.user).filter(pk=chosen).first() if chosen else None
        if line is None or (chosen and processor is None):
            messages.error(request, "Choose a line of this order and a processor; nothing changed.")
            return redirect("usda_foods:order-diversions", pk=order.pk)
        try:
            order_line_divert(line_id=line.pk, processor=processor, user=request.user)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            where = f"to {processor}" if processor else f"to {line.delivery_site.name}"
            messages.success(request, f"{line.catalog_item} now ships {where}.")
        return redirect("usda_foods:order-diversions", pk=order.pk)


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None
