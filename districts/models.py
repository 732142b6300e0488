"""Organisations: collaboratives (learning labs), state agencies, districts (SFAs), their sites and
co-ops. Every tenant-owned queryset has ``for_user``, which delegates to districts/access.py."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse

if TYPE_CHECKING:
    from accounts.models import User

US_STATES = [
    ("AL", "Alabama"), ("AK", "Alaska"), ("AZ", "Arizona"), ("AR", "Arkansas"), ("CA", "California"),
    ("CO", "Colorado"), ("CT", "Connecticut"), ("DE", "Delaware"), ("DC", "District of Columbia"),
    ("FL", "Florida"), ("GA", "Georgia"), ("HI", "Hawaii"), ("ID", "Idaho"), ("IL", "Illinois"),
    ("IN", "Indiana"), ("IA", "Iowa"), ("KS", "Kansas"), ("KY", "Kentucky"), ("LA", "Louisiana"),
    ("ME", "Maine"), ("MD", "Maryland"), ("MA", "Massachusetts"), ("MI", "Michigan"),
    ("MN", "Minnesota"), ("MS", "Mississippi"), ("MO", "Missouri"), ("MT", "Montana"),
    ("NE", "Nebraska"), ("NV", "Nevada"), ("NH", "New Hampshire"), ("NJ", "New Jersey"),
    ("NM", "New Mexico"), ("NY", "New York"), ("NC", "North Carolina"), ("ND", "North Dakota"),
    ("OH", "Ohio"), ("OK", "Oklahoma"), ("OR", "Oregon"), ("PA", "Pennsylvania"),
    ("RI", "Rhode Island"), ("SC", "South Carolina"), ("SD", "South Dakota"), ("TN", "Tennessee"),
    ("TX", "Texas"), ("UT", "Utah"), ("VT", "Vermont"), ("VA", "Virginia"), ("WA", "Washington"),
    ("WV", "West Virginia"), ("WI", "Wisconsin"), ("WY", "Wyoming"), ("PR", "Puerto Rico"),
    ("GU", "Guam"), ("VI", "U.S. Virgin Islands"),
]  # fmt: skip


class ScopedQuerySet(models.QuerySet):
    """``for_user`` on every tenant-owned model; the rules live in districts/access.py."""

    def for_user(self, user: User, *, write: bool = False) -> models.QuerySet:
        from districts import access

        return access.scope(self, user, write=write)


class Collaborative(models.Model):
    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=80, unique=True)
    description = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("districts:collaborative-detail", args=[self.pk])


class StateAgency(models.Model):
    """The state distributing agency (SDA): one per state."""

    state = models.CharField(max_length=2, choices=US_STATES, unique=True)
    name = models.CharField(max_length=200)
    email = models.EmailField(blank=True)
    review_digest_sent_at = models.DateTimeField(
        null=True, blank=True, editable=False,
        help_text="When the reviewers' daily digest of new orders last went out (claimed once per day).",
    )  # fmt: skip

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["state"]
        verbose_name_plural = "state agencies"

    def __str__(self) -> str:
        return f"{self.name} ({self.state})"


class District(models.Model):
    """A School Food Authority (SFA)."""

    name = models.CharField(max_length=200)
    state_agency = models.ForeignKey(StateAgency, on_delete=models.PROTECT, related_name="districts")
    agency_code = models.CharField(
        max_length=20, help_text="The SFA's agreement number with its state agency, unique in the state."
    )
    enrollment = models.PositiveIntegerField(validators=[MaxValueValidator(2_000_000)])
    is_commodity_school = models.BooleanField(
        default=False,
        help_text="Commodity schools take their Section 4 general cash payment in USDA Foods.",
    )
    collaborative = models.ForeignKey(
        Collaborative, null=True, blank=True, on_delete=models.SET_NULL, related_name="districts"
    )
    contact_name = models.CharField("contact name", max_length=200, blank=True)
    contact_email = models.EmailField("contact email", blank=True)
    contact_phone = models.CharField("contact phone", max_length=30, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["state_agency", "agency_code"], name="district_unique_agency_code"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def state(self) -> str:
        return self.state_agency.state

    def get_absolute_url(self) -> str:
        return reverse("districts:district-detail", args=[self.pk])


class SiteKind(models.TextChoices):
    SCHOOL = "school", "School"
    KITCHEN = "kitchen", "Central kitchen"
    WAREHOUSE = "warehouse", "Warehouse"


class Site(models.Model):
    """Where deliveries go: a district's school, kitchen or warehouse."""

    district = models.ForeignKey(District, on_delete=models.CASCADE, related_name="sites")
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=SiteKind.choices, default=SiteKind.SCHOOL)
    street = models.CharField(max_length=200)
    city = models.CharField(max_length=100)
    state = models.CharField(max_length=2, choices=US_STATES)
    postal_code = models.CharField(max_length=10)
    latitude = models.DecimalField(
        max_digits=9, decimal_places=6, validators=[MinValueValidator(-90), MaxValueValidator(90)]
    )
    longitude = models.DecimalField(
        max_digits=9, decimal_places=6, validators=[MinValueValidator(-180), MaxValueValidator(180)]
    )
    receives_deliveries = models.BooleanField(default=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["district__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["district", "name"], name="site_unique_name_per_district"),
            models.CheckConstraint(
                condition=models.Q(
                    latitude__gte=-90, latitude__lte=90, longitude__gte=-180, longitude__lte=180
                ),
                name="site_coordinates_in_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.district})"

    def get_absolute_url(self) -> str:
        return reverse("districts:site-detail", args=[self.pk])


class Coop(models.Model):
    """A collective unit (FD-067): districts that order, receive and store USDA Foods together.
    The lead district receives for the members at its receiving site."""

    name = models.CharField(max_length=200, unique=True)
    lead_district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="led_coops")
    members = models.ManyToManyField(District, related_name="coops", blank=True)
    receiving_site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="coops_receiving")

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = "co-op"

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.receiving_site_id and self.lead_district_id:
            if self.receiving_site.district_id != self.lead_district_id:
                raise ValidationError(
                    {"receiving_site": "The receiving site must belong to the lead district."}
                )

    def get_absolute_url(self) -> str:
        return reverse("districts:coop-detail", args=[self.pk])
