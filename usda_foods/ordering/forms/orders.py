"""Forms and filters for the ordering pages. They check shape; the ordering services check the
rules and say why in their own words (a ``DomainError`` lands on the field it names)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet

from districts.filters import SearchFilterSet
from districts.models import District, Site
from usda_foods.bounds import MAX_CASES_PER_REQUEST
from usda_foods.ordering.models import CatalogItem, Order, OrderStatus, OrderWindow
from usda_foods.ordering.selectors import having_food, review_foods, review_windows
from usda_foods.ordering.services.orders import delivery_sites_for

if TYPE_CHECKING:
    from accounts.models import User


class OfferedChoiceField(forms.ModelChoiceField):
    """Offers the choices of ``queryset`` but accepts any object of ``accepted``, so that a choice
    that is visible to the user but not allowed here (a food the window does not offer) reaches
    the service, which refuses it with the reason. Objects outside ``accepted`` (another tenant's
    site) are an invalid choice: their names are not ours to echo back."""

    def __init__(self, *, accepted: QuerySet, **kwargs: Any) -> None:
        self.accepted = accepted
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> Any:
        if value in self.empty_values:
            return None
        try:
            return self.accepted.get(pk=value)
        except (ValueError, TypeError, ValidationError, self.accepted.model.DoesNotExist):
            raise ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice", params={"value": value}
            ) from None


class FoodChoiceField(OfferedChoiceField):
    def label_from_instance(self, obj: CatalogItem) -> str:
        return f"{obj.material_code} {obj.description} · {obj.pack_description} · ${obj.unit_price:,}/case"


class SiteChoiceField(OfferedChoiceField):
    district: District | None = None

    def label_from_instance(self, obj: Site) -> str:
        own = self.district is not None and obj.district_id == self.district.pk
        return f"{obj.name}, {obj.city}" if own else f"{obj.name}, {obj.city} (co-op, {obj.district.name})"


class OrderLineForm(forms.Form):
    """Add a line, or change the cases of a food already going to that site (0 removes it)."""

    catalog_item = FoodChoiceField(
        label="Food", accepted=CatalogItem.objects.none(), queryset=CatalogItem.objects.none()
    )
    delivery_site = SiteChoiceField(
        label="Delivery site", accepted=Site.objects.none(), queryset=Site.objects.none()
    )
    cases = forms.IntegerField(
        label="Cases", min_value=0, max_value=MAX_CASES_PER_REQUEST, help_text="0 removes the line."
    )

    def __init__(self, *args: Any, order: Order, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        sites = delivery_sites_for(order.district)
        food = self.fields["catalog_item"]
        food.queryset = order.window.offered_items.order_by("category", "description")
        food.accepted = CatalogItem.objects.for_user(user)
        site = self.fields["delivery_site"]
        site.district = order.district
        site.queryset = sites.order_by("district__name", "name")
        site.accepted = Site.objects.filter(
            Q(pk__in=Site.objects.for_user(user).values("pk")) | Q(pk__in=sites.values("pk"))
        ).select_related("district")
        for name, field in self.fields.items():
            field.widget.attrs["class"] = "form-control" if name == "cases" else "form-select"

    def mark_errors(self) -> None:
        """Flag the fields in error (Bootstrap's ``is-invalid``), once validation and the service
        have had their say."""
        for name in self.errors:
            if name in self.fields:
                self.fields[name].widget.attrs["class"] += " is-invalid"
                self.fields[name].widget.attrs["aria-invalid"] = "true"


class ReviewForm(forms.Form):
    """An SDA reviewer's decision on a submitted order. Returning or rejecting needs a comment
    (the service says so); approving takes an optional one."""

    DECISIONS = (("approve", "Approve"), ("return", "Return for changes"), ("reject", "Reject"))

    decision = forms.ChoiceField(choices=DECISIONS)
    comment = forms.CharField(
        label="Comment", required=False, max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
        help_text="The district sees it. Required to return or reject.",
    )  # fmt: skip


class OrderStartForm(forms.Form):
    window = forms.ModelChoiceField(queryset=OrderWindow.objects.none())
    district = forms.ModelChoiceField(queryset=District.objects.none())

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["window"].queryset = OrderWindow.objects.for_user(user).select_related("state_agency")
        self.fields["district"].queryset = District.objects.for_user(user, write=True)


# --- Filters --------------------------------------------------------------------------------------


def _visible_windows(request: Any) -> QuerySet[OrderWindow]:
    if request is None:
        return OrderWindow.objects.none()
    return OrderWindow.objects.for_user(request.user).select_related("state_agency")


def _review_windows(request: Any) -> QuerySet[OrderWindow]:
    return OrderWindow.objects.none() if request is None else review_windows(request.user)


class DistrictSearchFilter(django_filters.CharFilter):
    """A district by name or agency code typed in a search box, not a list of every district (a
    state has thousands; rendering them was most of the page). A number also matches the
    district's id, so links such as ``?district=12`` keep working. The rows are already scoped to
    the user, so a typed value never reaches another tenant's district."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", "District")
        kwargs.setdefault("help_text", "Name or agency code")
        super().__init__(field_name="district", **kwargs)

    def filter(self, qs: QuerySet, value: str) -> QuerySet:
        value = (value or "").strip()
        if not value:
            return qs
        condition = Q(district__agency_code__iexact=value)
        if value.isdigit():  # an id (from a link) or a code, never part of a name ("District 12")
            return qs.filter(condition | Q(district_id=int(value)))
        return qs.filter(condition | Q(district__name__icontains=value))


def _review_foods(request: Any) -> QuerySet[CatalogItem]:
    return CatalogItem.objects.none() if request is None else review_foods(request.user)


class OrderFilter(SearchFilterSet):
    search_fields = ("district__name", "district__agency_code")
    window = django_filters.ModelChoiceFilter(queryset=_visible_windows)
    district = DistrictSearchFilter()
    status = django_filters.ChoiceFilter(choices=OrderStatus.choices, empty_label="Any status")

    class Meta:
        model = Order
        fields = ["q", "window", "district", "status"]


class ReviewFilter(SearchFilterSet):
    """The review queue's filters. ``status`` defaults to submitted: see ``review_filter_data``."""

    search_fields = ("district__name", "district__agency_code")
    window = django_filters.ModelChoiceFilter(queryset=_review_windows)
    district = DistrictSearchFilter()
    food = django_filters.ModelChoiceFilter(
        queryset=_review_foods, method="filter_food", label="Food", help_text="Orders with a line of it"
    )
    status = django_filters.ChoiceFilter(choices=OrderStatus.choices, empty_label="Any status")

    class Meta:
        model = Order
        fields = ["q", "window", "district", "food", "status"]

    def filter_food(self, queryset: QuerySet[Order], name: str, value: CatalogItem) -> QuerySet[Order]:
        return having_food(queryset, value)


def review_filter_data(params: Any) -> Any:
    """The queue's query string, with status "submitted" when none was chosen (an empty status,
    "Any status", stays empty)."""
    data = params.copy()
    if "status" not in data:
        data["status"] = OrderStatus.SUBMITTED
    return data
