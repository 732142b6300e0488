"""Correction pages; merged into the "usda_foods" namespace by usda_foods/urls.py."""

from django.urls import path

from usda_foods.corrections import views

urlpatterns = [
    path("usda-foods/corrections/", views.CorrectionList.as_view(), name="correction-list"),
    path("usda-foods/corrections/new/", views.CorrectionCreate.as_view(), name="correction-create"),
    path("usda-foods/corrections/review/", views.CorrectionReviewQueue.as_view(), name="correction-review"),
    path("usda-foods/corrections/<int:pk>/", views.CorrectionDetail.as_view(), name="correction-detail"),
]
