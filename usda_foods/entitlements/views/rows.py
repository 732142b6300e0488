"""The entitlement table's rows (a state's SFAs, a collaborative's districts), written here: 50
rows of eight cells with money filters, a ``{% url %}`` and a status badge were most of the page's
time in the template engine (issue 16). Each cell is what entitlement_table.html wrote before,
formatted once (focus_lab/fast_render.py); each row is one ``format_html`` (every value escaped)."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import capfirst

from focus_lab.fast_render import UrlPattern, fixed2, money
from usda_foods.entitlements.models import Entitlement

ROW = (
    '<tr><td class="stack-title"><a href="{url}">{name}</a> <span class="text-muted small">{code}</span></td>{state}'
    '<td class="text-end" data-label="COV">{cov}</td>'
    '<td class="text-end stack-key" data-label="PAL" data-testid="pal">{pal}{pal_mark}</td>'
    '<td class="text-end" data-label="Drawn">${drawn}</td>'
    '<td class="text-end stack-key" data-label="Remaining" data-testid="remaining">{remaining}</td>'
    '<td class="text-end stack-key" data-label="Utilisation" data-testid="utilisation">{utilisation}</td>'
    '<td data-label="Data" data-testid="status">{status}</td></tr>'
)
STATE = '<td data-label="State">{}</td>'
PAL_MARK = mark_safe(
    ' <i class="bi bi-pencil-square text-primary" title="Set by the state agency" aria-label="set by the state agency"></i>'
)
CANNOT = '<span class="badge text-bg-warning text-wrap" title="{}">{}</span>'
PARTLY = '<span class="badge text-bg-light border text-wrap" title="{}">{}</span>'
COMPLETE = mark_safe('<span class="badge text-bg-success">Complete</span>')


def _dollars(value: Decimal | None) -> str:
    return "—" if value is None else f"${money(value)}"


def _status(e: Entitlement) -> SafeString:
    if e.commodity_offer_value is None:
        return format_html(CANNOT, "; ".join(e.missing), capfirst(e.status_text))
    if e.missing:
        return format_html(PARTLY, "; ".join(e.missing), e.status_text)
    return COMPLETE


def entitlement_rows_html(entitlements: Iterable[Entitlement], *, show_state: bool) -> SafeString:
    url = UrlPattern("usda_foods:entitlement-detail", args=2)
    utilisation = lambda e: "—" if e.utilisation is None else f"{fixed2(e.utilisation)}%"  # noqa: E731
    return mark_safe("".join(  # noqa: S308 - each row is format_html, every value escaped
        format_html(
            ROW, url=url(e.district_id, e.school_year), name=e.district.name, code=e.district.agency_code,
            state=format_html(STATE, e.district.state_agency.state) if show_state else "",
            cov=_dollars(e.commodity_offer_value), pal=_dollars(e.planned_assistance_level),
            pal_mark=PAL_MARK if e.pal_overridden else "", drawn=money(e.drawn),
            remaining=_dollars(e.remaining_amount), utilisation=utilisation(e), status=_status(e),
        )
        for e in entitlements
    ))  # fmt: skip
