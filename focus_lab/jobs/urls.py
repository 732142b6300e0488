from django.urls import path

from focus_lab.jobs import views

app_name = "jobs"

urlpatterns = [
    # The path predates the shared app (jobs began with entitlement recomputes); links keep working.
    path("usda-foods/jobs/<int:pk>/", views.JobDetail.as_view(), name="detail"),
]
