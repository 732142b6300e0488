"""People and their memberships. A user holds any number of memberships, each one role in one
organisation; districts/access.py turns them into what the user may see and change."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import TYPE_CHECKING

import pghistory
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.db.models import Q
from django.utils import timezone

if TYPE_CHECKING:
    from django.db.models import QuerySet


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra: object) -> User:
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: object) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: object) -> User:
        extra["is_staff"] = True
        extra["is_superuser"] = True
        return self._create_user(email, password, **extra)


class User(AbstractUser):
    """People log in with their email address; there are no usernames."""

    username = None  # type: ignore[assignment]
    email = models.EmailField("email address", unique=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()  # type: ignore[misc]

    class Meta:
        ordering = ["email"]

    def __str__(self) -> str:
        return self.get_full_name() or self.email


class Role(models.TextChoices):
    DISTRICT_MANAGER = "district_manager", "District manager"
    DISTRICT_VIEWER = "district_viewer", "District viewer"
    PARTNER_STAFF = "partner_staff", "Partner staff"
    SDA_REVIEWER = "sda_reviewer", "State agency reviewer"
    COLLABORATIVE_ADMIN = "collaborative_admin", "Collaborative admin"
    REFERENCE_DATA = "reference_data", "National reference data editor"


DISTRICT_ROLES = (Role.DISTRICT_MANAGER, Role.DISTRICT_VIEWER)

# Which organisation each role belongs to: exactly that foreign key is set, the others are null.
# National roles (the reference-data editor, granted by superusers) belong to no organisation:
# all four are null.
ROLE_TARGET: dict[str, str | None] = {
    Role.DISTRICT_MANAGER: "district",
    Role.DISTRICT_VIEWER: "district",
    Role.PARTNER_STAFF: "partner",
    Role.SDA_REVIEWER: "state_agency",
    Role.COLLABORATIVE_ADMIN: "collaborative",
    Role.REFERENCE_DATA: None,
}
TARGET_FIELDS = ("district", "partner", "state_agency", "collaborative")


def _one_target_constraint() -> Q:
    condition = Q()
    for role, target in ROLE_TARGET.items():
        role_q = Q(role=role)
        for field in TARGET_FIELDS:
            role_q &= Q(**{f"{field}__isnull": field != target})
        condition |= role_q
    return condition


# Memberships are deleted when they end; the history keeps the insert, each role change and the
# deletion, with who did it (the services' pghistory context).
@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class Membership(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=32, choices=Role.choices)
    district = models.ForeignKey(
        "districts.District", null=True, blank=True, on_delete=models.CASCADE, related_name="memberships"
    )
    partner = models.ForeignKey(
        "partners.PartnerOrganisation",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    state_agency = models.ForeignKey(
        "districts.StateAgency", null=True, blank=True, on_delete=models.CASCADE, related_name="memberships"
    )
    collaborative = models.ForeignKey(
        "districts.Collaborative",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["role", "id"]
        constraints = [
            models.CheckConstraint(condition=_one_target_constraint(), name="membership_role_matches_target"),
            models.UniqueConstraint(
                fields=["user", "role", "district", "partner", "state_agency", "collaborative"],
                nulls_distinct=False,
                name="membership_unique_per_user_role_target",
            ),
        ]

    def __str__(self) -> str:
        target = self.target
        where = f"of {target}" if target is not None else "(national)"
        return f"{self.user} — {self.get_role_display()} {where}"

    @property
    def target(self) -> models.Model | None:
        """The organisation the role belongs to; None for a national role."""
        field = ROLE_TARGET[Role(self.role)]
        return getattr(self, field) if field else None


INVITATION_VALID_FOR = timedelta(days=14)


def token_digest(token: str) -> str:
    """What is stored of an invitation token: its SHA-256. The token itself is only in the email,
    so a copy of the database (or its history) lets nobody accept an invitation."""
    return hashlib.sha256(token.encode()).hexdigest()


class InvitationStatus(models.TextChoices):
    PENDING = "pending", "Waiting for an answer"
    ACCEPTED = "accepted", "Accepted"
    REVOKED = "revoked", "Revoked"
    EXPIRED = "expired", "Expired"


class InvitationQuerySet(models.QuerySet):
    def for_user(self, user: User, *, write: bool = False) -> QuerySet[Invitation]:
        from districts import access

        return access.scope(self, user, write=write)

    def pending(self) -> QuerySet[Invitation]:
        """Neither accepted nor revoked nor expired: the link in the email still works."""
        return self.filter(accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now())


# The token hash is not copied into the history: old links are dead, and the history is read by
# more people than the table.
@pghistory.track(exclude=["token_hash"])
class Invitation(models.Model):
    """An invitation by email to one role in one organisation (the same one-target rule as a
    membership). Accepting it, once, before it expires, creates the membership (and the account
    when the address is new). Written only by the services in accounts/services.py."""

    email = models.EmailField()
    role = models.CharField(max_length=32, choices=Role.choices)
    district = models.ForeignKey(
        "districts.District", null=True, blank=True, on_delete=models.CASCADE, related_name="invitations"
    )
    partner = models.ForeignKey(
        "partners.PartnerOrganisation",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="invitations",
    )
    state_agency = models.ForeignKey(
        "districts.StateAgency", null=True, blank=True, on_delete=models.CASCADE, related_name="invitations"
    )
    collaborative = models.ForeignKey(
        "districts.Collaborative",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="invitations",
    )
    invited_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(help_text="When the latest link was sent (a resend replaces the link).")
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    revoked_at = models.DateTimeField(null=True, blank=True)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=_one_target_constraint(), name="invitation_role_matches_target"),
            models.CheckConstraint(
                condition=Q(accepted_at__isnull=True) | Q(revoked_at__isnull=True),
                name="invitation_accepted_or_revoked_not_both",
            ),
        ]

    def __str__(self) -> str:
        target = self.target
        where = f"of {target}" if target is not None else "(national)"
        return f"{self.email} — {self.get_role_display()} {where}"

    @property
    def target(self) -> models.Model | None:
        field = ROLE_TARGET[Role(self.role)]
        return getattr(self, field) if field else None

    @property
    def status(self) -> InvitationStatus:
        if self.accepted_at is not None:
            return InvitationStatus.ACCEPTED
        if self.revoked_at is not None:
            return InvitationStatus.REVOKED
        if self.expires_at <= timezone.now():
            return InvitationStatus.EXPIRED
        return InvitationStatus.PENDING
