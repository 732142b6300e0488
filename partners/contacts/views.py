"""Contact log pages: the notes the user may read (with export), log a note, its detail with
follow-ups, edit it; the follow-up list (with export) and marking one done."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views import View

from districts import access
from focus_lab import exports
from focus_lab.errors import DomainError
from partners import access as partner_access
from partners.contacts import selectors, services
from partners.contacts.forms import FollowUpForm, InteractionForm
from partners.contacts.models import FollowUp, Interaction

PAGE_SIZE = 25
INTERACTION_HEADER = ["Date", "Kind", "Suppliers", "Districts concerned", "Author", "Organisation", "Private",
                      "Notes", "Open follow-ups"]  # fmt: skip
FOLLOW_UP_HEADER = ["Due", "What", "Owner", "Done on", "Interaction date", "Interaction kind", "Suppliers"]


def _ids(objs: Any) -> list[int]:
    return [o.pk for o in objs]


class InteractionList(LoginRequiredMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        notes = selectors.interaction_list(user=request.user)
        kind = request.GET.get("kind", "")
        if kind:
            notes = notes.filter(kind=kind)
        if request.GET.get("format") in exports.FORMATS:
            rows = ([n.occurred_on, n.get_kind_display(), "; ".join(s.name for s in n.suppliers.all()),
                     "; ".join(d.name for d in n.districts.all()), n.author.get_full_name() if n.author else "",
                     str(n.author_organisation), n.private, n.notes,
                     sum(1 for f in n.follow_ups.all() if f.done_on is None)]
                    for n in notes.iterator(chunk_size=1000))  # fmt: skip
            return exports.table_response(fmt=request.GET["format"], filename="contact-log", header=INTERACTION_HEADER,
                                          rows=rows)  # fmt: skip
        page = Paginator(notes, PAGE_SIZE).get_page(request.GET.get("page"))
        return render(request, "partners/contacts/interaction_list.html", {
            "page_obj": page, "paginator": page.paginator, "is_paginated": page.has_other_pages(),
            "object_list": page.object_list, "can_log": partner_access.can_log_interaction(request.user),
            "kind": kind, "kinds": Interaction._meta.get_field("kind").choices,
        })  # fmt: skip


class InteractionCreate(LoginRequiredMixin, View):
    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated and not services.author_orgs(request.user):
            raise PermissionDenied("Partner staff, district managers and the lab's admins log notes.")
        return super().dispatch(request, *args, **kwargs)

    def get(self, request: HttpRequest) -> HttpResponse:
        ids = [int(x) for x in request.GET.getlist("supplier") if x.isdigit()]
        form = InteractionForm(user=request.user, supplier_ids=ids,
                               initial={"suppliers": ids, "occurred_on": timezone.localdate()})  # fmt: skip
        return self._page(request, form)

    def post(self, request: HttpRequest) -> HttpResponse:
        form = InteractionForm(request.POST, user=request.user)
        if form.is_valid():
            data = form.cleaned_data
            try:
                note = services.interaction_log(
                    user=request.user, org=form.author_org(), occurred_on=data["occurred_on"], kind=data["kind"],
                    notes=data["notes"], private=data["private"], supplier_ids=_ids(data["suppliers"]),
                    district_ids=_ids(data["districts"]), person_ids=_ids(data["people"]),
                    product_ids=_ids(data["products"]), follow_ups=form.follow_ups(),
                )  # fmt: skip
            except DomainError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                messages.success(request, f"{note} logged.")
                return redirect(note)
        return self._page(request, form)

    def _page(self, request: HttpRequest, form: InteractionForm) -> HttpResponse:
        return render(request, "partners/suppliers/form.html", {"form": form, "title": "Log an interaction",
                                                                "back": reverse("partners:interaction-list")})  # fmt: skip


class InteractionDetail(LoginRequiredMixin, View):
    def _note(self, request: HttpRequest, pk: int) -> Interaction:
        return access.get_for_user(
            Interaction.objects.select_related("author", "author_partner", "author_district", "author_lab"),
            request.user, pk)  # fmt: skip

    def get(self, request: HttpRequest, pk: int, form: FollowUpForm | None = None) -> HttpResponse:
        note = self._note(request, pk)
        can_edit = access.can_write(request.user, note)
        if can_edit and form is None:
            form = FollowUpForm(interaction=note, user=request.user)
        return render(request, "partners/contacts/interaction_detail.html", {
            "note": note, "object": note, "can_edit": can_edit, "form": form, "today": timezone.localdate(),
            "follow_ups": note.follow_ups.select_related("owner"),
            "suppliers": note.suppliers.order_by("name"), "districts": note.districts.order_by("name"),
            "people": note.people.select_related("supplier"), "products": note.products.select_related("supplier"),
        })  # fmt: skip

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        """Adds a follow-up (the note's organisation only)."""
        note = access.get_for_user(Interaction.objects.all(), request.user, pk, write=True)
        form = FollowUpForm(request.POST, interaction=note, user=request.user)
        if form.is_valid():
            try:
                services.follow_up_add(interaction=note, what=form.cleaned_data["what"],
                                       due_on=form.cleaned_data["due_on"], owner_id=form.cleaned_data["owner"].pk)  # fmt: skip
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, "Follow-up added.")
                return redirect(note)
        return self.get(request, pk, form=form)


class InteractionUpdate(LoginRequiredMixin, View):
    def _note(self, request: HttpRequest, pk: int) -> Interaction:
        return access.get_for_user(Interaction.objects.all(), request.user, pk, write=True)

    def _initial(self, note: Interaction) -> dict[str, Any]:
        return {"occurred_on": note.occurred_on, "kind": note.kind, "notes": note.notes, "private": note.private,
                "suppliers": _ids(note.suppliers.all()), "districts": _ids(note.districts.all()),
                "people": _ids(note.people.all()), "products": _ids(note.products.all())}  # fmt: skip

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        note = self._note(request, pk)
        initial = self._initial(note)
        form = InteractionForm(
            initial=initial, user=request.user, supplier_ids=initial["suppliers"], editing=True
        )
        return self._page(request, form, note)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        note = self._note(request, pk)
        form = InteractionForm(request.POST, initial=self._initial(note), user=request.user, editing=True)
        if form.is_valid():
            if not form.has_changed():
                messages.info(request, "Nothing changed.")
                return redirect(note)
            data = form.cleaned_data
            try:
                services.interaction_update(
                    interaction=note, occurred_on=data["occurred_on"], kind=data["kind"], notes=data["notes"],
                    private=data["private"], supplier_ids=_ids(data["suppliers"]), district_ids=_ids(data["districts"]),
                    person_ids=_ids(data["people"]), product_ids=_ids(data["products"]),
                )  # fmt: skip
            except DomainError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                messages.success(request, "Saved.")
                return redirect(note)
        return self._page(request, form, note)

    def _page(self, request: HttpRequest, form: InteractionForm, note: Interaction) -> HttpResponse:
        return render(request, "partners/suppliers/form.html",
                      {"form": form, "title": f"Edit {note}", "back": note.get_absolute_url()})  # fmt: skip


class FollowUpList(LoginRequiredMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        show = request.GET.get("show", "open")
        follow_ups = (FollowUp.objects.for_user(request.user).select_related("owner", "interaction")
                      .prefetch_related("interaction__suppliers").order_by("due_on", "id"))  # fmt: skip
        if show == "open":
            follow_ups = follow_ups.filter(done_on__isnull=True)
        elif show == "mine":
            follow_ups = follow_ups.filter(done_on__isnull=True, owner=request.user)
        if request.GET.get("format") in exports.FORMATS:
            rows = ([f.due_on, f.what, f.owner.get_full_name() or f.owner.email, f.done_on, f.interaction.occurred_on,
                     f.interaction.get_kind_display(), "; ".join(s.name for s in f.interaction.suppliers.all())]
                    for f in follow_ups.iterator(chunk_size=1000))  # fmt: skip
            return exports.table_response(fmt=request.GET["format"], filename="follow-ups", header=FOLLOW_UP_HEADER,
                                          rows=rows)  # fmt: skip
        page = Paginator(follow_ups, PAGE_SIZE).get_page(request.GET.get("page"))
        return render(request, "partners/contacts/followup_list.html", {
            "page_obj": page, "paginator": page.paginator, "is_paginated": page.has_other_pages(),
            "object_list": page.object_list, "show": show, "today": timezone.localdate(),
        })  # fmt: skip


class FollowUpDone(LoginRequiredMixin, View):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        follow_up = access.get_for_user(
            FollowUp.objects.select_related("interaction"), request.user, pk, write=True
        )
        services.follow_up_complete(follow_up=follow_up, on=timezone.localdate())
        messages.success(request, f"“{follow_up}” done.")
        return redirect(request.POST.get("next") if request.POST.get("next", "").startswith("/")
                        and not request.POST.get("next", "").startswith("//") else follow_up.interaction)  # fmt: skip
