"""A co-op's storage at its receiving site: each member district's cases on hand (received for it
minus picked up). The lead district's staff see every member and record pickups; a member's
staff see their own district's lines."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views import View

from districts import access
from districts.models import Coop, District
from focus_lab.errors import DomainError
from usda_foods.deliveries.forms import PickupForm
from usda_foods.deliveries.models import ExpectedDelivery, StoragePickup
from usda_foods.deliveries.selectors import coop_storage, storage_scope
from usda_foods.deliveries.services import storage_pickup_record
from usda_foods.entitlements.forms import add_domain_error
from usda_foods.ordering.models import CatalogItem


class CoopStorage(LoginRequiredMixin, View):
    template_name = "usda_foods/deliveries/coop_storage.html"

    def setup(self, request: HttpRequest, *args: Any, **kwargs: Any) -> None:
        super().setup(request, *args, **kwargs)
        self.coop_pk = kwargs["pk"]

    def _coop(self) -> tuple[Coop, bool, list[int] | None]:
        """The co-op (404 outside it), whether the user is the lead's, and the districts whose
        lines the user sees (None: all, for the lead)."""
        user = self.request.user
        coop = access.get_for_user(
            Coop.objects.select_related("receiving_site", "lead_district"), user, self.coop_pk
        )
        return coop, *storage_scope(user, coop)

    def _form(self, coop: Coop, data: Any = None) -> PickupForm:
        members = (
            District.objects.filter(Q(pk=coop.lead_district_id) | Q(coops=coop)).distinct().order_by("name")
        )
        received = ExpectedDelivery.objects.filter(site_id=coop.receiving_site_id, receipt__isnull=False)
        foods = CatalogItem.objects.filter(pk__in=received.values("food_id")).order_by("description")
        return PickupForm(
            data, districts=members, foods=foods, initial={"picked_up_on": timezone.localdate()}
        )

    def get(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        coop, lead, districts = self._coop()
        return self._render(
            coop, lead, districts, self._form(coop) if access.can_write(request.user, coop) else None
        )

    def post(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        coop, lead, districts = self._coop()
        if not access.can_write(request.user, coop):
            raise PermissionDenied("Only the co-op's lead district records pickups.")
        form = self._form(coop, request.POST)
        if form.is_valid():
            try:
                pickup = storage_pickup_record(coop=coop, user=request.user, **form.cleaned_data)
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                messages.success(request, f"Recorded: {pickup}.")
                return redirect(request.path)
        messages.error(request, "Please correct the errors below; nothing was recorded.")
        return self._render(coop, lead, districts, form, status=400)

    def _render(self, coop: Coop, lead: bool, districts: list[int] | None, form: PickupForm | None,
                status: int = 200) -> HttpResponse:  # fmt: skip
        rows = coop_storage(coop_id=coop.pk, site_id=coop.receiving_site_id, district_ids=districts)
        pickups = StoragePickup.objects.filter(coop=coop).select_related("district", "food", "recorded_by")
        if districts is not None:
            pickups = pickups.filter(district_id__in=districts)
        totals = {"received": sum(r.received for r in rows), "picked_up": sum(r.picked_up for r in rows),
                  "on_hand": sum(r.on_hand for r in rows)}  # fmt: skip
        return render(self.request, self.template_name, {
            "coop": coop, "lead": lead, "rows": rows, "totals": totals, "pickups": pickups[:50], "form": form,
        }, status=status)  # fmt: skip
