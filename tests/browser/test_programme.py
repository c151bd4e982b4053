"""The programme team and auditors in a real browser, with axe on every page visited: attach a
candidate, build a claim batch from last night's results, read an evidence pack; an auditor
records a verdict on a sampled family (issue 10)."""

from datetime import date

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from outcomes import nightly
from outcomes.models import AuditSampleItem, ClaimBatch
from outcomes.tests.records import records_from, school_terms_as_the_builders_name_them
from outcomes.tests.test_attachment import attachable
from outcomes.tests.test_claims import good
from tests.browser.test_smoke import sign_in
from tests.episode_worlds import ensure_plan_v9

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NIGHT = date(2019, 8, 15)


@pytest.fixture
def world(users, monkeypatch):
    # Today is 20 September 2019: the batch form offers the windows of 2018-19 and 2019-20.
    monkeypatch.setattr(timezone, "localdate", lambda *args: date(2019, 9, 20))
    ensure_plan_v9()
    school_terms_as_the_builders_name_them()
    candidate, _ = attachable(users)
    claimable = [records_from(good(as_of=NIGHT), by=users["programme"]).family for _ in range(2)]
    nightly.nightly_run(as_of=NIGHT)
    return candidate, claimable


def test_programme_team_attaches_and_claims_and_an_auditor_gives_a_verdict(
    page, live_server, check_a11y, world
):
    candidate, claimable = world
    base = live_server.url
    sign_in(page, base, "programme")
    expect(page.locator("#claimable tbody tr")).to_have_count(2)
    check_a11y(page, "programme home")

    page.locator("#attachments-awaiting a").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Attach to the programme")
    expect(page.locator("#principles")).not_to_contain_text("Missing")
    check_a11y(page, "attach")
    page.get_by_role("button", name="Attach to the programme").click()
    expect(page.locator("main")).to_contain_text("is attached to the programme")
    check_a11y(page, "family page, attached, no results yet")

    page.goto(f"{base}/families/{claimable[0].pk}/")
    expect(page.locator("#results")).to_be_visible()
    check_a11y(page, "family page with results")

    page.goto(f"{base}/claims/new/")
    check_a11y(page, "build a batch")
    page.get_by_label("1 September 2019 to 30 September 2019").check()
    submitted = page.get_by_role("group", name="Date the claims are submitted")
    submitted.get_by_label("Day").fill("2")
    submitted.get_by_label("Month").fill("10")
    submitted.get_by_label("Year").fill("2019")
    page.get_by_role("button", name="Find claimable families").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("within the window")
    check_a11y(page, "build a batch, with errors")
    submitted = page.get_by_role("group", name="Date the claims are submitted")
    submitted.get_by_label("Day").fill("16")
    submitted.get_by_label("Month").fill("9")
    submitted.get_by_label("Year").fill("2019")
    page.get_by_role("button", name="Find claimable families").click()
    check_a11y(page, "build a batch, families to claim")
    for family in claimable:
        page.get_by_label(family.reference, exact=False).check()
    page.get_by_role("button", name="Confirm and submit the claims").click()
    expect(page.locator("#claims tbody tr")).to_have_count(2)
    check_a11y(page, "batch detail")
    page.locator("#claims a").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Evidence pack")
    expect(page.locator("#evidence tbody tr").first).to_be_visible()
    check_a11y(page, "evidence pack")
    page.goto(f"{base}/claims/")
    check_a11y(page, "claim batches")

    page.context.clear_cookies()
    sign_in(page, base, "auditor")
    expect(page.locator("#sample-awaiting tbody tr")).to_have_count(1)
    check_a11y(page, "auditor home")
    page.get_by_role("link", name="Record a verdict").first.click()
    check_a11y(page, "verdict")
    page.get_by_label("Disagree: the claim is not supported").check()
    page.get_by_role("button", name="Record the verdict").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter why")
    check_a11y(page, "verdict, with errors")
    page.get_by_label("Reason").fill("The attendance is for another child")
    page.get_by_role("button", name="Record the verdict").click()
    expect(page.locator("main")).to_contain_text("No sampled family awaits a verdict")
    item = AuditSampleItem.objects.get(batch=ClaimBatch.objects.get())
    assert item.verdict == "disagree"
