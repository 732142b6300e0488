"""Fee pages: a state's distribution fee schedules (its reviewers set them) and a district's
monthly fee statement as CSV or XLSX."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views import View

from districts import access
from districts.mixins import ScopedCreateView, ScopedListView, ScopedUpdateView
from districts.models import District
from focus_lab.exports import FORMATS, table_response
from usda_foods.deliveries.forms import FeeScheduleForm
from usda_foods.deliveries.models import FeeSchedule
from usda_foods.deliveries.selectors import STATEMENT_HEADER, fee_statement, month_range


class FeeScheduleList(ScopedListView):
    model = FeeSchedule
    filterset_fields = ["state_agency"]
    template_name = "usda_foods/deliveries/feeschedule_list.html"

    def get_queryset(self) -> QuerySet[FeeSchedule]:
        return super().get_queryset().select_related("state_agency")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        this_month = timezone.localdate().replace(day=1)
        last_month = (this_month - timedelta(days=1)).replace(day=1)
        context.update(districts=District.objects.filter(access.district_q(self.request.user, write=False))
                       .order_by("name")[:100], months=[f"{this_month:%Y-%m}", f"{last_month:%Y-%m}"])  # fmt: skip
        return context


class FeeScheduleCreate(ScopedCreateView):
    model = FeeSchedule
    form_class = FeeScheduleForm


class FeeScheduleUpdate(ScopedUpdateView):
    model = FeeSchedule
    form_class = FeeScheduleForm


class FeeStatement(LoginRequiredMixin, View):
    """GET ``?month=YYYY-MM&format=csv|xlsx``: the district's fees of that month."""

    def get(self, request: HttpRequest, district_id: int) -> HttpResponse:
        district = access.get_for_user(District.objects.all(), request.user, district_id)
        first, last = month_range(request.GET.get("month"), today=timezone.localdate())
        fmt = request.GET.get("format") if request.GET.get("format") in FORMATS else "csv"
        rows = fee_statement(
            district_id=district.pk, state_agency_id=district.state_agency_id, first=first, last=last
        )
        return table_response(fmt=fmt, filename=f"fees-{district.agency_code or district.pk}-{first:%Y-%m}",
                              header=STATEMENT_HEADER, rows=rows)  # fmt: skip
