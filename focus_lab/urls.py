from csp.constants import UNSAFE_INLINE
from csp.decorators import csp_update
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from focus_lab import views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("healthz", views.healthz, name="healthz"),
    path("accounts/", include("accounts.urls")),
    path("", include("districts.urls")),
    path("", include("partners.urls")),
    path("", include("usda_foods.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("focus_lab.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves Swagger UI's start-up script as a file, so the page needs no inline
    # script under the Content-Security-Policy; Swagger UI does inject a <style> element, allowed
    # on this page only. (Redoc is not offered: it loads web fonts from the internet and needs
    # inline script.)
    path(
        "api/docs/",
        csp_update({"style-src": [UNSAFE_INLINE]})(SpectacularSwaggerSplitView.as_view(url_name="schema")),
        name="api-docs",
    ),  # fmt: skip
]

handler403 = "focus_lab.error_views.permission_denied"
handler404 = "focus_lab.error_views.page_not_found"
handler500 = "focus_lab.error_views.server_error"
