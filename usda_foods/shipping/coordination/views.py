"""Cross-state coordination pages: offer a plan's remainder to other states (neighbours first), the
offers and joint plans an agency's reviewers see, the joint plan page (own stops in full, the
partner state's by site name only) with accept and decline, and its carrier manifest.

Only SDA reviewers of the two agencies see an offer or a joint plan; everyone else gets 404."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views import View

from districts import access
from districts.models import StateAgency
from focus_lab import exports
from focus_lab.errors import DomainError
from usda_foods.ordering.models import CatalogItem, OrderWindow
from usda_foods.shipping.coordination import selectors
from usda_foods.shipping.coordination.export import MANIFEST_HEADER, manifest_pdf, manifest_rows
from usda_foods.shipping.coordination.services import (
    joint_plan_accept,
    joint_plan_create,
    joint_plan_decline,
    partner_windows,
    remainder_offer,
    remainder_offer_decline,
)
from usda_foods.shipping.models import JointPlan, OfferStatus, RemainderOffer, ShipmentPlan

T = "usda_foods/shipping/coordination/"


class OfferForm(forms.Form):
    food = forms.TypedChoiceField(label="Food", coerce=int)
    agencies = forms.MultipleChoiceField(label="Offer to", widget=forms.CheckboxSelectMultiple)
    note = forms.CharField(label="Note to the other agencies", required=False, max_length=300)

    def __init__(
        self, *args: Any, foods: list[dict], agencies: list[tuple[StateAgency, bool]], **kwargs: Any
    ):
        super().__init__(*args, **kwargs)
        self.fields["food"].choices = [(f["food_id"], f"{f['food__description']} ({f['food__material_code']})")
                                       for f in foods]  # fmt: skip
        self.fields["agencies"].choices = [
            (str(a.pk), f"{a.name} ({a.state}){' · neighbour' if near else ''}") for a, near in agencies
        ]


class PlanOffer(LoginRequiredMixin, View):
    """Offer a food's remainder of a finished plan to other states' agencies (plan reviewers)."""

    def setup_plan(self, pk: int) -> None:
        plans = ShipmentPlan.objects.select_related("window", "window__state_agency")
        self.plan = access.get_for_user(plans, self.request.user, pk, write=True)
        self.foods = selectors.offerable_foods(self.plan)
        self.agencies = selectors.agencies_to_offer(self.plan.window.state_agency)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        self.setup_plan(pk)
        initial = {"food": request.GET.get("food")}
        return self.page(OfferForm(initial=initial, foods=self.foods, agencies=self.agencies))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        self.setup_plan(pk)
        form = OfferForm(request.POST, foods=self.foods, agencies=self.agencies)
        if form.is_valid():
            food = CatalogItem.objects.get(pk=form.cleaned_data["food"])
            chosen = [a for a, _ in self.agencies if str(a.pk) in form.cleaned_data["agencies"]]
            try:
                offers = remainder_offer(plan=self.plan, food=food, agencies=chosen, user=request.user,
                                         note=form.cleaned_data["note"])  # fmt: skip
            except DomainError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                states = ", ".join(o.to_agency.state for o in offers)
                messages.success(
                    request, f"{offers[0].cases:,} cases of {food.description} offered to {states}."
                )
                return redirect("usda_foods:remainder-offers")
        return self.page(form)

    def page(self, form: OfferForm) -> HttpResponse:
        return render(
            self.request, T + "offer_form.html", {"plan": self.plan, "form": form, "foods": self.foods}
        )


class OfferList(LoginRequiredMixin, View):
    """Offers to and from the agencies the user reviews, and their joint plans. Three queries."""

    def get(self, request: HttpRequest) -> HttpResponse:
        offers = list(selectors.offers_for(request.user))
        reviewed = set(access.reviewed_states(request.user).values_list("state_agency_id", flat=True))
        context = {"received": [o for o in offers if o.to_agency_id in reviewed],
                   "sent": [o for o in offers if o.from_agency_id in reviewed],
                   "joint_plans": list(selectors.joint_plans_for(request.user)), "is_reviewer": bool(reviewed)}  # fmt: skip
        return render(request, T + "offer_list.html", context)


class WindowChoice(forms.Form):
    window = forms.ModelChoiceField(queryset=None, label="Plan it with the orders of", empty_label=None)

    def __init__(self, *args: Any, offer: RemainderOffer, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["window"].queryset = partner_windows(offer)


class OfferDetail(LoginRequiredMixin, View):
    """One offer; the receiving agency's reviewers plan it jointly (choosing their window) or
    decline it."""

    def get_offer(self, pk: int) -> RemainderOffer:
        offers = RemainderOffer.objects.select_related("food", "from_agency", "to_agency", "plan__window")
        return access.get_for_user(offers, self.request.user, pk)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        offer = self.get_offer(pk)
        return self.page(offer, WindowChoice(offer=offer))

    def page(self, offer: RemainderOffer, form: WindowChoice) -> HttpResponse:
        receiving = (
            access.reviewed_states(self.request.user).filter(state_agency_id=offer.to_agency_id).exists()
        )
        context = {"offer": offer, "form": form, "can_answer": receiving and offer.status == OfferStatus.OFFERED,
                   "joint": JointPlan.objects.filter(offer=offer).first()}  # fmt: skip
        return render(self.request, T + "offer_detail.html", context)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        offer = self.get_offer(pk)
        if request.POST.get("answer") == "decline":
            try:
                remainder_offer_decline(offer=offer, user=request.user)
            except DomainError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(
                    request, f"Declined: {offer.from_agency.name} is told it can plan elsewhere."
                )
            return redirect(offer)
        form = WindowChoice(request.POST, offer=offer)
        if form.is_valid():
            try:
                joint = joint_plan_create(offer=offer, user=request.user, window=form.cleaned_data["window"])
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(
                    request, f"Joint plan #{joint.pk} is ready: both agencies now accept or decline it."
                )
                return redirect(joint)
        return self.page(offer, form)


class JointPlanMixin(LoginRequiredMixin):
    request: HttpRequest

    def get_joint(self, pk: int) -> JointPlan:
        joints = JointPlan.objects.select_related("food", "offer__from_agency", "offer__to_agency",
                                                  "offer__plan__window", "partner_window")  # fmt: skip
        return access.get_for_user(joints, self.request.user, pk)


class JointPlanDetail(JointPlanMixin, View):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        joint = self.get_joint(pk)
        own = selectors.own_agencies(request.user, joint)
        units = "km" if request.GET.get("units") == "km" else "miles"
        trucks = selectors.visible_trucks(joint, own)
        mine = {"offerer": joint.offer.from_agency_id in own, "partner": joint.offer.to_agency_id in own}
        waiting = (mine["offerer"] and not joint.offerer_accepted_at) or (
            mine["partner"] and not joint.partner_accepted_at
        )
        context = {"joint": joint, "trucks": trucks, "units": units, "can_answer": joint.status == "proposed" and waiting,
                   "own_states": sorted({s.state for t in trucks for s in t.stops if s.own})}  # fmt: skip
        return render(request, T + "joint_detail.html", context)


class JointPlanAnswer(JointPlanMixin, View):
    """Accept or decline a joint plan for the user's agency."""

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        joint = self.get_joint(pk)
        try:
            if request.POST.get("answer") == "decline":
                joint = joint_plan_decline(joint=joint, user=request.user)
                messages.success(request, "Declined: the joint plan is refused and binds neither agency.")
            else:
                joint = joint_plan_accept(joint=joint, user=request.user)
                done = joint.status == "binding"
                messages.success(request, "Accepted by both agencies: the joint plan binds." if done else
                                 "Accepted for your agency: it binds once the other agency accepts too.")  # fmt: skip
        except DomainError as exc:
            messages.error(request, exc.message)
        return redirect(joint)


class JointManifest(JointPlanMixin, View):
    """The joint plan's carrier manifest as each agency may see it (``?format=xlsx``, or PDF)."""

    pdf = False

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        joint = self.get_joint(pk)
        trucks = selectors.visible_trucks(joint, selectors.own_agencies(request.user, joint))
        if self.pdf:
            response = HttpResponse(manifest_pdf(joint, trucks), content_type="application/pdf")
            response["Content-Disposition"] = f'inline; filename="joint-plan-{joint.pk}.pdf"'
            return response
        fmt = exports.export_format(request.GET.get("format"))
        return exports.table_response(fmt=fmt, filename=f"joint-plan-{joint.pk}", header=MANIFEST_HEADER,
                                      rows=manifest_rows(joint, trucks))  # fmt: skip


class WindowTruckloads(LoginRequiredMixin, View):
    """The SDA's demand against truckloads for a window (its state's reviewers only)."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        window = access.get_for_user(
            OrderWindow.objects.select_related("state_agency"), request.user, pk, write=True
        )
        context = {"window": window, "foods": selectors.window_truckloads(window),
                   "carryover_available": selectors.CARRYOVER_AVAILABLE}  # fmt: skip
        return render(request, T + "window_truckloads.html", context)
