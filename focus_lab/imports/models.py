"""One upload's life (``ImportRun``), what it wrote (``ImportBatch``, for undo), and the column
mapping a person confirmed for a kind and source (``ImportMapping``)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse

from districts.models import ScopedQuerySet


class RunStatus(models.TextChoices):
    UPLOADED = "uploaded", "Waiting for the column mapping"
    VALIDATING = "validating", "Checking rows"
    INVALID = "invalid", "Has problems"
    VALID = "valid", "Ready to import"
    WRITING = "writing", "Importing"
    DONE = "done", "Imported"
    FAILED = "failed", "Failed"
    UNDONE = "undone", "Undone"


def _upload_to(run: ImportRun, filename: str) -> str:
    return f"imports/{run.kind}/{run.sha256[:2]}/{run.sha256}-{filename[-80:]}"


class ImportRun(models.Model):
    """An uploaded file on its way in: kept in storage, hashed (the same file is imported once),
    checked, then written all at once. Its uploader sees it (and superusers)."""

    kind = models.CharField(max_length=40)
    source = models.CharField(
        max_length=120, blank=True, help_text="Where the file comes from, e.g. a vendor"
    )
    file = models.FileField(upload_to=_upload_to, max_length=300)
    filename = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64, db_index=True)
    size = models.PositiveBigIntegerField(default=0)
    sheet = models.CharField(max_length=120, blank=True)
    details = models.JSONField(default=dict, blank=True, help_text="format, encoding, delimiter, sheets")
    headers = models.JSONField(default=list, blank=True)
    header_line = models.PositiveIntegerField(default=1)
    mapping = models.JSONField(default=dict, blank=True, help_text="field name -> column index")
    row_count = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=12, choices=RunStatus.choices, default=RunStatus.UPLOADED)
    message = models.TextField(blank=True)
    problem_total = models.PositiveIntegerField(default=0)
    problem_rows = models.PositiveIntegerField(default=0)
    problems = models.JSONField(
        default=list, blank=True, help_text="the first problems: [line, column, message]"
    )
    problems_by_column = models.JSONField(default=list, blank=True)
    problems_download = models.TextField(blank=True)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    job = models.ForeignKey(
        "jobs.BackgroundJob", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="imports")
    created_at = models.DateTimeField(auto_now_add=True)
    checked_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # the same file is imported once per kind (until that import is undone)
            models.UniqueConstraint(
                fields=["kind", "sha256"], condition=models.Q(status="done"), name="import_file_once"
            ),
        ]
        indexes = [models.Index(fields=["created_by", "kind", "-created_at"])]

    def __str__(self) -> str:
        return f"Import #{self.pk} ({self.filename})"

    def get_absolute_url(self) -> str:
        return reverse("imports:detail", args=[self.pk])

    @property
    def is_running(self) -> bool:
        return self.status in (RunStatus.VALIDATING, RunStatus.WRITING)


class ImportBatch(models.Model):
    """What one batch of a run wrote, so the run can be undone: the ids it created and each
    changed row's values before."""

    run = models.ForeignKey(ImportRun, on_delete=models.CASCADE, related_name="batches")
    created_ids = models.JSONField(default=list)
    previous = models.JSONField(default=list)

    def __str__(self) -> str:
        return f"Batch {self.pk} of import #{self.run_id}"


class ImportMapping(models.Model):
    """The columns a person confirmed for a kind from a source (e.g. a vendor's price list), by
    header: offered first next time a file from that source comes in."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=40)
    source = models.CharField(max_length=120)
    columns = models.JSONField(default=dict, help_text="header -> field name")
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["owner", "kind", "source"], name="import_mapping_once")
        ]

    def __str__(self) -> str:
        return f"{self.kind} from {self.source}"
