from django.urls import path

from partners import views
from partners.contacts import views as contact_views
from partners.suppliers import views as supplier_views

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
    path("suppliers/", supplier_views.SupplierList.as_view(), name="supplier-list"),
    path("suppliers/map/", supplier_views.SupplierMapView.as_view(), name="supplier-map"),
    path("suppliers/new/", supplier_views.SupplierCreate.as_view(), name="supplier-create"),
    path("suppliers/<int:pk>/", supplier_views.SupplierDetail.as_view(), name="supplier-detail"),
    path("suppliers/<int:pk>/edit/", supplier_views.SupplierUpdate.as_view(), name="supplier-update"),
    path("suppliers/<int:pk>/merge/", supplier_views.SupplierMergeView.as_view(), name="supplier-merge"),
    path(
        "suppliers/<int:pk>/<str:kind>/new/",
        supplier_views.ChildCreate.as_view(),
        name="supplier-child-create",
    ),
    path(
        "suppliers/<str:kind>/<int:pk>/edit/",
        supplier_views.ChildUpdate.as_view(),
        name="supplier-child-update",
    ),
    path("contacts/", contact_views.InteractionList.as_view(), name="interaction-list"),
    path("contacts/new/", contact_views.InteractionCreate.as_view(), name="interaction-create"),
    path("contacts/<int:pk>/", contact_views.InteractionDetail.as_view(), name="interaction-detail"),
    path("contacts/<int:pk>/edit/", contact_views.InteractionUpdate.as_view(), name="interaction-update"),
    path("follow-ups/", contact_views.FollowUpList.as_view(), name="follow-up-list"),
    path("follow-ups/<int:pk>/done/", contact_views.FollowUpDone.as_view(), name="follow-up-done"),
]
