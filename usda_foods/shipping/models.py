"""Split-shipment plans (FD-125): full truckloads of each food of a window's approved orders, at
most ``max_stops`` stops a truck and drops of at least ``min_drop`` of a truck, with the
adjustments the planner proposes and the SDA accepts or overrides."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse

from districts.models import ScopedQuerySet, Site
from focus_lab.jobs.models import ProgressTracked
from usda_foods.ordering.models import CatalogItem, OrderWindow


class ShipmentPlan(ProgressTracked):
    window = models.ForeignKey(OrderWindow, on_delete=models.CASCADE, related_name="shipment_plans")
    max_stops = models.PositiveSmallIntegerField(
        default=3, validators=[MinValueValidator(1), MaxValueValidator(10)]
    )
    min_drop = models.DecimalField(
        max_digits=4, decimal_places=3, default=Decimal("0.250"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))],
        help_text="The smallest drop on a split truck, as a share of the truck (FD-125 guideline: 1/4).",
    )  # fmt: skip
    input_fingerprint = models.CharField(max_length=64, blank=True)
    requested_cases = models.PositiveIntegerField(default=0)
    adjusted_cases = models.PositiveIntegerField(default=0)
    adjusted_cases_bound = models.PositiveIntegerField(default=0)
    trucks = models.PositiveIntegerField(default=0)
    trucks_bound = models.PositiveIntegerField(default=0)
    total_km = models.DecimalField(max_digits=12, decimal_places=1, default=Decimal("0"))
    solve_seconds = models.DecimalField(max_digits=8, decimal_places=2, default=Decimal("0"))
    result = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Shipment plan #{self.pk} for {self.window.name}"

    def get_absolute_url(self) -> str:
        return reverse("usda_foods:shipment-plan-detail", args=[self.pk])


class PlanTruck(models.Model):
    plan = models.ForeignKey(ShipmentPlan, on_delete=models.CASCADE, related_name="plan_trucks")
    food = models.ForeignKey(CatalogItem, on_delete=models.PROTECT, related_name="+")
    number = models.PositiveIntegerField(help_text="1, 2, ... within the plan")
    cases = models.PositiveIntegerField()
    distance_km = models.DecimalField(max_digits=10, decimal_places=1)
    delivery_date = models.DateField()

    class Meta:
        ordering = ["number"]
        constraints = [models.UniqueConstraint(fields=["plan", "number"], name="plan_truck_number_unique")]

    def __str__(self) -> str:
        return f"Truck {self.number}: {self.cases} cases of {self.food}"


class PlanStop(models.Model):
    """A drop at a site or, for diverted foods, at a processor (named by label: processing builds
    on shipping)."""

    truck = models.ForeignKey(PlanTruck, on_delete=models.CASCADE, related_name="stops")
    site = models.ForeignKey(Site, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    processor = models.ForeignKey(
        "usda_foods.Processor", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    warehouse = models.ForeignKey(
        "usda_foods.StateWarehouse", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        help_text="The state's warehouse topping the truck up (no district's order: the state's stock).",
    )  # fmt: skip
    sequence = models.PositiveSmallIntegerField()
    cases = models.PositiveIntegerField()

    class Meta:
        ordering = ["truck__number", "sequence"]
        constraints = [models.CheckConstraint(condition=Q(cases__gt=0), name="plan_stop_cases_positive")]

    def __str__(self) -> str:
        return f"{self.cases} cases → {self.place_name}"

    @property
    def place_name(self) -> str:
        if self.warehouse_id:
            return self.warehouse.name
        return self.site.name if self.site_id else self.processor.name


class AdjustmentStatus(models.TextChoices):
    """A proposal to the district: the planner's (or the state's, by hand) until the state sends it;
    the district then accepts (applied to its order) or declines."""

    PROPOSED = "proposed", "Proposed by the planner"
    OVERRIDDEN = "overridden", "Overridden by hand"
    OFFERED = "offered", "Waiting for the district"
    ACCEPTED = "accepted", "Accepted by the district and applied"
    DECLINED = "declined", "Declined by the district"
    SUPERSEDED = "superseded", "Carried by a joint plan with another state"


class PlanAdjustment(models.Model):
    """Cases the planner proposes to add (+) or remove (-) at a site so that every truck is full
    and every drop big enough. ``proposed_cases`` keeps the planner's figure when a reviewer
    overrides ``cases``."""

    plan = models.ForeignKey(ShipmentPlan, on_delete=models.CASCADE, related_name="adjustments")
    food = models.ForeignKey(CatalogItem, on_delete=models.PROTECT, related_name="+")
    site = models.ForeignKey(Site, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    processor = models.ForeignKey(
        "usda_foods.Processor", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    requested_cases = models.PositiveIntegerField()
    proposed_cases = models.IntegerField()
    cases = models.IntegerField()
    reason = models.CharField(max_length=300)
    trucks = models.JSONField(
        default=list, blank=True, help_text="Numbers of the plan's trucks it would complete"
    )
    status = models.CharField(
        max_length=10, choices=AdjustmentStatus.choices, default=AdjustmentStatus.PROPOSED
    )
    decision_note = models.CharField(max_length=300, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["food__description", "site__name"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "food", "site"], name="plan_adjustment_unique_site")
        ]

    def __str__(self) -> str:
        return f"{self.cases:+d} cases of {self.food} at {self.place_name}"

    @property
    def place_name(self) -> str:
        return self.site.name if self.site_id else self.processor.name

    @property
    def value(self) -> Decimal:
        """The cost to the district's entitlement at the catalog price (negative gives back)."""
        return self.cases * self.food.unit_price

    def get_absolute_url(self) -> str:
        return reverse("usda_foods:proposal-detail", args=[self.pk])


# --- Alternatives before adjustments (issue 18) ----------------------------------------------------


class PlacementStep(models.TextChoices):
    """What a plan tries, in the SDA's order, for a food's remainder that does not fill trucks
    after splits, before proposing any change to a district's request."""

    CARRY_OVER = "carry_over", "Carry-over to the next order window"
    WAREHOUSE = "warehouse", "The state warehouse"
    ANOTHER_STATE = "another_state", "Another state (a joint truck)"


#: Enabled for a state without settings; ``another_state`` (registered by cross-state coordination,
#: after these) is one a state enables on its alternatives page.
DEFAULT_PLACEMENT_STEPS = [PlacementStep.CARRY_OVER.value, PlacementStep.WAREHOUSE.value]


class PlacementSettings(models.Model):
    """A state agency's alternatives to adjustments, in order (splits always come first, proposed
    adjustments always last). ``steps`` holds step names registered in ``shipping.placement``."""

    state_agency = models.OneToOneField(
        "districts.StateAgency", on_delete=models.CASCADE, related_name="placement_settings"
    )
    steps = models.JSONField(default=list, blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedQuerySet.as_manager()

    def __str__(self) -> str:
        return f"Alternatives to adjustments for {self.state_agency}"


class StateWarehouse(models.Model):
    """A real location of the state agency that receives any quantity: a truck's remainder can be
    topped up there (the state's own stock), with storage and fees from the state's fee schedule."""

    state_agency = models.ForeignKey(
        "districts.StateAgency", on_delete=models.CASCADE, related_name="warehouses"
    )
    name = models.CharField(max_length=200)
    address = models.CharField(max_length=300, blank=True)
    latitude = models.DecimalField(max_digits=9, decimal_places=6,
                                   validators=[MinValueValidator(-90), MaxValueValidator(90)])  # fmt: skip
    longitude = models.DecimalField(max_digits=9, decimal_places=6,
                                    validators=[MinValueValidator(-180), MaxValueValidator(180)])  # fmt: skip
    active = models.BooleanField(default=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["state_agency", "name"]

    def __str__(self) -> str:
        return self.name

    # A stop's address columns (the manifest and the CSV read a site's): the address in one line.
    @property
    def street(self) -> str:
        return self.address

    city = state = postal_code = ""


class CarryOverStatus(models.TextChoices):
    WAITING = "waiting", "Waiting for a full truck"
    PLANNED = "planned", "On a truck of a later window's plan"
    SHIPPED = "shipped", "Shipped"


class CarryOverSource(models.TextChoices):
    PLAN = "plan", "The plan carried it over"
    DECLINED = "declined", "The district declined a proposed increase"


class CarryOver(models.Model):
    """Cases of an approved order line that wait for a later window of the school year, because
    they cannot fill a truck now. Nothing is drawn from the entitlement for them until they ship
    (the order's drawdown leaves them out; releasing the later plan's deliveries draws them)."""

    plan = models.ForeignKey(ShipmentPlan, on_delete=models.CASCADE, related_name="carry_overs")
    window = models.ForeignKey(OrderWindow, on_delete=models.CASCADE, related_name="carry_overs")
    order_line = models.ForeignKey(
        "usda_foods.OrderLine", on_delete=models.CASCADE, related_name="carry_overs"
    )
    district = models.ForeignKey("districts.District", on_delete=models.CASCADE, related_name="carry_overs")
    food = models.ForeignKey(CatalogItem, on_delete=models.PROTECT, related_name="+")
    site = models.ForeignKey(Site, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    processor = models.ForeignKey(
        "usda_foods.Processor", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    cases = models.PositiveIntegerField()
    source = models.CharField(max_length=10, choices=CarryOverSource.choices, default=CarryOverSource.PLAN)
    status = models.CharField(max_length=10, choices=CarryOverStatus.choices, default=CarryOverStatus.WAITING)
    planned_in = models.ForeignKey(
        ShipmentPlan, null=True, blank=True, on_delete=models.SET_NULL, related_name="carried_in"
    )
    shipped_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [models.CheckConstraint(condition=Q(cases__gt=0), name="carry_over_cases_positive")]

    def __str__(self) -> str:
        return f"{self.cases:,} cases of {self.food} waiting ({self.get_status_display()})"

    @property
    def place_name(self) -> str:
        return self.site.name if self.site_id else self.processor.name

    @property
    def value(self) -> Decimal:
        return self.cases * self.order_line.unit_price


# --- Cross-state coordination (issue 18 item 3) ---------------------------------------------------


class OfferStatus(models.TextChoices):
    OFFERED = "offered", "Offered"
    PLANNED = "planned", "Planned jointly"
    DECLINED = "declined", "Declined"


class RemainderOffer(models.Model):
    """One state agency offering another the remainder of a food its plan cannot fill trucks
    with: the cases of the food's split-truck remainders (what each site asks beyond its own
    full trucks). The other agency's reviewer declines it or plans it jointly."""

    plan = models.ForeignKey(ShipmentPlan, on_delete=models.CASCADE, related_name="remainder_offers")
    food = models.ForeignKey(CatalogItem, on_delete=models.PROTECT, related_name="+")
    from_agency = models.ForeignKey("districts.StateAgency", on_delete=models.CASCADE, related_name="+")
    to_agency = models.ForeignKey("districts.StateAgency", on_delete=models.CASCADE, related_name="+")
    cases = models.PositiveIntegerField(help_text="The remainder offered, in cases.")
    note = models.CharField(max_length=300, blank=True)
    status = models.CharField(max_length=10, choices=OfferStatus.choices, default=OfferStatus.OFFERED)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")  # fmt: skip
    created_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")  # fmt: skip
    decided_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "food", "to_agency"], name="remainder_offer_once_per_state"),
            models.CheckConstraint(condition=~Q(from_agency=models.F("to_agency")), name="remainder_offer_other_state"),
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.cases:,} cases of {self.food} offered to {self.to_agency}"

    def get_absolute_url(self) -> str:
        return reverse("usda_foods:remainder-offer-detail", args=[self.pk])


class JointStatus(models.TextChoices):
    PROPOSED = "proposed", "Waiting for both agencies"
    BINDING = "binding", "Accepted by both: binding"
    REFUSED = "refused", "Refused"


class JointPlan(models.Model):
    """Trucks of one food over two states' remainders, solved with the plan's rules. It binds
    once both agencies accept it; one decline refuses it."""

    offer = models.OneToOneField(RemainderOffer, on_delete=models.CASCADE, related_name="joint_plan")
    food = models.ForeignKey(CatalogItem, on_delete=models.PROTECT, related_name="+")
    partner_window = models.ForeignKey(OrderWindow, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=JointStatus.choices, default=JointStatus.PROPOSED)
    requested_cases = models.PositiveIntegerField(default=0)
    adjusted_cases = models.PositiveIntegerField(default=0)
    trucks = models.PositiveIntegerField(default=0)
    cross_state_trucks = models.PositiveIntegerField(default=0)
    total_km = models.DecimalField(max_digits=12, decimal_places=1, default=Decimal("0"))
    result = models.JSONField(default=dict, blank=True)
    offerer_accepted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                            on_delete=models.SET_NULL, related_name="+")  # fmt: skip
    offerer_accepted_at = models.DateTimeField(null=True, blank=True)
    partner_accepted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                            on_delete=models.SET_NULL, related_name="+")  # fmt: skip
    partner_accepted_at = models.DateTimeField(null=True, blank=True)
    declined_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")  # fmt: skip
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Joint plan #{self.pk}: {self.food}"

    def get_absolute_url(self) -> str:
        return reverse("usda_foods:joint-plan-detail", args=[self.pk])


class JointTruck(models.Model):
    joint_plan = models.ForeignKey(JointPlan, on_delete=models.CASCADE, related_name="joint_trucks")
    number = models.PositiveIntegerField()
    cases = models.PositiveIntegerField()
    distance_km = models.DecimalField(max_digits=10, decimal_places=1)
    delivery_date = models.DateField()
    crosses_state_line = models.BooleanField(default=False)

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["joint_plan", "number"], name="joint_truck_number_unique")
        ]

    def __str__(self) -> str:
        return f"Joint truck {self.number}: {self.cases} cases"


class JointStop(models.Model):
    """A drop of a joint truck; ``state_agency`` is the site's state (who sees it in full)."""

    truck = models.ForeignKey(JointTruck, on_delete=models.CASCADE, related_name="stops")
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="+")
    state_agency = models.ForeignKey("districts.StateAgency", on_delete=models.PROTECT, related_name="+")
    sequence = models.PositiveSmallIntegerField()
    cases = models.PositiveIntegerField()

    class Meta:
        ordering = ["truck__number", "sequence"]
        constraints = [models.CheckConstraint(condition=Q(cases__gt=0), name="joint_stop_cases_positive")]

    def __str__(self) -> str:
        return f"{self.cases} cases → {self.site.name}"
