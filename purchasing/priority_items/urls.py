from django.urls import path

from purchasing.priority_items.views import demand, items, versions

urlpatterns = [
    path("purchasing/items/", items.item_list, name="item-list"),
    path("purchasing/items/new/", items.item_create_view, name="item-create"),
    path("purchasing/items/<int:pk>/", items.item_detail, name="item-detail"),
    path("purchasing/items/<int:pk>/edit/", items.item_update_view, name="item-update"),
    path("purchasing/items/<int:pk>/revise/", items.item_revise, name="item-revise"),
    path("purchasing/items/<int:pk>/compare/", items.item_compare, name="item-compare"),
    path("purchasing/items/<int:pk>/demand/", demand.item_demand, name="item-demand"),
    path("purchasing/items/<int:pk>/suppliers/", demand.item_suppliers, name="item-suppliers"),
    path("purchasing/items/<int:pk>/commitment/", demand.commitment_edit, name="commitment-edit"),
    path("purchasing/versions/<int:pk>/", versions.version_detail, name="version-detail"),
    path("purchasing/versions/<int:pk>/edit/", versions.version_update_view, name="version-update"),
    path("purchasing/versions/<int:pk>/propose/", versions.version_propose_view, name="version-propose"),
    path("purchasing/versions/<int:pk>/withdraw/", versions.version_withdraw_view, name="version-withdraw"),
    path("purchasing/versions/<int:pk>/answer/", versions.version_endorse, name="version-endorse"),
    path("purchasing/versions/<int:pk>/count/", versions.version_count, name="version-count"),
    path("purchasing/versions/<int:pk>/spec-sheet.pdf", versions.version_pdf, name="version-pdf"),
    path("purchasing/demand/", demand.lab_demand, name="lab-demand"),
    path("purchasing/rfp/", demand.rfp_draft, name="rfp-draft"),
    path("purchasing/labs/<int:pk>/consensus-rule/", items.consensus_rule_view, name="consensus-rule"),
]
