"""Preference survey pages: the state opens one, districts answer, the state chooses what to offer."""

from __future__ import annotations

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
from districts.mixins import ScopedMixin
from districts.models import District
from focus_lab import exports
from focus_lab.errors import DomainError
from focus_lab.text import possessive
from usda_foods.entitlements.forms import add_domain_error
from usda_foods.ordering.forms.catalog import (
    OfferedItemsForm,
    SurveyForm,
    SurveyResponseForm,
)
from usda_foods.ordering.models import (
    CatalogItem,
    Survey,
    SurveyResponse,
    SurveyResponseLine,
)
from usda_foods.ordering.selectors import food_truckloads, survey_state_estimates
from usda_foods.ordering.services.surveys import (
    survey_choose_offered,
    survey_non_respondents,
    survey_open,
    survey_remind,
    survey_respond,
    survey_results,
)
from usda_foods.ordering.views.common import NOT_SAVED, require_create

# --- Preference survey ---------------------------------------------------------------------------


class SurveyList(ScopedMixin, ListView):
    """The surveys of the states the user works in, with how many SFAs answered and, for district
    staff, whether their district did (one query for the page)."""

    model = Survey
    template_name = "usda_foods/ordering/survey_list.html"
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
    template_name = "usda_foods/ordering/survey_form.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated:
            require_create(request, Survey, "Only state agency reviewers open surveys.")
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "user": self.request.user}

    def form_valid(self, form: SurveyForm) -> HttpResponse:
        try:
            survey = survey_open(user=self.request.user, **form.cleaned_data)
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

    template_name = "usda_foods/ordering/survey_detail.html"

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
            results = survey_results(survey)
            context.update(
                results=results,
                non_respondents=list(survey_non_respondents(survey)),
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

    template_name = "usda_foods/ordering/survey_respond.html"

    def _load(self) -> None:
        user = self.request.user
        self.survey = access.get_for_user(
            Survey.objects.select_related("state_agency"), user, self.kwargs["pk"]
        )
        require_create(self.request, SurveyResponse, "Only district managers answer the survey.")
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
                survey_respond(survey=self.survey, district=district, lines=form.lines(), user=request.user)
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
        # Truckload context: this district's saved answer against the state's answers (1 query each).
        own = self._earlier(context["district"]) if context.get("district") else {}
        contexts = food_truckloads(
            foods=self.items, own_cases=own, state_cases=survey_state_estimates(self.survey)
        )
        for item, truckload in zip(self.items, contexts, strict=True):
            item.truckload = truckload
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
            survey_choose_offered(survey=survey, items=chosen, user=request.user)
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
            reminded = survey_remind(survey=survey, user=request.user)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            if reminded:
                messages.success(request, f"Reminded {reminded} SFA{'s' if reminded != 1 else ''} by email.")
            else:
                messages.info(request, "Every SFA has answered: nobody to remind.")
        return redirect(survey)
