"""Pages for purchase records: the list (filters, pages, CSV/XLSX export of the filtered rows),
the definitions of local (saving one re-classifies in Celery, with a progress bar), the vendor
matches to confirm, and the lab's keyword rules. Thin: scope through districts/access.py (others'
rows are 404), bind the form, call one service."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST
from django_filters.views import FilterView

from accounts.models import Role
from districts import access
from districts.models import Collaborative, District
from focus_lab import exports
from focus_lab.errors import DomainError
from purchasing.records import selectors, services
from purchasing.records.forms import DefinitionForm, KeywordRuleForm, RecordFilter
from purchasing.records.models import AliasStatus, KeywordRule, LocalDefinition, PurchaseRecord, VendorAlias


class RecordList(LoginRequiredMixin, FilterView):
    """The purchase lines the user sees, newest first, with the conversion to pounds shown."""

    template_name = "purchasing/records/record_list.html"
    filterset_class = RecordFilter
    context_object_name = "records"
    paginate_by = 50
    strict = False

    def get_queryset(self) -> QuerySet[PurchaseRecord]:
        return selectors.record_list(user=self.request.user)

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        fmt = request.GET.get("format")
        if fmt in exports.FORMATS:
            records = self.filterset_class(request.GET, queryset=self.get_queryset(), request=request).qs
            return exports.table_response(fmt=fmt, filename="purchase-records", header=selectors.EXPORT_HEADER,
                                          rows=selectors.export_rows(records))  # fmt: skip
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        for record in context["records"]:
            record.conversion = selectors.conversion_text(record)
        query = self.request.GET.copy()
        query.pop("page", None)
        query.pop("format", None)
        context["export_query"] = query.urlencode()
        context["can_import"] = access.can_create(self.request.user, PurchaseRecord)
        return context


def _definition_choices(user: Any) -> tuple[QuerySet[Collaborative], QuerySet[District]]:
    """The labs whose definition the user sets (admins) and the districts (managers: their own;
    admins: their labs')."""
    if user.is_superuser:
        return Collaborative.objects.all(), District.objects.filter(collaborative__isnull=False)
    labs = Collaborative.objects.filter(
        id__in=access.memberships(user, Role.COLLABORATIVE_ADMIN).values("collaborative_id")
    )
    managed = access.memberships(user, Role.DISTRICT_MANAGER).values("district_id")
    districts = District.objects.filter(collaborative__isnull=False).filter(
        pk__in=managed
    ) | District.objects.filter(collaborative__in=labs)
    return labs, districts.distinct()


@login_required
def definition_list(request: HttpRequest) -> HttpResponse:
    labs, districts = _definition_choices(request.user)
    return render(request, "purchasing/records/definition_list.html", {
        "definitions": selectors.definition_list(user=request.user),
        "can_create": labs.exists() or districts.exists(),
    })  # fmt: skip


@login_required
def definition_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    labs, districts = _definition_choices(request.user)
    if pk is None:
        if not (labs.exists() or districts.exists()):
            raise PermissionDenied(
                "Lab admins set the lab's definition of local; district managers their own."
            )
        definition = LocalDefinition()
    else:
        definition = access.get_for_user(LocalDefinition.objects.select_related("district"), request.user, pk)
        if not access.can_write(request.user, definition):
            raise PermissionDenied("Your role cannot change this definition of local.")
    form = DefinitionForm(request.POST or None, instance=definition, labs=labs, districts=districts)
    if request.method == "POST" and form.is_valid():
        obj = form.save(commit=False)
        try:
            job_id = services.definition_save(definition=obj, user=request.user)
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            if job_id is None:
                messages.info(request, "Nothing changed.")
                return redirect("purchasing:local-definitions")
            messages.success(request, f"“{obj.name}” saved: its purchases are being re-classified.")
            return redirect(reverse("jobs:detail", args=[job_id]))
    return render(
        request, "purchasing/records/definition_form.html", {"form": form, "definition": definition}
    )


@login_required
def alias_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", AliasStatus.SUGGESTED)
    status = status if status in AliasStatus.values or status == "" else AliasStatus.SUGGESTED
    aliases = selectors.alias_list(user=request.user, status=status)[:200]
    writable = set(
        VendorAlias.objects.for_user(request.user, write=True).filter(status=status).values_list("pk", flat=True)
        if status else VendorAlias.objects.for_user(request.user, write=True).values_list("pk", flat=True)
    )  # fmt: skip
    return render(request, "purchasing/records/alias_list.html", {
        "aliases": aliases, "writable": writable, "status": status, "statuses": AliasStatus.choices,
    })  # fmt: skip


@login_required
@require_POST
def alias_decide(request: HttpRequest, pk: int) -> HttpResponse:
    alias = access.get_for_user(VendorAlias.objects.all(), request.user, pk)
    try:
        linked = services.vendor_alias_decide(alias=alias, accept=request.POST.get("accept") == "yes",
                                              user=request.user)  # fmt: skip
    except DomainError as exc:
        raise PermissionDenied(exc.message) from None
    messages.success(request, f"“{alias.name}”: {linked:,} purchase line(s) updated.")
    return redirect("purchasing:vendor-matches")


@login_required
def keyword_rules(request: HttpRequest) -> HttpResponse:
    labs = (
        Collaborative.objects.all() if request.user.is_superuser
        else Collaborative.objects.filter(
            id__in=access.memberships(request.user, Role.COLLABORATIVE_ADMIN).values("collaborative_id"))
    )  # fmt: skip
    form = None
    if labs.exists():
        form = KeywordRuleForm(request.POST or None, labs=labs)
        if request.method == "POST" and form.is_valid():
            try:
                matched = services.keyword_rule_save(rule=form.save(commit=False), user=request.user)
            except DomainError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                messages.success(
                    request, f"Rule kept: {matched:,} purchase line(s) now name its priority item."
                )
                return redirect("purchasing:keyword-rules")
    elif request.method == "POST":
        raise PermissionDenied("Only a lab's admins keep its keyword rules.")
    return render(request, "purchasing/records/keyword_rules.html", {
        "rules": selectors.keyword_rule_list(user=request.user), "form": form,
    })  # fmt: skip


@login_required
@require_POST
def keyword_rule_delete(request: HttpRequest, pk: int) -> HttpResponse:
    rule = access.get_for_user(KeywordRule.objects.all(), request.user, pk)
    try:
        services.keyword_rule_delete(rule=rule, user=request.user)
    except DomainError as exc:
        raise PermissionDenied(exc.message) from None
    messages.success(request, f"Rule “{rule.keyword}” removed; rows it matched keep their priority item.")
    return redirect("purchasing:keyword-rules")
