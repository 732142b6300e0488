"""Cross-state coordination pages; merged into the "usda_foods" namespace by usda_foods/urls.py."""

from django.urls import path

from usda_foods.shipping.coordination import views

urlpatterns = [
    path("usda-foods/shipment-plans/<int:pk>/offer/", views.PlanOffer.as_view(), name="shipment-plan-offer"),
    path("usda-foods/remainder-offers/", views.OfferList.as_view(), name="remainder-offers"),
    path("usda-foods/remainder-offers/<int:pk>/", views.OfferDetail.as_view(), name="remainder-offer-detail"),
    path("usda-foods/joint-plans/<int:pk>/", views.JointPlanDetail.as_view(), name="joint-plan-detail"),
    path("usda-foods/joint-plans/<int:pk>/answer/", views.JointPlanAnswer.as_view(), name="joint-plan-answer"),
    path("usda-foods/joint-plans/<int:pk>/manifest.csv", views.JointManifest.as_view(), name="joint-plan-manifest"),
    path("usda-foods/joint-plans/<int:pk>/manifest.pdf", views.JointManifest.as_view(pdf=True),
         name="joint-plan-manifest-pdf"),
    path("usda-foods/windows/<int:pk>/truckloads/", views.WindowTruckloads.as_view(), name="window-truckloads"),
]  # fmt: skip
