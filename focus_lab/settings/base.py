"""Settings shared by every environment. Values that differ come from the environment.

DATABASE_URL and REDIS_URL are required: FOCUS Lab runs on PostgreSQL and Redis only. The run
and test commands (``python -m focus_lab.devstack``) start embedded servers and set them when
they are not given.
"""

from __future__ import annotations

from pathlib import Path

import environ
from csp.constants import NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()


def required_env(name: str) -> str:
    value = env.str(name, default="")
    if not value:
        raise ImproperlyConfigured(
            f"{name} is not set. Use `make run` / `make test`, which start embedded servers, "
            f"or point {name} at a running server."
        )
    return value


SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="insecure-dev-key-change-me")  # noqa: S105
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "crispy_forms",
    "crispy_bootstrap5",
    "axes",
    "csp",
    "pgtrigger",
    "pghistory",
    "accounts",
    "districts",
    "partners",
    "agreements",
    "focus_lab.jobs",
    "usda_foods",
    "purchasing",
    "focus_lab.imports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "pghistory.middleware.HistoryMiddleware",
    # Axes last: it turns a lock-out into its own response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "focus_lab.urls"
WSGI_APPLICATION = "focus_lab.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.roles",
                "focus_lab.navigation.navigation",
            ],
        },
    },
]

DATABASES = {"default": env.db_url_config(required_env("DATABASE_URL"))}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=0)
# No JIT: PostgreSQL compiles a plan whose estimated cost passes jit_above_cost, which costs about
# 200 ms for the scoped searches over 200,000 notes that then run in 10-50 ms (bench/suppliers.py).
DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = required_env("REDIS_URL")

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

# Failed-login lock-out: five failures for one email from one address locks it for an hour.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = 1  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]  # the pair, never the address or the name alone
# Behind a proxy every request comes from the proxy: the client's own address is read from the
# proxy's X-Forwarded-For entry, believed only from these addresses or networks (see client_ip).
TRUSTED_PROXIES = env.list("DJANGO_TRUSTED_PROXIES", default=[])
AXES_CLIENT_IP_CALLABLE = "accounts.client_ip.client_address"
AXES_RESET_ON_SUCCESS = True
# The log-in form and the token endpoint both post the email as "username".
AXES_USERNAME_FORM_FIELD = "username"
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "America/Chicago"
USE_I18N = True
USE_TZ = True
# Dates read the same on every page (focus_lab/formats/en/formats.py).
FORMAT_MODULE_PATH = ["focus_lab.formats"]

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(BASE_DIR / "media")))
# Optional PAdES seal of completed letters of agreement (agreements/seal.py): PEM files of the
# deployment's private key and certificate. Unset, letters are stored as rendered, with their hash.
AGREEMENTS_SEAL_KEY = env.str("AGREEMENTS_SEAL_KEY", default="")
AGREEMENTS_SEAL_CERT = env.str("AGREEMENTS_SEAL_CERT", default="")
AGREEMENTS_SEAL_KEY_PASSPHRASE = env.str("AGREEMENTS_SEAL_KEY_PASSPHRASE", default="")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
# Where people reach the app, for links in emails.
SITE_URL = env.str("DJANGO_SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="FOCUS Lab <noreply@focuslab.example>")

# Content-Security-Policy: every script and stylesheet is a file served from here (no CDN, no
# inline script). Style attributes stay allowed (progress bars and map dots set widths and
# colours in markup); <style> elements do not. Bootstrap draws its select and check icons as
# data: SVG images.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "style-src-attr": [UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}
# Permissions-Policy: the app uses no device or browser feature; turn them all off.
PERMISSIONS_POLICY: dict[str, list[str]] = {
    feature: []
    for feature in (
        "accelerometer", "camera", "display-capture", "geolocation", "gyroscope", "magnetometer",
        "microphone", "midi", "payment", "usb", "fullscreen", "browsing-topics",
    )
}  # fmt: skip

# An empty filter means "any" (django-filter's default label is "---------").
FILTERS_EMPTY_CHOICE_LABEL = "Any"

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first, so a bad token is answered 401 with WWW-Authenticate rather than 403.
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "focus_lab.api_schema.AutoSchema",
    "EXCEPTION_HANDLER": "focus_lab.api_errors.exception_handler",
    "COERCE_DECIMAL_TO_STRING": True,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "FOCUS Lab API",
    "DESCRIPTION": "Districts, partners, agreements and USDA Foods for school-food collaboratives.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # One schema name per shared choice set, so the generated clients read well.
    "ENUM_NAME_OVERRIDES": {
        "USStateEnum": "districts.models.US_STATES",
        "OrderStatusEnum": "usda_foods.ordering.models.OrderStatus.choices",
        "WindowStateEnum": "usda_foods.ordering.models.WindowState.choices",
        "LunchCategoryEnum": "usda_foods.entitlements.models.LunchCategory.choices",
        "JobStatusEnum": "focus_lab.jobs.models.JobStatus.choices",  # plans and jobs share it
        "ImportStatusEnum": "focus_lab.imports.models.RunStatus.choices",
        "LetterStateEnum": "agreements.models.LETTER_STATES",
        "SignatureRoleEnum": "agreements.models.SignatureRole.choices",
        "RoleEnum": "accounts.models.Role.choices",
        # Choice sets shared by the supplier directory, priority items and processing.
        "ProductCategoryEnum": "partners.suppliers.models.ProductCategory.choices",
        "PracticeEnum": "partners.suppliers.models.Practice.choices",
        "CertificationKindEnum": "partners.suppliers.models.CertificationKind.choices",
        "MonthEnum": "partners.suppliers.models.MONTHS",
        "PassThroughEnum": "usda_foods.processing.models.PassThrough.choices",
        "AdjustmentStatusEnum": "usda_foods.shipping.models.AdjustmentStatus.choices",
        "JointStatusEnum": "usda_foods.shipping.models.JointStatus.choices",
        "ItemUnitEnum": "purchasing.priority_items.models.ItemUnit.choices",
    },
}

CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = REDIS_URL
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_TIME_LIMIT = 15 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 14 * 60
# A worker child that grew past 512 MB (in KiB here) is replaced after its task: a large plan's
# memory goes back to the system instead of staying with the process.
CELERY_WORKER_MAX_MEMORY_PER_CHILD = 512 * 1024
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_RESULT_EXPIRES = 24 * 3600
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_TRACK_STARTED = True

CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # WeasyPrint logs each rendering step at INFO.
    "loggers": {"axes": {"level": "WARNING"}, "weasyprint": {"level": "WARNING"}},
}
