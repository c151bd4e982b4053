"""A person signs in, moves around and is signed out for inactivity, in a real browser.

axe checks every page the journeys visit.
"""

import re

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from earlyhelp.tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "correct horse battery"


def sign_in(page, base, username, check_a11y=None):
    page.goto(f"{base}/sign-in/")
    if check_a11y:
        check_a11y(page, "sign-in")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_sign_in_and_visit_pages_with_axe(page, live_server, check_a11y):
    UserFactory(username="priya", first_name="Priya")
    base = live_server.url

    # Wrong password: the GOV.UK error summary, focused, and axe-clean.
    page.goto(f"{base}/sign-in/")
    check_a11y(page, "sign-in")
    page.get_by_role("button", name="Sign in").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Enter your username")
    expect(summary).to_be_focused()
    check_a11y(page, "sign-in with errors")

    sign_in(page, base, "priya")
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Priya")
    expect(page.locator(".govuk-skip-link")).to_have_attribute("href", "#main-content")
    check_a11y(page, "home")

    page.get_by_role("link", name="Your account").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your account")
    check_a11y(page, "account")

    page.goto(f"{base}/admin/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "You do not have permission to do this"
    )
    check_a11y(page, "403")

    page.goto(f"{base}/no-such-page/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    check_a11y(page, "404")

    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/sign-in/$"))

    page.goto(f"{base}/password-reset/")
    check_a11y(page, "password reset")
    page.get_by_role("button", name="Send the link").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter your email address")
    check_a11y(page, "password reset with errors")


def test_manager_signs_in_with_a_second_factor(page, live_server, check_a11y):
    user = UserFactory(username="maria", first_name="Maria", role="manager")
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    sign_in(page, live_server.url, "maria")
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter your security code")
    check_a11y(page, "two-factor")
    page.get_by_label("Security code").fill("000000")
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    check_a11y(page, "two-factor with errors")
    page.wait_for_timeout(1500)  # django-otp's pause after a wrong code
    code = f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=6):06d}"
    page.get_by_label("Security code").fill(code)
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Maria")


def test_timeout_dialog_warns_extends_and_signs_out(page, live_server, settings, check_a11y):
    settings.IDLE_TIMEOUT_SECONDS = 8
    settings.SESSION_WARNING_SECONDS = 5
    UserFactory(username="priya", first_name="Priya")
    sign_in(page, live_server.url, "priya")
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Priya")

    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible(timeout=10_000)
    expect(dialog).to_contain_text("You’re about to be signed out")
    stay = dialog.get_by_role("button", name="Stay signed in")
    expect(stay).to_be_focused()
    check_a11y(page, "timeout dialog")

    # Keyboard: Enter on the focused button keeps the user signed in.
    page.keyboard.press("Enter")
    expect(dialog).to_be_hidden()

    # Escape also keeps the user signed in (the GOV.UK pattern).
    expect(dialog).to_be_visible(timeout=10_000)
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()

    # This time nobody answers: the browser is signed out when time runs out.
    expect(dialog).to_be_visible(timeout=10_000)
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "You have been signed out", timeout=15_000
    )
    check_a11y(page, "signed out")
    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(re.compile(r"/sign-in/"))


def test_administrator_manages_users_and_teams(page, live_server, check_a11y):
    from earlyhelp.tests.factories import OrganisationFactory, TeamFactory

    user = UserFactory(username="adam", first_name="Adam", role="administrator")
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    TeamFactory(
        name="Charnwood family support",
        organisation=OrganisationFactory(name="Leicestershire County Council"),
    )
    base = live_server.url
    sign_in(page, base, "adam")
    code = f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=6):06d}"
    page.get_by_label("Security code").fill(code)
    page.get_by_role("button", name="Continue").click()

    page.get_by_role("link", name="Users and organisations").first.click()
    check_a11y(page, "manage")
    page.get_by_role("link", name="Users", exact=True).click()
    check_a11y(page, "users")
    page.get_by_role("button", name="Add a user").click()
    check_a11y(page, "add user")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select role")
    check_a11y(page, "add user with errors")

    page.get_by_label("Username").fill("nia")
    page.get_by_label("First name").fill("Nia")
    page.get_by_label("Last name").fill("Starter")
    page.get_by_label("Email address").fill("nia@example.org")
    page.get_by_label("Practitioner").check()
    page.get_by_label("Team", exact=True).select_option(
        label="Charnwood family support (Leicestershire County Council)"
    )
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Nia Starter is added")
    check_a11y(page, "users after adding")

    page.goto(f"{base}/manage/teams/")
    check_a11y(page, "teams")
    page.goto(f"{base}/manage/organisations/add/")
    check_a11y(page, "add organisation")
