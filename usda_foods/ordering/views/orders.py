"""Pages for request-driven ordering: a district's orders and the order page (lines edited in
place with htmx, submit), and the SDA's review queue (decide, bulk approve, CSV of approved lines).

Thin views: resolve the order through districts/access.py (outsiders get 404, read-only users 403
on writes), bind the form, call the ordering service, then add a message and redirect. A
``DomainError`` is shown as the service worded it: next to the field it names, or as a message.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views import View
from django.views.generic import ListView
from django_filters.views import FilterView

from accounts.models import Role
from districts import access
from focus_lab import exports
from focus_lab.errors import DomainError
from focus_lab.fast_render import money
from usda_foods.entitlements.forms import add_domain_error
from usda_foods.ordering.access import reviewable_orders
from usda_foods.ordering.forms.orders import (
    OrderFilter,
    OrderLineForm,
    OrderStartForm,
    ReviewFilter,
    ReviewForm,
    review_filter_data,
)
from usda_foods.ordering.models import EDITABLE_STATUSES, Order, OrderStatus
from usda_foods.ordering.selectors import (
    approved_lines,
    food_truckloads,
    order_get_queryset,
    order_lines,
    order_lines_export,
    order_list,
    order_start_options,
    order_totals,
    review_queue,
    state_demand,
    with_line_counts,
)
from usda_foods.ordering.services.orders import (
    LineChange,
    order_approve,
    order_create,
    order_line_remove,
    order_line_set,
    order_lines_set,
    order_reject,
    order_return,
    order_submit,
    order_withdraw,
    orders_bulk_approve,
    orders_bulk_approve_start,
)
from usda_foods.ordering.views.rows import list_rows_html, order_rows, order_values, queue_rows_html

PAGE = "usda_foods/ordering/order_detail.html"
EDITOR = "usda_foods/ordering/_order_editor.html"


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _is_reviewer(user: Any) -> bool:
    return user.is_superuser or Role.SDA_REVIEWER in access.roles_for(user)


def _errors_text(form: Any) -> str:
    return " ".join(str(e) for errors in form.errors.values() for e in errors)


# --- A district's orders ------------------------------------------------------------------------


ORDER_EXPORT_HEADER = ["order_id", "district", "window", "status", "material_code", "description", "cases",
                       "delivery_site", "unit_price", "line_value"]  # fmt: skip


class OrderList(LoginRequiredMixin, FilterView):
    """The orders the user may see, and for district managers a "Start an order" per open window."""

    template_name = "usda_foods/ordering/order_list.html"
    filterset_class = OrderFilter
    context_object_name = "orders"
    paginate_by = 50
    strict = False

    def get_queryset(self) -> QuerySet[Order]:
        return order_list(user=self.request.user)

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.GET.get("format") in exports.FORMATS:
            return self.export(request.GET["format"])
        return super().get(request, *args, **kwargs)

    def export(self, fmt: str) -> HttpResponse:
        """The lines of every order the user sees, under the page's filters (all pages)."""
        orders = self.filterset_class(self.request.GET, queryset=self.get_queryset(), request=self.request).qs
        rows = ([line.order.pk, line.order.district.name, line.order.window.name, line.order.get_status_display(),
                 line.catalog_item.material_code, line.catalog_item.description, line.cases, line.delivery_site.name,
                 line.unit_price, line.value]
                for line in order_lines_export(orders=orders).iterator(chunk_size=2000))  # fmt: skip
        stamp = timezone.localdate().isoformat()
        return exports.table_response(
            fmt=fmt, filename=f"orders-{stamp}", header=ORDER_EXPORT_HEADER, rows=rows
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        query = self.request.GET.copy()
        query.pop("page", None)
        context["export_query"] = query.urlencode()
        context["start_options"] = order_start_options(user=self.request.user)
        context["is_reviewer"] = _is_reviewer(self.request.user)
        context["orders"] = rows = order_rows(context["orders"])
        context["rows_html"] = list_rows_html(rows)
        return context

    def paginate_queryset(self, queryset: QuerySet[Order], page_size: int) -> Any:
        return super().paginate_queryset(order_values(queryset), page_size)


class OrderStart(LoginRequiredMixin, View):
    def post(self, request: HttpRequest) -> HttpResponse:
        if not access.can_create(request.user, Order):
            raise PermissionDenied("Only district managers start orders.")
        form = OrderStartForm(request.POST, user=request.user)
        if not form.is_valid():
            messages.error(request, "Choose an order window of your state and a district you manage.")
            return redirect("usda_foods:order-list")
        window, district = form.cleaned_data["window"], form.cleaned_data["district"]
        try:
            order = order_create(district=district, window=window, user=request.user)
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect("usda_foods:order-list")
        messages.success(request, f"Order #{order.pk} of {district.name} in “{window.name}”: add its lines.")
        return redirect(order)


# --- The order page -------------------------------------------------------------------------------


class OrderPageMixin(LoginRequiredMixin):
    request: HttpRequest
    kwargs: dict[str, Any]

    def get_order(self, *, write: bool = False) -> Order:
        """The order if the user may see it (else 404); with ``write``, 403 for read-only users."""
        return access.get_for_user(order_get_queryset(), self.request.user, self.kwargs["pk"], write=write)

    def editor_context(
        self, order: Order, form: OrderLineForm | None = None, *, notice: str = "", error: str = ""
    ) -> dict[str, Any]:
        """What the lines editor shows: balance, value, lines and the add/change form. The order
        page includes it, and htmx swaps it in place after each change."""
        user = self.request.user
        window_open = order.window.is_open()
        can_edit = order.is_editable and window_open and access.can_write(user, order)
        remaining = order.entitlement.remaining
        # An editable order holds nothing on the entitlement yet; a submitted one already does.
        after = (
            remaining - order.value if remaining is not None and order.status in EDITABLE_STATUSES else None
        )
        if can_edit and form is None:
            form = OrderLineForm(order=order, user=user)
        if form is not None:
            form.mark_errors()
        lines = list(order_lines(order))
        own: dict[int, int] = {}
        for line in lines:
            own[line.catalog_item_id] = own.get(line.catalog_item_id, 0) + line.cases
        foods = order.window.offered_items.order_by("description", "pk")
        truckloads = food_truckloads(foods=foods, own_cases=own, state_cases=state_demand(order.window))
        return {"order": order, "lines": lines, "can_edit": can_edit, "truckloads": truckloads,
                "window_open": window_open, "remaining": remaining, "after": after,
                "over_by": -after if after is not None and after < 0 else None,
                "line_form": form, "notice": notice, "error": error}  # fmt: skip

    def render_page(self, order: Order, *, line_form: OrderLineForm | None = None,
                    review_form: ReviewForm | None = None) -> HttpResponse:  # fmt: skip
        user = self.request.user
        transitions = list(order.transitions.select_related("user"))
        returned = next((t for t in reversed(transitions) if t.to_status == OrderStatus.RETURNED), None)
        can_review = (
            order.status == OrderStatus.SUBMITTED and reviewable_orders(user).filter(pk=order.pk).exists()
        )
        context = self.editor_context(order, line_form)
        can_withdraw = (order.status == OrderStatus.SUBMITTED and not order.locked and context["window_open"]
                        and access.can_write(user, order))  # fmt: skip
        context.update(transitions=transitions, can_withdraw=can_withdraw, last_return=returned if order.status == OrderStatus.RETURNED else None,
                       can_review=can_review, review_form=review_form or ReviewForm(),
                       is_reviewer=_is_reviewer(user), now=timezone.now())  # fmt: skip
        return render(self.request, PAGE, context)

    def respond(
        self, order: Order, form: OrderLineForm | None, *, notice: str = "", error: str = ""
    ) -> HttpResponse:
        """After a line change: htmx gets the editor back (a fresh form on success, the bound one
        with its errors on refusal); a plain POST gets a redirect, or the page with the form."""
        if _is_htmx(self.request):
            order = self.get_order()
            form = None if not error else form
            return render(self.request, EDITOR, self.editor_context(order, form, notice=notice, error=error))
        if not error:
            messages.success(self.request, notice)
            return redirect(order)
        messages.error(self.request, error)
        return self.render_page(self.get_order(), line_form=form)


class OrderDetail(OrderPageMixin, View):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return self.render_page(self.get_order())


class OrderLineSet(OrderPageMixin, View):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        order = self.get_order(write=True)
        form = OrderLineForm(request.POST, order=order, user=request.user)
        if not form.is_valid():
            return self.respond(order, form, error=f"The line was not saved: {_errors_text(form)}")
        item, site, cases = (form.cleaned_data[k] for k in ("catalog_item", "delivery_site", "cases"))
        try:
            order_line_set(order_id=order.pk, catalog_item=item, cases=cases, delivery_site=site,
                                    user=request.user)  # fmt: skip
        except DomainError as exc:
            if exc.field in form.fields:
                add_domain_error(form, exc)
            return self.respond(order, form, error=f"The line was not saved: {exc.message}")
        if cases == 0:
            return self.respond(order, None, notice=f"{item.description} to {site.name}: line removed.")
        return self.respond(
            order, None, notice=f"{cases:,} cases of {item.description} to {site.name} saved."
        )


class OrderLinesSave(OrderPageMixin, View):
    """ "Save all": the cases of every line typed at once (``cases-<line id>``, 0 removes the
    line), set by ``order_lines_set`` in one transaction; a refusal saves none of them."""

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        order = self.get_order(write=True)
        changes = []
        for line in order_lines(order):
            raw = request.POST.get(f"cases-{line.pk}")
            if raw is None:
                continue
            try:
                cases = int(raw.strip().replace(",", ""))
            except ValueError:
                return self.respond(order, None, error=f"No line was saved: “{raw}” cases of "
                                    f"{line.catalog_item.description} is not a whole number.")  # fmt: skip
            changes.append(LineChange(line.catalog_item_id, line.delivery_site_id, cases))
        if not changes:
            return self.respond(order, None, error="No line was saved: there are no lines to save.")
        try:
            order_lines_set(order_id=order.pk, lines=changes, user=request.user)
        except DomainError as exc:
            return self.respond(order, None, error=f"No line was saved: {exc.message}")
        return self.respond(
            order, None, notice=f"{len(changes):,} line{'s' if len(changes) != 1 else ''} saved."
        )


class OrderLineRemove(OrderPageMixin, View):
    def post(self, request: HttpRequest, pk: int, line_id: int) -> HttpResponse:
        order = self.get_order(write=True)
        try:
            order_line_remove(order_id=order.pk, line_id=line_id, user=request.user)
        except DomainError as exc:
            return self.respond(order, None, error=f"The line was not removed: {exc.message}")
        return self.respond(order, None, notice="Line removed.")


class OrderDistrictAction(OrderPageMixin, View):
    """A district's one-button action on its order (submit, withdraw): the service decides, the
    page says what happened, and the order page shows the result."""

    service: Any
    refused: str
    done: str

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        order = self.get_order(write=True)
        try:
            order = type(self).service(order_id=order.pk, user=request.user)
        except DomainError as exc:
            messages.error(request, f"{self.refused}: {exc.message}")
        else:
            messages.success(request, self.done.format(pk=order.pk, value=order.value))
        return redirect(order)


class OrderSubmit(OrderDistrictAction):
    service = order_submit
    refused = "The order was not submitted"
    done = ("Order #{pk} submitted for review: ${value:,} is held on the entitlement until the state agency "
            "decides.")  # fmt: skip


class OrderWithdraw(OrderDistrictAction):
    service = order_withdraw
    refused = "The order was not withdrawn"
    done = ("Order #{pk} withdrawn: it is a draft again and nothing is held on the entitlement. Change it and "
            "submit it again before the window closes.")  # fmt: skip


DECISIONS = {
    "approve": (order_approve, "approved",
                "Order #{pk} approved: ${value:,} is drawn from the SY{year} entitlement of {district}."),
    "return": (order_return, "returned",
               "Order #{pk} returned to {district} for changes; the ${value:,} held is released."),
    "reject": (order_reject, "rejected", "Order #{pk} rejected; the ${value:,} held is released."),
}  # fmt: skip


class OrderReview(OrderPageMixin, View):
    """An SDA reviewer approves, returns (comment required) or rejects a submitted order."""

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        order = self.get_order()
        form = ReviewForm(request.POST)
        if form.is_valid():
            service, verb, done = DECISIONS[form.cleaned_data["decision"]]
            try:
                order = service(order_id=order.pk, user=request.user, comment=form.cleaned_data["comment"])
            except DomainError as exc:
                add_domain_error(form, exc)
                messages.error(request, f"Order #{order.pk} was not {verb}: {exc.message}")
            else:
                messages.success(request, done.format(pk=order.pk, value=order.value, district=order.district.name,
                                                      year=order.window.school_year))  # fmt: skip
                return redirect(order)
        else:
            messages.error(request, f"Nothing was decided: {_errors_text(form)}")
        return self.render_page(self.get_order(), review_form=form)


# --- The SDA's review queue -----------------------------------------------------------------------


class ReviewerRequiredMixin(LoginRequiredMixin):
    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated and not _is_reviewer(request.user):
            raise PermissionDenied("Only state agency reviewers review orders.")
        return super().dispatch(request, *args, **kwargs)


def _queue_url(query: str = "") -> str:
    url = reverse("usda_foods:order-review-queue")
    query = QueryDict(query).urlencode()  # re-encoded: only a query string goes back out
    return f"{url}?{query}" if query else url


class ReviewQueue(ReviewerRequiredMixin, ListView):
    """All orders of the reviewer's state, filtered (status defaults to submitted), with totals.
    The page costs the same number of queries for 5 orders or 5,000."""

    template_name = "usda_foods/ordering/review_queue.html"
    context_object_name = "orders"
    paginate_by = 50

    def get_queryset(self) -> QuerySet[Order]:
        self.filterset = ReviewFilter(review_filter_data(self.request.GET),
                                      queryset=review_queue(user=self.request.user), request=self.request)  # fmt: skip
        self.filtered = self.filterset.qs
        self.totals = order_totals(self.filtered)
        return order_values(with_line_counts(self.filtered), "line_count")

    def get_paginator(self, *args: Any, **kwargs: Any) -> Paginator:
        paginator = super().get_paginator(*args, **kwargs)
        paginator.count = self.totals.count  # known from the totals: no second count query
        return paginator

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        query = self.request.GET.copy()
        query.pop("page", None)
        csv_query = query.copy()
        csv_query.pop("status", None)
        totals = self.totals
        context.update(filter=self.filterset, totals=totals, submitted_matching=totals.submitted,
                       query=query.urlencode(), csv_query=csv_query.urlencode(),
                       total_value=money(totals.value))  # fmt: skip
        context["orders"] = rows = order_rows(context["orders"])
        context["rows_html"] = queue_rows_html(rows)
        return context


# Up to this many orders are approved in the request; "all matching" beyond it runs in Celery.
BULK_IN_REQUEST = 25


class ReviewBulkApprove(ReviewerRequiredMixin, View):
    def post(self, request: HttpRequest) -> HttpResponse:
        back = _queue_url(request.POST.get("query", ""))
        if request.POST.get("all_matching"):
            return self.approve_all_matching(request, back)
        ids = list(dict.fromkeys(int(v) for v in request.POST.getlist("order") if v.isdigit()))
        if not ids:
            messages.warning(request, "Select the orders to approve first.")
            return redirect(back)
        result = orders_bulk_approve(order_ids=ids, user=request.user)
        if result.approved:
            numbers = ", ".join(f"#{pk}" for pk in result.approved)
            plural = "s" if len(result.approved) > 1 else ""
            messages.success(request, f"Approved {len(result.approved)} order{plural}: {numbers}.")
        for pk, reason in result.refused.items():
            messages.error(request, f"Order #{pk} was not approved: {reason}")
        return redirect(back)

    def approve_all_matching(self, request: HttpRequest, back: str) -> HttpResponse:
        """Every submitted order under the queue's filters (every page), not just the ticked rows."""
        params = QueryDict(request.POST.get("query", ""))
        filterset = ReviewFilter(review_filter_data(params), queryset=review_queue(user=request.user),
                                 request=request)  # fmt: skip
        ids = list(filterset.qs.filter(status=OrderStatus.SUBMITTED).values_list("pk", flat=True))
        if not ids:
            messages.warning(request, "No submitted order matches these filters.")
            return redirect(back)
        if len(ids) > BULK_IN_REQUEST:
            job = orders_bulk_approve_start(order_ids=ids, user=request.user)
            messages.info(request, f"Approving {len(ids):,} orders: follow the progress here.")
            return redirect(job)
        request.POST = request.POST.copy()
        request.POST.setlist("order", [str(pk) for pk in ids])
        request.POST.pop("all_matching")
        return self.post(request)


CSV_HEADER = ["order_id", "district", "agency_code", "window", "material_code", "description", "cases",
              "delivery_site", "site_address", "latitude", "longitude", "unit_price", "line_value"]  # fmt: skip


class ApprovedLinesCsv(ReviewerRequiredMixin, View):
    """The approved orders' lines, for the queue's filters (the status filter aside: approved
    only; with a food, only that food's lines), streamed in one query."""

    def get(self, request: HttpRequest) -> HttpResponse:
        params = request.GET.copy()
        params["status"] = ""
        fmt = exports.export_format(params.pop("format", [None])[-1])
        filterset = ReviewFilter(params, queryset=review_queue(user=request.user), request=request)
        orders = filterset.qs
        lines = approved_lines(orders=orders, catalog_item=filterset.form.cleaned_data.get("food"))

        def rows() -> Iterator[list[object]]:
            for line in lines.iterator(chunk_size=2000):
                order, item, site = line.order, line.catalog_item, line.delivery_site
                address = f"{site.street}, {site.city}, {site.state} {site.postal_code}"
                yield [order.pk, order.district.name, order.district.agency_code, order.window.name,
                       item.material_code, item.description, line.cases, site.name, address, site.latitude,
                       site.longitude, line.unit_price, line.value]  # fmt: skip

        stamp = timezone.localdate().isoformat()
        return exports.table_response(fmt=fmt, filename=f"approved-order-lines-{stamp}", header=CSV_HEADER,
                                      rows=rows())  # fmt: skip
