from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic.base import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from focus_lab import import_errors, views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("healthz", views.healthz, name="healthz"),
    # Browsers ask for /favicon.ico whatever the page says; send them to the icon.
    path("favicon.ico", RedirectView.as_view(url=static("img/favicon.svg"), permanent=True)),
    path(
        "imports/problems/<str:token>/", import_errors.import_errors_download, name="import-errors-download"
    ),
    path("accounts/", include("accounts.urls")),
    path("", include("districts.urls")),
    path("", include("partners.urls")),
    path("", include("usda_foods.urls")),
    path("", include("agreements.urls")),
    path("", include("purchasing.urls")),
    path("", include("focus_lab.jobs.urls")),
    path("", include("focus_lab.imports.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("focus_lab.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves Swagger UI's start-up script as a file, so the page needs no inline
    # script under the Content-Security-Policy (templates/drf_spectacular/swagger_ui.html keeps
    # its styles in a file too). Redoc is not offered: it loads web fonts from the internet and
    # needs inline script.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
]

handler403 = "focus_lab.error_views.permission_denied"
handler404 = "focus_lab.error_views.page_not_found"
handler500 = "focus_lab.error_views.server_error"
