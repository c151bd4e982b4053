"""Django's own sign-in hook: every way of signing in (our page, the admin) passes here."""

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from .middleware import record_activity
from .requests import client_ip
from .services import user_session_record


@receiver(user_logged_in, dispatch_uid="earlyhelp.record_session")
def record_session(sender, request, user, **kwargs):
    if request is not None and request.session.session_key:
        user_session_record(
            user=user, session_key=request.session.session_key, ip_address=client_ip(request)
        )


@receiver(user_logged_in, dispatch_uid="earlyhelp.signing_in_is_activity")
def signing_in_is_activity(sender, request, user, **kwargs):
    # Saved with the sign-in, so the first page after it has nothing to write to the session.
    if request is not None and hasattr(request, "session"):
        record_activity(request)
