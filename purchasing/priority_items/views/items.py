"""Pages for priority items: the list, proposing one, its page with the versions and their
history, editing the item, revising it, comparing two versions, and the lab's consensus rule.

Thin views: resolve through districts/access.py (outsiders get 404), bind the form, call the
service, message and redirect; a ``DomainError`` is shown on its field."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from districts import access
from districts.models import Collaborative
from focus_lab.errors import DomainError
from purchasing.access import lab_ids
from purchasing.priority_items import rules
from purchasing.priority_items.forms import ConsensusRuleForm, ItemCreateForm, ItemForm, add_domain_error
from purchasing.priority_items.models import SPEC_FIELDS, PriorityItem
from purchasing.priority_items.selectors import items_with_status
from purchasing.priority_items.services import (
    consensus_rule_for,
    consensus_rule_set,
    item_create,
    item_update,
    version_revise,
)

SPEC_KEYS = ("product_form", "pack_size", "grade", "crediting", "processing", "claims", "allergens",
             "local_clause", "local_definition", "attributes", "required_practices", "required_certifications")  # fmt: skip
ITEM_KEYS = ("name", "why", "unit", "case_net_weight_lb", "reference_price", "supplier_category", "supplier_keywords",
             "max_distance_miles")  # fmt: skip


@login_required
def item_list(request: HttpRequest) -> HttpResponse:
    items = items_with_status(PriorityItem.objects.for_user(request.user)).order_by(
        "collaborative__name", "name"
    )
    labs = Collaborative.objects.for_user(request.user, write=True)
    return render(request, "purchasing/priority_items/item_list.html", {
        "items": items, "can_create": access.can_create(request.user, PriorityItem), "rule_labs": labs,
    })  # fmt: skip


@login_required
def item_create_view(request: HttpRequest) -> HttpResponse:
    if not access.can_create(request.user, PriorityItem):
        raise PermissionDenied("District managers, partner staff and lab admins propose priority items.")
    form = ItemCreateForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            item = item_create(user=request.user, collaborative=data["collaborative"],
                               spec={k: data[k] for k in SPEC_KEYS},
                               **{k: data[k] for k in ITEM_KEYS})  # fmt: skip
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, f"“{item}” saved as a draft: review it, then propose it to the lab.")
            return redirect(item)
    return render(
        request,
        "purchasing/priority_items/item_form.html",
        {"form": form, "title": "Propose a priority item"},
    )


def _item(request: HttpRequest, pk: int, *, write: bool = False) -> PriorityItem:
    return access.get_for_user(
        PriorityItem.objects.select_related("collaborative"), request.user, pk, write=write
    )


@login_required
def item_detail(request: HttpRequest, pk: int) -> HttpResponse:
    item = _item(request, pk)
    versions = list(item.versions.select_related("created_by").prefetch_related("endorsements__district"))
    adopted = next((v for v in versions if v.status == "adopted"), None)
    open_version = next((v for v in versions if v.status in ("draft", "proposed")), None)
    return render(request, "purchasing/priority_items/item_detail.html", {
        "item": item, "versions": versions, "adopted": adopted, "open_version": open_version,
        "can_write": access.can_write(request.user, item), "rule": consensus_rule_for(item.collaborative),
        "commitments": item.commitments.select_related("district").order_by("district__name"),
    })  # fmt: skip


@login_required
def item_update_view(request: HttpRequest, pk: int) -> HttpResponse:
    item = _item(request, pk, write=True)
    form = ItemForm(request.POST or None, initial=ItemForm.initial_for(item))
    if request.method == "POST" and form.is_valid():
        if not form.has_changed():
            messages.info(request, "Nothing changed.")
            return redirect(item)
        try:
            item_update(user=request.user, item_id=item.pk, **form.cleaned_data)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, f"“{item}” saved.")
            return redirect(item)
    return render(
        request,
        "purchasing/priority_items/item_form.html",
        {"form": form, "title": f"Edit {item}", "item": item},
    )


@login_required
@require_POST
def item_revise(request: HttpRequest, pk: int) -> HttpResponse:
    item = _item(request, pk, write=True)
    try:
        version = version_revise(
            user=request.user, item_id=item.pk, change_note=request.POST.get("change_note", "")[:300]
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(item)
    messages.success(request, f"Version {version.number} is a new draft: change it, then propose it.")
    return redirect("purchasing:version-update", pk=version.pk)


@login_required
def item_compare(request: HttpRequest, pk: int) -> HttpResponse:
    """Any two versions side by side, the changed fields marked (default: the two latest)."""
    item = _item(request, pk)
    versions = list(item.versions.all())
    by_number = {str(v.number): v for v in versions}
    left = by_number.get(request.GET.get("a", "")) or (versions[1] if len(versions) > 1 else None)
    right = by_number.get(request.GET.get("b", "")) or (versions[0] if versions else None)
    rows = rules.diff(left.spec(), right.spec(), SPEC_FIELDS) if left and right else []
    return render(request, "purchasing/priority_items/compare.html", {
        "item": item, "versions": versions, "left": left, "right": right, "rows": rows,
        "changed": sum(row.changed for row in rows),
    })  # fmt: skip


@login_required
def consensus_rule_view(request: HttpRequest, pk: int) -> HttpResponse:
    labs = Collaborative.objects.all()
    if not request.user.is_superuser:  # the lab's members, not everyone who sees the collaborative
        labs = labs.filter(id__in=lab_ids(request.user))
    collaborative = access.get_for_user(labs, request.user, pk)
    rule = consensus_rule_for(collaborative)
    can_edit = access.can_write(request.user, collaborative)
    form = ConsensusRuleForm(request.POST or None, instance=rule)
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied("Only the lab's admins set its consensus rule.")
        if form.is_valid():
            if not form.has_changed():  # an unsaved default saved unchanged stays a default
                messages.info(request, "Nothing changed.")
                return redirect("purchasing:item-list")
            try:
                consensus_rule_set(user=request.user, collaborative=collaborative, **form.cleaned_data)
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                messages.success(request, f"The consensus rule of {collaborative} is saved.")
                return redirect("purchasing:item-list")
    return render(request, "purchasing/priority_items/rule_form.html",
                  {"form": form, "collaborative": collaborative, "can_edit": can_edit, "rule": rule})  # fmt: skip
