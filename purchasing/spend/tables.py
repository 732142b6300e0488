"""The shape every dashboard figure takes: a table (caption, typed columns, rows of plain values,
an optional total row) and, optionally, the chart drawn from it. Pages render the table beside the
chart; exports write the same header and rows; the API returns them. No Django."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

TEXT, MONEY, PERCENT, POUNDS, VOLUME = "text", "money", "percent", "pounds", "volume"
UNITS = {MONEY: "$", PERCENT: "%", POUNDS: "lb"}


def show(value: Any, kind: str) -> str:
    """A cell for people: dollars and cents, a percent, pounds or a volume, rounded half up once
    here, with thousands separators; an empty cell is a dash."""
    if value is None:
        return "—"
    if kind == TEXT:
        return str(value)
    places = 0 if kind == POUNDS else 2
    text = f"{Decimal(value).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP):,}"
    return {MONEY: "$" + text, PERCENT: text + "%", POUNDS: text + " lb"}.get(kind, text)


@dataclass(frozen=True)
class Column:
    label: str
    kind: str = TEXT

    @property
    def heading(self) -> str:
        """The header an export writes: the label with its unit, e.g. "Spend ($)"."""
        unit = UNITS.get(self.kind)
        return f"{self.label} ({unit})" if unit else self.label


@dataclass(frozen=True)
class Chart:
    """Which columns a chart plots against the first column: ``kind`` is Chart.js's type."""

    kind: str
    values: tuple[int, ...]
    horizontal: bool = False


@dataclass
class Table:
    slug: str
    title: str
    caption: str
    columns: list[Column]
    rows: list[list[Any]] = field(default_factory=list)
    total: list[Any] | None = None
    chart: Chart | None = None
    note: str = ""

    @property
    def header(self) -> list[str]:
        return [column.heading for column in self.columns]

    def _shown(self, row: list[Any]) -> list[tuple[str, bool]]:
        return [
            (show(value, column.kind), column.kind != TEXT)
            for value, column in zip(row, self.columns, strict=True)
        ]

    @property
    def shown_rows(self) -> list[list[tuple[str, bool]]]:
        """Each row as (text, numeric) cells, for the page."""
        return [self._shown(row) for row in self.rows]

    @property
    def shown_total(self) -> list[tuple[str, bool]] | None:
        return None if self.total is None else self._shown(self.total)

    def export_rows(self) -> list[list[Any]]:
        return [*self.rows, *([self.total] if self.total else [])]

    def chart_data(self) -> dict[str, Any] | None:
        """What static/js/spend_charts.js draws: labels and one dataset per value column; numbers
        as decimal strings (they become floats only to plot)."""
        if self.chart is None or not self.rows:
            return None
        unit = self.columns[self.chart.values[0]].kind
        return {
            "type": self.chart.kind, "horizontal": self.chart.horizontal, "unit": unit,
            "labels": [str(row[0]) for row in self.rows],
            "datasets": [
                {"label": self.columns[i].heading, "data": [None if row[i] is None else str(row[i]) for row in self.rows]}
                for i in self.chart.values
            ],
        }  # fmt: skip

    def as_dict(self) -> dict[str, Any]:
        return {
            "slug": self.slug, "title": self.title, "caption": self.caption, "note": self.note,
            "columns": [{"label": c.label, "kind": c.kind} for c in self.columns],
            "rows": [[cell_json(v) for v in row] for row in self.rows],
            "total": None if self.total is None else [cell_json(v) for v in self.total],
        }  # fmt: skip


def cell_json(value: Any) -> str | None:
    """A cell for JSON: numbers as exact decimal strings, text as is, empty as null."""
    if value is None:
        return None
    if isinstance(value, Decimal):
        return f"{value:f}"
    return str(value)
