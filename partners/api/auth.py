"""Who is calling: a partner system with an OAuth 2 token, or a signed-in person's browser.

A token belongs to an `ApiClient`. The client acts through its own system user
(a practitioner of its agency, whom no person signs in as), so the access gate
decides for it exactly as for a practitioner of that agency; its scopes limit
which resources and actions it may use at all. Every audit entry made while
it calls names the client.
"""

from dataclasses import replace

from oauth2_provider.contrib.rest_framework import OAuth2Authentication
from oauth2_provider.oauth2_validators import OAuth2Validator
from oauth2_provider.scopes import BaseScopes
from rest_framework.permissions import BasePermission
from rest_framework.throttling import SimpleRateThrottle

from earlyhelp import audit
from partners.scopes import SCOPES


class ClientScopes(BaseScopes):
    """A token may carry only the scopes its client was given, and none once revoked."""

    def get_all_scopes(self):
        return dict(SCOPES)

    def get_available_scopes(self, application=None, request=None, *args, **kwargs):
        client = getattr(application, "api_client", None)
        if client is None or not client.is_active:
            return []
        return [scope for scope in client.scopes if scope in SCOPES]

    def get_default_scopes(self, application=None, request=None, *args, **kwargs):
        return self.get_available_scopes(application, request)


class ApiClientAuthentication(OAuth2Authentication):
    www_authenticate_realm = "early help partner API"

    def authenticate(self, request):
        found = super().authenticate(request)
        if found is None:
            return None
        user, token = found
        client = getattr(token.application, "api_client", None)
        if client is None or not client.is_active or client.user_id is None:
            return None
        request.api_client = client
        request._request.api_client_id = client.pk
        audit.set_origin(replace(audit.current_origin(), api_client_id=client.pk))
        return client.user, token


class HasScope(BasePermission):
    """A view's `scopes` maps each HTTP method to the scope a token needs for it (HEAD needs
    GET's).

    Signed-in people (the browser's own calls) are not limited by scopes: the gate
    alone decides for them.
    """

    message = "Your client does not hold the scope this needs"

    def has_permission(self, request, view):
        client = getattr(request, "api_client", None)
        if client is None:
            return True
        method = "GET" if request.method == "HEAD" else request.method  # HEAD is GET's headers
        if method == "OPTIONS" or not hasattr(view, method.lower()):
            return True  # OPTIONS describes the view; a method it lacks is answered 405
        needed = view.scopes.get(method) or view.scopes.get("*")
        if needed is None:
            return False
        token = request.auth
        return token.allow_scopes([needed]) and needed in client.scopes


class PerClientThrottle(SimpleRateThrottle):
    """Each partner system at its own rate per minute; signed-in people at a generous one."""

    scope = "api"
    people_rate = "600/min"

    def get_rate(self):
        return self.people_rate

    def allow_request(self, request, view):
        client = getattr(request, "api_client", None)
        rate = f"{client.requests_per_minute}/min" if client else self.people_rate
        self.num_requests, self.duration = self.parse_rate(rate)
        return super().allow_request(request, view)

    def get_cache_key(self, request, view):
        client = getattr(request, "api_client", None)
        if client is not None:
            return f"throttle_api_client_{client.pk}"
        if request.user and request.user.is_authenticated:
            return f"throttle_api_user_{request.user.pk}"
        return self.cache_format % {"scope": "anon", "ident": self.get_ident(request)}


class ClientValidator(OAuth2Validator):
    """A revoked (inactive) client cannot even authenticate to ask for a token."""

    def authenticate_client(self, request, *args, **kwargs):
        if not super().authenticate_client(request, *args, **kwargs):
            return False
        client = getattr(request.client, "api_client", None)
        return client is not None and client.is_active
