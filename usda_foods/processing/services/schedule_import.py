"""Import a processor's summary end-product data schedule from its page or the API, through the
shared import pipeline (focus_lab.imports; the rules are the "end-products" import kind's,
``usda_foods/processing/imports.py``): every row is checked first, one bad row means nothing is
written, the same file is imported once, and an import can be undone from /imports/."""

from __future__ import annotations

import csv
import io
from typing import TYPE_CHECKING

from focus_lab.errors import DomainError
from focus_lab.imports.services import ImportReport, import_data
from usda_foods.processing.access import reviews_processor_state

if TYPE_CHECKING:
    from accounts.models import User
    from usda_foods.processing.models import Processor

# The columns of the schedule template, in order (the import kind's field names, but the processor,
# which the processor's page and API fill in).
SCHEDULE_COLUMNS = ("code", "name", "case_pack", "net_weight_lb", "value_per_case", "material_code",
                    "pounds_per_case")  # fmt: skip
SCHEDULE_OPTIONAL = ("fee_per_case", "pass_through")


def with_processor(data: bytes | str, processor: Processor) -> bytes | str:
    """The CSV with a ``processor`` column naming ``processor`` on every row (unless it has one)."""
    text = data.decode("utf-8-sig") if isinstance(data, bytes) else data.removeprefix("\ufeff")
    rows = list(csv.reader(io.StringIO(text)))
    if not rows or "processor" in (cell.strip().lower() for cell in rows[0]):
        return text
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["processor", *rows[0]])
    writer.writerows([processor.name, *row] if any(row) else row for row in rows[1:])
    return out.getvalue()


def end_products_import(
    *, processor: Processor, data: bytes | str, user: User, filename: str = "end-products.csv"
) -> ImportReport:
    """Import ``processor``'s schedule as CSV (the state's reviewers). Each food must be one the
    processor accepts (by material code); a product's columns must agree on all its rows."""
    if not reviews_processor_state(user, processor):
        raise DomainError("Only the state agency's reviewers load a processor's end-product schedule.")
    try:
        text = with_processor(data, processor)
    except (UnicodeDecodeError, csv.Error):
        text = data  # the pipeline's reader says what is wrong with the file
    return import_data(kind="end-products", data=text, user=user, filename=filename)
