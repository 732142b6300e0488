from django.urls import path

from purchasing.records import views

urlpatterns = [
    path("purchasing/records/", views.RecordList.as_view(), name="record-list"),
    path("purchasing/local/", views.definition_list, name="local-definitions"),
    path("purchasing/local/new/", views.definition_edit, name="local-definition-create"),
    path("purchasing/local/<int:pk>/", views.definition_edit, name="local-definition-edit"),
    path("purchasing/vendor-matches/", views.alias_list, name="vendor-matches"),
    path("purchasing/vendor-matches/<int:pk>/decide/", views.alias_decide, name="vendor-match-decide"),
    path("purchasing/keyword-rules/", views.keyword_rules, name="keyword-rules"),
    path("purchasing/keyword-rules/<int:pk>/delete/", views.keyword_rule_delete, name="keyword-rule-delete"),
]
