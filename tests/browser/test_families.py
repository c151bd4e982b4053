"""A practitioner finds a family, reads it, corrects a person, adds a member; axe on each page."""

import pytest
from playwright.sync_api import expect

from earlyhelp.tests.factories import UserFactory
from tests.browser.test_smoke import sign_in
from tests.worlds import make_family

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_practitioner_works_with_a_family(page, live_server, check_a11y):
    lead = UserFactory(username="priya", first_name="Priya", role="practitioner")
    family = make_family("Okafor family", members=2, lead=lead)
    make_family("Hidden family")
    base = live_server.url
    sign_in(page, base, "priya")

    page.get_by_role("link", name="Families").first.click()
    expect(page.get_by_role("link", name="Okafor family")).to_be_visible()
    expect(page.get_by_text("Hidden family")).to_have_count(0)
    check_a11y(page, "family list")
    page.get_by_label("Search by family name or reference").fill("okafor")
    page.get_by_role("button", name="Search").click()
    check_a11y(page, "family search")
    page.get_by_role("link", name="Okafor family").click()
    expect(page.get_by_role("heading", name="Okafor family")).to_be_visible()
    check_a11y(page, "family page")

    page.get_by_role("link", name="Member0 Okafor").click()
    check_a11y(page, "person page")
    page.get_by_role("button", name="Change details").click()
    page.get_by_label("NHS number").fill("485 777 3456")
    page.get_by_role("button", name="Save").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("NHS number is not valid")
    check_a11y(page, "person with errors")
    page.get_by_label("NHS number").fill("485 777 3457")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("record is updated")
    page.get_by_role("link", name="Changes to this record").click()
    expect(page.locator("table")).to_contain_text("4857773457")
    check_a11y(page, "history")

    page.goto(f"{base}/families/{family.pk}/members/add/")
    check_a11y(page, "add member")
    page.get_by_role("button", name="Check for existing records and add").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select role in the household")
    check_a11y(page, "add member with errors")


def test_practitioner_records_evidence_and_reads_the_plan(page, live_server, check_a11y):
    lead = UserFactory(username="priya", first_name="Priya", role="practitioner")
    family = make_family("Okafor family", members=2, lead=lead)
    base = live_server.url
    sign_in(page, base, "priya")
    page.goto(f"{base}/families/{family.pk}/")
    page.get_by_role("link", name="Evidence for the outcomes plan").click()
    check_a11y(page, "evidence list")
    page.get_by_role("button", name="Add evidence").click()
    check_a11y(page, "evidence kind")
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select what kind of evidence")
    check_a11y(page, "evidence kind with errors")
    page.get_by_label("What kind of evidence is it?").select_option("offence")
    page.get_by_role("button", name="Continue").click()
    check_a11y(page, "offence form")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter when did it happen")
    check_a11y(page, "offence form with errors")
    page.get_by_label("Who is it about?").select_option(label="Member1 Okafor")
    page.get_by_label("When did it happen?").fill("2026-05-04")
    page.get_by_label("Yes").check()
    page.get_by_label("Where did it come from?").fill("Youth Offending Service")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("table")).to_contain_text("Youth Offending Service")
    page.goto(f"{base}/outcomes-plan/9/")
    expect(
        page.get_by_role("heading", name="1. Children who have not been attending school")
    ).to_be_visible()
    check_a11y(page, "plan version 9")
