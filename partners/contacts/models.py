"""The contact log: interactions with suppliers and their follow-ups. A note belongs to its
author's organisation (a partner, a district or the lab itself) and to the districts it concerns
(partners/access.py)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.urls import reverse
from django.utils.formats import date_format

from districts.models import Collaborative, District, ScopedQuerySet
from partners.models import PartnerOrganisation
from partners.suppliers.models import Product, Supplier, SupplierPerson


class InteractionKind(models.TextChoices):
    CALL = "call", "Call"
    VISIT = "visit", "Visit"
    FARM_TOUR = "farm_tour", "Farm tour"
    MEETING = "meeting", "Meeting"
    EMAIL = "email", "Email"
    SHOWCASE = "showcase", "Showcase"
    TASTING = "tasting", "Tasting"


class Interaction(models.Model):
    collaborative = models.ForeignKey(Collaborative, on_delete=models.PROTECT, related_name="interactions")
    occurred_on = models.DateField("date")
    kind = models.CharField(max_length=12, choices=InteractionKind.choices)
    suppliers = models.ManyToManyField(Supplier, through="InteractionSupplier", related_name="interactions")
    districts = models.ManyToManyField(District, blank=True, related_name="supplier_interactions",
                                       verbose_name="districts concerned")  # fmt: skip
    people = models.ManyToManyField(SupplierPerson, blank=True, related_name="interactions",
                                    verbose_name="people present")  # fmt: skip
    products = models.ManyToManyField(Product, blank=True, related_name="interactions",
                                      verbose_name="products discussed")  # fmt: skip
    notes = models.TextField(blank=True)
    private = models.BooleanField(
        default=False,
        help_text="Keep the note to your organisation: the districts concerned and the lab's admins do not see it.",
    )
    # The author's organisation: exactly one of these (checked below).
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                               editable=False, related_name="+")  # fmt: skip
    author_partner = models.ForeignKey(PartnerOrganisation, null=True, blank=True, editable=False,
                                       on_delete=models.PROTECT, related_name="interactions")  # fmt: skip
    author_district = models.ForeignKey(District, null=True, blank=True, editable=False,
                                        on_delete=models.PROTECT, related_name="authored_interactions")  # fmt: skip
    author_lab = models.ForeignKey(Collaborative, null=True, blank=True, editable=False,
                                   on_delete=models.PROTECT, related_name="authored_interactions")  # fmt: skip
    search_vector = SearchVectorField(null=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_on", "-id"]
        indexes = [
            GinIndex(fields=["search_vector"], name="interaction_search_gin"),
            models.Index(fields=["collaborative", "-occurred_on"], name="interaction_lab_date_idx"),
            models.Index(fields=["author_partner", "-occurred_on"], name="interaction_partner_date_idx"),
            # "recent activity": walked newest first until enough readable notes are found
            models.Index(fields=["-occurred_on", "-id"], name="interaction_recent_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(
                        author_partner__isnull=False, author_district__isnull=True, author_lab__isnull=True
                    )
                    | models.Q(
                        author_partner__isnull=True, author_district__isnull=False, author_lab__isnull=True
                    )
                    | models.Q(
                        author_partner__isnull=True, author_district__isnull=True, author_lab__isnull=False
                    )
                ),
                name="interaction_one_author_org",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {date_format(self.occurred_on)}"

    def get_absolute_url(self) -> str:
        return reverse("partners:interaction-detail", args=[self.pk])

    @property
    def author_organisation(self) -> object:
        return self.author_partner or self.author_district or self.author_lab


class InteractionSupplier(models.Model):
    """Which suppliers an interaction concerns, with its date and author's organisation copied so
    that "not contacted in six months" is one indexed query."""

    interaction = models.ForeignKey(Interaction, on_delete=models.CASCADE)
    supplier = models.ForeignKey(Supplier, on_delete=models.CASCADE, related_name="contact_rows")
    occurred_on = models.DateField()
    author_partner = models.ForeignKey(
        PartnerOrganisation, null=True, on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["interaction", "supplier"], name="interaction_supplier_once")
        ]
        indexes = [
            models.Index(
                fields=["author_partner", "occurred_on", "supplier"], name="contact_partner_recent_idx"
            ),
            models.Index(fields=["supplier", "occurred_on"], name="contact_supplier_date_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.interaction} / {self.supplier_id}"


class FollowUp(models.Model):
    interaction = models.ForeignKey(Interaction, on_delete=models.CASCADE, related_name="follow_ups")
    what = models.CharField(max_length=300)
    due_on = models.DateField("due")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="follow_ups")
    done_on = models.DateField(null=True, blank=True, editable=False)
    # The note's author organisation, copied (a note's organisation never changes) so that "my
    # organisation's open follow-ups" reads this table alone.
    author_partner = models.ForeignKey(PartnerOrganisation, null=True, editable=False, on_delete=models.CASCADE,
                                       related_name="+")  # fmt: skip
    author_district = models.ForeignKey(
        District, null=True, editable=False, on_delete=models.CASCADE, related_name="+"
    )
    author_lab = models.ForeignKey(
        Collaborative, null=True, editable=False, on_delete=models.CASCADE, related_name="+"
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["owner", "done_on", "due_on"], name="follow_up_owner_due_idx")]

    def save(self, *args: object, **kwargs: object) -> None:
        if self.interaction_id and not (
            self.author_partner_id or self.author_district_id or self.author_lab_id
        ):
            note = self.interaction
            self.author_partner_id, self.author_district_id, self.author_lab_id = (
                note.author_partner_id, note.author_district_id, note.author_lab_id)  # fmt: skip
        super().save(*args, **kwargs)

    def __str__(self) -> str:
        return self.what

    def get_absolute_url(self) -> str:
        return self.interaction.get_absolute_url()


class DigestSent(models.Model):
    """One row per person per day a digest went out: the claim that makes the task idempotent."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "day"], name="digest_once_per_day")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.day}"
