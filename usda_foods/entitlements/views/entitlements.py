"""Pages for USDA Foods entitlements, lunch counts, reference data and background jobs.

Thin views: resolve the scoped object (districts/access.py; outsiders get 404), bind the form,
call a service or selector, then add a message and redirect. A ``DomainError`` becomes a form
error on the field it names, or a message.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    QueryDict,
)
from django.shortcuts import redirect
from django.urls import reverse
from django.views import View
from django.views.generic import ListView, TemplateView

from accounts.models import Membership, Role
from districts import access
from districts.models import US_STATES, Collaborative, District
from focus_lab import exports
from focus_lab.errors import DomainError
from focus_lab.links import with_query
from usda_foods.entitlements import rules as entitlements
from usda_foods.entitlements.access import (
    can_set_pal,
    correction_districts,
    entitlement_districts,
    lunch_count_districts,
)
from usda_foods.entitlements.forms import (
    EntitlementFilterForm,
    PlannedAssistanceLevelForm,
    add_domain_error,
)
from usda_foods.entitlements.models import (
    Drawdown,
    Entitlement,
    LunchCount,
    Section4Payment,
)
from usda_foods.entitlements.school_years import current_school_year, school_year_or_404, school_year_or_none
from usda_foods.entitlements.selectors import (
    ROW_SORTS,
    as_entitlements,
    drawdown_chart,
    entitlement_rows,
    entitlement_totals,
)
from usda_foods.entitlements.services.entitlements import (
    entitlement_set_pal,
    entitlements_recompute,
    recompute_scope,
    recompute_start,
)
from usda_foods.entitlements.services.reference import current_per_meal_value
from usda_foods.entitlements.views.rows import entitlement_rows_html

STATE_NAMES = dict(US_STATES)
TWELVE_PERCENT = Decimal("0.12")


# --- One district's entitlement ----------------------------------------------------------------


@dataclass(frozen=True)
class TwelvePercentView:
    """The stored 12 percent figures, put in words for the page (informative, never a failure).
    Whether 12 percent is reached is the pure check's answer, decided on exact values: a share
    that rounds to 12.00% may still be short of it by less than a cent."""

    cash: Decimal
    usda_foods: Decimal
    share_percent: Decimal
    needed: Decimal
    additional: Decimal
    total: Decimal
    at_or_above: bool

    @classmethod
    def of(cls, entitlement: Entitlement | None) -> TwelvePercentView | None:
        if entitlement is None:
            return None
        e = entitlement
        if None in (e.twelve_share, e.twelve_cash, e.twelve_usda_foods, e.twelve_needed, e.twelve_meets,
                    e.twelve_additional):  # fmt: skip
            return None
        return cls(cash=e.twelve_cash, usda_foods=e.twelve_usda_foods, share_percent=e.twelve_share.scaleb(2),
                   needed=e.twelve_needed, additional=e.twelve_additional, total=e.twelve_cash + e.twelve_usda_foods,
                   at_or_above=bool(e.twelve_meets))  # fmt: skip


FIGURE_HEADINGS = {
    entitlements.Figure.COV: "The commodity offer value cannot be computed",
    entitlements.Figure.TWELVE_PERCENT: "The 12 percent share cannot be worked out",
}


def missing_by_figure(entitlement: Entitlement | None) -> list[tuple[str, list[str]]]:
    """The missing inputs grouped under the figure each one blocks, COV first."""
    if entitlement is None:
        return []
    groups: dict[str, list[str]] = {}
    for row in entitlement.missing_inputs or []:
        groups.setdefault(row.get("blocks", ""), []).append(row.get("reason", ""))
    return [(heading, groups[figure]) for figure, heading in FIGURE_HEADINGS.items() if figure in groups]


class EntitlementDetail(LoginRequiredMixin, TemplateView):
    """A district's entitlement for one school year: COV, PAL, the ledger and its chart, the 12
    percent share, the inputs, and what is missing. The SDA sets the PAL here."""

    template_name = "usda_foods/entitlements/entitlement_detail.html"

    def _load(self) -> None:
        user = self.request.user
        self.school_year = school_year_or_404(self.kwargs["school_year"])
        self.district = access.get_for_user(
            District.objects.select_related("state_agency", "collaborative"), user, self.kwargs["district_id"]
        )
        self.entitlement = (
            Entitlement.objects.for_user(user)
            .filter(district=self.district, school_year=self.school_year)
            .select_related("pal_set_by")
            .first()
        )
        if self.entitlement is not None:
            self.can_manage = can_set_pal(user, self.entitlement)
        else:
            self.can_manage = entitlement_districts(user, write=True).filter(pk=self.district.pk).exists()

    def _url(self) -> str:
        return reverse("usda_foods:entitlement-detail", args=[self.district.pk, self.school_year])

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self._load()
        return self.render_to_response(self.get_context_data())

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self._load()
        if not self.can_manage:
            raise PermissionDenied("Only the state agency and the lab's admins manage entitlements.")
        action = request.POST.get("action")
        if action == "compute":
            districts = entitlement_districts(request.user, write=True).filter(pk=self.district.pk)
            result = entitlements_recompute(
                school_year=self.school_year, districts=districts, user=request.user
            )
            done = "computed" if result.created else ("updated" if result.updated else "unchanged")
            messages.success(request, f"SY {self.school_year} entitlement {done}.")
            return redirect(self._url())
        if action != "set_pal":
            return HttpResponseBadRequest("Unknown action.")
        if self.entitlement is None:
            messages.error(request, "Compute the entitlement before setting its planned assistance level.")
            return redirect(self._url())
        form = PlannedAssistanceLevelForm(request.POST)
        if form.is_valid():
            try:
                entitlement_set_pal(entitlement=self.entitlement, amount=form.cleaned_data["amount"],
                                             reason=form.cleaned_data["reason"], user=request.user)  # fmt: skip
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                messages.success(request, "Planned assistance level saved.")
                return redirect(self._url())
        messages.error(request, "The planned assistance level was not changed: see the form below.")
        return self.render_to_response(self.get_context_data(pal_form=form), status=200)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user, district, year, entitlement = (
            self.request.user,
            self.district,
            self.school_year,
            self.entitlement,
        )
        prior = entitlements.previous_school_year(year)
        counts = {c.school_year: c for c in LunchCount.objects.for_user(user).filter(
            district=district, school_year__in=[prior, year])}  # fmt: skip
        per_meal = current_per_meal_value(year)
        section4 = (
            Section4Payment.objects.for_user(user).filter(school_year=year).first()
            if district.is_commodity_school
            else None
        )
        preview = None
        if entitlement is None:  # what it would be with today's data: reasons, or the amount
            preview = entitlements.commodity_offer_value(
                school_year=year, per_meal_value_cents=per_meal.cents if per_meal else None,
                prior_year_lunches=counts[prior].total if prior in counts else None,
                is_commodity_school=district.is_commodity_school,
                section4_cash_cents=section4.cents if section4 else None,
            )  # fmt: skip
        ledger: list[Drawdown] = []
        chart = None
        if entitlement is not None:
            ledger = list(
                Drawdown.objects.for_user(user).filter(entitlement=entitlement).select_related("created_by")
            )
            chart = drawdown_chart(entitlement)
            if self.can_manage and "pal_form" not in kwargs and entitlement.commodity_offer_value is not None:
                context["pal_form"] = PlannedAssistanceLevelForm(initial={
                    "amount": entitlement.planned_assistance_level, "reason": entitlement.pal_reason})  # fmt: skip
        known_years = set(Entitlement.objects.for_user(user).filter(district=district)
                          .values_list("school_year", flat=True))  # fmt: skip
        context.update(
            district=district, school_year=year, entitlement=entitlement, can_manage=self.can_manage,
            prior_year=prior, prior_count=counts.get(prior), current_count=counts.get(year),
            per_meal=per_meal, section4=section4, preview=preview, ledger=ledger, chart=chart,
            twelve=TwelvePercentView.of(entitlement), missing_groups=missing_by_figure(entitlement),
            years=sorted(known_years | {year, current_school_year()}, reverse=True),
            previous_year_link=entitlements.previous_school_year(year), next_year_link=entitlements.next_school_year(year),
            state_url=with_query(reverse("usda_foods:state-entitlements", args=[district.state_agency.state]), year=year),
            collaborative_url=with_query(reverse("usda_foods:collaborative-entitlements", args=[district.collaborative_id]),
                                          year=year) if district.collaborative_id else None,
            can_edit_counts=lunch_count_districts(user).filter(pk=district.pk).exists(),
            can_propose=correction_districts(user).filter(pk=district.pk).exists(),
        )  # fmt: skip
        return context


class EntitlementLatest(LoginRequiredMixin, View):
    """``/districts/<id>/entitlements/``: the latest year with an entitlement, else this year."""

    def get(self, request: HttpRequest, district_id: int) -> HttpResponse:
        district = access.get_for_user(District.objects.all(), request.user, district_id)
        year = (
            Entitlement.objects.for_user(request.user)
            .filter(district=district)
            .order_by("-school_year")
            .values_list("school_year", flat=True)
            .first()
        )
        return redirect("usda_foods:entitlement-detail", district.pk, year or current_school_year())


class MyEntitlements(LoginRequiredMixin, View):
    """Where the navigation's Entitlements link goes: an SDA reviewer's state, an admin's lab, or a
    district's own page (``?for=state|collaborative|district`` picks one when a user holds several)."""

    TARGETS = {
        "state": (Role.SDA_REVIEWER,),
        "collaborative": (Role.COLLABORATIVE_ADMIN,),
        "district": (Role.DISTRICT_MANAGER, Role.DISTRICT_VIEWER),
    }

    def get(self, request: HttpRequest) -> HttpResponse:
        wanted = request.GET.get("for")
        order = [wanted] if wanted in self.TARGETS else list(self.TARGETS)
        memberships = list(
            access.scope(Membership.objects.all(), request.user).select_related("state_agency").order_by("pk")
        )
        for target in order:
            for membership in memberships:
                if membership.role not in self.TARGETS[target]:
                    continue
                if target == "state":
                    return redirect("usda_foods:state-entitlements", membership.state_agency.state)
                if target == "collaborative":
                    return redirect("usda_foods:collaborative-entitlements", membership.collaborative_id)
                return redirect("usda_foods:entitlement-latest", membership.district_id)
        messages.info(request, "Open a district to see its USDA Foods entitlement.")
        return redirect("districts:district-list")


# --- Tables: a state's SFAs, a collaborative's districts ---------------------------------------

COLUMNS = [
    ("district", "District (SFA)"),
    ("cov", "COV"),
    ("pal", "PAL"),
    ("drawn", "Drawn"),
    ("remaining", "Remaining"),
    ("utilisation", "Utilisation"),
]
CSV_HEADER = ["state", "agency_code", "district", "school_year", "commodity_offer_value",
              "planned_assistance_level", "pal_overridden", "drawn", "remaining", "utilisation_percent",
              "missing", "status"]  # fmt: skip


class EntitlementTable(LoginRequiredMixin, ListView):
    """Entitlements of a scope (a state's SFAs or a collaborative's districts) for one year:
    sortable, filtered, paginated, with totals, a CSV export and a Recompute button. The page
    costs the same number of queries for 5 rows or 2,000."""

    template_name = "usda_foods/entitlements/entitlement_table.html"
    context_object_name = "entitlements"
    paginate_by = 50
    scope_kwargs: dict[str, Any]
    title: str
    show_state = False

    def resolve_scope(self) -> None:
        raise NotImplementedError

    def page_url(self) -> str:
        raise NotImplementedError

    def _load(self, params: QueryDict) -> None:
        self.resolve_scope()
        visible = (
            Entitlement.objects.for_user(self.request.user)
            .filter(**self.scope_filter())
            .order_by("-school_year")
            .values_list("school_year", flat=True)
            .distinct()
        )
        years = list(visible)
        self.school_year = school_year_or_none(params.get("year")) or (
            years[0] if years else current_school_year()
        )
        self.years = sorted(set(years) | {self.school_year, current_school_year()}, reverse=True)
        self.filter_form = EntitlementFilterForm(
            {"year": self.school_year, "q": params.get("q", ""), "incomplete": params.get("incomplete", "")},
            years=self.years,
        )
        self.filter_form.is_valid()
        self.q = self.filter_form.cleaned_data.get("q", "").strip()
        self.incomplete = bool(self.filter_form.cleaned_data.get("incomplete"))
        sort = params.get("sort", "district")
        self.sort = sort if sort.lstrip("-") in ROW_SORTS else "district"

    def scope_filter(self) -> dict[str, Any]:
        if "state" in self.scope_kwargs:
            return {"district__state_agency__state": self.scope_kwargs["state"]}
        return {"district__collaborative_id": self.scope_kwargs["collaborative"]}

    def get_queryset(self) -> QuerySet[District]:
        """Every district of the scope, computed or not (``entitlement_rows``)."""
        return entitlement_rows(user=self.request.user, school_year=self.school_year, q=self.q,
                                          incomplete=True if self.incomplete else None, sort=self.sort,
                                          **self.scope_kwargs)  # fmt: skip

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self._load(request.GET)
        if request.GET.get("format") in exports.FORMATS:
            return self.export_response(request.GET["format"])
        return super().get(request, *args, **kwargs)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self._load(request.POST)
        try:  # refused outright (403/404) when the user may not recompute this scope
            job = recompute_start(user=request.user, school_year=self.school_year, **self.scope_kwargs)
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect(with_query(self.page_url(), year=self.school_year))
        messages.info(request, f"Recomputing the SY {self.school_year} entitlements of {self.title}.")
        return redirect(job)

    def export_response(self, fmt: str) -> HttpResponse:
        """Every row (not just the page), streamed as CSV or written as XLSX; money as numbers."""
        rows = (
            [e.district.state_agency.state, e.district.agency_code, e.district.name, e.school_year,
             e.commodity_offer_value, e.planned_assistance_level, "yes" if e.pal_overridden else "no", e.drawn,
             e.remaining_amount, e.utilisation, "; ".join(e.missing), e.status_text]
            for row in self.get_queryset().iterator(chunk_size=1000)
            for e in as_entitlements([row], school_year=self.school_year)
        )  # fmt: skip
        slug = "-".join(str(v) for v in self.scope_kwargs.values())
        return exports.table_response(fmt=fmt, filename=f"entitlements-{slug}-{self.school_year}",
                                      header=CSV_HEADER, rows=rows)  # fmt: skip

    def _sort_links(self) -> list[dict[str, str]]:
        links = []
        for key, label in COLUMNS:
            if self.sort == key:
                next_sort, direction = f"-{key}", "ascending"
            elif self.sort == f"-{key}":
                next_sort, direction = key, "descending"
            else:
                next_sort, direction = key, ""
            links.append({"key": key, "label": label, "direction": direction,
                          "url": self._query(sort=next_sort, page=None)})  # fmt: skip
        return links

    def _query(self, **changes: str | None) -> str:
        params = self.request.GET.copy()
        params["year"] = self.school_year
        for key, value in changes.items():
            if value is None:
                params.pop(key, None)
            else:
                params[key] = value
        return "?" + params.urlencode()

    def get_paginator(self, queryset: QuerySet[District], *args: Any, **kwargs: Any) -> Paginator:
        paginator = super().get_paginator(queryset, *args, **kwargs)
        self.totals = entitlement_totals(self.object_list, prefix="e_")
        paginator.count = self.totals["count"]  # counted with the sums: no second count query
        return paginator

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        try:
            recompute_scope(user=self.request.user, school_year=self.school_year, **self.scope_kwargs)
            can_recompute = True
        except (DomainError, PermissionDenied, Http404):
            can_recompute = False
        context["entitlements"] = rows = as_entitlements(context["object_list"], school_year=self.school_year)
        context["rows_html"] = entitlement_rows_html(rows, show_state=self.show_state)
        context.update(
            title=self.title, school_year=self.school_year, years=self.years, filter_form=self.filter_form,
            sort=self.sort, sort_links=self._sort_links(),
            totals=self.totals,
            csv_url=self._query(format="csv", page=None), xlsx_url=self._query(format="xlsx", page=None), can_recompute=can_recompute, show_state=self.show_state,
            page_url=self.page_url(),
        )  # fmt: skip
        return context


class StateEntitlements(EntitlementTable):
    """Every SFA of a state that the user may see. A user who sees none of them gets 404."""

    show_state = False

    def resolve_scope(self) -> None:
        state = self.kwargs["state"].upper()
        if state not in STATE_NAMES:
            raise Http404("No such state.")
        if (
            not entitlement_districts(self.request.user, write=False)
            .filter(state_agency__state=state)
            .exists()
        ):
            raise Http404("No SFA of that state is yours to see.")
        self.state = state
        self.scope_kwargs = {"state": state}
        self.title = f"SFAs in {STATE_NAMES[state]}"

    def page_url(self) -> str:
        return reverse("usda_foods:state-entitlements", args=[self.state])


class CollaborativeEntitlements(EntitlementTable):
    """The districts of a collaborative (learning lab) that the user may see, with their sums."""

    show_state = True

    def resolve_scope(self) -> None:
        self.collaborative = access.get_for_user(
            Collaborative.objects.all(), self.request.user, self.kwargs["pk"]
        )
        self.scope_kwargs = {"collaborative": self.collaborative.pk}
        self.title = self.collaborative.name

    def page_url(self) -> str:
        return reverse("usda_foods:collaborative-entitlements", args=[self.collaborative.pk])

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["collaborative"] = self.collaborative
        return context
