"""Processing pages; merged into the "usda_foods" namespace by usda_foods/urls.py."""

from django.urls import path

from usda_foods.processing.views import diversions, inventory, processors

urlpatterns = [
    path("usda-foods/processors/", processors.ProcessorList.as_view(), name="processor-list"),
    path("usda-foods/processors/new/", processors.ProcessorCreate.as_view(), name="processor-create"),
    path("usda-foods/processors/<int:pk>/", processors.ProcessorDetail.as_view(), name="processor-detail"),
    path(
        "usda-foods/processors/<int:pk>/edit/", processors.ProcessorUpdate.as_view(), name="processor-update"
    ),
    path(
        "usda-foods/processors/<int:pk>/end-products/new/",
        processors.EndProductCreate.as_view(),
        name="end-product-create",
    ),  # fmt: skip
    path(
        "usda-foods/end-products/<int:pk>/edit/",
        processors.EndProductUpdate.as_view(),
        name="end-product-update",
    ),
    path(
        "usda-foods/end-products/<int:pk>/rates/",
        processors.EndProductRateSet.as_view(),
        name="end-product-rate",
    ),
    path(
        "usda-foods/processors/<int:pk>/districts/<int:district_id>/",
        inventory.DistrictProcessorPage.as_view(),
        name="district-processor",
    ),  # fmt: skip
    path(
        "usda-foods/processors/<int:pk>/transfers/new/",
        inventory.TransferCreate.as_view(),
        name="transfer-create",
    ),
    path(
        "usda-foods/processors/<int:pk>/end-products/import/",
        processors.EndProductImport.as_view(),
        name="end-product-import",
    ),
    path(
        "usda-foods/orders/<int:pk>/diversions/",
        diversions.OrderDiversions.as_view(),
        name="order-diversions",
    ),
    path(
        "usda-foods/processing/state/<str:state>/", inventory.StateInventory.as_view(), name="state-inventory"
    ),
]
