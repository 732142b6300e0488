"""Ordering pages; merged into the "usda_foods" namespace by usda_foods/urls.py."""

from django.urls import path

from usda_foods import views_orders as views

urlpatterns = [
    path("usda-foods/orders/", views.OrderList.as_view(), name="order-list"),
    path("usda-foods/orders/start/", views.OrderStart.as_view(), name="order-start"),
    path("usda-foods/orders/<int:pk>/", views.OrderDetail.as_view(), name="order-detail"),
    path("usda-foods/orders/<int:pk>/lines/", views.OrderLineSet.as_view(), name="order-line-set"),
    path(
        "usda-foods/orders/<int:pk>/lines/<int:line_id>/remove/",
        views.OrderLineRemove.as_view(),
        name="order-line-remove",
    ),
    path("usda-foods/orders/<int:pk>/submit/", views.OrderSubmit.as_view(), name="order-submit"),
    path("usda-foods/orders/<int:pk>/withdraw/", views.OrderWithdraw.as_view(), name="order-withdraw"),
    path("usda-foods/orders/<int:pk>/review/", views.OrderReview.as_view(), name="order-review"),
    path("usda-foods/review/", views.ReviewQueue.as_view(), name="order-review-queue"),
    path("usda-foods/review/approve/", views.ReviewBulkApprove.as_view(), name="order-bulk-approve"),
    path(
        "usda-foods/review/approved-lines.csv",
        views.ApprovedLinesCsv.as_view(),
        name="order-approved-lines-csv",
    ),
]
