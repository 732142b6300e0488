"""Letters of agreement (give-get): templates and their versions, letters issued from a version to
one district or partner, their signatures and their evidence trail.

A template version never changes once saved (editing makes a new version), and a letter keeps the
exact text it was issued with and that text's SHA-256: the signatures point at that hash."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from agreements.rules import LIVE, State, gives_for, school_year_label
from districts.models import Collaborative, District, ScopedQuerySet
from partners.models import PartnerOrganisation

LETTER_STATES = [(state.value, state.value.capitalize()) for state in State]


class Formality(models.TextChoices):
    LETTER = "letter", "Short letter"
    FORMAL = "formal", "Formal agreement (term, start and end dates)"


class LetterTemplate(models.Model):
    """A lab's letter template; its content lives in versions, the newest being current."""

    collaborative = models.ForeignKey(
        Collaborative, on_delete=models.CASCADE, related_name="letter_templates"
    )
    name = models.CharField(max_length=200)
    logo = models.FileField(upload_to="agreements/logos/", blank=True,
                            help_text="Optional: a PNG or JPEG printed in the letterhead.")  # fmt: skip
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["collaborative__name", "name"]
        constraints = [models.UniqueConstraint(fields=["collaborative", "name"], name="template_unique_name")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("agreements:template-detail", args=[self.pk])

    @property
    def current(self) -> TemplateVersion | None:
        return self.versions.order_by("-number").first()


class TemplateVersion(models.Model):
    """One saved state of a template; never updated (the services only insert)."""

    template = models.ForeignKey(LetterTemplate, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    introduction = models.TextField()
    gives_both = models.JSONField(default=list, help_text="Commitments of districts and partners.")
    gives_districts = models.JSONField(default=list, help_text="Commitments of districts only.")
    gives_partners = models.JSONField(default=list, help_text="Commitments of partners only.")
    gets = models.JSONField(default=list, help_text="What the lab offers its participants.")
    closing = models.TextField(blank=True)
    formality = models.CharField(max_length=10, choices=Formality.choices, default=Formality.LETTER)
    term = models.CharField(max_length=200, blank=True)
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)
    remind_every_days = models.PositiveSmallIntegerField(
        default=7, help_text="Remind unsigned letters every N days."
    )
    expire_after_days = models.PositiveSmallIntegerField(
        default=45, help_text="Unsigned letters expire after M days."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["template", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["template", "number"], name="template_version_unique_number"),
            models.CheckConstraint(
                condition=Q(start_date__isnull=True)
                | Q(end_date__isnull=True)
                | Q(end_date__gte=models.F("start_date")),
                name="template_version_end_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.template} v{self.number}"

    def gives(self, party_kind: str) -> list[str]:
        return gives_for(party_kind=party_kind, both=self.gives_both, districts=self.gives_districts,
                         partners=self.gives_partners)  # fmt: skip


class PartyKind(models.TextChoices):
    DISTRICT = "district", "District"
    PARTNER = "partner", "Partner"


class Letter(models.Model):
    """A letter of agreement between the lab and one district or one partner for a school year.

    ``text`` is the canonical text the party signs, fixed when the letter is issued; ``text_sha256``
    is its hash. The final PDF is rendered once, on countersignature, and stored with its hash."""

    collaborative = models.ForeignKey(Collaborative, on_delete=models.PROTECT, related_name="letters")
    version = models.ForeignKey(TemplateVersion, on_delete=models.PROTECT, related_name="letters")
    party_kind = models.CharField(max_length=10, choices=PartyKind.choices)
    district = models.ForeignKey(
        District, null=True, blank=True, on_delete=models.PROTECT, related_name="letters"
    )
    partner = models.ForeignKey(
        PartnerOrganisation, null=True, blank=True, on_delete=models.PROTECT, related_name="letters"
    )
    school_year = models.PositiveSmallIntegerField(
        help_text="The year the school year starts (2026 for 2026–27)."
    )
    state = models.CharField(max_length=16, choices=LETTER_STATES, default=State.DRAFT)
    text = models.TextField(editable=False)
    text_sha256 = models.CharField(max_length=64, editable=False)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    issued_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    viewed_at = models.DateTimeField(null=True, blank=True)
    signed_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(
        null=True, blank=True, help_text="When it was declined, withdrawn or expired."
    )
    expires_at = models.DateTimeField(null=True, blank=True)
    reminders_sent = models.PositiveSmallIntegerField(default=0)
    decline_reason = models.TextField(blank=True)
    withdraw_reason = models.TextField(blank=True)
    renewed_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="renewals"
    )
    pdf = models.FileField(upload_to="agreements/letters/%Y/", blank=True, editable=False)
    pdf_sha256 = models.CharField(max_length=64, blank=True, editable=False, db_index=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-school_year", "party_kind", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(party_kind="district", district__isnull=False, partner__isnull=True)
                    | Q(party_kind="partner", partner__isnull=False, district__isnull=True)
                ),
                name="letter_one_party",
            ),  # fmt: skip
            models.UniqueConstraint(
                fields=["collaborative", "school_year", "district"],
                condition=Q(state__in=sorted(LIVE)),
                name="letter_one_live_per_district_year",
            ),
            models.UniqueConstraint(
                fields=["collaborative", "school_year", "partner"],
                condition=Q(state__in=sorted(LIVE)),
                name="letter_one_live_per_partner_year",
            ),
        ]
        indexes = [models.Index(fields=["state", "expires_at"], name="letter_state_expiry")]

    def __str__(self) -> str:
        return f"Letter #{self.pk}: {self.party} {self.school_year_label}"

    def get_absolute_url(self) -> str:
        return reverse("agreements:letter-detail", args=[self.pk])

    @property
    def party(self) -> District | PartnerOrganisation:
        return self.district if self.party_kind == PartyKind.DISTRICT else self.partner  # type: ignore[return-value]

    @property
    def school_year_label(self) -> str:
        return school_year_label(self.school_year)

    @property
    def is_complete(self) -> bool:
        return self.state == State.COUNTERSIGNED


class SignatureRole(models.TextChoices):
    PARTY = "party", "Party"
    LAB = "lab", "Learning lab (countersignature)"


class Signature(models.Model):
    """A typed-name electronic signature and its evidence (ESIGN/UETA): who signed with what
    intent, their consent to sign electronically (the consent text's hash), and the record signed
    (the letter text's hash). One per letter and role: nobody signs a letter twice."""

    letter = models.ForeignKey(Letter, on_delete=models.PROTECT, related_name="signatures")
    role = models.CharField(max_length=10, choices=SignatureRole.choices)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    user_email = models.EmailField()
    typed_name = models.CharField(max_length=200)
    title = models.CharField(max_length=200)
    signed_at = models.DateTimeField()
    timezone = models.CharField(max_length=64)
    local_time = models.CharField(
        max_length=40, help_text="The signing time in the signer's time zone, ISO 8601."
    )
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.TextField(blank=True)
    consent_text = models.TextField()
    consent_sha256 = models.CharField(max_length=64)
    letter_sha256 = models.CharField(max_length=64)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["signed_at"]
        constraints = [models.UniqueConstraint(fields=["letter", "role"], name="signature_once_per_role")]

    def __str__(self) -> str:
        return f"{self.typed_name}, {self.title}"


class EventKind(models.TextChoices):
    ISSUED = "issued", "Issued"
    EMAILED = "emailed", "Emailed"
    VIEWED = "viewed", "Viewed"
    REMINDED = "reminded", "Reminded"
    SIGNED = "signed", "Signed"
    COUNTERSIGNED = "countersigned", "Countersigned"
    DECLINED = "declined", "Declined"
    WITHDRAWN = "withdrawn", "Withdrawn"
    EXPIRED = "expired", "Expired"
    SEALED = "sealed", "Final PDF stored"
    REFUSED = "refused", "Refused"


class LetterEvent(models.Model):
    """The letter's evidence trail: every event, appended, never changed."""

    letter = models.ForeignKey(Letter, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=16, choices=EventKind.choices)
    at = models.DateTimeField()
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")  # fmt: skip
    actor_email = models.CharField(max_length=254, blank=True, help_text="Kept if the user is deleted.")
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.TextField(blank=True)
    step = models.PositiveSmallIntegerField(null=True, blank=True, help_text="The reminder step.")
    detail = models.JSONField(default=dict, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["letter", "step"],
                condition=Q(kind="reminded"),
                name="letter_event_one_reminder_per_step",
            ),  # fmt: skip
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} at {self.at:%Y-%m-%d %H:%M}"
