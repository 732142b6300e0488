"""Pages for request-driven ordering's set-up: the USDA Foods available list (catalog), the SFA
preference survey and the order windows.

Thin views: resolve the scoped object (districts/access.py; outsiders get 404), bind the form,
call the service, then add a message and redirect. A ``DomainError`` becomes a form error on the
field it names, or a message. SDA reviewers run surveys and windows for the states they review;
district managers answer the survey for the districts they manage.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.views import View
from django.views.generic import FormView, ListView, TemplateView

from accounts.models import DISTRICT_ROLES, Membership
from districts import access
from districts.mixins import ScopedListView, ScopedMixin
from districts.models import District, StateAgency
from focus_lab import exports
from focus_lab.errors import DomainError
from focus_lab.import_errors import import_errors_summarize
from focus_lab.text import possessive
from usda_foods import entitlements, services
from usda_foods.forms import add_domain_error
from usda_foods.forms_catalog import (
    CatalogFilter,
    CatalogImportForm,
    OfferedItemsForm,
    OrderWindowForm,
    SurveyForm,
    SurveyResponseForm,
    catalog_years,
    reviewed_agencies,
)
from usda_foods.models import (
    CatalogItem,
    Order,
    OrderStatus,
    OrderWindow,
    Survey,
    SurveyResponse,
    SurveyResponseLine,
)

NOT_SAVED = "Please correct the errors below; nothing was saved."
CATALOG_EXAMPLE = (
    '{year},100117,"Beans, green, canned, low-sodium",vegetable,6/#10 cans,40.00,1400,21.50,false',
    '{year},100046,"Cheese, mozzarella, lite, shredded",dairy,4/5 lb bags,20.00,2000,52.80,true',
)


def _current_school_year(today: date | None = None) -> str:
    today = today or timezone.localdate()
    return str(entitlements.SchoolYear(today.year if today.month >= 7 else today.year - 1))


def _require_create(request: HttpRequest, model: type, message: str) -> None:
    if not access.can_create(request.user, model):
        raise PermissionDenied(message)


# --- Catalog -------------------------------------------------------------------------------------


class CatalogList(ScopedListView):
    """The available list, newest year first; search, filters and 50 a page at constant queries."""

    model = CatalogItem
    filterset_class = CatalogFilter
    template_name = "usda_foods/catalog/catalog_list.html"
    paginate_by = 50

    def get_queryset(self) -> QuerySet[CatalogItem]:
        return super().get_queryset().order_by("-school_year", "category", "description", "pk")


class CatalogImport(LoginRequiredMixin, FormView):
    """Upload the available list as CSV: every row is checked first; one bad row means nothing is
    written, and each problem is listed by line and column."""

    form_class = CatalogImportForm
    template_name = "usda_foods/catalog/catalog_import.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated:
            _require_create(
                request,
                CatalogItem,
                "Only national reference-data editors load the USDA Foods available list.",
            )
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form: CatalogImportForm) -> HttpResponse:
        try:
            report = services.catalog_import(data=form.cleaned_data["file"].read(), user=self.request.user)
        except DomainError as exc:
            add_domain_error(form, exc)
            return self.form_invalid(form)
        # The outcome (the summary, or the problems by line and column) is shown on the page.
        problems = (
            None if report.ok else import_errors_summarize(errors=report.errors, user=self.request.user)
        )
        return self.render_to_response(
            self.get_context_data(form=self.form_class(), report=report, problems=problems)
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        columns = (*services.CATALOG_COLUMNS, "is_bulk_for_processing")
        lines = [",".join(columns), *(row.format(year=_current_school_year()) for row in CATALOG_EXAMPLE)]
        context.update(columns=columns, example="\n".join(lines))
        return context


# --- Preference survey ---------------------------------------------------------------------------


class SurveyList(ScopedMixin, ListView):
    """The surveys of the states the user works in, with how many SFAs answered and, for district
    staff, whether their district did (one query for the page)."""

    model = Survey
    template_name = "usda_foods/catalog/survey_list.html"
    paginate_by = 25

    def get_queryset(self) -> QuerySet[Survey]:
        own = Membership.objects.filter(user=self.request.user, role__in=DISTRICT_ROLES).values("district_id")
        mine = SurveyResponse.objects.filter(
            survey=OuterRef("pk"), district_id__in=own, submitted_at__isnull=False
        )
        return (
            super()
            .get_queryset()
            .select_related("state_agency")
            .annotate(
                answered=Count("responses", filter=Q(responses__submitted_at__isnull=False), distinct=True),
                offered_count=Count("offered_items", distinct=True),
                mine_answered=Exists(mine),
            )
            .order_by("-school_year", "state_agency__state", "-pk")
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(
            now=timezone.now(),
            is_district_staff=bool(access.roles_for(self.request.user) & set(DISTRICT_ROLES)),
        )
        return context


class SurveyCreate(LoginRequiredMixin, FormView):
    form_class = SurveyForm
    template_name = "usda_foods/catalog/survey_form.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated:
            _require_create(request, Survey, "Only state agency reviewers open surveys.")
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "user": self.request.user}

    def form_valid(self, form: SurveyForm) -> HttpResponse:
        try:
            survey = services.survey_open(user=self.request.user, **form.cleaned_data)
        except DomainError as exc:
            add_domain_error(form, exc)
            return self.form_invalid(form)
        messages.success(
            self.request,
            f"Survey “{survey}” created: SFAs can answer from "
            f"{timezone.localtime(survey.opens_at):%B %d, %Y %H:%M}.",
        )
        return redirect(survey)

    def form_invalid(self, form: SurveyForm) -> HttpResponse:
        messages.error(self.request, NOT_SAVED)
        return super().form_invalid(form)


def _own_district_ids(user: Any) -> QuerySet:
    return Membership.objects.filter(user=user, role__in=DISTRICT_ROLES).values("district_id")


class SurveyDetail(LoginRequiredMixin, TemplateView):
    """The SDA reviewer sees the aggregated answers, picks the foods to offer and reminds the SFAs
    that have not answered; district staff see their district's answer and a link to give it."""

    template_name = "usda_foods/catalog/survey_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        survey = access.get_for_user(
            Survey.objects.select_related("state_agency", "created_by"), user, self.kwargs["pk"]
        )
        can_review = access.can_write(user, survey)
        own_districts = list(
            District.objects.for_user(user)
            .filter(pk__in=_own_district_ids(user), state_agency_id=survey.state_agency_id)
            .order_by("name")
        )
        responses = {
            r.district_id: r
            for r in SurveyResponse.objects.for_user(user)
            .filter(survey=survey, district__in=own_districts, submitted_at__isnull=False)
            .prefetch_related("lines__catalog_item")
        }
        can_respond = (
            access.can_create(user, SurveyResponse)
            and District.objects.for_user(user, write=True)
            .filter(state_agency_id=survey.state_agency_id)
            .exists()
        )
        context.update(
            survey=survey,
            can_review=can_review,
            can_respond=can_respond,
            now=timezone.now(),
            own=[(d, responses.get(d.pk)) for d in own_districts],
        )
        if can_review:
            results = services.survey_results(survey)
            context.update(
                results=results,
                non_respondents=list(services.survey_non_respondents(survey)),
                answered=SurveyResponse.objects.filter(survey=survey, submitted_at__isnull=False).count(),
                offered_count=sum(r.offered for r in results),
            )
        return context


SURVEY_EXPORT_HEADER = ["district", "agency_code", "material_code", "description", "estimated_cases",
                        "answered_at"]  # fmt: skip


class SurveyAnswersExport(LoginRequiredMixin, View):
    """The survey's answers as CSV or Excel, for the districts the user sees (a district its own,
    a state reviewer every SFA's)."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        survey = access.get_for_user(Survey.objects.all(), request.user, pk)
        lines = (SurveyResponseLine.objects
                 .filter(response__survey=survey, response__submitted_at__isnull=False,
                         response__district__in=District.objects.for_user(request.user).values("pk"))
                 .select_related("response__district", "catalog_item")
                 .order_by("response__district__name", "catalog_item__description"))  # fmt: skip
        rows = ([line.response.district.name, line.response.district.agency_code, line.catalog_item.material_code,
                 line.catalog_item.description, line.estimated_cases,
                 timezone.localtime(line.response.submitted_at).strftime("%Y-%m-%d %H:%M")]
                for line in lines.iterator(chunk_size=2000))  # fmt: skip
        fmt = exports.export_format(request.GET.get("format"))
        return exports.table_response(fmt=fmt, filename=f"survey-{survey.pk}-answers", header=SURVEY_EXPORT_HEADER,
                                      rows=rows)  # fmt: skip


class SurveyRespond(LoginRequiredMixin, TemplateView):
    """A district manager's answer: estimated cases for each food of the year. The district is the
    one they manage in the survey's state; with several, they pick which one they answer for."""

    template_name = "usda_foods/catalog/survey_respond.html"

    def _load(self) -> None:
        user = self.request.user
        self.survey = access.get_for_user(
            Survey.objects.select_related("state_agency"), user, self.kwargs["pk"]
        )
        _require_create(self.request, SurveyResponse, "Only district managers answer the survey.")
        self.districts = (
            District.objects.for_user(user, write=True)
            .filter(state_agency_id=self.survey.state_agency_id)
            .order_by("name")
        )
        self.district_list = list(self.districts)
        if not self.district_list:
            raise PermissionDenied(f"You manage no SFA of {self.survey.state_agency}.")
        self.items = list(
            CatalogItem.objects.for_user(user)
            .filter(school_year=self.survey.school_year)
            .order_by("category", "description")
        )

    def _district(self, pk: str | None) -> District:
        return next((d for d in self.district_list if str(d.pk) == pk), self.district_list[0])

    def _earlier(self, district: District) -> dict[int, int]:
        return dict(
            SurveyResponseLine.objects.filter(
                response__survey=self.survey, response__district=district
            ).values_list("catalog_item_id", "estimated_cases")
        )

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self._load()
        district = self._district(request.GET.get("district"))
        form = SurveyResponseForm(
            items=self.items,
            districts=self.districts,
            earlier=self._earlier(district),
            initial={"district": district.pk},
        )
        return self.render_to_response(self.get_context_data(form=form, district=district))

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self._load()
        form = SurveyResponseForm(request.POST, items=self.items, districts=self.districts)
        if form.is_valid():
            district = form.cleaned_data["district"]
            try:
                services.survey_respond(
                    survey=self.survey, district=district, lines=form.lines(), user=request.user
                )
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                wanted = sum(1 for _, cases in form.lines() if cases)
                messages.success(
                    request,
                    f"{possessive(district.name)} answer is saved: {wanted} food{'s' if wanted != 1 else ''} wanted.",
                )
                return redirect(self.survey)
        messages.error(request, "The answer was not saved: see the form below.")
        district = self._district(request.POST.get("district"))
        return self.render_to_response(self.get_context_data(form=form, district=district))

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(
            survey=self.survey,
            districts=self.district_list,
            now=timezone.now(),
            is_open=self.survey.is_open(),
        )
        return context


class SurveyChooseOffered(LoginRequiredMixin, View):
    """POST: the foods the SDA offers this year, picked from the results table."""

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        survey = access.get_for_user(
            Survey.objects.select_related("state_agency"), request.user, pk, write=True
        )
        items = CatalogItem.objects.for_user(request.user).filter(school_year=survey.school_year)
        form = OfferedItemsForm(request.POST, items=items)
        if not form.is_valid():
            messages.error(request, "Those foods are not on this year's available list: nothing was changed.")
            return redirect(survey)
        chosen = form.cleaned_data["offered"]
        try:
            services.survey_choose_offered(survey=survey, items=chosen, user=request.user)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request,
                f"{len(chosen)} food{'s' if len(chosen) != 1 else ''} chosen to offer in the "
                f"SY{survey.school_year} order windows.",
            )
        return redirect(survey)


class SurveyRemind(LoginRequiredMixin, View):
    """POST: email the SFAs that have not answered (after commit)."""

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        survey = access.get_for_user(
            Survey.objects.select_related("state_agency"), request.user, pk, write=True
        )
        try:
            reminded = services.survey_remind(survey=survey, user=request.user)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            if reminded:
                messages.success(request, f"Reminded {reminded} SFA{'s' if reminded != 1 else ''} by email.")
            else:
                messages.info(request, "Every SFA has answered: nobody to remind.")
        return redirect(survey)


# --- Order windows -------------------------------------------------------------------------------


class WindowList(ScopedMixin, ListView):
    """Order windows of the states the user works in, each with its derived state."""

    model = OrderWindow
    template_name = "usda_foods/catalog/window_list.html"
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
    template_name = "usda_foods/catalog/window_form.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated:
            _require_create(request, OrderWindow, "Only state agency reviewers create order windows.")
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
            window = services.window_create(
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

    template_name = "usda_foods/catalog/window_detail.html"

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
