from django.urls import path

from districts import views

app_name = "districts"

urlpatterns = [
    path("districts/", views.DistrictList.as_view(), name="district-list"),
    path("districts/new/", views.DistrictCreate.as_view(), name="district-create"),
    path("districts/<int:pk>/", views.DistrictDetail.as_view(), name="district-detail"),
    path("districts/<int:pk>/edit/", views.DistrictUpdate.as_view(), name="district-update"),
    path("sites/", views.SiteList.as_view(), name="site-list"),
    path("sites/new/", views.SiteCreate.as_view(), name="site-create"),
    path("sites/<int:pk>/", views.SiteDetail.as_view(), name="site-detail"),
    path("sites/<int:pk>/edit/", views.SiteUpdate.as_view(), name="site-update"),
    path("coops/", views.CoopList.as_view(), name="coop-list"),
    path("coops/new/", views.CoopCreate.as_view(), name="coop-create"),
    path("coops/<int:pk>/", views.CoopDetail.as_view(), name="coop-detail"),
    path("coops/<int:pk>/edit/", views.CoopUpdate.as_view(), name="coop-update"),
    path("collaboratives/<int:pk>/", views.CollaborativeDetail.as_view(), name="collaborative-detail"),
]
