"""`make test`: the same PostgreSQL engine as production, fast password hashing."""

from .base import *  # noqa: F403
from .base import env

SECRET_KEY = "test-only-not-a-secret-0123456789abcdefghijklmnopqrstuvwxyz"
DEBUG = False
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Tasks run in-process unless a test opts into the real broker.
REDIS_URL = ""
CELERY_BROKER_URL = "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = True
# The reachable Redis that `make test` found (tests that need it skip without it).
TEST_REDIS_URL = env("TEST_REDIS_URL", "")
# Serve static files straight from the app folders; no collectstatic needed.
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# A form whose question has no message written for leaving it unanswered fails its tests
# (earlyhelp.manage_forms.GovukMessagesMixin), rather than saying "Enter why does…?".
GOVUK_STRICT_MESSAGES = True
