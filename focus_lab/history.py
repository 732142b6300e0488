"""Audit history for tables written in bulk: statement-level pghistory triggers (issue 16).

``pghistory.track()`` installs one trigger call a row; a set-based statement writing 2,000 rows then
spends most of its time in 2,000 PL/pgSQL calls each inserting one event. ``track_statements()``
records the same events (same columns, labels and ``pgh_context`` of who and why) with one trigger
call a statement, reading the statement's transition tables.

The update trigger's statement joins the old and new rows to keep only changed rows. PL/pgSQL
caches a statement's plan from its first call, when the transition tables may hold no rows (an
``INSERT ... ON CONFLICT`` that only inserts still fires the update statement trigger): that plan is
a nested loop, quadratic at 2,000 rows. So the statement runs through ``EXECUTE``, planned on each
call with the tables' real row counts (a hash join).
"""

from __future__ import annotations

import pghistory
import pgtrigger
from django.db import models
from pghistory.trigger import Event

END = "RETURN NULL;"


class _PlannedEachCall(Event):
    def render_func(self, model: type[models.Model]) -> str:
        sql = super().render_func(model).strip()
        if not sql.endswith(END):  # pragma: no cover - pghistory's statement-level template changed
            raise AssertionError(f"unexpected pghistory trigger body: {sql[-80:]}")
        statement = sql.removesuffix(END).strip().removesuffix(";")
        if "$pgh_statement$" in statement:  # pragma: no cover
            raise AssertionError("the dollar-quote tag occurs in the statement")
        return f"EXECUTE $pgh_statement$ {statement} $pgh_statement$; {END}"


class _StatementLevel:
    trigger_class: type[Event] = Event

    def add_event_trigger(self, event_model: type[models.Model]) -> None:
        tracker = self  # a pghistory RowEvent
        trigger = self.trigger_class(
            event_model=event_model, label=tracker.label, name=tracker.trigger_name, row=tracker.row,  # type: ignore[attr-defined]
            operation=tracker.operation, condition=tracker.condition, level=pgtrigger.Statement,  # type: ignore[attr-defined]
        )  # fmt: skip
        pgtrigger.register(trigger)(event_model.pgh_tracked_model)  # type: ignore[attr-defined]


class InsertStatementEvent(_StatementLevel, pghistory.InsertEvent):
    """``pghistory.InsertEvent`` written once a statement."""


class UpdateStatementEvent(_StatementLevel, pghistory.UpdateEvent):
    """``pghistory.UpdateEvent`` (changed rows only) written once a statement, planned each call."""

    trigger_class = _PlannedEachCall


def track_statements(**kwargs: object) -> pghistory.track:
    """``pghistory.track()`` with the default insert and update events, at statement level."""
    return pghistory.track(InsertStatementEvent(), UpdateStatementEvent(), **kwargs)  # type: ignore[arg-type]
