"""Long work run in Celery (a recompute, an import, a batch of PDFs): its status and progress, so a
page can show a bar while it runs and the person can leave and come back."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse

from districts.models import ScopedQuerySet


class JobStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class ProgressTracked(models.Model):
    """Status and progress of long work; models that run in Celery (a job, a shipment plan) inherit it."""

    status = models.CharField(max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED)
    progress = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    message = models.TextField(blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def percent(self) -> int:
        if self.status == JobStatus.DONE:
            return 100
        return int(self.progress * 100 / self.total) if self.total else 0


class BackgroundJob(ProgressTracked):
    """A recompute, an import or a batch a user started. Scoped to its creator."""

    kind = models.CharField(max_length=50)
    params = models.JSONField(default=dict, blank=True)
    result = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="jobs")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        # The table was created by usda_foods, where jobs began; moving the model kept the table.
        db_table = "usda_foods_backgroundjob"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} ({self.status})"

    def get_absolute_url(self) -> str:
        return reverse("jobs:detail", args=[self.pk])
