"""Corrections a district proposes to the state's data about it. Reimbursable lunch counts and
commodity-school status are the state agency's (they come from its claims and its records), yet
they set the district's entitlement; so a district cannot change them, only propose a correction
with its reason, which takes effect when a reviewer of its state accepts it."""

from __future__ import annotations

import pghistory
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from districts.models import District, ScopedQuerySet
from focus_lab.text import possessive
from usda_foods.entitlements.models import SchoolYearField


class CorrectionKind(models.TextChoices):
    LUNCH_COUNTS = "lunch_counts", "Lunch counts"
    COMMODITY_SCHOOL = "commodity_school", "Commodity-school status"


class CorrectionStatus(models.TextChoices):
    PENDING = "pending", "Waiting for the state"
    ACCEPTED = "accepted", "Accepted"
    REJECTED = "rejected", "Rejected"


_LUNCH_FIELDS_SET = ~Q(school_year="") & Q(
    free__isnull=False, reduced__isnull=False, paid__isnull=False, is_commodity_school__isnull=True
)
_COMMODITY_FIELD_SET = Q(
    school_year="",
    free__isnull=True,
    reduced__isnull=True,
    paid__isnull=True,
    is_commodity_school__isnull=False,
)


@pghistory.track()
class DataCorrection(models.Model):
    """A proposed correction to a district's lunch counts for one school year, or to its
    commodity-school status. Written only by the correction services."""

    district = models.ForeignKey(District, on_delete=models.CASCADE, related_name="corrections")
    kind = models.CharField(max_length=20, choices=CorrectionKind.choices)
    school_year = SchoolYearField(blank=True, help_text="The year the lunches were served in (lunch counts).")
    free = models.PositiveIntegerField(null=True, blank=True)
    reduced = models.PositiveIntegerField(null=True, blank=True)
    paid = models.PositiveIntegerField(null=True, blank=True)
    is_commodity_school = models.BooleanField(null=True, blank=True)
    reason = models.TextField()
    status = models.CharField(
        max_length=10, choices=CorrectionStatus.choices, default=CorrectionStatus.PENDING
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind=CorrectionKind.LUNCH_COUNTS) & _LUNCH_FIELDS_SET
                | Q(kind=CorrectionKind.COMMODITY_SCHOOL) & _COMMODITY_FIELD_SET,
                name="data_correction_fields_match_kind",
            ),
            models.CheckConstraint(condition=~Q(reason=""), name="data_correction_reason_given"),
            models.CheckConstraint(
                condition=Q(status=CorrectionStatus.PENDING, decided_at__isnull=True)
                | (~Q(status=CorrectionStatus.PENDING) & Q(decided_at__isnull=False)),
                name="data_correction_decided_when_not_pending",
            ),
            # One open question per district and subject: a second proposal waits for the first.
            models.UniqueConstraint(
                fields=["district", "kind", "school_year"],
                condition=Q(status=CorrectionStatus.PENDING),
                name="data_correction_one_pending",
            ),
        ]

    def __str__(self) -> str:
        subject = (
            f"lunch counts SY{self.school_year}"
            if self.kind == CorrectionKind.LUNCH_COUNTS
            else "commodity-school status"
        )
        return f"Correction #{self.pk} to {possessive(self.district)} {subject}"

    @property
    def proposed_total(self) -> int | None:
        if self.kind != CorrectionKind.LUNCH_COUNTS:
            return None
        return (self.free or 0) + (self.reduced or 0) + (self.paid or 0)

    @property
    def is_pending(self) -> bool:
        return self.status == CorrectionStatus.PENDING

    def get_absolute_url(self) -> str:
        return reverse("usda_foods:correction-detail", args=[self.pk])
