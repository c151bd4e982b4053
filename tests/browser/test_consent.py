"""Consent's life in a real browser, axe on every page (issue 18): the lead sees a verbal
consent to chase on her home, records its written form when it arrives, records another
agency's consent, and withdraws the school's; the school's practitioner, who saw the family
only through that consent, then gets 404, and the lead is offered closure for that reason."""

import re
from datetime import date, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cases.models import Consent, DataKind
from partners.models import InformationSharingAgreement
from tests.browser.test_autosave import signed_in
from tests.episode_worlds import agency_user
from tests.worlds import make_family

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def new_page(chromium):
    """Another person's browser, with their own cookies, closed at the end."""
    context = chromium.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
    yield lambda: context.new_page()
    context.close()


@pytest.fixture
def world():
    today = timezone.localdate()
    lead = agency_user(
        "family_support", name="Charnwood Family Support", username="priya", first_name="Priya"
    )
    school = agency_user("education", name="Eastfield Primary", username="sam", first_name="Sam")
    agency_user("health", name="Loughborough Health Visitors")
    family = make_family("Kowalski family", members=2, lead=lead)
    agreement = InformationSharingAgreement.objects.create(
        name="Schools and early help", data_kinds=[DataKind.SUMMARY], starts_on=date(2025, 1, 1)
    )
    agreement.organisations.add(school.team.organisation)
    consent = Consent.objects.create(
        person=family.memberships.order_by("pk").first().person,
        family=family,
        kind="verbal",
        given_by="Ewa Kowalska, mother",
        given_on=today - timedelta(days=20),
        chase_on=today - timedelta(days=3),
        covers=[DataKind.SUMMARY],
        recorded_by=lead,
    )
    consent.agencies.add(school.team.organisation)
    return {"family": family, "consent": consent, "today": today}


def fill_date(page, legend, day):
    group = page.get_by_role("group", name=legend)
    group.get_by_label("Day").fill(str(day.day))
    group.get_by_label("Month").fill(str(day.month))
    group.get_by_label("Year").fill(str(day.year))


def test_written_consent_after_verbal_then_withdrawn_and_the_agencys_access_gone(
    page, new_page, live_server, check_a11y, world
):
    base, family, today = live_server.url, world["family"], world["today"]
    family_url = f"{base}/families/{family.pk}/"

    # The school sees the family through the consent.
    school = new_page()
    signed_in(school, base, "sam")
    assert school.goto(family_url).status == 200

    # The lead's home: the verbal consent to chase, overdue.
    signed_in(page, base, "priya")
    check_a11y(page, "practitioner home")
    chase = page.locator("#consent-to-chase")
    expect(chase).to_contain_text("Kowalski family")
    expect(chase).to_contain_text("Overdue")

    # The written form arrives: a date in the future is refused, then today's is recorded.
    page.goto(family_url)
    check_a11y(page, "family page")
    page.get_by_role("link", name="Record the written form").click()
    check_a11y(page, "record the written form")
    fill_date(page, "Date the written form arrived", today + timedelta(days=1))
    page.get_by_role("button", name="Record the written form").click()
    expect(page).to_have_title(re.compile(r"^Error: "))
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Date the written form arrived must be today or in the past"
    )
    check_a11y(page, "record the written form, with an error")
    fill_date(page, "Date the written form arrived", today)
    page.get_by_role("button", name="Record the written form").click()
    expect(page.locator("#consent")).to_be_visible()
    expect(page.get_by_text("Written form received")).to_be_visible()
    world["consent"].refresh_from_db()
    assert world["consent"].kind == "written"
    page.goto(base + "/")
    expect(page.get_by_text("No verbal consent is waiting for its written form.")).to_be_visible()

    # Consent for another agency: a record of its own.
    page.goto(family_url)
    page.get_by_role("button", name="Record consent").click()
    check_a11y(page, "record consent")
    page.get_by_role("button", name="Record consent").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select whose consent it is")
    check_a11y(page, "record consent, with errors")
    page.get_by_label(str(world["consent"].person), exact=False).first.check()
    page.get_by_label("Written", exact=True).check()
    page.get_by_label("Who gave consent").fill("Ewa Kowalska, mother")
    fill_date(page, "Date consent was given", today)
    page.get_by_label("Family summary and members").check()
    page.get_by_label("Loughborough Health Visitors").check()
    page.get_by_role("button", name="Record consent").click()
    expect(page.get_by_text("consent is recorded")).to_be_visible()
    assert Consent.objects.filter(family=family).count() == 2

    # The school's consent withdrawn: the page says what it ended and offers closure.
    page.goto(family_url)
    schools = page.locator("#consent-list > li", has_text="Eastfield Primary")
    schools.get_by_role("link", name=f"Withdraw {world['consent'].person}'s consent").click()
    check_a11y(page, "withdraw consent")
    fill_date(page, "Date consent was withdrawn", today)
    page.get_by_label("Who withdrew consent").fill("Ewa Kowalska, mother")
    page.get_by_label("Why was consent withdrawn?").fill(
        "The family no longer want the school told"
    )
    page.get_by_role("button", name="Withdraw consent").click()
    expect(page.locator("#sharing-ended")).to_contain_text("Eastfield Primary")
    check_a11y(page, "consent withdrawn")
    page.get_by_role("button", name="Close the episode: the family withdrew consent").click()
    expect(page.get_by_label("The family withdrew consent or disengaged")).to_be_checked()
    check_a11y(page, "close the episode")

    # The school no longer sees the family.
    assert school.goto(family_url).status == 404
    check_a11y(school, "the school's 404")
