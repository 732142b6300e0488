"""Pages for menu commitments and pooled demand: a district's commitment to an adopted item (with
the conversion to the annual volume shown), one item's pooled demand, the lab-wide page, and the
RFI/RFP draft (PDF, DOCX) with its XLSX bid sheet."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from districts import access
from focus_lab.errors import DomainError
from focus_lab.text import possessive
from partners.suppliers.models import CertificationKind, Practice
from purchasing.priority_items import rules
from purchasing.priority_items.documents import DOCX, XLSX, bid_sheet_xlsx, rfp_docx, rfp_items, rfp_pdf
from purchasing.priority_items.forms import CommitmentForm, add_domain_error, managed_districts
from purchasing.priority_items.models import MONTHS, MenuCommitment, PriorityItem, VersionStatus
from purchasing.priority_items.selectors import candidate_suppliers, pooled_demand
from purchasing.priority_items.services import commitment_set

MONTH_NAMES = dict(MONTHS)


def _item(request: HttpRequest, pk: int) -> PriorityItem:
    return access.get_for_user(PriorityItem.objects.select_related("collaborative"), request.user, pk)


@login_required
def item_demand(request: HttpRequest, pk: int) -> HttpResponse:
    item = _item(request, pk)
    demand = pooled_demand(PriorityItem.objects.filter(pk=item.pk))[0]
    return render(request, "purchasing/priority_items/item_demand.html", {
        "item": item, "demand": demand, "month_names": MONTH_NAMES,
        "adopted": item.versions.filter(status=VersionStatus.ADOPTED).first(),
        "can_commit": managed_districts(request.user, item.collaborative_id).exists(),
    })  # fmt: skip


@login_required
def lab_demand(request: HttpRequest) -> HttpResponse:
    """Every item of the user's labs with its pooled volume and value: the lab's buying power."""
    demands = pooled_demand(
        PriorityItem.objects.for_user(request.user).order_by("collaborative__name", "name")
    )
    valued = [d.value for d in demands if d.value is not None]
    return render(request, "purchasing/priority_items/lab_demand.html", {
        "demands": demands, "total_value": sum(valued, Decimal(0)) if valued else None,
    })  # fmt: skip


FIELDS = ("times_per_month", "months", "servings_per_day", "serving_size", "serving_unit", "override_volume",
          "override_reason")  # fmt: skip


@login_required
def commitment_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """A district's manager records how it will menu the item (``?district=`` picks the district)."""
    item = _item(request, pk)
    districts = managed_districts(request.user, item.collaborative_id)
    if not districts.exists():
        raise PermissionDenied("Only a district's managers record its menu commitments.")
    chosen = request.POST.get("district") or request.GET.get("district")
    district = districts.filter(pk=chosen).first() if str(chosen or "").isdigit() else None
    district = district or districts.order_by("name").first()
    current = MenuCommitment.objects.filter(item=item, district=district).first()
    initial = {"district": district.pk, "serving_unit": "each" if item.unit == rules.EACH else "oz"}
    if current:
        initial.update({k: getattr(current, k) for k in FIELDS})
    form = CommitmentForm(
        request.POST or None, initial=initial, user=request.user, collaborative_id=item.collaborative_id
    )
    if request.method == "POST" and form.is_valid():
        try:
            commitment_set(user=request.user, item_id=item.pk, **form.cleaned_data)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(
                request, f"{possessive(form.cleaned_data['district'])} commitment to “{item}” is saved."
            )
            return redirect("purchasing:item-demand", pk=item.pk)
    computed = None
    if current:
        current.item = item
        computed = current.computed()
    return render(request, "purchasing/priority_items/commitment_form.html", {
        "item": item, "form": form, "current": current, "computed": computed, "district": district,
        "adopted": item.versions.filter(status=VersionStatus.ADOPTED).exists(),
    })  # fmt: skip


@login_required
def rfp_draft(request: HttpRequest) -> HttpResponse:
    """Choose adopted items (``?item=``) and download the draft as ``format=pdf|docx|xlsx``."""
    visible = PriorityItem.objects.for_user(request.user)
    adopted = (
        visible.filter(versions__status=VersionStatus.ADOPTED)
        .select_related("collaborative")
        .order_by("name")
    )
    chosen = [pk for pk in request.GET.getlist("item") if pk.isdigit()]
    kind = request.GET.get("format")
    if chosen and kind in ("pdf", "docx", "xlsx"):
        items = rfp_items(visible.filter(pk__in=chosen))
        if items:
            title = "Request for proposals (draft): " + "; ".join(i.version.item.name for i in items)
            if kind == "pdf":
                body, content_type = rfp_pdf(items, title=title), "application/pdf"
            elif kind == "docx":
                body, content_type = rfp_docx(items, title=title), DOCX
            else:
                body, content_type = bid_sheet_xlsx(items), XLSX
            response = HttpResponse(body, content_type=content_type)
            name = "bid-sheet" if kind == "xlsx" else "rfp-draft"
            response["Content-Disposition"] = f'attachment; filename="{name}.{kind}"'
            return response
        messages.error(request, "Choose at least one item with an adopted specification.")
    return render(request, "purchasing/priority_items/rfp.html", {"items": adopted, "chosen": chosen})


@login_required
def item_suppliers(request: HttpRequest, pk: int) -> HttpResponse:
    """Candidate suppliers from the lab's supplier directory, ranked."""
    item = _item(request, pk)
    criteria, candidates = candidate_suppliers(user=request.user, item=item, today=timezone.localdate())
    return render(request, "purchasing/priority_items/item_suppliers.html", {
        "item": item, "criteria": criteria, "candidates": candidates,
        "adopted": item.versions.filter(status=VersionStatus.ADOPTED).first(),
        "practice_names": dict(Practice.choices), "cert_names": dict(CertificationKind.choices),
    })  # fmt: skip
