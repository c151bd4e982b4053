"""A practitioner filters the families list and finds a person by a misspelt name and by date
of birth; a date that is not one gets its message (issue 18). axe on each page."""

import re

import pytest
from playwright.sync_api import expect

from earlyhelp.tests.factories import UserFactory
from tests.browser.test_smoke import sign_in
from tests.worlds import make_family

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_practitioner_filters_families_and_finds_people(page, live_server, check_a11y):
    lead = UserFactory(username="priya", first_name="Priya", last_name="Shah", role="practitioner")
    make_family("Okafor family", members=2, lead=lead)
    make_family("Hidden family")
    base = live_server.url
    sign_in(page, base, "priya")

    page.goto(f"{base}/families/")
    page.get_by_text("Filter the list").click()
    page.get_by_label("Lead practitioner", exact=True).select_option(label="Priya Shah")
    page.get_by_label("Status").select_option(label="Open episode")
    page.get_by_role("button", name="Search").click()
    expect(page).to_have_url(f"{base}/families/?q=&lead={lead.pk}&team=&locality=&status=open")
    expect(page.get_by_role("link", name="Okafor family")).to_be_visible()
    expect(page.get_by_text("Hidden family")).to_have_count(0)
    check_a11y(page, "filtered family list")

    page.goto(f"{base}/people/")
    box = page.get_by_label("Name, date of birth, postcode or number")
    box.fill("Okafr")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("link", name="Member0 Okafor")).to_be_visible()
    check_a11y(page, "person search by a misspelt name")
    box = page.get_by_label("Name, date of birth, postcode or number")
    box.fill("2/1/2010")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("link", name="Member1 Okafor")).to_be_visible()
    expect(page.get_by_role("link", name="Member0 Okafor")).to_have_count(0)
    box = page.get_by_label("Name, date of birth, postcode or number")
    box.fill("31/2/2010")
    page.get_by_role("button", name="Search").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("must be a real date")
    expect(page).to_have_title(re.compile(r"^Error: Find a person –"))
    check_a11y(page, "person search with an error")
