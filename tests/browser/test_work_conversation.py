"""The work readiness conversation and the employment triage panel in a real browser, with axe
on every page: the lead completes a conversation (after an error), the hub allocates the
referral at the panel, and the figures show it."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from assessments.models import WorkConversation
from assessments.tests.work_worlds import ensure_providers, work_case
from tests.browser.dates import fill_date
from tests.browser.test_autosave import signed_in
from tests.episode_worlds import agency_user, ensure_plan_v9

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def hub_page(chromium):
    """The hub's own browser (its own cookies)."""
    context = chromium.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def world():
    ensure_plan_v9()
    ensure_providers()  # the tables were emptied by an earlier browser test
    lead = agency_user(
        "family_support", name="Charnwood Family Support", username="priya", first_name="Priya"
    )
    agency_user("council", role="hub", name="Front Door", username="hub")
    return work_case(lead, name="Okafor family")


def test_a_conversation_becomes_a_referral_the_panel_allocates(
    page, hub_page, live_server, check_a11y, world
):
    base = live_server.url
    family = world

    # --- The lead practitioner records the conversation ---------------------------------------
    signed_in(page, base, "priya")
    page.goto(f"{base}/families/{family.pk}/")
    check_a11y(page, "family page with no conversation")
    page.get_by_role("button", name="Start a work readiness conversation").click()
    expect(page.get_by_role("heading", name="Work readiness conversation")).to_be_visible()
    check_a11y(page, "work conversation form")

    # Completing with only a name and a date: the error summary names what is missing.
    page.get_by_label(family.adult.full_name).check()
    fill_date(page, "Date of the conversation", timezone.localdate())
    page.get_by_role("button", name="Complete and refer").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link", name="Enter the work they would like to do")).to_be_visible()
    check_a11y(page, "work conversation form with errors")
    assert not WorkConversation.objects.exists()

    page.get_by_label("Not working, looking for work").check()
    page.get_by_label("Universal Credit").check()
    page.get_by_label("What work would they like to do?").fill("Warehouse work, days")
    page.get_by_label("Childcare", exact=True).check()
    page.get_by_label("Written a CV").check()
    page.get_by_label("What next steps did you agree?").fill("Register with an agency")
    page.get_by_label("They agree that this conversation is shared").check()
    page.get_by_role("button", name="Complete and refer").click()
    expect(page.get_by_text("referred to the employment triage panel")).to_be_visible()
    expect(page.get_by_text("Awaiting the triage panel")).to_be_visible()
    check_a11y(page, "family page with a referral")
    page.get_by_role("link", name=re.compile(f"{family.adult.full_name}.*conversation of")).click()
    expect(page.get_by_text("Warehouse work, days")).to_be_visible()
    check_a11y(page, "completed conversation")

    # --- The hub's weekly panel -----------------------------------------------------------------
    hub = hub_page
    signed_in(hub, base, "hub")
    hub.get_by_role("link", name="Employment triage panel").click()
    expect(hub.get_by_role("heading", name="Employment triage panel")).to_be_visible()
    check_a11y(hub, "employment triage panel")
    hub.get_by_role("link", name=f"Decide the referral of {family.adult.full_name}").click()
    check_a11y(hub, "panel decision")
    hub.get_by_role("button", name="Record the decision").click()
    expect(hub.locator(".govuk-error-summary")).to_be_focused()
    check_a11y(hub, "panel decision with an error")
    hub.get_by_label("Allocate to GREAT project").check()
    hub.get_by_role("button", name="Record the decision").click()
    expect(hub.get_by_text("allocated to great project")).to_be_visible()
    expect(hub.get_by_text("No referrals await the panel")).to_be_visible()

    hub.get_by_role("link", name="Figures: referrals, allocated per provider").click()
    table = hub.locator("#table-employment-panel")
    expect(table.get_by_role("row", name="Allocated to GREAT project 1")).to_be_visible()
    check_a11y(hub, "employment panel figures")

    page.reload()
    expect(page.get_by_text("Allocated to GREAT project")).to_be_visible()
