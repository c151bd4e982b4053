"""Role checks for pages that are not about a family (those go through the access gate)."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied


def role_required(*roles: str):
    """Signed-in users with one of `roles`; anyone else signed in gets 403."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapper(request, *args, **kwargs):
            if request.user.role not in roles:
                raise PermissionDenied("This page is not part of your role.")
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
