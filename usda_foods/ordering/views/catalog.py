"""Pages for request-driven ordering's set-up: the USDA Foods available list (catalog), the SFA
preference survey and the order windows.

Thin views: resolve the scoped object (districts/access.py; outsiders get 404), bind the form,
call the service, then add a message and redirect. A ``DomainError`` becomes a form error on the
field it names, or a message. SDA reviewers run surveys and windows for the states they review;
district managers answer the survey for the districts they manage.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views import View

from districts.mixins import ScopedListView
from focus_lab.imports import views as import_views
from usda_foods.ordering.forms.catalog import CatalogFilter
from usda_foods.ordering.models import (
    CatalogItem,
)
from usda_foods.ordering.services.catalog import ONLY_REFERENCE_EDITORS
from usda_foods.ordering.views.common import require_create

# --- Catalog -------------------------------------------------------------------------------------


class CatalogList(ScopedListView):
    """The available list, newest year first; search, filters and 50 a page at constant queries."""

    model = CatalogItem
    filterset_class = CatalogFilter
    template_name = "usda_foods/ordering/catalog_list.html"
    paginate_by = 50

    def get_queryset(self) -> QuerySet[CatalogItem]:
        return super().get_queryset().order_by("-school_year", "category", "description", "pk")


class CatalogImport(LoginRequiredMixin, View):
    """The available list is imported through the shared import pipeline (CSV or Excel, columns
    matched and checked, then all rows or none): this address, for reference editors, leads to its
    upload page, and a file posted here is taken as uploaded there."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated:
            require_create(request, CatalogItem, ONLY_REFERENCE_EDITORS)
        return super().dispatch(request, *args, **kwargs)

    def get(self, request: HttpRequest) -> HttpResponse:
        return redirect("imports:upload", kind="catalog")

    def post(self, request: HttpRequest) -> HttpResponse:
        return import_views.import_upload(request, kind="catalog")
