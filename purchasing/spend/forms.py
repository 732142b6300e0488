"""The goal form: the lab, district and priority item limited to what the admin's labs hold."""

from __future__ import annotations

from typing import Any

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms

from accounts.models import Role, User
from districts import access
from districts.models import Collaborative, District
from purchasing.priority_items.models import PriorityItem
from purchasing.spend.models import Goal


def administered_labs(user: User):
    labs = Collaborative.objects.order_by("name")
    if user.is_superuser:
        return labs
    return labs.filter(id__in=access.memberships(user, Role.COLLABORATIVE_ADMIN).values("collaborative_id"))


class GoalForm(forms.ModelForm):
    class Meta:
        model = Goal
        fields = [
            "collaborative",
            "district",
            "metric",
            "priority_item",
            "target_percent",
            "school_year",
            "note",
        ]
        labels = {"collaborative": "Learning lab"}

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        labs = administered_labs(user)
        self.fields["collaborative"].queryset = labs
        self.fields["district"].queryset = District.objects.filter(collaborative__in=labs).order_by("name")
        self.fields["priority_item"].queryset = PriorityItem.objects.filter(collaborative__in=labs)
        if self.instance.pk:  # a goal stays in its lab
            del self.fields["collaborative"]
        elif labs.count() == 1:
            self.fields["collaborative"].initial = labs.first()
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", "Save the goal"))
