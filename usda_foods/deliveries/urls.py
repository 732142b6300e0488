"""Delivery pages; merged into the "usda_foods" namespace by usda_foods/urls.py."""

from django.urls import path

from usda_foods.deliveries import views

urlpatterns = [
    path("usda-foods/deliveries/", views.DeliveryList.as_view(), name="delivery-list"),
    path("usda-foods/deliveries/<int:pk>/", views.DeliveryDetail.as_view(), name="delivery-detail"),
    path("usda-foods/shipment-plans/<int:pk>/release/", views.PlanRelease.as_view(), name="plan-release"),
]
