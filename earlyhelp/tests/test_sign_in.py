"""Sign-in, lockout, sign-out, password reset, and their bad input."""

import re
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.core import mail
from django.test import Client
from django.urls import reverse

from earlyhelp.tests.factories import UserFactory

PASSWORD = "correct horse battery"
pytestmark = pytest.mark.django_db


def error_summary(response) -> list[str]:
    """The messages of the GOV.UK error summary, as a user would read them."""
    html = response.content.decode()
    assert 'class="govuk-error-summary"' in html, "no GOV.UK error summary on the page"
    summary = html.split('class="govuk-error-summary"', 1)[1].split("</ul>", 1)[0]
    return [m.strip() for m in re.findall(r"<a href=\"#[^\"]+\">([^<]+)</a>", summary)]


def test_sign_in_page_is_public_and_in_govuk_style(client):
    response = client.get(reverse("sign-in"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "govuk-template__body" in html
    assert "govuk-skip-link" in html
    assert "Leicestershire County Council" in html
    assert "govuk-phase-banner" in html


def test_sign_in_with_right_password_lands_on_home(client):
    user = UserFactory(username="priya")
    response = client.post(reverse("sign-in"), {"username": "priya", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    home = client.get(reverse("home"))
    assert "Welcome, Test" in home.content.decode()
    assert user.sessions.count() == 1


@pytest.mark.parametrize(
    "data, expected",
    [
        ({"username": "", "password": ""}, ["Enter your username", "Enter your password"]),
        ({"username": "priya", "password": ""}, ["Enter your password"]),
        ({"username": "priya", "password": "wrong"}, ["Enter a correct username and password"]),
        ({"username": "nobody", "password": PASSWORD}, ["Enter a correct username and password"]),
    ],
)
def test_sign_in_bad_input_shows_error_summary_and_signs_nobody_in(client, data, expected):
    user = UserFactory(username="priya")
    response = client.post(reverse("sign-in"), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert error_summary(response) == expected
    assert "<title>Error: " in html
    # A missing field's message sits beside the field too (GOV.UK error message
    # pattern); a wrong username or password is one message for the whole form.
    for message in expected:
        assert html.count(message) == (1 if "correct" in message else 2)
    assert not user.sessions.exists()
    assert client.get(reverse("home")).status_code == 302


def test_deactivated_user_cannot_sign_in(client):
    UserFactory(username="leaver", is_active=False)
    response = client.post(reverse("sign-in"), {"username": "leaver", "password": PASSWORD})
    assert response.status_code == 200
    assert error_summary(response) == ["Enter a correct username and password"]


def test_lockout_after_repeated_failures_then_lifts_after_cool_off(client, settings):
    UserFactory(username="priya")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("sign-in"), {"username": "priya", "password": "wrong"})
    # Locked: even the right password is refused, with the GOV.UK lockout page.
    locked = client.post(reverse("sign-in"), {"username": "priya", "password": PASSWORD})
    assert locked.status_code == 429
    assert "Your account is locked" in locked.content.decode()
    assert client.get(reverse("home")).status_code == 302
    # The browser that failed is locked for every username it tries...
    UserFactory(username="other")
    same_browser = client.post(reverse("sign-in"), {"username": "other", "password": PASSWORD})
    assert same_browser.status_code == 429
    # ...but a colleague in the same office (same address, another browser) is not.
    colleague = Client(HTTP_USER_AGENT="Colleague's browser")
    ok = colleague.post(reverse("sign-in"), {"username": "other", "password": PASSWORD})
    assert ok.status_code == 302

    # The cool-off passes: the lock lifts.
    AccessAttempt.objects.update(
        attempt_time=AccessAttempt.objects.first().attempt_time
        - settings.AXES_COOLOFF_TIME
        - timedelta(seconds=1)
    )
    lifted = client.post(reverse("sign-in"), {"username": "priya", "password": PASSWORD})
    assert lifted.status_code == 302
    assert lifted["Location"] == reverse("home")


def test_sign_out_needs_post_and_ends_the_session(client):
    user = UserFactory(username="priya")
    client.force_login(user)
    assert client.get(reverse("sign-out")).status_code == 405
    response = client.post(reverse("sign-out"))
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 302


def test_password_reset_by_email_end_to_end(client):
    user = UserFactory(username="priya", email="priya@example.org")
    response = client.post(reverse("password_reset"), {"email": "PRIYA@example.org"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    link = re.search(r"https?://[^/]+(/password-reset/[^/]+/[^/]+/)", body).group(1)
    form_page = client.get(link, follow=True)
    assert "Choose a new password" in form_page.content.decode()
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "a much longer new secret", "new_password2": "a much longer new secret"},
    )
    assert done.status_code == 302
    user.refresh_from_db()
    assert user.check_password("a much longer new secret")


def test_password_reset_does_not_reveal_unknown_addresses(client):
    response = client.post(reverse("password_reset"), {"email": "stranger@example.org"})
    assert response.status_code == 302
    assert response["Location"] == reverse("password_reset_done")
    assert mail.outbox == []


@pytest.mark.parametrize(
    "email, expected",
    [
        ("", ["Enter your email address"]),
        (
            "not-an-email",
            ["Enter an email address in the correct format, like name@example.gov.uk"],
        ),
    ],
)
def test_password_reset_request_bad_input(client, email, expected):
    response = client.post(reverse("password_reset"), {"email": email})
    assert response.status_code == 200
    assert error_summary(response) == expected
    assert mail.outbox == []


@pytest.mark.parametrize(
    "first, second, expected",
    [
        ("", "", ["Enter a new password", "Confirm your new password"]),
        ("a much longer new secret", "something else entirely", ["The passwords do not match"]),
        ("short", "short", ["This password is too short. It must contain at least 12 characters."]),
        ("482915736204851", "482915736204851", ["This password is entirely numeric."]),
    ],
)
def test_new_password_bad_input_keeps_the_old_password(client, first, second, expected):
    user = UserFactory(username="priya", email="priya@example.org")
    client.post(reverse("password_reset"), {"email": "priya@example.org"})
    link = re.search(r"(/password-reset/[^/]+/[^/]+/)", mail.outbox[0].body).group(1)
    form_url = client.get(link, follow=True).redirect_chain[-1][0]
    response = client.post(form_url, {"new_password1": first, "new_password2": second})
    assert response.status_code == 200
    assert error_summary(response) == expected
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
