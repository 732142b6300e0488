import os

from .base import *  # noqa: F403

DEBUG = False
SECRET_KEY = "test-secret-key"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Browser tests serve through live_server; let it find the vendored assets without collectstatic.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
AXES_FAILURE_LIMIT = 3

# Under pytest-xdist (make test runs the suite on every core) each worker has its own test database
# (pytest-django names it) and its own Redis database, so caches, locks and heartbeats never meet.
_XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
if _XDIST_WORKER.startswith("gw"):
    from urllib.parse import urlsplit as _urlsplit

    _redis = _urlsplit(REDIS_URL)  # noqa: F405
    _base_db = int((_redis.path or "/0").lstrip("/") or 0)
    REDIS_URL = _redis._replace(path=f"/{(_base_db + 1 + int(_XDIST_WORKER[2:])) % 16}").geturl()
    CELERY_BROKER_URL = CELERY_RESULT_BACKEND = REDIS_URL
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
