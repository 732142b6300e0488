"""Documents for suppliers: a spec sheet (PDF) per adopted version, and an RFI/RFP draft for one or
several items — the specifications, the pooled volumes by district and by month, the delivery
points, the geographic-preference clause — as PDF to read, DOCX to edit, and an XLSX bid sheet
suppliers fill in. Figures are rounded half up once, here at the edge."""

from __future__ import annotations

import io
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.utils import timezone

from districts.models import Site
from purchasing.priority_items.models import (
    MONTHS,
    SPEC_FIELDS,
    LocalClause,
    PriorityItem,
    SpecVersion,
    VersionStatus,
)
from purchasing.priority_items.rules import fmt
from purchasing.priority_items.selectors import ItemDemand, pooled_demand

MONTH_NAMES = dict(MONTHS)
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
BID_COLUMNS = ["Item", "Specification", "Unit", "Pooled annual volume", "Price per unit ($)",
               "Origin (where grown, raised or caught)", "Production practices", "Notes"]  # fmt: skip


@dataclass
class RfpItem:
    version: SpecVersion
    demand: ItemDemand

    @property
    def spec_rows(self) -> list[tuple[str, str]]:
        return spec_rows(self.version)

    @property
    def unit(self) -> str:
        return self.version.item.unit

    @property
    def district_rows(self) -> list[tuple[str, str, int]]:
        return [(row.district.name, fmt(row.annual), row.delivery_points) for row in self.demand.rows]

    @property
    def month_rows(self) -> list[tuple[str, str]]:
        return [(MONTH_NAMES[m], fmt(v)) for m, v in self.demand.by_month if v]

    @property
    def total(self) -> str:
        return fmt(self.demand.total)

    @property
    def value(self) -> str | None:
        return None if self.demand.value is None else fmt(self.demand.value, 2)


def rfp_items(items: QuerySet[PriorityItem]) -> list[RfpItem]:
    """The items' adopted versions with their pooled demand (items with none are left out)."""
    demands = {d.item.pk: d for d in pooled_demand(items)}
    versions = SpecVersion.objects.filter(item_id__in=list(demands), status=VersionStatus.ADOPTED)
    found = []
    for version in versions.order_by("item__name"):
        version.item = demands[version.item_id].item
        found.append(RfpItem(version=version, demand=demands[version.item_id]))
    return found


def spec_rows(version: SpecVersion) -> list[tuple[str, str]]:
    spec = version.spec()
    rows = [(label, spec[key] or "—") for key, label in SPEC_FIELDS.items()]
    rows += [(key, str(value)) for key, value in version.attributes.items()]
    return rows


def geographic_preference(version: SpecVersion) -> str:
    clause, local = version.local_clause, version.local_definition or "as the lab defines it"
    if clause == LocalClause.SPEC:
        return f"The product must be locally grown, raised or caught: {local}."
    if clause == LocalClause.PREFERENCE:
        return (f"Geographic preference (7 CFR 210.21(g)): bids offering product grown, raised or caught "
                f"locally ({local}) receive a scoring advantage.")  # fmt: skip
    if clause == LocalClause.BOTH:
        return (f"The product must be locally grown, raised or caught ({local}); bids are also scored for "
                "geographic preference (7 CFR 210.21(g)).")  # fmt: skip
    return "No local requirement or preference."


def _pdf(html: str) -> bytes:
    import weasyprint

    # No base URL: the templates carry their styles inline and fetch nothing.
    return weasyprint.HTML(string=html).write_pdf()


def spec_sheet_pdf(version: SpecVersion) -> bytes:
    html = render_to_string("purchasing/priority_items/spec_sheet_pdf.html", {
        "version": version, "item": version.item, "rows": spec_rows(version),
        "preference": geographic_preference(version), "generated_at": timezone.now(),
    })  # fmt: skip
    return _pdf(html)


def delivery_sites(items: list[RfpItem]) -> list[Site]:
    district_ids = {row.district.pk for item in items for row in item.demand.rows}
    return list(Site.objects.filter(district_id__in=district_ids, receives_deliveries=True)
                .select_related("district").order_by("district__name", "name"))  # fmt: skip


def rfp_pdf(items: list[RfpItem], *, title: str) -> bytes:
    html = render_to_string("purchasing/priority_items/rfp_pdf.html", {
        "items": [(item, geographic_preference(item.version)) for item in items], "title": title,
        "sites": delivery_sites(items), "generated_at": timezone.now(), "bid_columns": BID_COLUMNS,
    })  # fmt: skip
    return _pdf(html)


def rfp_docx(items: list[RfpItem], *, title: str) -> bytes:
    import docx

    document = docx.Document()
    document.add_heading(title, level=0)
    document.add_paragraph("DRAFT request for proposals, for the lab's procurement staff to edit. Pooled "
                           "volumes are the districts' menu commitments for one school year.")  # fmt: skip
    for item in items:
        document.add_heading(
            f"{item.version.item.name} (specification version {item.version.number})", level=1
        )
        table = document.add_table(rows=0, cols=2)
        table.style = "Table Grid"
        for label, value in item.spec_rows:
            cells = table.add_row().cells
            cells[0].text, cells[1].text = label, value
        document.add_paragraph(geographic_preference(item.version))
        document.add_heading("Pooled volume by district", level=2)
        table = document.add_table(rows=1, cols=3)
        table.style = "Table Grid"
        table.rows[0].cells[0].text, table.rows[0].cells[1].text = "District", f"Annual volume ({item.unit})"
        table.rows[0].cells[2].text = "Delivery points"
        for name, volume, points in item.district_rows:
            cells = table.add_row().cells
            cells[0].text, cells[1].text, cells[2].text = name, volume, str(points)
        cells = table.add_row().cells
        cells[0].text, cells[1].text, cells[2].text = "Total", item.total, str(item.demand.delivery_points)
        document.add_heading("Pooled volume by month", level=2)
        table = document.add_table(rows=1, cols=2)
        table.style = "Table Grid"
        table.rows[0].cells[0].text, table.rows[0].cells[1].text = "Month", f"Volume ({item.unit})"
        for month, volume in item.month_rows:
            cells = table.add_row().cells
            cells[0].text, cells[1].text = month, volume
    document.add_heading("Delivery points", level=1)
    for site in delivery_sites(items):
        document.add_paragraph(f"{site.district.name}: {site.name}, {site.street}, {site.city}, {site.state} "
                               f"{site.postal_code}", style="List Bullet")  # fmt: skip
    document.add_heading("Bid sheet", level=1)
    document.add_paragraph("Suppliers fill in the attached XLSX bid sheet: " + ", ".join(BID_COLUMNS) + ".")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def bid_sheet_xlsx(items: list[RfpItem]) -> bytes:
    import xlsxwriter

    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    bold = book.add_format({"bold": True, "text_wrap": True})
    number = book.add_format({"num_format": "#,##0"})
    price = book.add_format({"num_format": "$#,##0.0000", "locked": False, "bg_color": "#FFF8DC"})
    free = book.add_format({"locked": False, "bg_color": "#FFF8DC"})
    sheet = book.add_worksheet("Bid sheet")
    sheet.write_row(0, 0, BID_COLUMNS, bold)
    sheet.set_column(0, 0, 40)
    sheet.set_column(1, 7, 18)
    for row, item in enumerate(items, start=1):
        sheet.write_string(row, 0, item.version.item.name)
        sheet.write_string(row, 1, f"version {item.version.number}")
        sheet.write_string(row, 2, item.unit)
        sheet.write_number(row, 3, int(Decimal(item.total.replace(",", ""))), number)
        sheet.write_blank(row, 4, None, price)
        for column in (5, 6, 7):
            sheet.write_blank(row, column, None, free)
    volumes = book.add_worksheet("Volumes by district")
    volumes.write_row(0, 0, ["Item", "District", "Annual volume", "Unit", "Delivery points"], bold)
    row = 1
    for item in items:
        for name, volume, points in item.district_rows:
            volumes.write_row(row, 0, [item.version.item.name, name])
            volumes.write_number(row, 2, int(Decimal(volume.replace(",", ""))), number)
            volumes.write_row(row, 3, [item.unit, points])
            row += 1
    book.close()
    return out.getvalue()
