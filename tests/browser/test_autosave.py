"""Autosave survives an expired session: the edits stay in the page, the practitioner signs in
again in place, and the edits are then saved. Nothing is kept in browser storage."""

import pytest
from playwright.sync_api import expect

from assessments.models import AssessmentSection
from earlyhelp.tests.factories import UserFactory
from tests.browser.test_smoke import PASSWORD, sign_in
from tests.episode_worlds import ensure_plan_v9
from tests.worlds import make_family

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def plan_in_force():
    return ensure_plan_v9()


def signed_in(page, base, username):
    """Sign in and wait for the home page (whatever a role's home is), so the next goto
    does not race the sign-in's redirect."""
    sign_in(page, base, username)
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def saved_text(family, key="working_well"):
    section = AssessmentSection.objects.filter(assessment__episode__family=family, key=key).first()
    return section.text if section else None


def test_autosave_survives_an_expired_session(page, live_server, settings, check_a11y):
    settings.IDLE_TIMEOUT_SECONDS = 6
    settings.SESSION_WARNING_SECONDS = 3
    # Nothing is sent before the session ends: the edits are unsent when it expires.
    settings.AUTOSAVE_DELAY_MS = 60_000
    lead = UserFactory(username="priya", first_name="Priya", role="practitioner")
    family = make_family("Okafor family", members=2, lead=lead)
    signed_in(page, live_server.url, "priya")
    page.goto(f"{live_server.url}/families/{family.pk}/assessment/")
    box = page.get_by_label("What is working well")
    box.fill("Grandma does the school run")

    warning = page.get_by_role("dialog", name="You’re about to be signed out")
    expect(warning).to_be_visible(timeout=10_000)
    dialog = page.get_by_role("dialog", name="You have been signed out")
    expect(dialog).to_be_visible(timeout=15_000)
    expect(dialog.get_by_label("Password")).to_be_focused()
    check_a11y(page, "sign in again")
    assert saved_text(family) is None  # not sent: the session ended first
    assert page.evaluate("() => [localStorage.length, sessionStorage.length]") == [0, 0]

    dialog.get_by_label("Password").fill("not my password")
    dialog.get_by_role("button", name="Sign in and save my changes").click()
    expect(dialog.locator(".govuk-error-summary")).to_contain_text("Enter a correct username")
    check_a11y(page, "sign in again with an error")
    dialog.get_by_label("Password").fill(PASSWORD)
    dialog.get_by_role("button", name="Sign in and save my changes").click()
    expect(dialog).to_be_hidden()
    expect(page.locator("[data-autosave-status]")).to_contain_text("All changes saved")
    assert saved_text(family) == "Grandma does the school run"
    expect(box).to_have_value("Grandma does the school run")

    # The plain form still works after signing in again (its CSRF token was renewed).
    box.fill("Grandma does the school run, and Dad collects")
    page.get_by_role("button", name="Save draft").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Your draft is saved")
    assert saved_text(family) == "Grandma does the school run, and Dad collects"


def test_two_editors_see_both_texts_and_choose(page, chromium, live_server, settings, check_a11y):
    settings.AUTOSAVE_DELAY_MS = 300
    lead = UserFactory(username="priya", first_name="Priya", role="practitioner")
    family = make_family("Okafor family", members=1, lead=lead)
    url = f"{live_server.url}/families/{family.pk}/assessment/"
    context = chromium.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
    try:
        other = context.new_page()
        for tab in (page, other):
            signed_in(tab, live_server.url, "priya")
            tab.goto(url)
        page.get_by_label("What we are worried about").fill("Dad's drinking")
        expect(page.locator("[data-autosave-status]")).to_contain_text("All changes saved")

        other.get_by_label("What we are worried about").fill("Rent arrears")
        panel = other.locator('[data-autosave-conflict="worried_about"]')
        expect(panel).to_be_visible()
        expect(panel).to_contain_text("Dad's drinking")
        expect(other.get_by_label("What we are worried about")).to_have_value("Rent arrears")
        check_a11y(other, "conflict")
        assert saved_text(family, "worried_about") == "Dad's drinking"  # nothing overwritten

        other.get_by_role("button", name="Keep my version").click()
        expect(panel).to_be_hidden()
        expect(other.locator("[data-autosave-status]")).to_contain_text("All changes saved")
        assert saved_text(family, "worried_about") == "Rent arrears"

        # The first editor, typing on from the old version, now meets the second's text.
        page.get_by_label("What we are worried about").fill("Dad's drinking, at weekends")
        first_panel = page.locator('[data-autosave-conflict="worried_about"]')
        expect(first_panel).to_contain_text("Rent arrears")
        page.get_by_role("button", name="Use their version").click()
        expect(page.get_by_label("What we are worried about")).to_have_value("Rent arrears")
        assert saved_text(family, "worried_about") == "Rent arrears"
    finally:
        context.close()
