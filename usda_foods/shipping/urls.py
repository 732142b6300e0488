"""Shipment-plan pages; merged into the "usda_foods" namespace by usda_foods/urls.py."""

from django.urls import path

from usda_foods.shipping import views

urlpatterns = [
    path("usda-foods/windows/<int:pk>/plans/", views.WindowPlans.as_view(), name="window-plans"),
    path("usda-foods/shipment-plans/<int:pk>/", views.PlanDetail.as_view(), name="shipment-plan-detail"),
    path(
        "usda-foods/shipment-plans/<int:pk>/accept/", views.PlanAccept.as_view(), name="shipment-plan-accept"
    ),
    path(
        "usda-foods/shipment-plans/<int:pk>/override/",
        views.PlanOverride.as_view(),
        name="shipment-plan-override",
    ),
    path("usda-foods/shipment-plans/<int:pk>/rerun/", views.PlanRerun.as_view(), name="shipment-plan-rerun"),
    path("usda-foods/shipment-plans/<int:pk>/plan.csv", views.PlanCsv.as_view(), name="shipment-plan-csv"),
    path("usda-foods/shipment-plans/<int:pk>/plan.pdf", views.PlanPdf.as_view(), name="shipment-plan-pdf"),
    path("usda-foods/my-deliveries/", views.MyDeliveries.as_view(), name="my-deliveries"),
    path("usda-foods/proposals/", views.ProposalList.as_view(), name="proposal-list"),
    path("usda-foods/proposals/<int:pk>/", views.ProposalDetail.as_view(), name="proposal-detail"),
    path(
        "usda-foods/states/<int:pk>/alternatives/",
        views.PlacementSettingsView.as_view(),
        name="placement-settings",
    ),
]
