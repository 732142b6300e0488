"""Catalog, preference survey, order window and order pages; merged into the "usda_foods" namespace
by usda_foods/urls.py."""

from django.urls import path

from usda_foods.ordering.views import catalog, orders, surveys, windows

urlpatterns = [
    path("usda-foods/catalog/", catalog.CatalogList.as_view(), name="catalog-list"),
    path("usda-foods/catalog/import/", catalog.CatalogImport.as_view(), name="catalog-import"),
    path("usda-foods/surveys/", surveys.SurveyList.as_view(), name="survey-list"),
    path("usda-foods/surveys/new/", surveys.SurveyCreate.as_view(), name="survey-create"),
    path("usda-foods/surveys/<int:pk>/", surveys.SurveyDetail.as_view(), name="survey-detail"),
    path("usda-foods/surveys/<int:pk>/respond/", surveys.SurveyRespond.as_view(), name="survey-respond"),
    path(
        "usda-foods/surveys/<int:pk>/answers/",
        surveys.SurveyAnswersExport.as_view(),
        name="survey-answers-export",
    ),
    path(
        "usda-foods/surveys/<int:pk>/offered/",
        surveys.SurveyChooseOffered.as_view(),
        name="survey-choose-offered",
    ),
    path("usda-foods/surveys/<int:pk>/remind/", surveys.SurveyRemind.as_view(), name="survey-remind"),
    path("usda-foods/windows/", windows.WindowList.as_view(), name="window-list"),
    path("usda-foods/windows/new/", windows.WindowCreate.as_view(), name="window-create"),
    path("usda-foods/windows/<int:pk>/", windows.WindowDetail.as_view(), name="window-detail"),
    path("usda-foods/orders/", orders.OrderList.as_view(), name="order-list"),
    path("usda-foods/orders/start/", orders.OrderStart.as_view(), name="order-start"),
    path("usda-foods/orders/<int:pk>/", orders.OrderDetail.as_view(), name="order-detail"),
    path("usda-foods/orders/<int:pk>/lines/", orders.OrderLineSet.as_view(), name="order-line-set"),
    path("usda-foods/orders/<int:pk>/lines/all/", orders.OrderLinesSave.as_view(), name="order-lines-save"),
    path(
        "usda-foods/orders/<int:pk>/lines/<int:line_id>/remove/",
        orders.OrderLineRemove.as_view(),
        name="order-line-remove",
    ),
    path("usda-foods/orders/<int:pk>/submit/", orders.OrderSubmit.as_view(), name="order-submit"),
    path("usda-foods/orders/<int:pk>/withdraw/", orders.OrderWithdraw.as_view(), name="order-withdraw"),
    path("usda-foods/orders/<int:pk>/review/", orders.OrderReview.as_view(), name="order-review"),
    path("usda-foods/review/", orders.ReviewQueue.as_view(), name="order-review-queue"),
    path("usda-foods/review/approve/", orders.ReviewBulkApprove.as_view(), name="order-bulk-approve"),
    path(
        "usda-foods/review/approved-lines.csv",
        orders.ApprovedLinesCsv.as_view(),
        name="order-approved-lines-csv",
    ),
]
