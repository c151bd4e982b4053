"""Signing in again in place (JSON), so that a page keeping unsent work can save it."""

import time

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from earlyhelp.middleware import LAST_ACTIVITY
from earlyhelp.tests.factories import UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery"


def expired_client(username, settings):
    client = Client(enforce_csrf_checks=True)
    client.get(reverse("sign-in"))
    token = client.cookies["csrftoken"].value
    client.post(
        reverse("sign-in"),
        {"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token},
    )
    session = client.session
    session[LAST_ACTIVITY] = time.time() - settings.IDLE_TIMEOUT_SECONDS - 5
    session.save()
    return client


def sign_in_again(client, **data):
    return client.post(
        reverse("session-sign-in"),
        data,
        HTTP_ACCEPT="application/json",
        HTTP_X_CSRFTOKEN=client.cookies["csrftoken"].value,
    )


def test_signing_in_again_answers_json_with_a_new_csrf_token(settings):
    UserFactory(username="priya")
    client = expired_client("priya", settings)
    old_token = client.cookies["csrftoken"].value
    # The session has run out but nothing has asked yet: signing in again still works.
    response = sign_in_again(client, username="priya", password=PASSWORD)
    assert response.status_code == 200
    body = response.json()
    assert body["signed_in"] and body["seconds_remaining"] == settings.IDLE_TIMEOUT_SECONDS
    assert body["csrf_token"] and client.cookies["csrftoken"].value != old_token
    assert client.get(reverse("home")).status_code == 200


@pytest.mark.parametrize(
    "data, message",
    [
        ({"username": "priya", "password": "wrong"}, "Enter a correct username and password"),
        ({"username": "priya"}, "Enter your password"),
    ],
)
def test_a_wrong_password_does_not_sign_in(settings, data, message):
    UserFactory(username="priya")
    client = expired_client("priya", settings)
    assert client.get(reverse("session-status"), HTTP_ACCEPT="application/json").status_code == 401
    response = sign_in_again(client, **data)
    assert response.status_code == 400 and message in response.json()["errors"]
    assert client.get(reverse("home")).status_code == 302


def test_managers_give_their_security_code_too(settings):
    user = UserFactory(username="maria", role="manager")
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    client = Client(enforce_csrf_checks=True)
    client.get(reverse("sign-in"))
    missing = sign_in_again(client, username="maria", password=PASSWORD)
    assert (
        missing.status_code == 400 and "Enter the 6-digit security code" in missing.json()["errors"]
    )
    code = f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=6):06d}"
    ok = sign_in_again(client, username="maria", password=PASSWORD, code=code)
    assert ok.status_code == 200
    assert client.get(reverse("home")).status_code == 200  # verified: no two-factor page


def test_it_is_post_only():
    assert Client().get(reverse("session-sign-in")).status_code == 405
