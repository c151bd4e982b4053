"""Writes for people and organisations, named `<entity>_<verb>` (CONVENTIONS.md)."""

import pghistory
from django.contrib.sessions.models import Session
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from . import models, policy
from .models import Organisation, Role, ServicePolicy, User, UserSession


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


# What each service setting must be, and what to say when it is not (GOV.UK: the range, in
# words for that setting).
POLICY_BOUNDS = {
    "review_interval_weeks": (
        models.REVIEW_INTERVAL_WEEKS,
        "Enter a review interval between {least} and {most} weeks",
    ),
    "hub_recent_triage_days": (
        models.HUB_RECENT_TRIAGE_DAYS,
        "Enter a number of days between {least} and {most} for the hub to see a family "
        "after triage",
    ),
    "caseload_target": (
        models.CASELOAD_TARGET,
        "Enter a caseload target between {least} and {most} families",
    ),
}


@transaction.atomic
def service_policy_update(*, by: User, **values: int) -> list[str]:
    """Change the service's settings (`policy.FIELDS`, each optional) as administrator `by`.
    Kept with who changed what and when (pghistory, `by` in its context); every process
    reads the new values from its next request. Returns the names of the settings changed:
    none when nothing differs, and then no history is written."""
    if not getattr(by, "is_administrator", False):
        raise PermissionDenied("Only administrators change the service's settings.")
    unknown = set(values) - set(policy.FIELDS)
    if unknown:
        raise TypeError(f"No such service setting: {', '.join(sorted(unknown))}")
    errors = {}
    for name, value in values.items():
        (least, most), message = POLICY_BOUNDS[name]
        if isinstance(value, bool) or not isinstance(value, int) or not least <= value <= most:
            errors[name] = message.format(least=least, most=most)
    if errors:
        raise ValidationError(errors)
    with pghistory.context(user=by.pk):
        row, _ = ServicePolicy.objects.select_for_update().get_or_create(pk=ServicePolicy.ONE)
        changed = [name for name, value in values.items() if getattr(row, name) != value]
        for name in changed:
            setattr(row, name, values[name])
        if changed:
            row.save(update_fields=changed)
    policy.forget()
    return changed
