from django.urls import path

from usda_foods import views

app_name = "usda_foods"

urlpatterns = [
    path(
        "districts/<int:district_id>/entitlements/",
        views.EntitlementLatest.as_view(),
        name="entitlement-latest",
    ),
    path(
        "districts/<int:district_id>/entitlements/<str:school_year>/",
        views.EntitlementDetail.as_view(),
        name="entitlement-detail",
    ),
    path("usda-foods/entitlements/", views.MyEntitlements.as_view(), name="my-entitlements"),
    path(
        "usda-foods/states/<str:state>/entitlements/",
        views.StateEntitlements.as_view(),
        name="state-entitlements",
    ),
    path(
        "collaboratives/<int:pk>/entitlements/",
        views.CollaborativeEntitlements.as_view(),
        name="collaborative-entitlements",
    ),
    path("usda-foods/lunch-counts/", views.LunchCountList.as_view(), name="lunch-count-list"),
    path("usda-foods/lunch-counts/new/", views.LunchCountCreate.as_view(), name="lunch-count-create"),
    path("usda-foods/lunch-counts/import/", views.LunchCountImport.as_view(), name="lunch-count-import"),
    path(
        "usda-foods/lunch-counts/<int:pk>/edit/", views.LunchCountUpdate.as_view(), name="lunch-count-update"
    ),
    path("usda-foods/per-meal-values/", views.PerMealValueList.as_view(), name="per-meal-value-list"),
    path("usda-foods/per-meal-values/new/", views.PerMealValueCreate.as_view(), name="per-meal-value-create"),
    path(
        "usda-foods/reimbursement-rates/",
        views.ReimbursementRateList.as_view(),
        name="reimbursement-rate-list",
    ),
    path(
        "usda-foods/reimbursement-rates/new/",
        views.ReimbursementRateCreate.as_view(),
        name="reimbursement-rate-create",
    ),
    path("usda-foods/section4-payments/", views.Section4PaymentList.as_view(), name="section4-payment-list"),
    path(
        "usda-foods/section4-payments/new/",
        views.Section4PaymentCreate.as_view(),
        name="section4-payment-create",
    ),
]
from usda_foods.urls_catalog import urlpatterns as catalog_urlpatterns  # noqa: E402

urlpatterns += catalog_urlpatterns
from usda_foods.urls_orders import urlpatterns as order_urlpatterns  # noqa: E402

urlpatterns += order_urlpatterns
from usda_foods.urls_shipping import urlpatterns as shipping_urlpatterns  # noqa: E402

urlpatterns += shipping_urlpatterns
from usda_foods.urls_corrections import urlpatterns as correction_urlpatterns  # noqa: E402

urlpatterns += correction_urlpatterns
