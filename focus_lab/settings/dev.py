"""`make run`: the production-like app on this machine. DEBUG stays off unless asked for
(DJANGO_DEBUG=true), so people see the friendly error pages, not Django's debug page listing every
URL. Static files come from the source folders through WhiteNoise, with no collectstatic."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DJANGO_DEBUG", default=False)
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
