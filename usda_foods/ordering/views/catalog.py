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
from django.views.generic import FormView

from districts.mixins import ScopedListView
from focus_lab.errors import DomainError
from focus_lab.import_errors import import_errors_summarize
from usda_foods.entitlements.forms import add_domain_error
from usda_foods.entitlements.school_years import current_school_year
from usda_foods.ordering.forms.catalog import (
    CatalogFilter,
    CatalogImportForm,
)
from usda_foods.ordering.models import (
    CatalogItem,
)
from usda_foods.ordering.services.catalog import CATALOG_COLUMNS, catalog_import
from usda_foods.ordering.views.common import require_create

CATALOG_EXAMPLE = (
    '{year},100117,"Beans, green, canned, low-sodium",vegetable,6/#10 cans,40.00,1400,21.50,false',
    '{year},100046,"Cheese, mozzarella, lite, shredded",dairy,4/5 lb bags,20.00,2000,52.80,true',
)


# --- Catalog -------------------------------------------------------------------------------------


class CatalogList(ScopedListView):
    """The available list, newest year first; search, filters and 50 a page at constant queries."""

    model = CatalogItem
    filterset_class = CatalogFilter
    template_name = "usda_foods/ordering/catalog_list.html"
    paginate_by = 50

    def get_queryset(self) -> QuerySet[CatalogItem]:
        return super().get_queryset().order_by("-school_year", "category", "description", "pk")


class CatalogImport(LoginRequiredMixin, FormView):
    """Upload the available list as CSV: every row is checked first; one bad row means nothing is
    written, and each problem is listed by line and column."""

    form_class = CatalogImportForm
    template_name = "usda_foods/ordering/catalog_import.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated:
            require_create(
                request,
                CatalogItem,
                "Only national reference-data editors load the USDA Foods available list.",
            )
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form: CatalogImportForm) -> HttpResponse:
        try:
            report = catalog_import(data=form.cleaned_data["file"].read(), user=self.request.user)
        except DomainError as exc:
            add_domain_error(form, exc)
            return self.form_invalid(form)
        # The outcome (the summary, or the problems by line and column) is shown on the page.
        problems = (
            None if report.ok else import_errors_summarize(errors=report.errors, user=self.request.user)
        )
        return self.render_to_response(
            self.get_context_data(form=self.form_class(), report=report, problems=problems)
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        columns = (*CATALOG_COLUMNS, "is_bulk_for_processing")
        lines = [",".join(columns), *(row.format(year=current_school_year()) for row in CATALOG_EXAMPLE)]
        context.update(columns=columns, example="\n".join(lines))
        return context
