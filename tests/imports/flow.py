"""Going through the import pages as a person does: upload, keep the guessed columns, check the
rows, and import when every row passes."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import resolve, reverse

from focus_lab.imports.models import ImportRun, RunStatus


def import_through_pages(
    client, kind: str, data: bytes | str, *, filename: str = "upload.csv", confirm: bool = True
):
    """The last page's response (redirects followed); ``response.import_run`` is the import, or
    ``None`` when the upload form refused the file."""
    raw = data.encode() if isinstance(data, str) else data
    response = client.post(
        reverse("imports:upload", args=[kind]), {"file": SimpleUploadedFile(filename, raw)}
    )
    if response.status_code != 302:
        response.import_run = None
        return response
    run = ImportRun.objects.get(pk=resolve(response.url).kwargs["pk"])
    columns = {f"col_{name}": str(index) for name, index in run.mapping.items()}
    response = client.post(reverse("imports:map", args=[run.pk]), columns, follow=True)
    run.refresh_from_db()
    if confirm and run.status == RunStatus.VALID:
        response = client.post(reverse("imports:confirm", args=[run.pk]), follow=True)
        run.refresh_from_db()
    response.import_run = run
    return response
