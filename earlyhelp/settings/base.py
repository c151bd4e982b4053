"""Settings shared by every environment, read from the environment.

`local`, `test` and `production` adjust these; none of them hard-codes a
secret or a database.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env(name: str, default: str | None = None) -> str | None:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from exc


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


SECRET_KEY = env("SECRET_KEY", "")
DEBUG = False
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

# The council running the service: shown in the header, the title and emails.
COUNCIL_NAME = env("COUNCIL_NAME", "Leicestershire County Council")
SERVICE_NAME = env("SERVICE_NAME", "Early help case management")
PHASE = env("PHASE", "beta")

INSTALLED_APPS = [
    "earlyhelp.admin_config.EarlyHelpAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "pgtrigger",
    "pghistory",
    "rest_framework",
    "django_filters",
    "oauth2_provider",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "earlyhelp",
    "cases",
    "assessments",
    "outcomes",
    "partners",
    "workspace",
    "reports",
    "returns",
    # Only the demo generator and its command (`manage.py seed_demo`); it refuses to run
    # with DEBUG off.
    "demo",
    "simulation",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "earlyhelp.middleware.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "earlyhelp.middleware.IdleTimeoutMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "earlyhelp.middleware.TwoFactorRequiredMiddleware",
    "earlyhelp.middleware.HistoryContextMiddleware",
    "earlyhelp.middleware.GateRequestMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "earlyhelp.urls"
WSGI_APPLICATION = "earlyhelp.wsgi.application"

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
                "earlyhelp.context_processors.service",
            ],
        },
    },
]


def database_from_env() -> dict:
    url = env("DATABASE_URL")
    if not url:
        raise ImproperlyConfigured(
            "DATABASE_URL is not set. `make run` and `make test` set it for you "
            "(an embedded PostgreSQL when nothing else is given)."
        )
    config = dj_database_url.parse(url, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))
    # No just-in-time compilation of queries: a page's queries run in milliseconds, and
    # compiling one costs 20-30 ms, which PostgreSQL chose for any query it guessed costly
    # (a search whose matches the gate checks row by row). The nightly job turns it off too.
    if config["ENGINE"] == "django.db.backends.postgresql":  # `make lint` checks on SQLite
        config.setdefault("OPTIONS", {})["options"] = "-c jit=off"
    return config


DATABASES = {"default": database_from_env()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "earlyhelp.User"
AUTHENTICATION_BACKENDS = [
    # Axes first, so a locked-out username is refused before its password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "sign-in"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "sign-in"

# Sessions: an idle timeout (IdleTimeoutMiddleware) rather than a fixed age;
# the browser forgets the cookie when it closes.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_AGE = 12 * 60 * 60  # hard cap on one session, whatever the activity
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
IDLE_TIMEOUT_SECONDS = env_int("IDLE_TIMEOUT_SECONDS", 30 * 60)
SESSION_WARNING_SECONDS = env_int("SESSION_WARNING_SECONDS", 2 * 60)

# Lockout after repeated failed sign-ins (django-axes): a username is locked
# after AXES_FAILURE_LIMIT failures whatever the address, and so is one browser
# on one address that tries many usernames. An address alone is not locked, so
# that a council office behind one outgoing address is not locked out whole.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = ["username", ["ip_address", "user_agent"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_USERNAME_FORM_FIELD = "username"

# Two-factor sign-in (django-otp, TOTP) for these roles.
TWO_FACTOR_ROLES = ["manager", "administrator"]
OTP_TOTP_ISSUER = SERVICE_NAME

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True
DATE_FORMAT = "j F Y"

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_HOST = env("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "early-help@localhost")
# Where the service is reached, for links in emails ("https://earlyhelp.example.gov.uk").
SERVICE_URL = env("SERVICE_URL", "")
PASSWORD_RESET_TIMEOUT = 60 * 60  # one hour

# Celery: a real broker when REDIS_URL is set, otherwise tasks run eagerly in
# the calling process (the nightly job can still be run on demand).
REDIS_URL = env("REDIS_URL", "")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE: dict = {}
# The queue tasks go to and workers take from (a second deployment on the same Redis, or a test,
# uses its own).
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_QUEUE", "celery")
# One cache for every process (API throttling counts) where Redis is configured.
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
# The nightly job (DOMAIN §8): when the beat starts it (local time, HH:MM) and how many families
# each worker takes at a time.
NIGHTLY_RUN_AT = env("NIGHTLY_RUN_AT", "02:00")
try:
    _hour, _minute = (int(part) for part in NIGHTLY_RUN_AT.split(":"))
    if not (0 <= _hour < 24 and 0 <= _minute < 60):
        raise ValueError
except ValueError:
    raise ImproperlyConfigured(
        f"NIGHTLY_RUN_AT must be a time of day as HH:MM, like 02:00; got {NIGHTLY_RUN_AT!r}"
    ) from None
NIGHTLY_CHUNK_SIZE = env_int("NIGHTLY_CHUNK_SIZE", 1000)
CELERY_BEAT_SCHEDULE["nightly-results"] = {
    "task": "outcomes.tasks.nightly_schedule",
    "schedule": crontab(hour=_hour, minute=_minute),
}
CELERY_BEAT_SCHEDULE["notify-overdue-reviews"] = {
    "task": "cases.tasks.notify_overdue_reviews",
    "schedule": 60 * 60,  # hourly; the command is idempotent, so a re-run notifies nobody twice
}
CELERY_BEAT_SCHEDULE["notify-consent-chase-due"] = {
    "task": "cases.tasks.notify_consent_chase_due",
    "schedule": 60 * 60,  # hourly, like reviews: one notification per consent and chase date
}

# The caseload dashboard serves figures computed at most this many minutes ago (the page
# says when); beat recomputes each manager's default view more often than that.
DASHBOARD_FIGURES_MAX_AGE_MINUTES = env_int("DASHBOARD_FIGURES_MAX_AGE_MINUTES", 15)
# A scheduled change of lead takes effect on its day: a minute past every hour (the first run
# of the day at 00:01), idempotent, so a missed or doubled run moves nothing twice.
CELERY_BEAT_SCHEDULE["apply-scheduled-lead-changes"] = {
    "task": "cases.tasks.apply_scheduled_lead_changes",
    "schedule": crontab(minute=1),
}
CELERY_BEAT_SCHEDULE["refresh-dashboard-figures"] = {
    "task": "cases.tasks.refresh_dashboard_figures",
    "schedule": 10 * 60,
}

# The review interval, the hub's window after triage and the caseload target are the
# service's settings, which administrators change in a page (earlyhelp/policy.py, issue 18).
# How long an administrator's break-glass access to one family lasts.
BREAK_GLASS_HOURS = env_int("BREAK_GLASS_HOURS", 4)
# Assessment drafts are saved this long after the last keystroke.
AUTOSAVE_DELAY_MS = env_int("AUTOSAVE_DELAY_MS", 1500)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "partners.api.auth.ApiClientAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": [
        "partners.api.filters.FilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PARSER_CLASSES": ["partners.api.parsers.JSONParser"],
    "DEFAULT_PAGINATION_CLASS": "partners.api.pagination.Cursor",
    "PAGE_SIZE": 50,
    "DEFAULT_THROTTLE_CLASSES": ["partners.api.auth.PerClientThrottle"],
    "EXCEPTION_HANDLER": "partners.api.problems.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_VERSIONING_CLASS": "rest_framework.versioning.NamespaceVersioning",
    "ALLOWED_VERSIONS": ["v1"],
}
# OAuth 2 client credentials for partner systems (django-oauth-toolkit).
OAUTH2_PROVIDER = {
    "ACCESS_TOKEN_EXPIRE_SECONDS": env_int("API_TOKEN_SECONDS", 3600),
    # The scopes themselves are partners' (partners/scopes.py), served by its backend, so
    # these settings import no app.
    "SCOPES_BACKEND_CLASS": "partners.api.auth.ClientScopes",
    "OAUTH2_VALIDATOR_CLASS": "partners.api.auth.ClientValidator",
    # RFC 9700 (OAuth 2.0 Security BCP) throughout; only client credentials are used anyway.
    "COMPLIANT_BCP_RFC9700_IMPLICIT_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PASSWORD_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,
    "COMPLIANT_BCP_RFC9700_ACCESS_TOKEN_TRANSPORT": True,
    "COMPLIANT_BCP_RFC9700_AUTHZ_RESPONSE_ISS": True,
    "COMPLIANT_BCP_RFC9700_TOKEN_STORAGE": True,
    "COMPLIANT_BCP_RFC9700_REFRESH_TOKEN": True,
    "COMPLIANT_BCP_RFC9700_REDIRECT_URI_SCHEME": True,
    "REFRESH_TOKEN_REUSE_PROTECTION": True,
    "ALLOWED_REDIRECT_URI_SCHEMES": ["https"],
}
OAUTH2_PROVIDER_APPLICATION_MODEL = "oauth2_provider.Application"
SPECTACULAR_SETTINGS = {
    "TITLE": "Early help partner API",
    "DESCRIPTION": "For partner agencies' systems: families and persons they may see, evidence, "
    "and evaluation against the Family Outcomes Plan. Errors are RFC 9457 problem details.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    # The one PATCH (an action's status) needs its fields as PUT does: no "Patched" copy
    # with every field optional, which documented `{}` as a request the API would take.
    "COMPONENT_SPLIT_PATCH": False,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "partners.api.schema.add_problems",
    ],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}
