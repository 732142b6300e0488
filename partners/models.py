"""Procurement partners and the districts they serve."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse

from districts.models import Collaborative, District, ScopedQuerySet


class PartnerKind(models.TextChoices):
    NONPROFIT = "nonprofit", "Nonprofit / farm-to-school organisation"
    FOOD_HUB = "food_hub", "Food hub"
    EXTENSION = "extension", "University extension"
    CONSULTANT = "consultant", "Consultant"
    OTHER = "other", "Other"


class PartnerOrganisation(models.Model):
    name = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=20, choices=PartnerKind.choices, default=PartnerKind.NONPROFIT)
    collaborative = models.ForeignKey(
        Collaborative, null=True, blank=True, on_delete=models.SET_NULL, related_name="partners"
    )
    city = models.CharField(max_length=100, blank=True)
    state = models.CharField(max_length=2, blank=True)
    website = models.URLField(blank=True)
    email = models.EmailField(blank=True)
    description = models.TextField(blank=True)
    removed_on = models.DateField(
        null=True,
        blank=True,
        editable=False,
        help_text="When the lab removed the partner; its partnerships ended that day and are kept.",
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = "partner organisation"

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("partners:partner-detail", args=[self.pk])


class Partnership(models.Model):
    partner = models.ForeignKey(PartnerOrganisation, on_delete=models.CASCADE, related_name="partnerships")
    district = models.ForeignKey(District, on_delete=models.CASCADE, related_name="partnerships")
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    focus = models.CharField(max_length=200, blank=True, help_text="e.g. regional chicken, whole grains")
    notes = models.TextField(blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["partner__name", "district__name"]
        constraints = [
            models.UniqueConstraint(fields=["partner", "district"], name="partnership_unique_pair"),
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True) | models.Q(end_date__gte=models.F("start_date")),
                name="partnership_end_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.partner} ↔ {self.district}"

    def clean(self) -> None:
        if self.end_date and self.start_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": "The end date cannot be before the start date."})

    def get_absolute_url(self) -> str:
        return reverse("partners:partnership-detail", args=[self.pk])


# The supplier directory and the contact log live in their own areas; Django finds their models
# through this module.
from partners.contacts.models import DigestSent, FollowUp, Interaction, InteractionSupplier  # noqa: E402
from partners.suppliers.models import (  # noqa: E402
    Certification,
    Origin,
    Product,
    ProductionPractice,
    SearchWord,
    Supplier,
    SupplierMerge,
    SupplierPerson,
)  # fmt: skip

__all__ = [
    "PartnerKind", "PartnerOrganisation", "Partnership", "Certification", "Origin", "Product",
    "ProductionPractice", "SearchWord", "Supplier", "SupplierMerge", "SupplierPerson", "DigestSent",
    "FollowUp", "Interaction", "InteractionSupplier",
]  # fmt: skip
