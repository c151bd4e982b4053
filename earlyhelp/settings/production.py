"""Deployed service. Refuses to start without a real secret key and host names."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import SECRET_KEY, env_bool, env_int

WEAK_KEY_MARKERS = ("insecure", "not-a-secret", "change-me", "changeme", "secret-key")
if (
    len(SECRET_KEY) < 50
    or len(set(SECRET_KEY)) < 5
    or any(marker in SECRET_KEY.lower() for marker in WEAK_KEY_MARKERS)
):
    raise ImproperlyConfigured(
        "SECRET_KEY must be set to a random value of at least 50 characters in production "
        "(for example: python -c 'import secrets; print(secrets.token_urlsafe(50))')."
    )

DEBUG = False
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
X_FRAME_OPTIONS = "DENY"
# The health check answers plain HTTP from the load balancer and the container.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
