"""Pages for corrections to the state's data about a district (lunch counts, commodity-school
status): a district manager proposes one with a reason; a reviewer of the district's state
accepts it (it then applies and the entitlements are recomputed) or rejects it with a note.

Thin views: resolve the correction through districts/access.py (outsiders get 404), bind the
form, call the correction service, then add a message and redirect. A ``DomainError`` is shown
next to the field it names, or as a message.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect
from django.views.generic import FormView, TemplateView

from districts import access
from districts.mixins import ScopedListView
from districts.models import District
from focus_lab.errors import DomainError
from usda_foods.corrections.forms import CorrectionFilter, CorrectionForm, DecisionForm
from usda_foods.corrections.models import CorrectionKind, CorrectionStatus, DataCorrection
from usda_foods.corrections.services import correction_accept, correction_propose, correction_reject
from usda_foods.entitlements import rules as entitlements
from usda_foods.entitlements.access import correction_districts
from usda_foods.entitlements.forms import add_domain_error
from usda_foods.entitlements.models import Entitlement, LunchCount, Section4Payment
from usda_foods.entitlements.services.reference import current_per_meal_value
from usda_foods.ordering.access import reviewed_state_agencies, reviews_state


def _corrections(user: Any) -> QuerySet[DataCorrection]:
    """The corrections the user may see, pending first, with what the list rows show joined."""
    return (
        DataCorrection.objects.for_user(user)
        .select_related("district__state_agency", "created_by", "decided_by")
        .annotate(
            open_first=Case(
                When(status=CorrectionStatus.PENDING, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )  # fmt: skip
        .order_by("open_first", "-created_at", "-pk")
    )


class CorrectionList(ScopedListView):
    """Every correction the user may see: a district's own, a state's, a lab's."""

    model = DataCorrection
    filterset_class = CorrectionFilter
    template_name = "usda_foods/corrections/correction_list.html"
    paginate_by = 50

    def get_queryset(self) -> QuerySet[DataCorrection]:
        return _corrections(self.request.user)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(title="Corrections to the state's data", queue=False)
        return context


class CorrectionReviewQueue(CorrectionList):
    """The pending corrections of the states the user reviews, each with accept and reject."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated and not reviewed_state_agencies(request.user).exists():
            raise PermissionDenied("Only state agency reviewers decide corrections.")
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[DataCorrection]:
        reviewed = reviewed_state_agencies(self.request.user).values("pk")
        return (
            super()
            .get_queryset()
            .filter(status=CorrectionStatus.PENDING, district__state_agency_id__in=reviewed)
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(title="Corrections to review", queue=True, decision_form=DecisionForm())
        return context


class CorrectionCreate(LoginRequiredMixin, FormView):
    """A district manager proposes a correction: ``?kind=lunch_counts|commodity_school`` picks the
    form; ``?district=`` and ``?school_year=`` preselect and prefill it with the state's figures."""

    template_name = "usda_foods/corrections/correction_form.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated and not correction_districts(request.user).exists():
            raise PermissionDenied("Only district managers propose corrections to the state's data.")
        kind = request.GET.get("kind") or request.POST.get("kind")
        self.kind = kind if kind in CorrectionKind.values else CorrectionKind.LUNCH_COUNTS
        return super().dispatch(request, *args, **kwargs)

    def get_form(self, form_class: Any = None) -> CorrectionForm:
        return CorrectionForm(**self.get_form_kwargs(), user=self.request.user, kind=self.kind)

    def get_initial(self) -> dict[str, Any]:
        districts = correction_districts(self.request.user)
        district = districts.filter(pk=_int_or_none(self.request.GET.get("district"))).first()
        district = district or districts.order_by("name").first()
        if district is None:
            return {}
        initial: dict[str, Any] = {"district": district.pk}
        if self.kind == CorrectionKind.COMMODITY_SCHOOL:
            initial["is_commodity_school"] = "false" if district.is_commodity_school else "true"
            return initial
        year = self.request.GET.get("school_year", "")
        try:
            year = str(entitlements.parse_school_year(year))
        except entitlements.EntitlementInputError:
            return initial
        initial["school_year"] = year
        current = (
            LunchCount.objects.for_user(self.request.user).filter(district=district, school_year=year).first()
        )
        if current is not None:
            initial.update(free=current.free, reduced=current.reduced, paid=current.paid)
        return initial

    def form_valid(self, form: CorrectionForm) -> HttpResponse:
        try:
            correction = correction_propose(user=self.request.user, kind=self.kind, **form.cleaned_data)
        except DomainError as exc:
            add_domain_error(form, exc)
            return self.form_invalid(form)
        messages.success(
            self.request,
            f"{correction} proposed: it applies once {correction.district.state_agency} accepts it.",
        )
        return redirect(correction)

    def form_invalid(self, form: CorrectionForm) -> HttpResponse:
        messages.error(self.request, "Please correct the errors below; nothing was proposed.")
        return super().form_invalid(form)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(
            kind=self.kind, kinds=CorrectionKind.choices, kind_label=CorrectionKind(self.kind).label
        )
        return context


def _int_or_none(text: str | None) -> int | None:
    try:
        return int(text) if text else None
    except ValueError:
        return None


class CorrectionDetail(LoginRequiredMixin, TemplateView):
    """The proposal beside the state's current figures and what accepting would do to the COV;
    the state's reviewers accept or reject it here (POST ``action=accept|reject``)."""

    template_name = "usda_foods/corrections/correction_detail.html"

    def _load(self) -> None:
        user = self.request.user
        self.correction = access.get_for_user(
            DataCorrection.objects.select_related("district__state_agency", "created_by", "decided_by"),
            user,
            self.kwargs["pk"],
        )
        self.can_decide = self.correction.is_pending and reviews_state(
            user, self.correction.district.state_agency_id
        )

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self._load()
        return self.render_to_response(self.get_context_data(decision_form=DecisionForm()))

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self._load()
        if not reviews_state(request.user, self.correction.district.state_agency_id):
            raise PermissionDenied("Only the state agency's reviewers decide corrections.")
        action = request.POST.get("action")
        if action not in ("accept", "reject"):
            return HttpResponseBadRequest("Unknown action.")
        form = DecisionForm(request.POST)
        if form.is_valid():
            decide = correction_accept if action == "accept" else correction_reject
            try:
                decide(correction_id=self.correction.pk, user=request.user, note=form.cleaned_data["note"])
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                verdict = "accepted: it now applies" if action == "accept" else "rejected"
                messages.success(request, f"{self.correction} {verdict}. The district was emailed.")
                if request.POST.get("next") == "queue":
                    return redirect("usda_foods:correction-review")
                return redirect(self.correction)
        # Shown as a message too: a decided correction has no decision form to carry the error.
        problems = " ".join(str(e) for errors in form.errors.values() for e in errors)
        messages.error(request, f"Nothing was decided: {problems}")
        self._load()
        return self.render_to_response(self.get_context_data(decision_form=form))

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        correction, district = self.correction, self.correction.district
        context.update(correction=correction, district=district, can_decide=self.can_decide)
        if correction.kind == CorrectionKind.LUNCH_COUNTS:
            context.update(_lunch_count_effect(self.request.user, correction, district))
        return context


def _lunch_count_effect(user: Any, correction: DataCorrection, district: District) -> dict[str, Any]:
    """The state's current counts for the year, and the next year's COV now and with the proposal
    (the COV rests on the previous year's lunches, 7 CFR 250.58(b))."""
    year = correction.school_year
    next_year = entitlements.next_school_year(year)
    current = LunchCount.objects.for_user(user).filter(district=district, school_year=year).first()
    entitlement = Entitlement.objects.for_user(user).filter(district=district, school_year=next_year).first()
    per_meal = current_per_meal_value(next_year)
    section4 = (
        Section4Payment.objects.filter(school_year=next_year).values_list("cents", flat=True).first()
        if district.is_commodity_school
        else None
    )
    proposed_cov = entitlements.commodity_offer_value(
        school_year=next_year, per_meal_value_cents=per_meal.cents if per_meal else None,
        prior_year_lunches=correction.proposed_total, is_commodity_school=district.is_commodity_school,
        section4_cash_cents=section4,
    )  # fmt: skip
    return {
        "current_count": current,
        "next_year": next_year,
        "current_cov": entitlement.commodity_offer_value if entitlement else None,
        "proposed_cov": proposed_cov,
    }
