"""Fixtures shared by every test: one fixed user per role (CONVENTIONS.md, Tests)."""

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from earlyhelp.models import Role
from earlyhelp.tests.factories import UserFactory

ROLES = [role.value for role in Role]


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
