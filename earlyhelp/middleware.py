"""Rules that apply to every page: the idle timeout, two-factor sign-in, and the security
headers of every answer."""

import secrets
import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import logout
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from pghistory.middleware import HistoryMiddleware

from . import access, audit

LAST_ACTIVITY = "earlyhelp_last_activity"
# Activity is recorded to the minute: a page read within a minute of the last recorded
# activity leaves the session as it is, so most requests write nothing to the session table
# (every request used to). The idle timeout runs from the recorded activity, so it can come
# up to this much sooner than from the very last request, and pages say so consistently: the
# dialog counts down from the same recorded moment.
ACTIVITY_RESOLUTION_SECONDS = 60


def keeps_session_idle(view):
    """Mark a view whose requests are not the user's activity (status polls, autosave).

    They are answered, but do not push back the idle timeout.
    """
    view.keeps_session_idle = True
    return view


def signs_in(view):
    """Mark a view that signs a person in (again): an expired session ends, and the view runs."""
    view.signs_in = True
    return view


def allowed_before_two_factor(view):
    """Mark a view a signed-in user may reach before completing two-factor sign-in."""
    view.allowed_before_two_factor = True
    return view


def _wrapped(view_func):
    # Class-based views are wrapped by as_view(); their marks live on view_class.
    return getattr(view_func, "view_class", view_func)


def seconds_idle(request) -> float | None:
    last = request.session.get(LAST_ACTIVITY)
    return None if last is None else time.time() - last


def seconds_remaining(request) -> int:
    idle = seconds_idle(request) or 0
    return max(0, int(settings.IDLE_TIMEOUT_SECONDS - idle))


class IdleTimeoutMiddleware:
    """Sign a user out after IDLE_TIMEOUT_SECONDS without activity."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not request.user.is_authenticated:
            return None
        idle = seconds_idle(request)
        if idle is not None and idle > settings.IDLE_TIMEOUT_SECONDS:
            logout(request)
            if getattr(view_func, "signs_in", False):
                return None
            if request.headers.get("Accept", "").startswith("application/json"):
                return JsonResponse({"seconds_remaining": 0, "signed_in": False}, status=401)
            query = urlencode({"reason": "timeout", "next": request.get_full_path()})
            return redirect(f"{reverse('sign-in')}?{query}")
        marked = getattr(view_func, "keeps_session_idle", False) or getattr(
            _wrapped(view_func), "keeps_session_idle", False
        )
        if idle is None or not marked and idle >= ACTIVITY_RESOLUTION_SECONDS:
            record_activity(request)
        return None


def record_activity(request) -> None:
    """The user acted now: the idle timeout starts again."""
    request.session[LAST_ACTIVITY] = time.time()


class TwoFactorRequiredMiddleware:
    """Managers and administrators finish two-factor sign-in before any other page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        if not user.is_authenticated or not user.needs_two_factor or user.is_verified():
            return None
        if getattr(view_func, "allowed_before_two_factor", False) or getattr(
            _wrapped(view_func), "allowed_before_two_factor", False
        ):
            return None
        if request.path.startswith(settings.STATIC_URL):
            return None
        from django_otp import user_has_device

        target = "two-factor-verify" if user_has_device(user) else "two-factor-setup"
        return redirect(f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}")


class GateRequestMiddleware:
    """The access gate keeps the shape of its questions about a user while one request is
    answered (`earlyhelp.access.kept`), and forgets it after."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with access.kept_for_one_request():
            return self.get_response(request)


class HistoryContextMiddleware(HistoryMiddleware):
    """Tie each request's audit entries and field-history events to who made it and from where.

    The access gate reads `audit.current_origin()`; pghistory stores the same
    facts beside every field change made during the request.
    """

    def get_context(self, request):
        return {**super().get_context(request), **audit.origin_of(request).as_context()}

    def __call__(self, request):
        token = audit.set_origin(audit.origin_of(request))
        try:
            return super().__call__(request)
        finally:
            audit.reset_origin(token)


# Scripts and styles come only from this site's static files, or carry the answer's nonce (the
# GOV.UK template's one inline line, the API docs page): an injected <script>, style or event
# handler does not run. Nothing frames the service, and forms post only to it.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self' 'nonce-{nonce}'",
        "style-src 'self' 'nonce-{nonce}'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
# Features a case management service never uses, turned off for it and anything it embeds.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "camera",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "payment",
        "usb",
    )
)


class SecurityHeadersMiddleware:
    """Content-Security-Policy (with a fresh nonce for each answer, as `request.csp_nonce`),
    Permissions-Policy, and `Cache-Control: no-store` on every answer but static files.

    Pages, PDFs and API answers hold family data: neither the browser's cache, its back
    button after signing out, nor a proxy on the way may keep a copy. Static files are the
    same for everyone and keep their long cache.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.csp_nonce = secrets.token_urlsafe(16)
        response = self.get_response(request)
        if request.path.startswith(settings.STATIC_URL):
            return response
        response.headers.setdefault(
            "Content-Security-Policy", CONTENT_SECURITY_POLICY.format(nonce=request.csp_nonce)
        )
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        add_never_cache_headers(response)
        return response
