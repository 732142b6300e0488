"""The letters overview, a letter's page, and its steps (each a POST that calls one service)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from agreements import access as letter_access
from agreements import selectors, services
from agreements.filters import LetterFilter
from agreements.forms import DeclineForm, IssueForm, RenewForm, SignForm, WithdrawForm, ZipForm
from agreements.models import Letter, SignatureRole
from agreements.pdf import letter_pdf
from agreements.rules import CONSENT_TEXT, school_year_label
from agreements.views.common import client_info
from districts import access
from focus_lab.errors import DomainError
from focus_lab.exports import export_format, table_response

CSV_HEADER = ["Letter", "School year", "Party", "Kind", "State", "Sent", "Signed", "Countersigned",
              "Declined reason", "Template version", "Letter SHA-256", "PDF SHA-256"]  # fmt: skip


def _export(letters: object) -> list[object]:
    for letter in letters:  # type: ignore[attr-defined]
        yield [letter.pk, letter.school_year_label, str(letter.party), letter.get_party_kind_display(),
               letter.get_state_display(), letter.sent_at and letter.sent_at.date(),
               letter.signed_at and letter.signed_at.date(), letter.completed_at and letter.completed_at.date(),
               letter.decline_reason, letter.version.number, letter.text_sha256, letter.pdf_sha256]  # fmt: skip


@login_required
def overview(request: HttpRequest) -> HttpResponse:
    """Every letter the user may see: counts per state, who has not signed, filters, CSV export."""
    base = selectors.letter_list(user=request.user)
    filtered = LetterFilter(request.GET, queryset=base)
    letters = filtered.qs
    if request.GET.get("format"):
        return table_response(fmt=export_format(request.GET.get("format")), filename="letters-of-agreement",
                              header=CSV_HEADER, rows=_export(letters.iterator()))  # fmt: skip
    admin = letter_access.administers(request.user)
    context = {
        "filter": filtered, "letters": letters[:200], "total": letters.count(),
        "counts": selectors.state_counts(filtered.qs), "unsigned": selectors.awaiting_party(letters)[:50],
        "admin": admin, "to_sign": selectors.awaiting_user_signature(user=request.user).select_related("district", "partner"),
        "renew_form": RenewForm(user=request.user) if admin else None,
        "zip_form": ZipForm(user=request.user) if admin else None,
    }  # fmt: skip
    return render(request, "agreements/overview.html", context)


def _letter(request: HttpRequest, pk: int) -> Letter:
    queryset = Letter.objects.select_related("collaborative", "district", "partner", "version__template")
    return access.get_for_user(queryset, request.user, pk)


@login_required
def letter_detail(request: HttpRequest, pk: int) -> HttpResponse:
    letter = services.letter_view(letter=_letter(request, pk), user=request.user, client=client_info(request))
    user = request.user
    signatures = {s.role: s for s in letter.signatures.all()}
    initial = {"letter_sha256": letter.text_sha256, "typed_name": user.get_full_name()}
    content = services.letter_content(version=letter.version, party=letter.party, lab=letter.collaborative.name,
                                      school_year=letter.school_year)  # fmt: skip
    context = {
        "letter": letter, "content": content, "party_signature": signatures.get(SignatureRole.PARTY),
        "lab_signature": signatures.get(SignatureRole.LAB), "events": letter.events.select_related("actor"),
        "can_sign": letter_access.can_sign(user, letter), "is_admin": letter_access.can_administer(user, letter),
        "sign_form": SignForm(initial=initial), "decline_form": DeclineForm(), "withdraw_form": WithdrawForm(),
        "consent_text": CONSENT_TEXT,
    }  # fmt: skip
    return render(request, "agreements/letter_detail.html", context)


@login_required
def letter_pdf_download(request: HttpRequest, pk: int) -> HttpResponse:
    """The stored final PDF of a complete letter (never re-rendered); other letters are rendered
    on the spot and marked as not complete."""
    letter = _letter(request, pk)
    name = f"letter-of-agreement-{letter.pk}-{letter.school_year}.pdf"
    if letter.pdf:
        return FileResponse(
            letter.pdf.open("rb"), as_attachment=True, filename=name, content_type="application/pdf"
        )
    response = HttpResponse(letter_pdf(letter), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="draft-{name}"'
    return response


def _step(request: HttpRequest, pk: int, run: object, done: str) -> HttpResponse:
    letter = _letter(request, pk)
    try:
        run(letter)  # type: ignore[operator]
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
    return redirect(letter)


@login_required
@require_POST
def letter_send(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(request, pk, lambda letter: services.letter_send(letter=letter, user=request.user,
                 client=client_info(request)), "Letter sent: its signatories have an email with the link.")  # fmt: skip


def _with_reason(request: HttpRequest, pk: int, form_class: type, service: object, done: str) -> HttpResponse:
    form = form_class(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    return _step(request, pk, lambda letter: service(letter=letter, user=request.user, reason=reason,  # type: ignore[operator]
                                                     client=client_info(request)), done)  # fmt: skip


@login_required
@require_POST
def letter_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    return _with_reason(request, pk, WithdrawForm, services.letter_withdraw, "Letter withdrawn.")


@login_required
@require_POST
def letter_decline(request: HttpRequest, pk: int) -> HttpResponse:
    return _with_reason(
        request, pk, DeclineForm, services.letter_decline, "Letter declined; the lab has been told why."
    )


def _signing(request: HttpRequest, pk: int, countersign: bool) -> HttpResponse:
    form = SignForm(request.POST)
    letter = _letter(request, pk)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect(letter)
    sign = services.letter_countersign if countersign else services.letter_sign
    return _step(request, pk, lambda letter: sign(letter=letter, user=request.user, client=client_info(request),
                 **form.cleaned_data), "Countersigned: the letter is complete and its PDF is stored."
                 if countersign else "Signed. The lab will countersign it.")  # fmt: skip


@login_required
@require_POST
def letter_sign(request: HttpRequest, pk: int) -> HttpResponse:
    return _signing(request, pk, countersign=False)


@login_required
@require_POST
def letter_countersign(request: HttpRequest, pk: int) -> HttpResponse:
    return _signing(request, pk, countersign=True)


@login_required
def issue(request: HttpRequest) -> HttpResponse:
    """Issue letters to chosen parties now, or to every party of the lab in the background."""
    if not letter_access.administers(request.user):
        raise PermissionDenied("Only a learning lab's admins issue letters.")
    form = IssueForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if data["everyone"]:
            from agreements.jobs import issue_all_start

            job = issue_all_start(user=request.user, version=data["version"], school_year=data["school_year"],
                                  send=data["send"])  # fmt: skip
            return redirect("jobs:detail", job.pk)
        try:
            result = services.letters_issue(version=data["version"], school_year=data["school_year"],
                                            user=request.user, districts=data["districts"],
                                            partners=data["partners"], send=data["send"])  # fmt: skip
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            skipped = (
                f" {len(result.skipped)} skipped: they already have a letter for that year."
                if result.skipped
                else ""
            )
            messages.success(
                request,
                f"{len(result.issued)} letter(s) issued for {school_year_label(data['school_year'])}.{skipped}",
            )
            return redirect("agreements:overview")
    return render(request, "agreements/issue.html", {"form": form})


@login_required
@require_POST
def renew(request: HttpRequest) -> HttpResponse:
    form = RenewForm(request.POST, user=request.user)
    if not form.is_valid():
        messages.error(request, "Choose the lab and the two school years.")
        return redirect("agreements:overview")
    data = form.cleaned_data
    try:
        result = services.letters_renew(lab_id=data["collaborative"].pk, from_year=data["from_year"],
                                        to_year=data["to_year"], user=request.user, send=data["send"])  # fmt: skip
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"{len(result.issued)} letter(s) renewed for {school_year_label(data['to_year'])}; "
                                  f"{len(result.skipped)} skipped.")  # fmt: skip
    return redirect("agreements:overview")
