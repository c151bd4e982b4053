"""The family page is read in sections: a contents list jumps to each, "Back to top" returns to
it, and the printable assessment is offered only once there is an assessment; axe on each."""

import pytest
from playwright.sync_api import expect

from assessments.services import assessment_start
from cases.models import Episode
from earlyhelp.tests.factories import UserFactory
from tests.browser.test_smoke import sign_in
from tests.worlds import make_family

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_practitioner_jumps_between_the_family_pages_sections(page, live_server, check_a11y):
    lead = UserFactory(username="priya", first_name="Priya", role="practitioner")
    family = make_family("Wójcik-Żuławska family", members=2, lead=lead)
    base = live_server.url
    sign_in(page, base, "priya")
    page.goto(f"{base}/families/{family.pk}/")
    contents = page.get_by_role("navigation", name="Contents")
    expect(contents).to_be_visible()
    for name in ("Members", "Team around the family", "The plan", "Episodes", "Consent"):
        expect(contents.get_by_role("link", name=name, exact=True)).to_be_visible()
    # No assessment yet: nothing to print.
    expect(page.get_by_role("link", name="Printable assessment and plan")).to_have_count(0)
    check_a11y(page, "family page with its contents")

    # Every link of the contents list lands on a heading of the page.
    hrefs = contents.get_by_role("link").evaluate_all("links => links.map(a => a.hash)")
    assert "#members" in hrefs and "#records" in hrefs
    for href in hrefs:
        expect(page.locator(f"h2{href}")).to_have_count(1)

    contents.get_by_role("link", name="Requests for support").click()
    expect(page).to_have_url(f"{base}/families/{family.pk}/#requests")
    expect(page.get_by_role("heading", name="Requests for support")).to_be_in_viewport()
    expect(contents).not_to_be_in_viewport()
    page.locator("#requests ~ .app-back-to-top").first.get_by_role("link").click()
    expect(page).to_have_url(f"{base}/families/{family.pk}/#contents")
    expect(contents).to_be_in_viewport()

    assessment_start(episode=Episode.objects.get(family=family), by=lead)
    page.reload()
    page.get_by_role("link", name="Printable assessment and plan").click()
    expect(page.get_by_role("heading", name="Early Help Assessment and plan")).to_be_visible()
    check_a11y(page, "printable assessment")
