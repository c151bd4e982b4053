"""Fixtures shared by every test: one fixed user per role (CONVENTIONS.md, Tests)."""

from unittest import mock

import pgtrigger
import pytest
from django.core.management.commands import flush
from django_otp.plugins.otp_totp.models import TOTPDevice

from earlyhelp.models import RefuseTruncate, Role
from earlyhelp.tests.factories import UserFactory

ROLES = [role.value for role in Role]


@pytest.fixture(autouse=True, scope="session")
def flush_passes_the_truncate_guards():
    """A transactional test ends with Django's `flush`, one TRUNCATE of every table, which the
    append-only tables refuse (`RefuseTruncate`). Between tests, and only there, they let it by."""
    guards = [
        f"{model._meta.label}:{trigger.name}"
        for model, trigger in pgtrigger.registered()
        if isinstance(trigger, RefuseTruncate)
    ]
    handle = flush.Command.handle

    def handle_past_guards(self, *args, **options):
        with pgtrigger.ignore(*guards):
            return handle(self, *args, **options)

    with mock.patch.object(flush.Command, "handle", handle_past_guards):
        yield


@pytest.fixture(autouse=True, scope="session")
def form_posts_type_dates_into_the_boxes():
    """Every date on a page is the GOV.UK date input: a test's form post of
    `{"held_on": "2026-02-30"}` reaches the page as the day, month and year boxes a person fills
    in (`tests.dates.typed`); JSON and other bodies are left as they are."""
    from django.test import Client

    from tests.dates import typed

    post = Client.post

    def post_typed(self, path, data=None, content_type=None, **extra):
        if isinstance(data, dict) and content_type is None:
            data = typed(data)
        if content_type is None:
            return post(self, path, data, **extra)
        return post(self, path, data, content_type=content_type, **extra)

    with mock.patch.object(Client, "post", post_typed):
        yield


def sign_in(client, user):
    """Sign `user` in, including the second factor where the role needs one."""
    client.force_login(user)
    if user.needs_two_factor:
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        if device is None:
            device = TOTPDevice.objects.create(user=user, name="Test device", confirmed=True)
        session = client.session
        session["otp_device_id"] = device.persistent_id
        session.save()
    return client


@pytest.fixture
def users(db):
    """One user per role, keyed by role value, e.g. users["manager"]."""
    return {role: UserFactory(username=role, role=role) for role in ROLES}


@pytest.fixture
def client_for(client, users):
    """A test client signed in as the user of the given role."""

    def make(role):
        from django.test import Client

        return sign_in(Client(), users[role])

    return make


@pytest.fixture
def set_policy(db):
    """Set the service's settings for a test, as an administrator would in the page
    (earlyhelp.policy), e.g. `set_policy(caseload_target=12)`; returns them as read."""
    from earlyhelp import policy
    from earlyhelp.models import ServicePolicy

    def apply(**values):
        ServicePolicy.objects.update_or_create(pk=ServicePolicy.ONE, defaults=values)
        policy.forget()
        return policy.current()

    return apply
