"""Order window pages: the state's list, create and detail."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.generic import FormView, ListView, TemplateView

from districts import access
from districts.mixins import ScopedMixin
from districts.models import StateAgency
from focus_lab.errors import DomainError
from usda_foods.entitlements.forms import add_domain_error
from usda_foods.ordering.forms.catalog import (
    OrderWindowForm,
    catalog_years,
    reviewed_agencies,
)
from usda_foods.ordering.models import (
    Order,
    OrderStatus,
    OrderWindow,
    Survey,
)
from usda_foods.ordering.services.windows import window_create
from usda_foods.ordering.views.common import NOT_SAVED, require_create

# --- Order windows -------------------------------------------------------------------------------


class WindowList(ScopedMixin, ListView):
    """Order windows of the states the user works in, each with its derived state."""

    model = OrderWindow
    template_name = "usda_foods/ordering/window_list.html"
    paginate_by = 25

    def get_queryset(self) -> QuerySet[OrderWindow]:
        visible = access.district_ids_for(self.request.user)
        return (
            super()
            .get_queryset()
            .select_related("state_agency")
            .annotate(
                item_count=Count("offered_items", distinct=True),
                # only the orders the user may see: a district counts its own
                order_count=Count("orders", filter=Q(orders__district_id__in=visible), distinct=True),
            )
            .order_by("-opens_at", "-pk")
        )


class WindowCreate(LoginRequiredMixin, FormView):
    """The offered foods are a checkbox list of the chosen year's available list, preselected from
    the state's survey for that year when there is one. "Show this year's foods" reloads the list
    for another year or state without creating anything."""

    form_class = OrderWindowForm
    template_name = "usda_foods/ordering/window_form.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated:
            require_create(request, OrderWindow, "Only state agency reviewers create order windows.")
            self.years = catalog_years(request.user)
            self.agencies = list(reviewed_agencies(request.user))
        return super().dispatch(request, *args, **kwargs)

    def _choice(self, params: Any) -> tuple[StateAgency | None, str | None]:
        """The state agency and school year asked for, if the user may pick them; else the first
        agency they review and the newest year with an available list."""
        agency = next((a for a in self.agencies if str(a.pk) == params.get("state_agency")), None)
        if agency is None and self.agencies:
            agency = self.agencies[0]
        year = params.get("school_year")
        if year not in self.years:
            year = self.years[0] if self.years else None
        return agency, year

    def _survey_offered(self, agency: StateAgency | None, year: str | None) -> list[int]:
        if agency is None or year is None:
            return []
        survey = (
            Survey.objects.for_user(self.request.user).filter(state_agency=agency, school_year=year).first()
        )
        return list(survey.offered_items.values_list("pk", flat=True)) if survey else []

    def get_form_kwargs(self) -> dict[str, Any]:
        params = self.request.POST if self.request.method == "POST" else self.request.GET
        _, year = self._choice(params)
        return {**super().get_form_kwargs(), "user": self.request.user, "school_year": year}

    def get_initial(self) -> dict[str, Any]:
        agency, year = self._choice(self.request.GET)
        return {
            "state_agency": agency,
            "school_year": year,
            "reminder_days_before": 3,
            "offered_items": self._survey_offered(agency, year),
        }

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        agency, year = self._choice(request.POST)
        shown = request.POST.get("foods_year")
        if "show_foods" in request.POST or (shown and shown != year):
            # Another year or state was picked: show its foods, keep what was typed, create nothing.
            initial = {
                k: request.POST.get(k)
                for k in (
                    "name",
                    "opens_at",
                    "closes_at",
                    "delivery_start",
                    "delivery_end",
                    "reminder_days_before",
                )
            }
            initial.update(
                state_agency=agency, school_year=year, offered_items=self._survey_offered(agency, year)
            )
            form = OrderWindowForm(initial=initial, user=request.user, school_year=year)
            if "show_foods" not in request.POST:
                messages.info(
                    request,
                    f"These are the SY {year} foods: choose the ones to offer, then create the window.",
                )
            return self.render_to_response(self.get_context_data(form=form))
        return super().post(request, *args, **kwargs)

    def form_valid(self, form: OrderWindowForm) -> HttpResponse:
        data = form.cleaned_data
        try:
            window = window_create(
                state_agency=data["state_agency"],
                school_year=data["school_year"],
                name=data["name"],
                opens_at=data["opens_at"],
                closes_at=data["closes_at"],
                delivery_start=data["delivery_start"],
                delivery_end=data["delivery_end"],
                offered_items=data["offered_items"],
                reminder_days_before=data["reminder_days_before"],
                user=self.request.user,
            )
        except DomainError as exc:
            add_domain_error(form, exc)
            return self.form_invalid(form)
        messages.success(
            self.request, f"Order window “{window.name}” created with {len(data['offered_items'])} foods."
        )
        return redirect(window)

    def form_invalid(self, form: OrderWindowForm) -> HttpResponse:
        messages.error(self.request, NOT_SAVED)
        return super().form_invalid(form)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        form = context["form"]
        year = form["school_year"].value() if form.is_bound else form.initial.get("school_year")
        context.update(foods_year=year, has_catalog=bool(self.years), has_agencies=bool(self.agencies))
        return context


class WindowDetail(LoginRequiredMixin, TemplateView):
    """A window's state, dates, offered foods and its orders counted by status (one aggregate
    query, over the orders the user may see)."""

    template_name = "usda_foods/ordering/window_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        window = access.get_for_user(
            OrderWindow.objects.select_related("state_agency", "created_by"), user, self.kwargs["pk"]
        )
        counts = (
            Order.objects.for_user(user)
            .filter(window=window)
            .aggregate(
                total=Count("pk"),
                **{status: Count("pk", filter=Q(status=status)) for status in OrderStatus.values},
            )
        )
        survey = (
            Survey.objects.for_user(user)
            .filter(state_agency_id=window.state_agency_id, school_year=window.school_year)
            .first()
        )
        context.update(
            window=window,
            state=window.state(),
            offered=list(window.offered_items.order_by("category", "description")),
            status_counts=[(value, label, counts[value]) for value, label in OrderStatus.choices],
            order_total=counts["total"],
            survey=survey,
            can_create=access.can_create(user, OrderWindow),
        )
        return context
