from django.urls import path

from purchasing.spend import views

urlpatterns = [
    path("purchasing/spend/", views.spend_home, name="spend-home"),
    path("purchasing/spend/districts/<int:pk>/", views.district_dashboard, name="spend-district"),
    path("purchasing/spend/districts/<int:pk>/<slug:table>.<str:fmt>", views.district_export,
         name="spend-district-export"),
    path("purchasing/spend/labs/<int:pk>/", views.lab_dashboard, name="spend-lab"),
    path("purchasing/spend/labs/<int:pk>/<slug:table>.<str:fmt>", views.lab_export, name="spend-lab-export"),
    path("purchasing/goals/", views.goal_list, name="goal-list"),
    path("purchasing/goals/new/", views.goal_create_view, name="goal-create"),
    path("purchasing/goals/<int:pk>/edit/", views.goal_update_view, name="goal-update"),
    path("purchasing/goals/<int:pk>/delete/", views.goal_delete_view, name="goal-delete"),
]  # fmt: skip
