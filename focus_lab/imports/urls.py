from django.urls import path

from focus_lab.imports import views

app_name = "imports"

urlpatterns = [
    path("imports/", views.import_home, name="home"),
    path("imports/<slug:kind>/new/", views.import_upload, name="upload"),
    path("imports/<slug:kind>/template.<str:fmt>", views.import_template, name="template"),
    path("imports/<int:pk>/", views.import_detail, name="detail"),
    path("imports/<int:pk>/mapping/", views.import_map, name="map"),
    path("imports/<int:pk>/confirm/", views.import_confirm, name="confirm"),
    path("imports/<int:pk>/undo/", views.import_undo, name="undo"),
]
