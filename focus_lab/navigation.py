"""The navigation bar, built from the roles the user holds: each role's daily work first (as
top-level links), everything else (setup lists and reference data) under "More"."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest
from django.urls import get_script_prefix, get_urlconf, reverse

from accounts.access import manages_people
from accounts.models import Role
from districts.access import roles_for
from focus_lab.imports.kinds import kinds_for

DISTRICT = {Role.DISTRICT_MANAGER, Role.DISTRICT_VIEWER}
REVIEWER = {Role.SDA_REVIEWER, "superuser"}


@dataclass(frozen=True)
class Link:
    label: str
    url: str
    current: bool = False


@lru_cache(maxsize=1024)
def _reverse(name: str, args: tuple[str, ...], urlconf: str | None, root: str, prefix: str) -> str:
    """``reverse`` memoised: the bar's ~40 links are the same on every page (keyed by the URLconf
    and script prefix in force, so a test's or a mounted app's URLs are reversed anew)."""
    return reverse(name, args=args)


def _link(request: HttpRequest, label: str, name: str, query: str = "", args: tuple[str, ...] = ()) -> Link:
    url = _reverse(name, args, get_urlconf(), settings.ROOT_URLCONF, get_script_prefix())
    url += f"?{query}" if query else ""
    path = url.split("?")[0]
    current = request.path == path or (path != "/" and request.path.startswith(path))
    return Link(label, url, current)


def _daily(request: HttpRequest, roles: frozenset[str]) -> list[Link]:
    """Top-level links in the order each role works through its day."""
    links: list[Link] = []
    if roles & REVIEWER:
        links += [_link(request, "Review queue", "usda_foods:order-review-queue"),
                  _link(request, "Order windows", "usda_foods:window-list"),
                  _link(request, "Surveys", "usda_foods:survey-list"),
                  _link(request, "Corrections", "usda_foods:correction-review"),
                  _link(request, "Entitlements", "usda_foods:my-entitlements", "for=state")]  # fmt: skip
    if roles & DISTRICT:
        links += [_link(request, "Orders", "usda_foods:order-list"),
                  _link(request, "Surveys", "usda_foods:survey-list"),
                  _link(request, "Deliveries", "usda_foods:my-deliveries"),
                  _link(request, "Entitlement", "usda_foods:my-entitlements", "for=district"),
                  _link(request, "Contact log", "partners:interaction-list"),
                  _link(request, "Priority items", "purchasing:item-list"),
                  _link(request, "Letters", "agreements:overview")]  # fmt: skip
    if Role.COLLABORATIVE_ADMIN in roles:
        links += [_link(request, "Entitlements", "usda_foods:my-entitlements", "for=collaborative"),
                  _link(request, "Letters", "agreements:overview"),
                  _link(request, "Districts", "districts:district-list"),
                  _link(request, "Partners", "partners:partner-list"),
                  _link(request, "Suppliers", "partners:supplier-list"),
                  _link(request, "Priority items", "purchasing:item-list")]  # fmt: skip
    if Role.PARTNER_STAFF in roles:
        links += [_link(request, "Suppliers", "partners:supplier-list"),
                  _link(request, "Contact log", "partners:interaction-list"),
                  _link(request, "Districts", "districts:district-list"),
                  _link(request, "Partners", "partners:partner-list"),
                  _link(request, "Partnerships", "partners:partnership-list"),
                  _link(request, "Priority items", "purchasing:item-list"),
                  _link(request, "Letters", "agreements:overview")]  # fmt: skip
    if Role.REFERENCE_DATA in roles:
        links += [_link(request, "Per-meal values", "usda_foods:per-meal-value-list"),
                  _link(request, "Available list", "usda_foods:catalog-list")]  # fmt: skip
    if manages_people(request.user):
        links.append(_link(request, "People", "people"))
    unique: dict[str, Link] = {}
    for link in links:  # one "Surveys" for someone who both reviews and manages a district
        unique.setdefault(link.label, link)
    return list(unique.values())[:7]


def _more(request: HttpRequest, roles: frozenset[str], shown: set[str]) -> list[tuple[str, list[Link]]]:
    reviewer = bool(roles & REVIEWER)
    imports = bool(kinds_for(request.user))
    groups = [
        ("Organisations", [
            _link(request, "SFAs" if Role.SDA_REVIEWER in roles else "Districts", "districts:district-list"),
            _link(request, "Sites", "districts:site-list"),
            _link(request, "Co-ops", "districts:coop-list"),
            _link(request, "Partners", "partners:partner-list"),
            _link(request, "Partnerships", "partners:partnership-list"),
            _link(request, "Letters of agreement", "agreements:overview"),
            _link(request, "Verify a signed letter", "agreements:verify"),
        ]),
        ("Suppliers", [
            _link(request, "Supplier directory", "partners:supplier-list"),
            _link(request, "Supplier map", "partners:supplier-map"),
            _link(request, "Contact log", "partners:interaction-list"),
            _link(request, "Follow-ups", "partners:follow-up-list"),
        ]),
        ("Ordering", [
            _link(request, "Orders", "usda_foods:order-list"),
            _link(request, "Preference surveys", "usda_foods:survey-list"),
            _link(request, "Order windows", "usda_foods:window-list"),
            _link(request, "My deliveries", "usda_foods:my-deliveries"),
            _link(request, "Proposed changes", "usda_foods:proposal-list"),
            _link(request, "Receipts", "usda_foods:delivery-list"),
            _link(request, "Processors", "usda_foods:processor-list"),
            *([_link(request, "Review queue", "usda_foods:order-review-queue")] if reviewer else []),
            *([_link(request, "Remainders between states", "usda_foods:remainder-offers")]
              if Role.SDA_REVIEWER in roles else []),
        ]),
        ("Purchasing together", [
            _link(request, "Priority items", "purchasing:item-list"),
            _link(request, "Pooled demand", "purchasing:lab-demand"),
            _link(request, "RFI/RFP draft", "purchasing:rfp-draft"),
            *(_purchase_links(request) if roles & LAB_ROLES else []),
            _link(request, "Spending and local share", "purchasing:spend-home"),
            _link(request, "Spending goals", "purchasing:goal-list"),
        ]),
        ("Entitlement data", [
            _link(request, "Entitlements", "usda_foods:my-entitlements"),
            _link(request, "Lunch counts", "usda_foods:lunch-count-list"),
            *([_link(request, "Import lunch counts", "imports:upload", args=("lunch-counts",))] if reviewer else []),
            *([_link(request, "Imports (CSV, Excel) and their history", "imports:home")] if imports else []),
            _link(request, "Corrections to the state's data", "usda_foods:correction-list"),
            _link(request, "Per-meal values", "usda_foods:per-meal-value-list"),
            _link(request, "Reimbursement rates", "usda_foods:reimbursement-rate-list"),
            _link(request, "Section 4 payments", "usda_foods:section4-payment-list"),
            _link(request, "Available list (catalog)", "usda_foods:catalog-list"),
        ]),
    ]  # fmt: skip
    return [(title, [link for link in links if link.url not in shown]) for title, links in groups]


LAB_ROLES = {
    Role.DISTRICT_MANAGER,
    Role.DISTRICT_VIEWER,
    Role.PARTNER_STAFF,
    Role.COLLABORATIVE_ADMIN,
    "superuser",
}


def _purchase_links(request: HttpRequest) -> list[Link]:
    return [_link(request, "Purchase records", "purchasing:record-list"),
            _link(request, "Definitions of local", "purchasing:local-definitions"),
            _link(request, "Vendor matches", "purchasing:vendor-matches"),
            _link(request, "Keyword rules", "purchasing:keyword-rules")]  # fmt: skip


def navigation(request: HttpRequest) -> dict[str, object]:
    """Context processor: ``nav_daily`` (top-level links) and ``nav_more`` (grouped links)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    roles = roles_for(user)
    daily = _daily(request, roles)
    shown = {link.url for link in daily}
    return {"nav_daily": daily, "nav_more": _more(request, roles, shown)}
