"""Priority items the districts of a learning lab agree on, their versioned specifications, the
districts' endorsements of each version, the lab's consensus rule, and menu commitments.

A version is edited only while a draft; proposing it opens endorsement; adoption freezes it. A
change after that is a new version (the history of versions and answers is kept)."""

from __future__ import annotations

from decimal import Decimal

import pghistory
from django.contrib.postgres.fields import ArrayField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse

from districts.models import Collaborative, District, ScopedQuerySet
from partners.suppliers.models import CertificationKind, Practice, ProductCategory
from purchasing.priority_items import rules

MONTHS = [(1, "Jan"), (2, "Feb"), (3, "Mar"), (4, "Apr"), (5, "May"), (6, "Jun"),
          (7, "Jul"), (8, "Aug"), (9, "Sep"), (10, "Oct"), (11, "Nov"), (12, "Dec")]  # fmt: skip
SCHOOL_YEAR_MONTHS = [7, 8, 9, 10, 11, 12, 1, 2, 3, 4, 5, 6]  # July to June
MAX_VOLUME = Decimal("1000000000")


class ConsensusKind(models.TextChoices):
    UNANIMITY = rules.UNANIMITY, "Unanimity of the districts that answered"
    QUORUM = rules.QUORUM, "A quorum and a threshold"


class ConsensusRule(models.Model):
    """How a collaborative adopts a specification, and what it calls local."""

    collaborative = models.OneToOneField(
        Collaborative, on_delete=models.CASCADE, related_name="consensus_rule"
    )
    kind = models.CharField(max_length=12, choices=ConsensusKind.choices, default=ConsensusKind.UNANIMITY)
    quorum_percent = models.DecimalField(
        "quorum (% of districts answering)", max_digits=5, decimal_places=2, default=Decimal("60"),
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )  # fmt: skip
    threshold_percent = models.DecimalField(
        "threshold (% of those taking a side who endorse)", max_digits=5, decimal_places=2,
        default=Decimal("75"), validators=[MinValueValidator(0), MaxValueValidator(100)],
    )  # fmt: skip
    objection_blocks = models.BooleanField("any objection blocks adoption", default=True)
    local_definition = models.CharField(
        "the lab's definition of local", max_length=300, blank=True,
        help_text="Where the food was grown, raised or caught: a radius in miles or states/counties.",
    )  # fmt: skip

    objects = ScopedQuerySet.as_manager()

    def __str__(self) -> str:
        return f"Consensus rule of {self.collaborative}"

    def get_absolute_url(self) -> str:
        return reverse("purchasing:consensus-rule", args=[self.collaborative_id])


class ItemUnit(models.TextChoices):
    LB = rules.LB, "pounds (lb)"
    CASE = rules.CASE, "cases"
    EACH = rules.EACH, "each"


class PriorityItem(models.Model):
    collaborative = models.ForeignKey(Collaborative, on_delete=models.CASCADE, related_name="priority_items")
    name = models.CharField(max_length=200, help_text="e.g. chicken drumsticks, raised without antibiotics")
    why = models.TextField("why it matters", blank=True)
    unit = models.CharField("unit of volume", max_length=8, choices=ItemUnit.choices, default=ItemUnit.LB)
    case_net_weight_lb = models.DecimalField(
        "net weight of a case (lb)", max_digits=8, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(Decimal("0.01"))], help_text="Needed when the unit is cases.",
    )  # fmt: skip
    reference_price = models.DecimalField(
        "reference price per unit ($)", max_digits=10, decimal_places=4, null=True, blank=True,
        validators=[MinValueValidator(0)], help_text="What the lab pays today, to value the pooled demand.",
    )  # fmt: skip
    # How candidate suppliers are found in the supplier directory (with the adopted version's
    # required practices and certifications).
    supplier_category = models.CharField(
        "supplier product category", max_length=20, choices=ProductCategory.choices, blank=True
    )
    supplier_keywords = models.CharField(
        "product words", max_length=200, blank=True,
        help_text="Words a supplier's product must contain, comma-separated (e.g. drumstick, chicken leg).",
    )  # fmt: skip
    max_distance_miles = models.PositiveIntegerField(
        "farthest origin (miles)", null=True, blank=True, validators=[MaxValueValidator(5000)],
        help_text="From where the food is grown or raised to the nearest delivery point.",
    )  # fmt: skip
    created_by = models.ForeignKey("accounts.User", null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["collaborative", "name"], name="priority_item_unique_name"),
            models.CheckConstraint(
                condition=~Q(unit=rules.CASE) | Q(case_net_weight_lb__isnull=False),
                name="priority_item_case_has_weight",
            ),  # fmt: skip
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("purchasing:item-detail", args=[self.pk])


class VersionStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    PROPOSED = "proposed", "Proposed: districts are answering"
    ADOPTED = "adopted", "Adopted"
    WITHDRAWN = "withdrawn", "Withdrawn"
    SUPERSEDED = "superseded", "Superseded by a later version"


OPEN_STATUSES = (VersionStatus.DRAFT, VersionStatus.PROPOSED)


class Processing(models.TextChoices):
    UNPROCESSED = rules.UNPROCESSED, "Unprocessed"
    MINIMAL = rules.MINIMAL, "Minimally processed (cut, frozen, dried…)"
    PROCESSED = rules.PROCESSED, "Processed"


class LocalClause(models.TextChoices):
    SPEC = rules.LOCAL_SPEC, "Local is part of the specification"
    PREFERENCE = rules.LOCAL_PREFERENCE, "Local is a scoring advantage (geographic preference)"
    BOTH = rules.LOCAL_BOTH, "Both"
    NEITHER = rules.LOCAL_NEITHER, "Neither"


# The specification fields, in the order the pages, documents and the comparison show them.
SPEC_FIELDS = {
    "product_form": "Product and form",
    "pack_size": "Pack and size",
    "grade": "Grade or quality standard",
    "crediting": "Crediting (meal pattern)",
    "processing": "Processing",
    "claims": "Production claims (verified by)",
    "allergens": "Allergens",
    "local_clause": "Local clause",
    "local_definition": "Definition of local",
    "required_practices": "Practices suppliers must have",
    "required_certifications": "Certifications suppliers must hold (valid)",
}


class SpecVersion(models.Model):
    item = models.ForeignKey(PriorityItem, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    status = models.CharField(max_length=12, choices=VersionStatus.choices, default=VersionStatus.DRAFT)
    product_form = models.CharField("product and form", max_length=300)
    pack_size = models.CharField("pack and size", max_length=200, blank=True)
    grade = models.CharField("grade or quality standard", max_length=200, blank=True)
    crediting = models.CharField("crediting (meal-pattern contribution)", max_length=300, blank=True)
    processing = models.CharField(max_length=12, choices=Processing.choices, default=Processing.UNPROCESSED)
    claims = models.JSONField("production claims", default=list, blank=True)
    allergens = models.CharField(max_length=200, blank=True, help_text="e.g. wheat, soy; or none")
    local_clause = models.CharField(max_length=14, choices=LocalClause.choices, default=LocalClause.NEITHER)
    local_definition = models.CharField("definition of local", max_length=300, blank=True)
    attributes = models.JSONField(default=dict, blank=True)
    required_practices = ArrayField(
        models.CharField(max_length=20, choices=Practice.choices), default=list, blank=True
    )
    required_certifications = ArrayField(
        models.CharField(max_length=20, choices=CertificationKind.choices), default=list, blank=True
    )
    change_note = models.CharField("what changed", max_length=300, blank=True)
    created_by = models.ForeignKey("accounts.User", null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    proposed_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decision = models.CharField(max_length=300, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["item", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["item", "number"], name="spec_version_unique_number"),
            models.UniqueConstraint(
                fields=["item"], condition=Q(status__in=OPEN_STATUSES), name="spec_version_one_open_per_item"
            ),  # fmt: skip
            models.UniqueConstraint(
                fields=["item"],
                condition=Q(status=VersionStatus.ADOPTED),
                name="spec_version_one_adopted_per_item",
            ),  # fmt: skip
        ]

    def __str__(self) -> str:
        return f"{self.item} v{self.number}"

    def get_absolute_url(self) -> str:
        return reverse("purchasing:version-detail", args=[self.pk])

    @property
    def is_frozen(self) -> bool:
        return self.status != VersionStatus.DRAFT

    def spec(self) -> dict[str, str]:
        """The specification as text, field by field, then the free attributes (for the comparison)."""
        values = {
            "product_form": self.product_form, "pack_size": self.pack_size, "grade": self.grade,
            "crediting": self.crediting, "processing": self.get_processing_display(),
            "claims": "\n".join(f"{c['claim']} (verified by {c['verification']})" for c in self.claims),
            "allergens": self.allergens, "local_clause": self.get_local_clause_display(),
            "local_definition": self.local_definition,
            "required_practices": ", ".join(str(Practice(p).label) for p in self.required_practices),
            "required_certifications": ", ".join(str(CertificationKind(c).label) for c in self.required_certifications),
        }  # fmt: skip
        values.update({f"{key}": str(value) for key, value in self.attributes.items()})
        return values


class Stance(models.TextChoices):
    ENDORSE = rules.ENDORSE, "Endorses"
    CONDITIONS = rules.CONDITIONS, "Endorses with conditions"
    ABSTAIN = rules.ABSTAIN, "Abstains"
    OBJECT = rules.OBJECT, "Objects"


@pghistory.track()
class Endorsement(models.Model):
    """One district's answer to one proposed version. A new version gets new answers; these stay."""

    version = models.ForeignKey(SpecVersion, on_delete=models.CASCADE, related_name="endorsements")
    district = models.ForeignKey(District, on_delete=models.CASCADE, related_name="endorsements")
    stance = models.CharField(max_length=12, choices=Stance.choices)
    comment = models.TextField(blank=True, help_text="Conditions, or the reason for an objection.")
    answered_by = models.ForeignKey("accounts.User", null=True, on_delete=models.SET_NULL, related_name="+")
    answered_at = models.DateTimeField(auto_now=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["district__name"]
        constraints = [
            models.UniqueConstraint(fields=["version", "district"], name="endorsement_one_per_district"),
            models.CheckConstraint(
                condition=~Q(stance__in=[rules.OBJECT, rules.CONDITIONS]) | ~Q(comment=""),
                name="endorsement_objection_has_reason",
            ),  # fmt: skip
        ]

    def __str__(self) -> str:
        return f"{self.district}: {self.get_stance_display()} {self.version}"


class ServingUnit(models.TextChoices):
    OZ = rules.OZ, "oz"
    LB = rules.LB, "lb"
    EACH = rules.EACH, "each"


class MenuCommitment(models.Model):
    """How a district will menu an adopted item, and the annual volume that makes."""

    item = models.ForeignKey(PriorityItem, on_delete=models.CASCADE, related_name="commitments")
    district = models.ForeignKey(District, on_delete=models.CASCADE, related_name="menu_commitments")
    times_per_month = models.DecimalField(max_digits=5, decimal_places=2,
                                          validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(31)])  # fmt: skip
    months = ArrayField(
        models.PositiveSmallIntegerField(choices=MONTHS), help_text="Months it is on the menu."
    )
    servings_per_day = models.PositiveIntegerField(
        "servings a menu day", validators=[MinValueValidator(1), MaxValueValidator(1_000_000)],
        help_text="Expected participation on the days it is served.",
    )  # fmt: skip
    serving_size = models.DecimalField(
        max_digits=8, decimal_places=3, validators=[MinValueValidator(Decimal("0.001"))]
    )
    serving_unit = models.CharField(max_length=4, choices=ServingUnit.choices, default=ServingUnit.OZ)
    override_volume = models.DecimalField(
        "annual volume (override)", max_digits=14, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(MAX_VOLUME)],
    )  # fmt: skip
    override_reason = models.CharField(max_length=300, blank=True)
    updated_by = models.ForeignKey("accounts.User", null=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["item", "district__name"]
        constraints = [
            models.UniqueConstraint(fields=["item", "district"], name="commitment_one_per_district"),
            models.CheckConstraint(
                condition=Q(override_volume__isnull=True) | ~Q(override_reason=""),
                name="commitment_override_has_reason",
            ),  # fmt: skip
        ]

    def __str__(self) -> str:
        return f"{self.district}: {self.item}"

    def get_absolute_url(self) -> str:
        return reverse("purchasing:item-demand", args=[self.item_id])

    def computed(self) -> rules.Volume:
        """The volume from the menu fields, with the conversion's steps in words."""
        return rules.annual_volume(
            times_per_month=self.times_per_month, months=len(self.months), servings_per_day=self.servings_per_day,
            serving_size=self.serving_size, serving_unit=self.serving_unit, item_unit=self.item.unit,
            case_net_weight_lb=self.item.case_net_weight_lb,
        )  # fmt: skip

    @property
    def annual_volume(self) -> Decimal:
        """The figure that counts: the override when there is one, else the computed volume."""
        if self.override_volume is not None:
            return self.override_volume
        return rules.annual_figure(
            times_per_month=self.times_per_month, months=len(self.months), servings_per_day=self.servings_per_day,
            serving_size=self.serving_size, serving_unit=self.serving_unit, item_unit=self.item.unit,
            case_net_weight_lb=self.item.case_net_weight_lb,
        )  # fmt: skip

    def by_month(self) -> dict[int, Decimal]:
        return rules.monthly(annual=self.annual_volume, months=self.months)
