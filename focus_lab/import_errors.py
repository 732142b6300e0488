"""An import's problems for a page: the first few hundred, how many rows are bad, how many problems
each column has, and the whole list as a CSV that only the user who uploaded the file can
download (a signed link to a file in Django's storage, which is not served publicly).

A file of 230,000 bad rows used to render every problem: about 20 seconds and 35 MB of HTML.
"""

from __future__ import annotations

import secrets
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache

from focus_lab.csv_import import RowError
from focus_lab.exports import csv_lines

if TYPE_CHECKING:
    from accounts.models import User

MAX_SHOWN_ERRORS = 200  # enough to see the pattern; the download has the rest
DOWNLOAD_MAX_AGE_S = 24 * 3600
STORAGE_DIR = "import-errors"
_SALT = "focus_lab.import_errors"
WHOLE_ROW = "(whole row)"


@dataclass(frozen=True)
class ErrorSummary:
    shown: Sequence[RowError]
    total: int
    bad_rows: int
    by_column: list[tuple[str, int]]  # most problems first
    download_url: str | None

    @property
    def truncated(self) -> bool:
        return self.total > len(self.shown)


def import_errors_summarize(*, errors: Sequence[RowError], user: User) -> ErrorSummary:
    """The page's view of ``errors``; when there are more than it shows, the whole list is stored
    for ``user`` to download."""
    url = None
    if len(errors) > MAX_SHOWN_ERRORS:
        url = reverse("import-errors-download", args=[import_errors_store(errors=errors, user=user)])
    return ErrorSummary(
        shown=errors[:MAX_SHOWN_ERRORS],
        total=len(errors),
        bad_rows=len({e.line for e in errors}),
        by_column=Counter(e.column or WHOLE_ROW for e in errors).most_common(),
        download_url=url,
    )


def import_errors_store(*, errors: Sequence[RowError], user: User) -> str:
    """Write ``errors`` as CSV to storage; return a signed token naming the file and its owner."""
    # The messages quote the file's cells: the export helper keeps a spreadsheet from running one
    # as a formula, and its byte-order mark lets Excel on Windows read accents right.
    text = "".join(csv_lines(["line", "column", "message"], ((e.line, e.column, e.message) for e in errors)))
    name = default_storage.save(
        f"{STORAGE_DIR}/{secrets.token_hex(16)}.csv", ContentFile(text.encode("utf-8"))
    )
    return signing.dumps({"user": user.pk, "file": name}, salt=_SALT, compress=True)


@never_cache
@login_required
def import_errors_download(request: HttpRequest, token: str) -> FileResponse:
    """The full list of an import's problems, for the user who uploaded the file (anyone else, or
    an expired or altered link, gets 404)."""
    try:
        data = signing.loads(token, salt=_SALT, max_age=DOWNLOAD_MAX_AGE_S)
    except signing.BadSignature:
        raise Http404("This download has expired or does not exist.") from None
    name = data.get("file", "") if isinstance(data, dict) else ""
    if data.get("user") != request.user.pk or not name.startswith(f"{STORAGE_DIR}/"):
        raise Http404("This download has expired or does not exist.")
    if not default_storage.exists(name):
        raise Http404("This download has expired or does not exist.")
    return FileResponse(
        default_storage.open(name, "rb"),
        as_attachment=True,
        filename="import-problems.csv",
        content_type="text/csv",
    )


def import_errors_purge(*, now: datetime | None = None) -> int:
    """Delete the stored problem lists whose download link has expired; returns how many. Running
    it again deletes nothing more."""
    now = now or timezone.now()
    try:
        _, names = default_storage.listdir(STORAGE_DIR)
    except FileNotFoundError:
        return 0
    removed = 0
    for name in names:
        path = f"{STORAGE_DIR}/{name}"
        if now - default_storage.get_modified_time(path) > timedelta(seconds=DOWNLOAD_MAX_AGE_S):
            default_storage.delete(path)
            removed += 1
    return removed
