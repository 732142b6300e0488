"""Delivery pages; merged into the "usda_foods" namespace by usda_foods/urls.py."""

from django.urls import path

from usda_foods.deliveries import fee_views, storage_views, views

urlpatterns = [
    path("usda-foods/deliveries/", views.DeliveryList.as_view(), name="delivery-list"),
    path("usda-foods/deliveries/<int:pk>/", views.DeliveryDetail.as_view(), name="delivery-detail"),
    path("usda-foods/shipment-plans/<int:pk>/release/", views.PlanRelease.as_view(), name="plan-release"),
    path("usda-foods/deliveries/<int:pk>/photo/", views.ReceiptPhoto.as_view(), name="receipt-photo"),
    path("usda-foods/coops/<int:pk>/storage/", storage_views.CoopStorage.as_view(), name="coop-storage"),
    path("usda-foods/fees/", fee_views.FeeScheduleList.as_view(), name="fee-schedule-list"),
    path("usda-foods/fees/new/", fee_views.FeeScheduleCreate.as_view(), name="fee-schedule-create"),
    path("usda-foods/fees/<int:pk>/edit/", fee_views.FeeScheduleUpdate.as_view(), name="fee-schedule-update"),
    path(
        "usda-foods/fees/statement/<int:district_id>/", fee_views.FeeStatement.as_view(), name="fee-statement"
    ),
]
