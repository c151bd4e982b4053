from django.conf import settings
from django.urls import reverse

from .access import role_actions
from .middleware import seconds_remaining
from .navigation import nav_for


def service(request):
    context = {
        "council_name": settings.COUNCIL_NAME,
        "service_name": settings.SERVICE_NAME,
        "phase": settings.PHASE,
        "nav_items": nav_for(request.user, request.path) if hasattr(request, "user") else [],
    }
    if getattr(request, "user", None) is not None and request.user.is_authenticated:
        # What the reader's role may do on pages about no one family, from the access table:
        # templates ask `"configure" in role_can`, never the role's name.
        context["role_can"] = role_actions(request.user.role)
        context["session_timeout"] = {
            "timeout_seconds": settings.IDLE_TIMEOUT_SECONDS,
            "remaining_seconds": seconds_remaining(request),
            "warning_seconds": settings.SESSION_WARNING_SECONDS,
            "status_url": reverse("session-status"),
            "extend_url": reverse("session-extend"),
            "signout_url": reverse("signed-out") + "?reason=timeout",
        }
    return context
