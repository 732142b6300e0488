"""Catalog, preference survey and order-window pages. Merged into the "usda_foods" namespace by
usda_foods/urls.py, so there is no ``app_name`` here."""

from django.urls import path

from usda_foods import views_catalog as views

urlpatterns = [
    path("usda-foods/catalog/", views.CatalogList.as_view(), name="catalog-list"),
    path("usda-foods/catalog/import/", views.CatalogImport.as_view(), name="catalog-import"),
    path("usda-foods/surveys/", views.SurveyList.as_view(), name="survey-list"),
    path("usda-foods/surveys/new/", views.SurveyCreate.as_view(), name="survey-create"),
    path("usda-foods/surveys/<int:pk>/", views.SurveyDetail.as_view(), name="survey-detail"),
    path("usda-foods/surveys/<int:pk>/respond/", views.SurveyRespond.as_view(), name="survey-respond"),
    path(
        "usda-foods/surveys/<int:pk>/answers/",
        views.SurveyAnswersExport.as_view(),
        name="survey-answers-export",
    ),
    path(
        "usda-foods/surveys/<int:pk>/offered/",
        views.SurveyChooseOffered.as_view(),
        name="survey-choose-offered",
    ),
    path("usda-foods/surveys/<int:pk>/remind/", views.SurveyRemind.as_view(), name="survey-remind"),
    path("usda-foods/windows/", views.WindowList.as_view(), name="window-list"),
    path("usda-foods/windows/new/", views.WindowCreate.as_view(), name="window-create"),
    path("usda-foods/windows/<int:pk>/", views.WindowDetail.as_view(), name="window-detail"),
]
