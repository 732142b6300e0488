"""The app's URLs plus one view that fails, to see the 500 page."""

from django.urls import path

from focus_lab.urls import handler403, handler404, handler500, urlpatterns  # noqa: F401


def broken(request):
    raise RuntimeError("boom")


urlpatterns = [*urlpatterns, path("broken/", broken)]
