"""Inventory pages: a district's page at a processor (pounds on hand, usage, months on hand,
pace, the ledger, and the end-product purchase form) and the state agency's table of every
district and processor of its state (sortable, CSV/XLSX)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views import View

from districts import access
from districts.models import District, StateAgency
from focus_lab.errors import DomainError
from focus_lab.exports import FORMATS, table_response
from usda_foods.entitlements.forms import add_domain_error
from usda_foods.ordering.access import reviews_state
from usda_foods.processing import rules, selectors
from usda_foods.processing.access import reviews_processor_state
from usda_foods.processing.forms import PurchaseForm, TransferForm
from usda_foods.processing.models import EndProductPurchase, InventoryEntry, InventoryTransfer, Processor
from usda_foods.processing.services.inventory import (
    end_product_purchase_record,
    inventory_transfer_record,
    transfer_districts,
)


class DistrictProcessorPage(LoginRequiredMixin, View):
    """GET: the district's inventory at the processor with its figures, purchases and ledger.
    POST: record an end-product purchase (the district's managers)."""

    template_name = "usda_foods/processing/district_processor.html"

    def setup(self, request: HttpRequest, *args: Any, **kwargs: Any) -> None:
        super().setup(request, *args, **kwargs)
        self.processor_pk, self.district_pk = kwargs["pk"], kwargs["district_id"]

    def _objects(self) -> tuple[Processor, District]:
        user = self.request.user
        processor = access.get_for_user(
            Processor.objects.select_related("state_agency"), user, self.processor_pk
        )
        district = access.get_for_user(District.objects.all(), user, self.district_pk)
        if district.state_agency_id != processor.state_agency_id:
            raise Http404("No such district at this processor.")
        return processor, district

    def get(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        processor, district = self._objects()
        return self._render(processor, district, PurchaseForm(processor=processor,
                                                              initial={"purchased_on": timezone.localdate()}))  # fmt: skip

    def post(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        processor, district = self._objects()
        if not access.can_write(request.user, district):
            raise PermissionDenied("Only the district's managers record its purchases.")
        form = PurchaseForm(request.POST, processor=processor)
        if form.is_valid():
            try:
                purchase = end_product_purchase_record(
                    district=district, user=request.user, **form.cleaned_data
                )
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                messages.success(request, f"Recorded {purchase}.")
                return redirect(request.path)
        messages.error(request, "Please correct the errors below; nothing was recorded.")
        return self._render(processor, district, form, status=400)

    def _render(
        self, processor: Processor, district: District, form: PurchaseForm, status: int = 200
    ) -> HttpResponse:
        user = self.request.user
        rows = selectors.district_inventory(user, district_id=district.pk, processor_id=processor.pk,
                                            as_of=timezone.localdate())  # fmt: skip
        entries = (InventoryEntry.objects.for_user(user)
                   .filter(inventory__district=district, inventory__processor=processor)
                   .select_related("inventory__food").order_by("-on", "-id")[:100])  # fmt: skip
        purchases = (EndProductPurchase.objects.for_user(user).filter(district=district, end_product__processor=processor)
                     .select_related("end_product")[:100])  # fmt: skip
        context = {"processor": processor, "district": district, "rows": rows, "entries": entries,
                   "purchases": purchases, "form": form, "can_purchase": access.can_write(user, district),
                   "max_months": rules.MAX_MONTHS_ON_HAND, "reviewer": reviews_processor_state(user, processor),
                   "reconciliation": selectors.reconciliation(district_id=district.pk, processor_id=processor.pk)}  # fmt: skip
        return render(self.request, self.template_name, context, status=status)


STATE_PAGE_SIZE = 100


class StateInventory(LoginRequiredMixin, View):
    """The state agency's table: every district's inventory at every processor of the state, with
    months on hand (flagged above 6) and pace; ``?sort=`` a column (over every row), ``?page=``
    (100 rows a page), ``?format=csv|xlsx`` (every row, in the sort shown)."""

    def get(self, request: HttpRequest, state: str) -> HttpResponse:
        agency = get_object_or_404(StateAgency, state=state.upper())
        if not reviews_state(request.user, agency.pk):
            raise Http404("No inventory table for you here.")
        rows, sort = selectors.state_inventory(request.user, state_agency_id=agency.pk, as_of=timezone.localdate(),
                                               sort=request.GET.get("sort", "district"))  # fmt: skip
        fmt = request.GET.get("format")
        if fmt in FORMATS:
            return table_response(header=selectors.STATE_HEADER, rows=selectors.state_export_rows(rows), fmt=fmt,
                                  filename=f"processor-inventory-{agency.state}")  # fmt: skip
        transfers = (InventoryTransfer.objects.for_user(request.user).filter(processor__state_agency=agency)
                     .select_related("processor", "food", "from_district", "to_district", "approved_by")[:50])  # fmt: skip
        processors = Processor.objects.for_user(request.user).filter(state_agency=agency)
        # Sorted over every row (the figures are computed in Python from one query); one page shown.
        page = Paginator(rows, STATE_PAGE_SIZE).get_page(request.GET.get("page"))
        return render(request, "usda_foods/processing/state_inventory.html", {
            "agency": agency, "rows": page.object_list, "page_obj": page, "paginator": page.paginator,
            "is_paginated": page.has_other_pages(), "sort": sort, "flagged": sum(r.status.flagged for r in rows),
            "transfers": transfers, "processors": processors, "columns": COLUMNS, "max_months": rules.MAX_MONTHS_ON_HAND,
        })  # fmt: skip


COLUMNS = [("district", "District (SFA)"), ("processor", "Processor"), ("food", "USDA Food"),
           ("on_hand", "On hand (lb)"), ("usage", "Avg monthly usage (lb)"), ("months", "Months on hand"),
           ("pace", "Pace")]  # fmt: skip


class TransferCreate(LoginRequiredMixin, View):
    """The state agency approves a transfer of inventory between two districts at a processor."""

    template_name = "usda_foods/form.html"

    def _processor(self, request: HttpRequest, pk: int) -> Processor:
        processor = access.get_for_user(Processor.objects.all(), request.user, pk)
        if not reviews_processor_state(request.user, processor):
            raise PermissionDenied("Only the processor's state agency approves transfers.")
        return processor

    def _render(
        self, request: HttpRequest, processor: Processor, form: TransferForm, status: int = 200
    ) -> HttpResponse:
        return render(request, self.template_name, {
            "form": form, "title": f"Transfer inventory at {processor}",
            "back_url": processor.get_absolute_url(), "back_label": processor.name,
        }, status=status)  # fmt: skip

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        processor = self._processor(request, pk)
        form = TransferForm(processor=processor, districts=transfer_districts(request.user, processor),
                            initial={"transferred_on": timezone.localdate()})  # fmt: skip
        return self._render(request, processor, form)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        processor = self._processor(request, pk)
        form = TransferForm(
            request.POST, processor=processor, districts=transfer_districts(request.user, processor)
        )
        if form.is_valid():
            try:
                transfer = inventory_transfer_record(
                    processor=processor, user=request.user, **form.cleaned_data
                )
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                messages.success(request, f"Transferred {transfer}.")
                return redirect("usda_foods:state-inventory", state=processor.state_agency.state)
        messages.error(request, "Please correct the errors below; nothing was transferred.")
        return self._render(request, processor, form, status=400)
