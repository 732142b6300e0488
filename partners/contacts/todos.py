"""The partner's day on the dashboard (focus_lab/dashboard.py): figures, to-dos and recent notes,
as plain tuples so the dashboard needs nothing of this app's models."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils.formats import date_format

from partners.contacts.selectors import CERT_WINDOW_DAYS, UPCOMING_DAYS, partner_day

if TYPE_CHECKING:
    from accounts.models import User


def _n(count: int, one: str, many: str) -> str:
    return f"{count:,} {one if count == 1 else many}"


def supplier_day(*, user: User, today: date) -> tuple[list[tuple[str, object, str]], list[tuple[str, str, str]],
                                                      list[tuple[str, str]]]:  # fmt: skip
    """(stats, to-dos, recent activity): stats are (label, value, url); to-dos (text, url, level);
    recent activity (text, url)."""
    day = partner_day(user, today=today)
    follow_ups_url = reverse("partners:follow-up-list")
    suppliers_url = reverse("partners:supplier-list")
    stats = [
        ("Overdue follow-ups", f"{day.overdue:,}", follow_ups_url),
        (f"Follow-ups due in {UPCOMING_DAYS} days", f"{day.upcoming:,}", follow_ups_url),
        (
            f"Certifications expired or expiring within {CERT_WINDOW_DAYS} days",
            f"{day.certs_due:,}",
            suppliers_url,
        ),
        ("Suppliers not contacted in 6 months", f"{day.quiet:,}", suppliers_url),
    ]
    todos = []
    for f in day.follow_ups:
        late = f.due_on < today
        todos.append((f"{'Overdue since' if late else 'Due'} {date_format(f.due_on)}: {f.what}",
                      f.interaction.get_absolute_url(), "warning" if late else "info"))  # fmt: skip
    for c in day.certs:
        verb = "expired on" if c.expires_on < today else "expires on"
        todos.append((f"{c.supplier.name}: {c.get_kind_display()} {verb} {date_format(c.expires_on)}",
                       c.supplier.get_absolute_url(), "warning"))  # fmt: skip
    if day.quiet:
        names = ", ".join(s.name for s in day.quiet_suppliers[:3])
        more = f" and {_n(day.quiet - 3, 'other', 'others')}" if day.quiet > 3 else ""
        todos.append((f"Not contacted in 6 months: {names}{more}.", suppliers_url, "info"))
    recent = [(f"{date_format(n.occurred_on, 'M j')}: {n.get_kind_display()} by {n.author_organisation}", n.get_absolute_url())
              for n in day.recent]  # fmt: skip
    return stats, todos, recent
