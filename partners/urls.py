from django.urls import path

from partners import views

app_name = "partners"

urlpatterns = [
    path("partners/", views.PartnerList.as_view(), name="partner-list"),
    path("partners/new/", views.PartnerCreate.as_view(), name="partner-create"),
    path("partners/<int:pk>/", views.PartnerDetail.as_view(), name="partner-detail"),
    path("partners/<int:pk>/edit/", views.PartnerUpdate.as_view(), name="partner-update"),
    path("partners/<int:pk>/remove/", views.PartnerRemove.as_view(), name="partner-remove"),
    path("partnerships/", views.PartnershipList.as_view(), name="partnership-list"),
    path("partnerships/new/", views.PartnershipCreate.as_view(), name="partnership-create"),
    path("partnerships/<int:pk>/", views.PartnershipDetail.as_view(), name="partnership-detail"),
    path("partnerships/<int:pk>/edit/", views.PartnershipUpdate.as_view(), name="partnership-update"),
]
