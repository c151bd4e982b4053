"""A programme year run in the service, in a real browser with axe on every page (issue 17):
the programme team edits the current year's claim window and target, attaches a family, runs
the nightly job, builds a batch in the current window; an auditor gives a verdict; the reports
show the claims in Table 5 and their income in Table 1, and the claimed family is in the
National Impact Study file."""

import csv
import io
from datetime import date

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cases.models import FamilyMember
from outcomes.models import AuditSampleItem, Claim, ClaimBatch, ProgrammeYear
from outcomes.tests.records import records_from, school_terms_as_the_builders_name_them
from outcomes.tests.test_attachment import attachable
from outcomes.tests.test_claims import good
from tests.browser.test_smoke import sign_in
from tests.episode_worlds import ensure_plan_v9

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TODAY = date(2019, 9, 20)  # in the programme year 2019 to 2020


@pytest.fixture
def world(users, monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *args: TODAY)
    ensure_plan_v9()
    school_terms_as_the_builders_name_them()
    candidate, _ = attachable(users)
    claimable = [records_from(good(as_of=TODAY), by=users["programme"]).family for _ in range(2)]
    return candidate, claimable


def test_a_programme_year_from_attachment_to_claim_to_reports_and_returns(
    page, live_server, check_a11y, world
):
    candidate, claimable = world
    base = live_server.url
    sign_in(page, base, "programme")

    # The current year's target and claim window, in pages.
    page.get_by_role("link", name="Programme years").first.click()
    check_a11y(page, "programme years")
    page.get_by_role("link", name="2019 to 2020").click()
    check_a11y(page, "programme year")
    page.get_by_role("link", name="Change the attachment target").click()
    page.get_by_label("Attachment target").fill("150")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#target")).to_have_text("150 families")
    page.get_by_role("link", name="Change the window opening 1 September 2019").click()
    dates = page.get_by_role("group", name="Date the window opens")
    dates.get_by_label("Day").fill("2")
    dates.get_by_label("Month").fill("9")
    dates.get_by_label("Year").fill("2019")
    dates = page.get_by_role("group", name="Date the window closes")
    dates.get_by_label("Day").fill("10")
    dates.get_by_label("Month").fill("1")
    dates.get_by_label("Year").fill("2020")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("overlaps")  # January 2020
    check_a11y(page, "claim window, with errors")
    dates = page.get_by_role("group", name="Date the window closes")
    dates.get_by_label("Day").fill("27")
    dates.get_by_label("Month").fill("9")
    dates.get_by_label("Year").fill("2019")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#windows")).to_contain_text("2 September 2019")
    expect(page.locator("#history")).to_be_visible()
    expect(page.locator("main")).to_contain_text("opening date changed from 1 September 2019")
    check_a11y(page, "programme year with its history")
    assert ProgrammeYear.objects.get(starts_in=2019).attachment_target == 150

    # Attach the candidate.
    page.goto(f"{base}/")
    page.locator("#attachments-awaiting a").first.click()
    page.get_by_role("button", name="Attach to the programme").click()
    expect(page.locator("main")).to_contain_text("is attached to the programme")

    # Run the nightly job for today.
    page.goto(f"{base}/programme/runs/")
    page.get_by_role("button", name="Run now for today").click()
    expect(page.locator("main")).to_contain_text("20 September 2019")
    check_a11y(page, "nightly run")

    # A batch in the window as it now stands.
    page.goto(f"{base}/claims/new/")
    page.get_by_label("2 September 2019 to 27 September 2019").check()
    submitted = page.get_by_role("group", name="Date the claims are submitted")
    submitted.get_by_label("Day").fill("16")
    submitted.get_by_label("Month").fill("9")
    submitted.get_by_label("Year").fill("2019")
    page.get_by_role("button", name="Find claimable families").click()
    for family in claimable:
        page.get_by_label(family.reference, exact=False).check()
    page.get_by_role("button", name="Confirm and submit the claims").click()
    expect(page.locator("#claims tbody tr")).to_have_count(2)
    batch = ClaimBatch.objects.get()
    assert batch.sample_percent == 10 and batch.window_opens == date(2019, 9, 2)

    # An auditor's verdict on the sampled family.
    page.context.clear_cookies()
    sign_in(page, base, "auditor")
    page.get_by_role("link", name="Record a verdict").first.click()
    page.get_by_label("Agree: the claim is supported by its evidence").check()
    page.get_by_role("button", name="Record the verdict").click()
    expect(page.locator("main")).to_contain_text("No sampled family awaits a verdict")
    assert AuditSampleItem.objects.get(batch=batch).verdict == "agree"

    # The reports: the claims in Table 5, their income in Table 1.
    page.context.clear_cookies()
    sign_in(page, base, "programme")
    page.get_by_role("link", name="Programme reports").first.click()
    check_a11y(page, "reports")
    page.get_by_role("link", name="Attachments and claims by delivery partner").click()
    check_a11y(page, "Table 5")
    claimed_row = page.locator("#table-partners tbody tr", has_text="Family Support")
    expect(claimed_row.first).to_contain_text("2")
    page.goto(f"{base}/reports/funding/?year=2019")
    check_a11y(page, "Table 1")
    paid = sum(c.results_payment for c in Claim.objects.filter(batch=batch))
    assert paid == 1600
    expect(page.locator("#table-funding")).to_contain_text("£1,600")

    # The claimed families are in the National Impact Study file.
    page.goto(f"{base}/returns/")
    check_a11y(page, "returns")
    page.get_by_label("National Impact Study", exact=False).check()
    page.get_by_label("Day").fill("20")
    page.get_by_label("Month").fill("9")
    page.get_by_label("Year").fill("2019")
    page.get_by_role("button", name="Check the return").click()
    check_a11y(page, "return check")
    href = page.get_by_role("link", name="Download the file (CSV)").get_attribute("href")
    response = page.context.request.get(base + href)
    assert response.ok
    rows = list(csv.reader(io.StringIO(response.text())))
    names = {
        (m.person.first_name, m.person.last_name)
        for m in FamilyMember.objects.filter(family__in=claimable).select_related("person")
    }
    header = rows[0]
    first, last = header.index("First name"), header.index("Last name")
    assert names <= {(row[first], row[last]) for row in rows[1:]}
