"""Writes for people and organisations, named `<entity>_<verb>` (CONVENTIONS.md)."""

from django.contrib.sessions.models import Session
from django.db import transaction
from django.utils import timezone

from .models import Organisation, Role, User, UserSession


def user_access_flags(role: str) -> dict[str, bool]:
    """Administrators reach the configuration pages (Django admin); nobody else does."""
    is_admin = role == Role.ADMINISTRATOR
    return {"is_staff": is_admin, "is_superuser": is_admin}


def user_create(
    *, username: str, email: str, role: str, password: str | None = None, **fields
) -> User:
    user = User(username=username, email=email, role=role, **fields, **user_access_flags(role))
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    return user


def user_sync_role(user: User) -> None:
    """Keep the admin flags in step with the role after any edit."""
    for flag, value in user_access_flags(user.role).items():
        setattr(user, flag, value)


@transaction.atomic
def user_deactivate(user: User) -> int:
    """A leaver: no more sign-ins, and every session they hold ends now.

    Returns how many sessions were ended.
    """
    user.is_active = False
    user.deactivated_at = timezone.now()
    user.save(update_fields=["is_active", "deactivated_at"])
    return user_sessions_end(user)


def user_sessions_end(user: User) -> int:
    keys = list(UserSession.objects.filter(user=user).values_list("session_key", flat=True))
    ended, _ = Session.objects.filter(session_key__in=keys).delete()
    UserSession.objects.filter(user=user).delete()
    return ended


def user_reactivate(user: User) -> None:
    user.is_active = True
    user.deactivated_at = None
    user.save(update_fields=["is_active", "deactivated_at"])


def user_session_record(*, user: User, session_key: str, ip_address: str | None) -> None:
    UserSession.objects.update_or_create(
        session_key=session_key, defaults={"user": user, "ip_address": ip_address}
    )


def organisation_create(*, name: str, kind: str, tier: int | None = None) -> Organisation:
    org = Organisation(name=name, kind=kind, tier=tier or Organisation.default_tier(kind))
    org.full_clean()
    org.save()
    return org
