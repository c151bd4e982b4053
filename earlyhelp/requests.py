"""Small helpers about the incoming request."""

from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    # Behind the deployer's proxy REMOTE_ADDR is the proxy; the proxy is trusted
    # to set X-Forwarded-For (first address = the client).
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if forwarded:
        return forwarded.split(",")[0].strip() or None
    return request.META.get("REMOTE_ADDR") or None
