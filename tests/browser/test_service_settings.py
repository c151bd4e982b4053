"""An administrator changes the service's settings in their page, with axe on each state of
it (issue 18: policy in pages, not environment variables)."""

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from earlyhelp import policy
from earlyhelp.tests.factories import UserFactory
from tests.browser.test_smoke import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_administrator_changes_the_caseload_target(page, live_server, check_a11y):
    user = UserFactory(username="ann", first_name="Ann", last_name="Admin", role="administrator")
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    base = live_server.url
    sign_in(page, base, "ann")
    code = f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=6):06d}"
    page.get_by_label("Security code").fill(code)
    page.get_by_role("button", name="Continue").click()

    page.get_by_role("link", name="Users and organisations").first.click()
    page.get_by_role("link", name="Service settings").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Service settings")
    check_a11y(page, "service settings")

    page.get_by_label("Caseload target").fill("99")
    page.get_by_role("button", name="Save the settings").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Enter a caseload target between 1 and 50 families")
    expect(summary).to_be_focused()
    check_a11y(page, "service settings with errors")

    page.get_by_label("Caseload target").fill("12")
    page.get_by_role("button", name="Save the settings").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "The service settings are saved"
    )
    expect(page.locator("main")).to_contain_text(
        "Ann Admin changed the caseload target from 10 families to 12 families on"
    )
    check_a11y(page, "service settings changed")
    assert policy.caseload_target() == 12
