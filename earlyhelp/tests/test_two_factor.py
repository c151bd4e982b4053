"""Two-factor sign-in for managers and administrators (django-otp, TOTP)."""

import pytest
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from earlyhelp.tests.factories import UserFactory
from earlyhelp.tests.test_sign_in import error_summary

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery"


def code_for(device, offset=0):
    return f"{totp(device.bin_key, step=device.step, t0=device.t0 - offset, digits=6):06d}"


def sign_in(client, username):
    return client.post(reverse("sign-in"), {"username": username, "password": PASSWORD})


@pytest.mark.parametrize("role", ["manager", "administrator"])
def test_first_sign_in_sets_up_an_authenticator(client, role):
    user = UserFactory(username="m", role=role)
    sign_in(client, "m")
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("two-factor-setup"))
    page = client.get(response["Location"])
    assert "<svg" in page.content.decode()
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    done = client.post(reverse("two-factor-setup"), {"code": code_for(device), "next": "/"})
    assert done.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    assert client.get(reverse("home")).status_code == 200


def test_manager_with_a_device_must_enter_a_code_for_every_page(client):
    user = UserFactory(username="m", role="manager")
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    sign_in(client, "m")
    for url in [reverse("home"), reverse("account"), "/admin/"]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("two-factor-verify"))
    ok = client.post(reverse("two-factor-verify"), {"code": code_for(device), "next": "/account/"})
    assert ok["Location"] == "/account/"
    assert client.get(reverse("account")).status_code == 200


def test_practitioner_needs_no_second_factor(client):
    UserFactory(username="p", role="practitioner")
    sign_in(client, "p")
    assert client.get(reverse("home")).status_code == 200


@pytest.mark.parametrize(
    "code, expected",
    [
        ("", ["Enter the 6-digit security code"]),
        ("12ab56", ["The security code must be 6 digits"]),
        ("1234567", ["The security code must be 6 digits"]),
        ("WRONG", ["The security code must be 6 digits"]),
    ],
)
@pytest.mark.parametrize("page", ["two-factor-verify", "two-factor-setup"])
def test_bad_codes_show_the_error_summary_and_do_not_verify(client, code, expected, page):
    user = UserFactory(username="m", role="manager")
    if page == "two-factor-verify":
        TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    sign_in(client, "m")
    client.get(reverse(page))
    response = client.post(reverse(page), {"code": code})
    assert response.status_code == 400
    assert error_summary(response) == expected
    assert client.get(reverse("home")).status_code == 302
    assert TOTPDevice.objects.filter(user=user, confirmed=True).count() == (
        1 if page == "two-factor-verify" else 0
    )


def test_an_old_code_is_refused(client):
    user = UserFactory(username="m", role="manager")
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    sign_in(client, "m")
    stale = code_for(device, offset=10 * device.step)
    response = client.post(reverse("two-factor-verify"), {"code": stale})
    assert error_summary(response) == ["The security code is not correct or has expired"]
    assert client.get(reverse("home")).status_code == 302


def test_next_must_stay_on_this_site(client):
    user = UserFactory(username="m", role="manager")
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    sign_in(client, "m")
    response = client.post(
        reverse("two-factor-verify"), {"code": code_for(device), "next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("home")


def test_a_right_code_straight_after_a_wrong_one_is_asked_to_wait(client):
    user = UserFactory(username="m", role="manager")
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    sign_in(client, "m")
    client.post(reverse("two-factor-verify"), {"code": "000000"})
    response = client.post(reverse("two-factor-verify"), {"code": code_for(device)})
    assert error_summary(response) == [
        "A wrong code was entered just now: wait a few seconds, then enter the new code"
    ]
    assert client.get(reverse("home")).status_code == 302
