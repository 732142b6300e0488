"""Pages for one specification version: the spec and who said what; editing a draft; proposing,
withdrawing; a district's answer; the admins' closing of the count; the spec sheet PDF."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from districts import access
from focus_lab.errors import DomainError
from focus_lab.text import possessive
from purchasing.priority_items import rules
from purchasing.priority_items.documents import geographic_preference, spec_rows, spec_sheet_pdf
from purchasing.priority_items.forms import EndorsementForm, SpecForm, add_domain_error, managed_districts
from purchasing.priority_items.models import SpecVersion, VersionStatus
from purchasing.priority_items.services import (
    consensus_rule_for,
    endorsement_record,
    tally,
    version_close_count,
    version_propose,
    version_update,
    version_withdraw,
)

OUTCOME_MESSAGES = {
    rules.ADOPT: "Adopted: {reason}",
    rules.BLOCKED: "Not adopted: {reason}",
    rules.REJECTED: "Not adopted: {reason}",
}


def _version(request: HttpRequest, pk: int, *, write: bool = False) -> SpecVersion:
    return access.get_for_user(
        SpecVersion.objects.select_related("item__collaborative", "created_by"), request.user, pk, write=write
    )


def _page(request: HttpRequest, version: SpecVersion, form: EndorsementForm | None = None) -> HttpResponse:
    rule = consensus_rule_for(version.item.collaborative)
    answers = list(version.endorsements.select_related("district", "answered_by"))
    counted = tally(version)
    verdict = rules.consensus(rule=rule.kind, tally=counted, quorum_percent=rule.quorum_percent,
                              threshold_percent=rule.threshold_percent, objection_blocks=rule.objection_blocks)  # fmt: skip
    can_answer = version.status == VersionStatus.PROPOSED and managed_districts(
        request.user, version.item.collaborative_id).exists()  # fmt: skip
    if can_answer and form is None:
        form = EndorsementForm(user=request.user, collaborative_id=version.item.collaborative_id)
    return render(request, "purchasing/priority_items/version_detail.html", {
        "version": version, "item": version.item, "rows": spec_rows(version), "answers": answers,
        "tally": counted, "verdict": verdict, "rule": rule, "form": form if can_answer else None,
        "can_write": access.can_write(request.user, version),
        "can_count": version.status == VersionStatus.PROPOSED and access.can_write(request.user, version.item.collaborative),
        "preference": geographic_preference(version),
    })  # fmt: skip


@login_required
def version_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _page(request, _version(request, pk))


@login_required
def version_update_view(request: HttpRequest, pk: int) -> HttpResponse:
    version = _version(request, pk, write=True)
    if version.is_frozen:
        messages.error(request, f"Version {version.number} is {version.get_status_display().lower()}: it is frozen. "
                       "Revise the item to make a new version.")  # fmt: skip
        return redirect(version)
    form = SpecForm(request.POST or None, initial=SpecForm.initial_for(version))
    if request.method == "POST" and form.is_valid():
        if not form.has_changed():
            messages.info(request, "Nothing changed.")
            return redirect(version)
        try:
            version_update(user=request.user, version_id=version.pk, **form.cleaned_data)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, f"{version} saved.")
            return redirect(version)
    return render(request, "purchasing/priority_items/version_form.html", {"form": form, "version": version})


def _act(request: HttpRequest, pk: int, service, done: str) -> HttpResponse:  # noqa: ANN001
    version = _version(request, pk, write=True)
    try:
        service(user=request.user, version_id=version.pk)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done.format(version=version))
    return redirect(version)


@login_required
@require_POST
def version_propose_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request, pk, version_propose, "{version} is proposed: the lab was emailed; each district now answers."
    )


@login_required
@require_POST
def version_withdraw_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, version_withdraw, "{version} is withdrawn.")


@login_required
@require_http_methods(["GET", "POST"])
def version_endorse(request: HttpRequest, pk: int) -> HttpResponse:
    """POST a district's answer. A refused answer is shown on this URL; opening it again (a reload,
    a bookmark) goes back to the version's page."""
    version = _version(request, pk)
    if request.method == "GET":
        return redirect(version)
    form = EndorsementForm(request.POST, user=request.user, collaborative_id=version.item.collaborative_id)
    if not form.fields["district"].queryset.exists():
        raise PermissionDenied("Only a district's managers answer for it.")
    if form.is_valid():
        try:
            _, verdict = endorsement_record(user=request.user, version_id=version.pk, **form.cleaned_data)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, f"{possessive(form.cleaned_data['district'])} answer is recorded.")
            if verdict.outcome in OUTCOME_MESSAGES:
                messages.info(request, OUTCOME_MESSAGES[verdict.outcome].format(reason=verdict.reason))
            return redirect(version)
    messages.error(request, "The answer was not recorded: see below.")
    return _page(request, version, form)


@login_required
@require_POST
def version_count(request: HttpRequest, pk: int) -> HttpResponse:
    version = _version(request, pk)
    try:
        verdict = version_close_count(user=request.user, version_id=version.pk)
    except DomainError as exc:
        raise PermissionDenied(exc.message) from None
    messages.info(request, OUTCOME_MESSAGES.get(verdict.outcome, "{reason}").format(reason=verdict.reason))
    return redirect(version)


@login_required
def version_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    version = _version(request, pk)
    if version.status not in (VersionStatus.ADOPTED, VersionStatus.SUPERSEDED):
        raise Http404("Spec sheets are printed for adopted versions.")
    response = HttpResponse(spec_sheet_pdf(version), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="spec-sheet-{version.item_id}-v{version.number}.pdf"'
    return response
