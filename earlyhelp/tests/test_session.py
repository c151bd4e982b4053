"""The idle timeout, the timeout dialog's endpoints, and ending a leaver's sessions."""

import time

import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from earlyhelp import services
from earlyhelp.middleware import LAST_ACTIVITY
from earlyhelp.models import UserSession
from earlyhelp.tests.factories import UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery"


def idle_for(client, seconds):
    session = client.session
    session[LAST_ACTIVITY] = time.time() - seconds
    session.save()


@pytest.fixture
def signed_in(client):
    UserFactory(username="priya")
    client.post(reverse("sign-in"), {"username": "priya", "password": PASSWORD})
    client.get(reverse("home"))
    return client


def test_activity_within_the_timeout_keeps_the_user_signed_in(signed_in, settings):
    idle_for(signed_in, settings.IDLE_TIMEOUT_SECONDS - 5)
    assert signed_in.get(reverse("home")).status_code == 200
    assert signed_in.session[LAST_ACTIVITY] > time.time() - 2


def session_writes(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return sum(
        q["sql"].startswith(("UPDATE", "INSERT")) and '"django_session"' in q["sql"]
        for q in queries.captured_queries
    )


def test_activity_is_recorded_to_the_minute_so_most_pages_write_no_session(signed_in):
    idle_for(signed_in, 10)
    assert session_writes(signed_in, reverse("account")) == 0
    assert time.time() - signed_in.session[LAST_ACTIVITY] >= 10
    idle_for(signed_in, 61)
    assert session_writes(signed_in, reverse("account")) == 1
    assert time.time() - signed_in.session[LAST_ACTIVITY] < 2


def test_idle_past_the_timeout_signs_out_and_says_why(signed_in, settings):
    idle_for(signed_in, settings.IDLE_TIMEOUT_SECONDS + 1)
    response = signed_in.get(reverse("account"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("sign-in") + "?reason=timeout")
    page = signed_in.get(response["Location"])
    assert "You were signed out because you were inactive" in page.content.decode()
    assert signed_in.get(reverse("home")).status_code == 302


def test_status_poll_does_not_extend_the_session(signed_in, settings):
    idle_for(signed_in, 100)
    response = signed_in.get(reverse("session-status"), HTTP_ACCEPT="application/json")
    remaining = response.json()["seconds_remaining"]
    assert settings.IDLE_TIMEOUT_SECONDS - 102 <= remaining <= settings.IDLE_TIMEOUT_SECONDS - 99
    # Still ~100 s idle after the poll: the poll was not activity.
    assert time.time() - signed_in.session[LAST_ACTIVITY] >= 99


def test_status_after_timeout_answers_401_json(signed_in, settings):
    idle_for(signed_in, settings.IDLE_TIMEOUT_SECONDS + 1)
    response = signed_in.get(reverse("session-status"), HTTP_ACCEPT="application/json")
    assert response.status_code == 401
    assert response.json() == {"seconds_remaining": 0, "signed_in": False}


def test_stay_signed_in_restarts_the_full_timeout(signed_in, settings):
    idle_for(signed_in, settings.IDLE_TIMEOUT_SECONDS - 30)
    response = signed_in.post(reverse("session-extend"))
    assert response.json()["seconds_remaining"] == settings.IDLE_TIMEOUT_SECONDS
    assert time.time() - signed_in.session[LAST_ACTIVITY] < 2
    assert signed_in.get(reverse("session-extend")).status_code == 405


def test_signed_out_page_ends_the_session(signed_in):
    page = signed_in.get(reverse("signed-out") + "?reason=timeout")
    assert "we signed you out because you had not done anything" in page.content.decode()
    assert signed_in.get(reverse("home")).status_code == 302


def test_pages_carry_the_timeout_settings_for_the_dialog(signed_in, settings):
    html = signed_in.get(reverse("home")).content.decode()
    assert f'data-timeout-seconds="{settings.IDLE_TIMEOUT_SECONDS}"' in html
    assert f'data-warning-seconds="{settings.SESSION_WARNING_SECONDS}"' in html


def test_deactivating_a_leaver_ends_every_session_they_hold(client, django_user_model):
    from django.test import Client

    leaver = UserFactory(username="leaver")
    UserFactory(username="colleague")
    browsers = [Client(), Client()]
    for browser in browsers:
        browser.post(reverse("sign-in"), {"username": "leaver", "password": PASSWORD})
        assert browser.get(reverse("home")).status_code == 200
    other = Client()
    other.post(reverse("sign-in"), {"username": "colleague", "password": PASSWORD})
    assert UserSession.objects.filter(user=leaver).count() == 2

    ended = services.user_deactivate(leaver)

    assert ended == 2
    for browser in browsers:
        assert browser.get(reverse("home")).status_code == 302
    assert not UserSession.objects.filter(user=leaver).exists()
    assert other.get(reverse("home")).status_code == 200
    assert Session.objects.count() == 1
    leaver.refresh_from_db()
    assert not leaver.is_active and leaver.deactivated_at is not None


def test_admin_deactivating_in_the_admin_ends_sessions(client_for, users):
    from django.test import Client

    browser = Client()
    browser.post(reverse("sign-in"), {"username": "practitioner", "password": PASSWORD})
    assert browser.get(reverse("home")).status_code == 200
    admin = client_for("administrator")
    response = admin.post(
        reverse("admin:earlyhelp_user_changelist"),
        {"action": "deactivate_users", "_selected_action": [users["practitioner"].pk]},
    )
    assert response.status_code == 302
    assert browser.get(reverse("home")).status_code == 302
    users["practitioner"].refresh_from_db()
    assert not users["practitioner"].is_active
