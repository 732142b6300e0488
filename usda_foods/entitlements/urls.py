"""Entitlement, lunch count and reference data pages; merged into the "usda_foods" namespace by
usda_foods/urls.py."""

from django.urls import path

from usda_foods.entitlements.views import entitlements, lunch_counts, reference

urlpatterns = [
    path(
        "districts/<int:district_id>/entitlements/",
        entitlements.EntitlementLatest.as_view(),
        name="entitlement-latest",
    ),
    path(
        "districts/<int:district_id>/entitlements/<str:school_year>/",
        entitlements.EntitlementDetail.as_view(),
        name="entitlement-detail",
    ),
    path("usda-foods/entitlements/", entitlements.MyEntitlements.as_view(), name="my-entitlements"),
    path(
        "usda-foods/states/<str:state>/entitlements/",
        entitlements.StateEntitlements.as_view(),
        name="state-entitlements",
    ),
    path(
        "collaboratives/<int:pk>/entitlements/",
        entitlements.CollaborativeEntitlements.as_view(),
        name="collaborative-entitlements",
    ),
    path("usda-foods/lunch-counts/", lunch_counts.LunchCountList.as_view(), name="lunch-count-list"),
    path("usda-foods/lunch-counts/new/", lunch_counts.LunchCountCreate.as_view(), name="lunch-count-create"),
    path(
        "usda-foods/lunch-counts/import/", lunch_counts.LunchCountImport.as_view(), name="lunch-count-import"
    ),
    path(
        "usda-foods/lunch-counts/<int:pk>/edit/",
        lunch_counts.LunchCountUpdate.as_view(),
        name="lunch-count-update",
    ),
    path("usda-foods/per-meal-values/", reference.PerMealValueList.as_view(), name="per-meal-value-list"),
    path(
        "usda-foods/per-meal-values/new/",
        reference.PerMealValueCreate.as_view(),
        name="per-meal-value-create",
    ),
    path(
        "usda-foods/reimbursement-rates/",
        reference.ReimbursementRateList.as_view(),
        name="reimbursement-rate-list",
    ),
    path(
        "usda-foods/reimbursement-rates/new/",
        reference.ReimbursementRateCreate.as_view(),
        name="reimbursement-rate-create",
    ),
    path(
        "usda-foods/section4-payments/", reference.Section4PaymentList.as_view(), name="section4-payment-list"
    ),
    path(
        "usda-foods/section4-payments/new/",
        reference.Section4PaymentCreate.as_view(),
        name="section4-payment-create",
    ),
]
