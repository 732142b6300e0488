"""The order tables' rows, written here: the review queue and the order list print 50 rows a page,
and the template engine's filters, includes, ``{% url %}`` and per-variable rendering were most
of their time (issue 16). The page's rows are read with ``values()`` (no model instances), each
cell is formatted once as the template filters would (focus_lab/fast_render.py), and each row is
one ``format_html`` of the markup below (every value escaped)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from focus_lab.fast_render import UrlPattern, datetime_text, money
from usda_foods.ordering.models import Order, OrderStatus

# The badge colours of _status_badge.html, by status.
BADGE = {
    OrderStatus.DRAFT: "text-bg-secondary", OrderStatus.SUBMITTED: "text-bg-primary",
    OrderStatus.RETURNED: "text-bg-warning", OrderStatus.APPROVED: "text-bg-success",
    OrderStatus.REJECTED: "text-bg-danger",
}  # fmt: skip
LABEL = dict(OrderStatus.choices)

FIELDS = ("pk", "status", "value", "submitted_at", "district__name", "district__agency_code", "window__name",
          "window__school_year", "window__state_agency__state")  # fmt: skip


@dataclass(frozen=True, slots=True)
class OrderRow:
    pk: int
    url: str
    status: str
    status_label: str
    badge: str
    value: str
    submitted: str
    district: str
    agency_code: str
    window: str
    school_year: str
    state: str
    line_count: int | None
    submitted_waiting: bool


def order_values(orders: QuerySet[Order], *extra: str) -> QuerySet[Order]:
    """The columns the tables print, as dicts."""
    return orders.values(*FIELDS, *extra)


def order_rows(values: Iterable[dict[str, Any]]) -> list[OrderRow]:
    url = UrlPattern("usda_foods:order-detail")
    return [
        OrderRow(pk=v["pk"], url=url(v["pk"]), status=v["status"], status_label=LABEL.get(v["status"], v["status"]),
                 badge=BADGE.get(v["status"], "text-bg-light"), value=money(v["value"]),
                 submitted=datetime_text(v["submitted_at"], "—"), district=v["district__name"],
                 agency_code=v["district__agency_code"], window=v["window__name"],
                 school_year=v["window__school_year"], state=v["window__state_agency__state"],
                 line_count=v.get("line_count"), submitted_waiting=v["status"] == OrderStatus.SUBMITTED)
        for v in values
    ]  # fmt: skip


# The review queue's row: a checkbox for a submitted order, then the columns of its header.
QUEUE_ROW = (
    '<tr><td class="stack-title">{checkbox}</td>'
    '<td class="stack-title"><a href="{url}">#{pk}</a></td>'
    '<td class="stack-title">{district} <span class="text-muted small">{agency_code}</span></td>'
    '<td data-label="Window">{window} <span class="text-muted small">SY{school_year}</span></td>'
    '<td class="stack-key" data-label="Status"><span class="badge rounded-pill {badge}" data-testid="status">{status_label}</span></td>'
    '<td class="text-end" data-label="Lines">{line_count}</td>'
    '<td class="text-end stack-key" data-label="Value" data-testid="value">${value}</td>'
    '<td class="small text-muted" data-label="Submitted">{submitted}</td></tr>'
)
CHECKBOX = (
    '<input class="form-check-input" type="checkbox" name="order" value="{pk}" id="select-{pk}" '
    'aria-label="Select order #{pk}">'
)
# The order list's row.
LIST_ROW = (
    '<tr><td class="stack-title"><a href="{url}">#{pk}</a></td>'
    '<td data-label="Window">{window} <span class="text-muted small">{state} SY{school_year}</span></td>'
    '<td class="stack-title">{district}</td>'
    '<td class="stack-key" data-label="Status"><span class="badge rounded-pill {badge}" data-testid="status">{status_label}</span></td>'
    '<td class="text-end stack-key" data-label="Value" data-testid="value">${value}</td>'
    '<td class="small text-muted" data-label="Submitted">{submitted}</td></tr>'
)


def _cells(row: OrderRow) -> dict[str, Any]:
    return {name: getattr(row, name) for name in OrderRow.__slots__}


def queue_rows_html(rows: list[OrderRow]) -> SafeString:
    return mark_safe("".join(  # noqa: S308 - each row is format_html, every value escaped
        format_html(QUEUE_ROW, checkbox=format_html(CHECKBOX, pk=row.pk) if row.submitted_waiting else "",
                    **_cells(row))
        for row in rows
    ))  # fmt: skip


def list_rows_html(rows: list[OrderRow]) -> SafeString:
    return mark_safe("".join(format_html(LIST_ROW, **_cells(row)) for row in rows))  # noqa: S308 - as above
