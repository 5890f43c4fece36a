"""Settings for the collective impact platform.

Every setting that differs between a laptop and production is read from the
environment here, and only here, with a safe default. A malformed value (say
``DEBUG=maybe``) fails loudly at start-up instead of being guessed at.
"""

from __future__ import annotations

from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# A local .env file is optional; real deployments set real environment variables.
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)


def _bool(name: str, default: bool) -> bool:
    """Read a boolean strictly: only true/false/1/0/yes/no/on/off are accepted."""
    raw = env.str(name, default=str(default)).strip().lower()
    if raw in {"1", "true", "yes", "on"}:
        return True
    if raw in {"0", "false", "no", "off", ""}:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean; use true or false.")


def _int(name: str, default: int) -> int:
    raw = env.str(name, default=str(default)).strip()
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number.") from None


DEBUG = _bool("DEBUG", False)

_DEV_SECRET_KEY = "dev-only-insecure-key-never-use-in-production"
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG is off. "
            "For local development set DEBUG=true (make run does)."
        )
    SECRET_KEY = _DEV_SECRET_KEY

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

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
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI's files, served locally: no CDN
    "partnership",
    "outcomes",
    "indicators",
    "dashboards",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"

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
                "partnership.context_processors.navigation",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

# Database: SQLite beside the project unless DATABASE_URL says otherwise,
# e.g. postgres://postgres@127.0.0.1:5432/collective_impact
DATABASES = {"default": env.db_url("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["CONN_MAX_AGE"] = _int("DATABASE_CONN_MAX_AGE", 60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several processes (web, in-process tasks, tests) share one file: wait for
    # a lock rather than failing with "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].setdefault("timeout", 20)
    DATABASES["default"]["OPTIONS"].setdefault("transaction_mode", "IMMEDIATE")
    DATABASES["default"]["CONN_MAX_AGE"] = 0

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    # plotly.js straight from the installed plotly package (js/vendor/plotly.min.js).
    "dashboards.staticfiles.PlotlyFinder",
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(BASE_DIR / "media")))

# Email: printed to the console unless an SMTP server is configured.
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = _int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = _bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Collective Impact <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Days an emailed invitation link to join a partnership stays valid.
INVITATION_EXPIRY_DAYS = _int("INVITATION_EXPIRY_DAYS", 7)
# Data entered within this many days of a period's end counts as on time (engagement),
# when no data request set a due date for it.
ENGAGEMENT_ON_TIME_DAYS = _int("ENGAGEMENT_ON_TIME_DAYS", 90)

# The cache holds API throttle counts and the rendered public report cards. The
# default is per process; with several web processes set CACHE_URL (e.g.
# redis://127.0.0.1:6379/1) so that they count and cache together.
CACHES = {"default": env.cache_url("CACHE_URL", default="locmemcache://")}

# Celery: with no broker configured, tasks run in-process (eagerly), so the app
# works on a laptop with nothing else installed. Set CELERY_BROKER_URL (e.g.
# redis://127.0.0.1:6379/0) to hand them to real workers.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default="") or None
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = _int("CELERY_TASK_TIME_LIMIT", 60 * 30)
CELERY_TASK_SOFT_TIME_LIMIT = _int("CELERY_TASK_SOFT_TIME_LIMIT", 60 * 25)
CELERY_TIMEZONE = TIME_ZONE

# Trend engine schedule (Celery beat). Every change to approved data queues a
# recompute of its indicator right away; these repair anything that was missed.
TRENDS_NIGHTLY_HOUR = _int("TRENDS_NIGHTLY_HOUR", 3)  # full recompute, local time
TRENDS_NIGHTLY_MINUTE = _int("TRENDS_NIGHTLY_MINUTE", 15)
# On which days (crontab day of week: "*" every day, "sun" weekly, "mon-fri").
TRENDS_NIGHTLY_DAYS = env.str("TRENDS_NIGHTLY_DAYS", default="*")
TRENDS_SWEEP_SECONDS = _int("TRENDS_SWEEP_SECONDS", 300)  # queue indicators left stale
if not 0 <= TRENDS_NIGHTLY_HOUR <= 23 or not 0 <= TRENDS_NIGHTLY_MINUTE <= 59:
    raise ImproperlyConfigured("TRENDS_NIGHTLY_HOUR/MINUTE must be a time of day (0-23, 0-59).")
try:
    TRENDS_NIGHTLY_SCHEDULE = crontab(
        hour=TRENDS_NIGHTLY_HOUR, minute=TRENDS_NIGHTLY_MINUTE, day_of_week=TRENDS_NIGHTLY_DAYS
    )
except ValueError as error:
    raise ImproperlyConfigured(
        f"TRENDS_NIGHTLY_DAYS must be crontab days of the week, such as *, sun or mon-fri "
        f"({error})."
    ) from error
if TRENDS_SWEEP_SECONDS < 10:
    raise ImproperlyConfigured("TRENDS_SWEEP_SECONDS must be at least 10.")
# Data request reminders (Celery beat, daily at this hour, local time): one email
# this many days before a request's due date, and one the day after it is overdue.
DATA_REQUEST_REMINDER_HOUR = _int("DATA_REQUEST_REMINDER_HOUR", 8)
DATA_REQUEST_REMINDER_DAYS_BEFORE = _int("DATA_REQUEST_REMINDER_DAYS_BEFORE", 3)
if not 0 <= DATA_REQUEST_REMINDER_HOUR <= 23:
    raise ImproperlyConfigured("DATA_REQUEST_REMINDER_HOUR must be an hour of the day (0-23).")
if DATA_REQUEST_REMINDER_DAYS_BEFORE < 0:
    raise ImproperlyConfigured("DATA_REQUEST_REMINDER_DAYS_BEFORE must be 0 or more.")
# Uploaded import files are removed this many days after upload (nightly); the jobs,
# their previews and error reports stay.
IMPORT_FILE_RETENTION_DAYS = _int("IMPORT_FILE_RETENTION_DAYS", 30)
if IMPORT_FILE_RETENTION_DAYS < 1:
    raise ImproperlyConfigured("IMPORT_FILE_RETENTION_DAYS must be at least 1.")
CELERY_BEAT_SCHEDULE = {
    "recompute-all-trends-nightly": {
        "task": "indicators.tasks.recompute_all_trends",
        "schedule": TRENDS_NIGHTLY_SCHEDULE,
    },
    "recompute-pending-trends": {
        "task": "indicators.tasks.recompute_pending_trends",
        "schedule": float(TRENDS_SWEEP_SECONDS),
    },
    "send-data-request-reminders": {
        "task": "indicators.reminder_tasks.send_data_request_reminders",
        "schedule": crontab(hour=DATA_REQUEST_REMINDER_HOUR, minute=0),
    },
    "purge-old-import-files": {
        "task": "indicators.import_tasks.purge_old_import_files",
        "schedule": crontab(hour=TRENDS_NIGHTLY_HOUR, minute=(TRENDS_NIGHTLY_MINUTE + 30) % 60),
    },
}

# The REST API (/api/v1/, docs/api.md). Every API view shares partnership.api_base,
# which names these same classes; the defaults here keep any other DRF view closed.
API_THROTTLE_ANON = env.str("API_THROTTLE_ANON", default="30/minute")
API_THROTTLE_USER = env.str("API_THROTTLE_USER", default="1200/minute")
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "partnership.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_THROTTLE_RATES": {"anon": API_THROTTLE_ANON, "user": API_THROTTLE_USER},
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "partnership.api_base.api_exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Collective Impact API",
    "DESCRIPTION": "Shared measurement for partners' systems. See docs/api.md.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "GeographyKindEnum": "indicators.models.GeographyKind",
        "IndicatorKindEnum": "indicators.models.IndicatorKind",
        "MembershipRoleEnum": "partnership.models.Role",
        "OrganizationRoleEnum": "partnership.models.OrganizationRole",
    },
}

# Production hardening. `manage.py check --deploy` is clean when DEBUG is off.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = _bool("SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = _bool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_HSTS_SECONDS = _int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = _bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = _bool("SECURE_HSTS_PRELOAD", not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}
