"""The configuration pages (Django admin), for administrators only.

Administrators manage organisations, teams, localities, users and API clients
here. Families and persons are never registered: they are reached only through
the access gate.
"""

from functools import wraps

from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied

from .access import Action, role_may


class EarlyHelpAdminSite(admin.AdminSite):
    site_header = "Early help: configuration"
    site_title = "Early help configuration"
    index_title = "Users, organisations and settings"

    def has_permission(self, request):
        user = request.user
        return (
            user.is_active
            and user.is_authenticated
            and role_may(user, Action.CONFIGURE)
            and user.is_verified()
        )

    def admin_view(self, view, cacheable=False):
        inner = super().admin_view(view, cacheable)

        @wraps(view)
        def gate(request, *args, **kwargs):
            # Signed-in people of other roles are refused outright rather than
            # bounced to a second sign-in page; anonymous people sign in first.
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not role_may(request.user, Action.CONFIGURE):
                raise PermissionDenied("The configuration pages are for administrators.")
            return inner(request, *args, **kwargs)

        return gate

    def login(self, request, extra_context=None):
        return redirect_to_login(request.GET.get("next") or "/admin/")
