"""Shipment-plan pages (FD-125 split shipments): a window's plans with the form that runs one, the
plan page (progress polled with htmx, then figures against their lower bounds, a map, the trucks
and the proposed adjustments to accept or override), its CSV and PDF, and a district's own drops.

Who sees what: plans belong to a window's state (``districts/access.py``). The state's SDA
reviewers see a plan whole and change it. Everyone else who sees the plan (district staff of the
state, their partners and collaborative admins) gets its overall figures and the drops at their
own sites (``district_drops``), never another district's sites, routes or adjustments;
the map, the CSV and the PDF name every site, so they are the reviewers'. Outsiders get 404.
"""

from __future__ import annotations

import functools
import itertools
import operator
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views import View
from django.views.generic import TemplateView

from districts import access
from districts.models import StateAgency
from focus_lab import exports
from focus_lab.errors import DomainError
from focus_lab.jobs.models import JobStatus
from usda_foods.entitlements.forms import add_domain_error
from usda_foods.ordering.access import reviews_state
from usda_foods.ordering.models import OrderWindow
from usda_foods.shipping.access import deciding_district_ids
from usda_foods.shipping.coordination.export import state_plan_rows
from usda_foods.shipping.coordination.selectors import binding_joint_trucks
from usda_foods.shipping.export import CSV_HEADER, plan_map, plan_pdf, plan_rows, plan_trucks, truck_colour
from usda_foods.shipping.forms import PlacementForm
from usda_foods.shipping.models import AdjustmentStatus, PlanAdjustment, ShipmentPlan
from usda_foods.shipping.placement import placement_settings_save
from usda_foods.shipping.proposals import proposal_decide, proposals_for
from usda_foods.shipping.services import (
    district_drops,
    shipment_adjustments_accept,
    shipment_adjustments_override,
    shipment_plan_start,
)

WINDOW_PLANS = "usda_foods/shipping/window_plans.html"
PAGE = "usda_foods/shipping/plan_detail.html"
BODY = "usda_foods/shipping/_plan_body.html"
RUNNING = (JobStatus.QUEUED, JobStatus.RUNNING)


def _open(row: PlanAdjustment) -> bool:
    """The state still has to act on it: not yet sent, or a cut the district declined (a declined
    increase waits for a full truck instead)."""
    if row.status == AdjustmentStatus.DECLINED:
        return row.cases < 0
    return row.status in (AdjustmentStatus.PROPOSED, AdjustmentStatus.OVERRIDDEN)


class RunPlanForm(forms.Form):
    max_stops = forms.IntegerField(label="Stops a truck, at most", min_value=1, max_value=10, initial=3)
    min_drop = forms.DecimalField(
        label="Smallest drop (share of a truck)", min_value=Decimal("0"), max_value=Decimal("1"),
        max_digits=4, decimal_places=3, initial=Decimal("0.25"),
        help_text="FD-125's guideline is 1/4 truck (0.25).",
    )  # fmt: skip


# --- A window's plans -----------------------------------------------------------------------------


class WindowPlans(LoginRequiredMixin, View):
    """The window's plans, newest first, and for its state's reviewers the form that runs one."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        window = access.get_for_user(OrderWindow.objects.select_related("state_agency"), request.user, pk)
        return self.render(window, RunPlanForm())

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        window = access.get_for_user(
            OrderWindow.objects.select_related("state_agency"), request.user, pk, write=True
        )
        form = RunPlanForm(request.POST)
        if form.is_valid():
            try:
                plan = shipment_plan_start(window=window, user=request.user, **form.cleaned_data)
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                messages.success(request, f"Shipment plan #{plan.pk} started for “{window.name}”.")
                return redirect(plan)
        messages.error(request, "No plan was started: check the rules below.")
        return self.render(window, form)

    def render(self, window: OrderWindow, form: RunPlanForm) -> HttpResponse:
        plans = (
            ShipmentPlan.objects.for_user(self.request.user)
            .filter(window=window)
            .select_related("created_by")
        )
        context = {"window": window, "plans": plans, "form": form,
                   "can_run": access.can_write(self.request.user, window)}  # fmt: skip
        return render(self.request, WINDOW_PLANS, context)


# --- The plan page --------------------------------------------------------------------------------


class PlanPageMixin(LoginRequiredMixin):
    request: HttpRequest
    kwargs: dict[str, Any]

    def get_plan(self, *, write: bool = False) -> ShipmentPlan:
        """The plan if the user may see it (else 404); with ``write``, 403 unless they review it."""
        plans = ShipmentPlan.objects.select_related("window", "window__state_agency", "created_by")
        return access.get_for_user(plans, self.request.user, self.kwargs["pk"], write=write)

    def plan_context(self, plan: ShipmentPlan, *, typed: dict[str, str] | None = None,
                     error_food: str = "", error: str = "") -> dict[str, Any]:  # fmt: skip
        """What the plan body shows. A fixed number of queries: the trucks with their stops (2)
        and the adjustments (1) for reviewers, the user's own drops (1) for everyone else."""
        user = self.request.user
        is_reviewer = access.can_write(user, plan)
        context: dict[str, Any] = {
            "plan": plan,
            "is_reviewer": is_reviewer,
            "running": plan.status in RUNNING,
            "units": "km" if self.request.GET.get("units") == "km" else "miles",
        }
        if plan.status != JobStatus.DONE:
            return context
        if not is_reviewer:
            context["drops"] = list(district_drops(user=user, plan=plan))
            return context
        trucks = plan_trucks(plan)
        for truck in trucks:
            truck.colour = truck_colour(truck.number)
        adjustments = (
            PlanAdjustment.objects.filter(plan=plan)
            .select_related("food", "site", "site__district", "processor")
            .order_by("food__description", "food_id", "site__name", "pk")
        )
        groups = []
        for food, rows in itertools.groupby(adjustments, key=operator.attrgetter("food")):
            rows = list(rows)
            for row in rows:
                row.typed = (typed or {}).get(f"cases-{row.pk}", row.cases)
            groups.append({"food": food, "adjustments": rows, "error": error if str(food.pk) == error_food else "",
                           "open": sum(_open(row) for row in rows)})  # fmt: skip
        context["plan_offers"] = list(plan.remainder_offers.select_related("food", "to_agency", "joint_plan")
                                      .order_by("food__description", "to_agency__state"))  # fmt: skip
        context.update(trucks=trucks, map=plan_map(trucks), adjustment_groups=groups,
                       open_adjustments=sum(g["open"] for g in groups))  # fmt: skip
        return context


class PlanDetail(PlanPageMixin, View):
    """The plan page; ``?partial=1`` (htmx, every second while the plan runs) returns its body,
    which is the progress bar until the plan is done and the whole plan after."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        plan = self.get_plan()
        return render(request, BODY if request.GET.get("partial") else PAGE, self.plan_context(plan))


def _back(plan: ShipmentPlan) -> HttpResponse:
    return redirect(f"{plan.get_absolute_url()}#adjustments")


class PlanAccept(PlanPageMixin, View):
    """Send the selected adjustments to their districts as proposals (reviewers)."""

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        plan = self.get_plan(write=True)
        ids = list(dict.fromkeys(int(v) for v in request.POST.getlist("adjustment") if v.isdigit()))
        if not ids:
            messages.warning(request, "Select the adjustments to send first.")
            return _back(plan)
        try:
            applied = shipment_adjustments_accept(plan=plan, adjustment_ids=ids, user=request.user)
        except DomainError as exc:
            messages.error(request, f"Nothing was sent: {exc.message}")
        else:
            messages.success(request, f"{applied} proposal{'s' if applied != 1 else ''} sent to the districts: "
                                      "each accepts or declines.")  # fmt: skip
        return _back(plan)


class PlanOverride(PlanPageMixin, View):
    """Set one food's adjustments by hand (reviewers). Only the changed numbers are sent to the
    service; a refusal shows its message above that food's table with the numbers as typed."""

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        plan = self.get_plan(write=True)
        typed = {key: value.strip() for key, value in request.POST.items() if key.startswith("cases-")}
        food = request.POST.get("food", "")
        try:
            wanted = {int(key.removeprefix("cases-")): int(value) for key, value in typed.items()}
        except ValueError:
            return self.refuse(plan, typed, food, "Enter a whole number of cases (+ to add, - to remove).")
        current = dict(
            PlanAdjustment.objects.filter(plan=plan, pk__in=list(wanted)).values_list("pk", "cases")
        )
        changed = {adj: cases for adj, cases in wanted.items() if current.get(adj) != cases}
        if not changed:
            messages.info(request, "Nothing changed: type the new adjustments first.")
            return _back(plan)
        try:
            done = shipment_adjustments_override(plan=plan, cases_by_adjustment=changed, user=request.user)
        except DomainError as exc:
            return self.refuse(plan, typed, food, exc.message)
        names = ", ".join(f"{a.cases:+d} at {a.site.name}" for a in done)
        messages.success(request, f"Overridden for {done[0].food.description}: {names}.")
        return _back(plan)

    def refuse(self, plan: ShipmentPlan, typed: dict[str, str], food: str, message: str) -> HttpResponse:
        messages.error(self.request, f"Not overridden: {message}")
        return render(
            self.request, PAGE, self.plan_context(plan, typed=typed, error_food=food, error=message)
        )


class PlanRerun(PlanPageMixin, View):
    """A new plan of the window's approved orders as they stand, with this plan's rules."""

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        plan = self.get_plan(write=True)
        try:
            new = shipment_plan_start(window=plan.window, user=request.user, max_stops=plan.max_stops,
                                               min_drop=plan.min_drop)  # fmt: skip
        except DomainError as exc:
            messages.error(request, f"No plan was started: {exc.message}")
            return redirect(plan)
        messages.success(request, f"Shipment plan #{new.pk} started with the rules of plan #{plan.pk}.")
        return redirect(new)


class _DonePlanExport(PlanPageMixin, View):
    """Exports name every site of the plan: reviewers only, and only once the plan is done."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        plan = self.get_plan(write=True)
        if plan.status != JobStatus.DONE:
            messages.warning(
                request, f"Plan #{plan.pk} is {plan.get_status_display().lower()}: nothing to export yet."
            )
            return redirect(plan)
        return self.export(plan)

    def export(self, plan: ShipmentPlan) -> HttpResponse:
        raise NotImplementedError


class PlanCsv(_DonePlanExport):
    """One row per stop, for a carrier's or a warehouse's system."""

    def export(self, plan: ShipmentPlan) -> HttpResponse:
        fmt = exports.export_format(self.request.GET.get("format"))
        joints = binding_joint_trucks(plan.window, self.request.user)
        rows = itertools.chain(plan_rows(plan_trucks(plan)), state_plan_rows(joints))
        return exports.table_response(
            fmt=fmt, filename=f"shipment-plan-{plan.pk}", header=CSV_HEADER, rows=rows
        )


class PlanPdf(_DonePlanExport):
    """The carrier's manifest: a section per truck with its stops in order."""

    def export(self, plan: ShipmentPlan) -> HttpResponse:
        joints = binding_joint_trucks(plan.window, self.request.user)
        response = HttpResponse(plan_pdf(plan, joints), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="shipment-plan-{plan.pk}.pdf"'
        return response


# --- A district's drops ---------------------------------------------------------------------------


class MyDeliveries(LoginRequiredMixin, TemplateView):
    """The user's drops in the latest finished plan of each window they see (newest deliveries
    first). Two queries whatever the number of windows: the latest plans, then every drop."""

    template_name = "usda_foods/shipping/my_deliveries.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        latest = list(
            ShipmentPlan.objects.for_user(user)
            .filter(status=JobStatus.DONE)
            .select_related("window")
            .order_by("window_id", "-created_at", "-id")
            .distinct("window_id")
        )
        latest.sort(key=lambda p: (p.window.delivery_start, p.window_id), reverse=True)
        drops: dict[int, list] = {plan.pk: [] for plan in latest}
        if latest:
            every = functools.reduce(operator.or_, (district_drops(user=user, plan=p) for p in latest))
            for drop in every:
                drops[drop.truck.plan_id].append(drop)
        context["windows"] = [
            {"plan": plan, "window": plan.window, "drops": drops[plan.pk]} for plan in latest
        ]
        context["drop_count"] = sum(len(d) for d in drops.values())
        return context


# --- A district's proposals (issue 18) ------------------------------------------------------------


class ProposalList(LoginRequiredMixin, TemplateView):
    """The changes the state proposes to the user's districts' approved orders, waiting ones
    first. Three queries whatever the number of proposals (the list and the user's rights)."""

    template_name = "usda_foods/shipping/proposal_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        rows = list(proposals_for(self.request.user))
        deciding = set(deciding_district_ids(self.request.user).values_list("district_id", flat=True))
        for row in rows:
            row.can_decide = row.status == AdjustmentStatus.OFFERED and row.site.district_id in deciding
        context["proposals"] = rows
        return context


class ProposalDetail(LoginRequiredMixin, View):
    """One proposal: why, which trucks it completes, what it costs the entitlement; the district's
    managers accept or decline it (``action`` = accept | decline). Other districts get 404."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return self.render(self.get_proposal(pk))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        proposal = self.get_proposal(pk)
        action = request.POST.get("action")
        if action not in ("accept", "decline"):
            messages.error(request, "Choose to accept or decline.")
            return self.render(proposal)
        try:
            proposal_decide(adjustment_id=proposal.pk, user=request.user, accept=action == "accept",
                            note=request.POST.get("note", ""))  # fmt: skip
        except DomainError as exc:
            messages.error(request, f"Nothing changed: {exc.message}")
            return self.render(proposal)
        messages.success(request, "Accepted: your approved order now includes the change." if action == "accept"
                         else "Declined: the state sees your answer.")  # fmt: skip
        return redirect(proposal)

    def get_proposal(self, pk: int) -> PlanAdjustment:
        return access.get_for_user(proposals_for(self.request.user), self.request.user, pk)

    def render(self, proposal: PlanAdjustment) -> HttpResponse:
        deciding = (
            deciding_district_ids(self.request.user).filter(district_id=proposal.site.district_id).exists()
        )
        context = {"proposal": proposal,
                   "can_decide": deciding and proposal.status == AdjustmentStatus.OFFERED}  # fmt: skip
        return render(self.request, "usda_foods/shipping/proposal_detail.html", context)


# --- The state's alternatives to adjustments ------------------------------------------------------


class PlacementSettingsView(LoginRequiredMixin, View):
    """A state agency's order of alternatives before adjustments and its warehouse (reviewers
    change them; the state's districts read them)."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        state = access.get_for_user(StateAgency.objects.all(), request.user, pk)
        return self.render(state, PlacementForm(state=state))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        state = access.get_for_user(StateAgency.objects.all(), request.user, pk)
        if not reviews_state(request.user, state.pk):
            raise PermissionDenied
        form = PlacementForm(request.POST, state=state)
        if form.is_valid():
            try:
                placement_settings_save(state_agency=state, user=request.user, **form.cleaned_data)
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                messages.success(request, f"Alternatives to adjustments saved for {state}.")
                return redirect("usda_foods:placement-settings", pk=state.pk)
        return self.render(state, form)

    def render(self, state: StateAgency, form: PlacementForm) -> HttpResponse:
        context = {"state": state, "form": form, "can_edit": reviews_state(self.request.user, state.pk)}
        return render(self.request, "usda_foods/shipping/placement_settings.html", context)
