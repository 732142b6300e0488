"""Supplier directory pages: search (with filters, distance, export and map), detail, create with
the duplicate check, edit, what hangs off a supplier, and merge."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Prefetch, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views import View

from districts import access
from districts.models import Site
from focus_lab import exports
from focus_lab.errors import DomainError
from partners import access as partner_access
from partners.suppliers import rules, services
from partners.suppliers.forms import (
    CertificationForm,
    MergeForm,
    OriginForm,
    ProductForm,
    ProductionPracticeForm,
    SupplierForm,
    SupplierPersonForm,
)
from partners.suppliers.mapping import MAX_POINTS, supplier_map
from partners.suppliers.models import (
    Certification,
    Origin,
    Product,
    ProductionPractice,
    Supplier,
    SupplierPerson,
)
from partners.suppliers.search_form import SupplierSearchForm
from partners.suppliers.selectors import supplier_search

PAGE_SIZE = 25
EXPORT_HEADER = ["Supplier", "Kind", "Mailing city", "Mailing state", "Phone", "Email", "Website",
                 "Origins", "Products", "Practices", "Certifications", "Distance (miles)"]  # fmt: skip


def _listing(queryset: QuerySet[Supplier]) -> QuerySet[Supplier]:
    return queryset.prefetch_related(
        "origins",
        "products",
        "practices",
        Prefetch("certifications", Certification.objects.order_by("expires_on")),
    )


def _distance(supplier: Supplier) -> float | None:
    value = getattr(supplier, "distance_miles", None)
    return None if value is None else round(value, 1)


class SupplierList(LoginRequiredMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        form = SupplierSearchForm(request.GET or None, user=request.user)
        suppliers, parsed = supplier_search(user=request.user, search=form.search())
        if request.GET.get("format") in exports.FORMATS:
            return self.export(request.GET["format"], suppliers)
        page = Paginator(_listing(suppliers), PAGE_SIZE).get_page(request.GET.get("page"))
        query = request.GET.copy()
        query.pop("page", None)
        return render(request, "partners/suppliers/supplier_list.html", {
            "form": form, "page_obj": page, "paginator": page.paginator, "is_paginated": page.has_other_pages(),
            "object_list": page.object_list, "parsed": parsed, "export_query": query.urlencode(),
            "can_create": partner_access.can_create(request.user, "partners.Supplier"),
            "today": timezone.localdate(), "searched": bool(request.GET),
        })  # fmt: skip

    def export(self, fmt: str, suppliers: QuerySet[Supplier]) -> HttpResponse:
        today = timezone.localdate()

        def rows():  # noqa: ANN202
            for s in _listing(suppliers).iterator(chunk_size=1000):
                origins = "; ".join(str(o) for o in s.origins.all())
                products = "; ".join(f"{p.name} ({p.get_category_display()})" for p in s.products.all())
                practices = "; ".join(str(p) for p in s.practices.all())
                certs = "; ".join(f"{c.get_kind_display()} until {c.expires_on or '?'}"
                                  for c in s.certifications.all() if not c.expires_on or c.expires_on >= today)  # fmt: skip
                yield [s.name, s.get_kind_display(), s.city, s.state, s.phone, s.email, s.website, origins, products,
                       practices, certs, _distance(s)]  # fmt: skip

        return exports.table_response(fmt=fmt, filename=f"suppliers-{today.isoformat()}", header=EXPORT_HEADER,
                                      rows=rows())  # fmt: skip


class SupplierMapView(LoginRequiredMixin, View):
    """The suppliers matching the search, drawn at their origins (at most ``MAX_POINTS``)."""

    def get(self, request: HttpRequest) -> HttpResponse:
        form = SupplierSearchForm(request.GET or None, user=request.user)
        search = form.search()
        suppliers, _ = supplier_search(user=request.user, search=search)
        origins = list(
            Origin.objects.filter(supplier__in=suppliers.values("pk"), latitude__isnull=False,
                                  longitude__isnull=False)
            .select_related("supplier").order_by("supplier__name", "pk")[: MAX_POINTS + 1]
        )  # fmt: skip
        truncated = len(origins) > MAX_POINTS
        points = [(float(o.latitude), float(o.longitude), o.supplier.name,
                   f"{o.supplier.name}: {o.city or o.county}, {o.state}", o.supplier.get_absolute_url())
                  for o in origins[:MAX_POINTS]]  # fmt: skip
        sites = []
        if search.near_district_id:
            sites = [(float(s.latitude), float(s.longitude), s.name) for s in
                     Site.objects.for_user(request.user).filter(district_id=search.near_district_id,
                                                                receives_deliveries=True)]  # fmt: skip
        query = request.GET.copy()
        return render(request, "partners/suppliers/supplier_map.html", {
            "form": form, "map": supplier_map(origins=points, sites=sites, truncated=truncated),
            "list_query": query.urlencode(),
        })  # fmt: skip


class SupplierDetail(LoginRequiredMixin, View):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        supplier = access.get_for_user(Supplier.objects.select_related("collaborative", "merged_into"),
                                       request.user, pk)  # fmt: skip
        if supplier.merged_into_id:
            messages.info(request, f"“{supplier.name}” was merged into “{supplier.merged_into.name}”.")
            return redirect(supplier.merged_into)
        from partners.contacts.selectors import supplier_notes

        today = timezone.localdate()
        certs = list(supplier.certifications.order_by("expires_on", "pk"))
        for cert in certs:
            cert.status = rules.cert_status(expires_on=cert.expires_on, today=today)
        return render(request, "partners/suppliers/supplier_detail.html", {
            "supplier": supplier, "object": supplier,
            "can_edit": access.can_write(request.user, supplier),
            "can_merge": partner_access.can_merge_suppliers(request.user) and access.can_write(request.user, supplier),
            "can_log": partner_access.can_log_interaction(request.user),
            "origins": supplier.origins.all(), "people": supplier.people.all(), "products": supplier.products.all(),
            "practices": supplier.practices.all(), "certifications": certs,
            "buying": supplier.buying_districts.order_by("name"),
            "notes": supplier_notes(user=request.user, supplier=supplier)[:20],
            "merges": supplier.merges_kept.select_related("merged", "by"),
        })  # fmt: skip


def _form_page(request: HttpRequest, form: Any, *, title: str, back: str, supplier: Supplier | None = None,
               extra: dict | None = None) -> HttpResponse:  # fmt: skip
    return render(request, "partners/suppliers/form.html",
                  {"form": form, "title": title, "back": back, "supplier": supplier, **(extra or {})})  # fmt: skip


class SupplierCreate(LoginRequiredMixin, View):
    """Before a supplier is made, probable duplicates (same name, email or phone; a similar name in
    the same state) are shown with "use this one"; "create anyway" posts again with ``force``."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated and not partner_access.can_create(request.user, "partners.Supplier"):
            raise PermissionDenied("Partner staff and the lab's admins add suppliers.")
        return super().dispatch(request, *args, **kwargs)

    def get(self, request: HttpRequest) -> HttpResponse:
        return _form_page(request, SupplierForm(user=request.user), title="New supplier",
                          back=reverse("partners:supplier-list"))  # fmt: skip

    def post(self, request: HttpRequest) -> HttpResponse:
        form = SupplierForm(request.POST, user=request.user)
        if form.is_valid():
            data = {k: v for k, v in form.cleaned_data.items() if k in services.SUPPLIER_FIELDS}
            try:
                supplier = services.supplier_create(
                    user=request.user, collaborative_id=form.cleaned_data["collaborative"].pk, data=data,
                    force=form.cleaned_data.get("force", False),
                    buying_district_ids=[d.pk for d in form.cleaned_data.get("buying_districts") or []],
                )  # fmt: skip
            except services.DuplicateSupplier as exc:
                data = request.POST.copy()
                data["force"] = "on"
                return _form_page(request, SupplierForm(data, user=request.user), title="New supplier",
                                  back=reverse("partners:supplier-list"),
                                  extra={"duplicates": exc.matches, "duplicate_message": exc.message})  # fmt: skip
            except DomainError as exc:
                form.add_error(exc.field, exc.message)
            else:
                messages.success(request, f"Supplier “{supplier}” created. Add where its food comes from.")
                return redirect(supplier)
        messages.error(request, "Please correct the errors below; nothing was saved.")
        return _form_page(request, form, title="New supplier", back=reverse("partners:supplier-list"))


class SupplierUpdate(LoginRequiredMixin, View):
    def _supplier(self, request: HttpRequest, pk: int) -> Supplier:
        return access.get_for_user(
            Supplier.objects.filter(merged_into__isnull=True), request.user, pk, write=True
        )

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        supplier = self._supplier(request, pk)
        return _form_page(request, SupplierForm(instance=supplier, user=request.user), title=f"Edit {supplier}",
                          back=supplier.get_absolute_url(), supplier=supplier)  # fmt: skip

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        supplier = self._supplier(request, pk)
        form = SupplierForm(request.POST, instance=supplier, user=request.user)
        if form.is_valid():
            if not form.has_changed():
                messages.info(request, "Nothing changed.")
                return redirect(supplier)
            try:
                form.save(commit=False)
                services.supplier_update(supplier=supplier, data={})
                form.save_m2m()
            except DomainError as exc:
                form.add_error(exc.field, exc.message)
            else:
                messages.success(request, f"Supplier “{supplier}” saved.")
                return redirect(supplier)
        return _form_page(
            request, form, title=f"Edit {supplier}", back=supplier.get_absolute_url(), supplier=supplier
        )


CHILDREN: dict[str, tuple[type, type, str]] = {
    "origins": (Origin, OriginForm, "origin"),
    "people": (SupplierPerson, SupplierPersonForm, "contact person"),
    "products": (Product, ProductForm, "product"),
    "practices": (ProductionPractice, ProductionPracticeForm, "production practice"),
    "certifications": (Certification, CertificationForm, "certification"),
}


def _child(kind: str) -> tuple[type, type, str]:
    if kind not in CHILDREN:
        raise Http404("No such list.")
    return CHILDREN[kind]


class ChildCreate(LoginRequiredMixin, View):
    def _supplier(self, request: HttpRequest, pk: int) -> Supplier:
        return access.get_for_user(
            Supplier.objects.filter(merged_into__isnull=True), request.user, pk, write=True
        )

    def get(self, request: HttpRequest, pk: int, kind: str) -> HttpResponse:
        supplier = self._supplier(request, pk)
        model, form_class, name = _child(kind)
        return _form_page(request, form_class(user=request.user, instance=model(supplier=supplier)),
                          title=f"New {name} for {supplier}", back=supplier.get_absolute_url(), supplier=supplier)  # fmt: skip

    def post(self, request: HttpRequest, pk: int, kind: str) -> HttpResponse:
        supplier = self._supplier(request, pk)
        model, form_class, name = _child(kind)
        form = form_class(request.POST, request.FILES, user=request.user, instance=model(supplier=supplier))
        return _save_child(
            request, form, supplier, f"New {name} for {supplier}", f"{name.capitalize()} added."
        )


class ChildUpdate(LoginRequiredMixin, View):
    def _object(self, request: HttpRequest, kind: str, pk: int) -> Any:
        model, _, _ = _child(kind)
        return access.get_for_user(model.objects.select_related("supplier"), request.user, pk, write=True)

    def get(self, request: HttpRequest, kind: str, pk: int) -> HttpResponse:
        obj = self._object(request, kind, pk)
        form = _child(kind)[1](user=request.user, instance=obj)
        return _form_page(
            request, form, title=f"Edit {obj}", back=obj.supplier.get_absolute_url(), supplier=obj.supplier
        )

    def post(self, request: HttpRequest, kind: str, pk: int) -> HttpResponse:
        obj = self._object(request, kind, pk)
        form = _child(kind)[1](request.POST, request.FILES, user=request.user, instance=obj)
        if form.is_valid() and not form.has_changed():
            messages.info(request, "Nothing changed.")
            return redirect(obj.supplier)
        return _save_child(request, form, obj.supplier, f"Edit {obj}", "Saved.")


def _save_child(request: HttpRequest, form: Any, supplier: Supplier, title: str, done: str) -> HttpResponse:
    if form.is_valid():
        try:
            services.child_save(obj=form.save(commit=False))
        except DomainError as exc:
            form.add_error(exc.field, exc.message)
        else:
            messages.success(request, done)
            return redirect(supplier)
    return _form_page(request, form, title=title, back=supplier.get_absolute_url(), supplier=supplier)


class SupplierMergeView(LoginRequiredMixin, View):
    """The lab's admins fold a duplicate (this supplier) into the one kept."""

    def _supplier(self, request: HttpRequest, pk: int) -> Supplier:
        supplier = access.get_for_user(
            Supplier.objects.filter(merged_into__isnull=True), request.user, pk, write=True
        )
        if not partner_access.can_merge_suppliers(request.user):
            raise PermissionDenied("Only the learning lab's admins merge suppliers.")
        return supplier

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        supplier = self._supplier(request, pk)
        initial = {"into": request.GET.get("into")} if request.GET.get("into") else None
        return self._page(request, supplier, MergeForm(initial=initial, merged=supplier, user=request.user))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        supplier = self._supplier(request, pk)
        form = MergeForm(request.POST, merged=supplier, user=request.user)
        if form.is_valid():
            try:
                merge = services.supplier_merge(
                    kept=form.cleaned_data["into"], merged=supplier, user=request.user
                )
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                moved = ", ".join(f"{n:,} {label.replace('_', ' ')}" for label, n in merge.moved.items() if n)
                messages.success(
                    request, f"“{supplier}” merged into “{merge.kept}”: {moved or 'nothing to move'}."
                )
                return redirect(merge.kept)
        return self._page(request, supplier, form)

    def _page(self, request: HttpRequest, supplier: Supplier, form: MergeForm) -> HttpResponse:
        counts = {"origins": supplier.origins.count(), "people": supplier.people.count(),
                  "products": supplier.products.count(), "certifications": supplier.certifications.count(),
                  "interactions": supplier.contact_rows.count()}  # fmt: skip
        return render(request, "partners/suppliers/supplier_merge.html",
                      {"supplier": supplier, "form": form, "counts": counts})  # fmt: skip
