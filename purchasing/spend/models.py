"""Goals a learning lab sets for its spending (e.g. 25% local by SY 2027-28), for the whole lab
or for one of its districts; the dashboards show progress toward them."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from districts.models import Collaborative, District, ScopedQuerySet
from purchasing.spend import rules


class GoalMetric(models.TextChoices):
    LOCAL = rules.LOCAL, "Local share of all food dollars"
    LOCAL_EX_USDA = rules.LOCAL_EX_USDA, "Local share of food dollars, excluding USDA Foods"
    LOCAL_REGIONAL = rules.LOCAL_REGIONAL, "Local and regional share of all food dollars"
    LOCAL_REGIONAL_EX_USDA = rules.LOCAL_REGIONAL_EX_USDA, "Local and regional share, excluding USDA Foods"
    PRIORITY_VOLUME = (
        rules.PRIORITY_VOLUME,
        "Priority items: volume bought, as a share of the menu commitments",
    )


class Goal(models.Model):
    collaborative = models.ForeignKey(Collaborative, on_delete=models.CASCADE, related_name="spend_goals")
    district = models.ForeignKey(
        District, null=True, blank=True, on_delete=models.CASCADE, related_name="spend_goals",
        help_text="Leave empty for a goal of the whole lab.",
    )  # fmt: skip
    metric = models.CharField(max_length=24, choices=GoalMetric.choices, default=GoalMetric.LOCAL)
    priority_item = models.ForeignKey(
        "purchasing.PriorityItem", null=True, blank=True, on_delete=models.CASCADE, related_name="+",
        help_text="For a priority-item goal: the item (empty: all the lab's priority items).",
    )  # fmt: skip
    target_percent = models.DecimalField(
        "target (%)", max_digits=5, decimal_places=2,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )  # fmt: skip
    school_year = models.PositiveSmallIntegerField(
        "by school year (its first year)", validators=[MinValueValidator(2000), MaxValueValidator(2100)],
        help_text="2027 for SY 2027-28 (July 2027 to June 2028).",
    )  # fmt: skip
    set_in = models.PositiveSmallIntegerField(
        "set in school year", validators=[MinValueValidator(2000), MaxValueValidator(2100)], editable=False
    )
    note = models.CharField(max_length=300, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["collaborative_id", "school_year", "metric", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(target_percent__gte=0) & Q(target_percent__lte=100), name="goal_target_percent"
            ),
            models.CheckConstraint(
                condition=Q(priority_item__isnull=True) | Q(metric=rules.PRIORITY_VOLUME),
                name="goal_item_only_for_volume",
            ),
        ]

    def __str__(self) -> str:
        metric = str(self.get_metric_display())
        return f"{self.target_percent.normalize():f}% {metric[:1].lower()}{metric[1:]} by {self.school_year_label}"

    @property
    def school_year_label(self) -> str:
        return rules.school_year_label(self.school_year)
