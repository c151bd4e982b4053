"""The hub's one queue in a real browser (issue 18), with axe on every page: a step-up raised by
a lead practitioner is on the hub's home and in its queue, first and urgent; a request for a
family whose episode is already open is added to that episode, and its lead finds it in her
notifications and the family's chronology."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cases.models import Notification, StepUp, SupportRequest
from earlyhelp.models import Organisation, Team
from earlyhelp.tests.factories import UserFactory
from tests.browser.test_smoke import sign_in
from tests.worlds import make_family

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_step_up_and_an_open_family_request_reach_a_decision(page, live_server, check_a11y):
    base = live_server.url
    agency = Organisation.objects.create(name="Family Support", kind="family_support", tier=2)
    team = Team.objects.create(name="Charnwood family support", organisation=agency)
    lena = UserFactory(
        username="lena", first_name="Lena", last_name="Lead", role="practitioner", team=team
    )
    UserFactory(username="harry", first_name="Harry", last_name="Bennett", role="hub")
    social_care = Organisation.objects.create(
        name="Children's Social Care", kind="social_care", tier=1
    )
    sofia = UserFactory(
        username="sofia",
        first_name="Sofia",
        last_name="Worker",
        role="practitioner",
        team=Team.objects.create(name="Duty and assessment", organisation=social_care),
    )
    risky = make_family("Risk family", lead=lena)
    StepUp.objects.create(
        episode=risky.episodes.get(), reason="Bruises seen at school", requested_by=lena
    )
    open_family = make_family("Khan family", members=2, lead=lena)
    support_request = SupportRequest.objects.create(
        family=open_family,
        kind=SupportRequest.Kind.FAMILY,
        received_at=timezone.now(),
        status=SupportRequest.Status.AWAITING_ALLOCATION,
        triaged_at=timezone.now(),
        referrer_name="Amira Khan",
        reason="Our son has stopped going to school.",
    )

    # The hub's home counts the step-up as urgent and lists it first.
    sign_in(page, base, "harry", check_a11y)
    main = page.locator("main")
    expect(main).to_contain_text("Step-ups to children's social care")
    expect(main).to_contain_text("of which 1 for a family that already has an open episode")
    first_row = page.locator("table").nth(1).locator("tbody tr").first
    expect(first_row).to_contain_text("Risk family")
    expect(first_row).to_contain_text("Urgent")
    check_a11y(page, "hub home")

    # The queue: the step-up first, the request flagged, each with where it is decided.
    page.get_by_role("link", name="Triage queue").first.click()
    rows = page.locator("table tbody tr")
    expect(rows.first).to_contain_text("Step-up to children's social care")
    expect(rows.nth(1)).to_contain_text("Khan family")
    check_a11y(page, "hub queue")
    page.get_by_label("What it is").select_option(label="Step-ups to children's social care")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.locator("table tbody tr")).to_have_count(1)
    check_a11y(page, "hub queue, step-ups only")
    page.get_by_role("link", name="Decide the step-up").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Decide the step-up")
    check_a11y(page, "the step-up's decision")
    # Accepted, with the social worker who takes the family: she is told, by the family's name.
    page.get_by_label("Accept").check()
    page.get_by_label("Social worker who takes the family").select_option(
        label=f"{sofia.get_full_name()}, {social_care}"
    )
    page.get_by_label("Handover to social care").fill("Strategy discussion booked for today.")
    page.get_by_role("button", name="Save the decision").click()
    expect(page.locator(".govuk-error-summary")).to_have_count(0)
    assert Notification.objects.filter(user=sofia, kind="step_up_received").exists()

    # The open family's request: added to the episode, not refused.
    page.goto(f"{base}/triage/")
    page.get_by_role("link", name="Decide: the family already has an open episode").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "The family already has an open episode"
    )
    expect(page.locator("main")).to_contain_text(
        "This family already has an open episode led by Lena Lead (Family Support)"
    )
    check_a11y(page, "the open family's ways forward")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Select what happens to the request"
    )
    assert page.title().startswith("Error: ")
    check_a11y(page, "the open family's ways forward, with an error")
    page.get_by_label("Add it to the open episode").check()
    page.get_by_role("button", name="Save").click()
    expect(page.locator("main")).to_contain_text("The request is added to the open episode.")
    check_a11y(page, "the request, added")
    support_request.refresh_from_db()
    assert support_request.status == "added_to_episode"
    page.get_by_role("button", name="Sign out").click()

    # Lena finds it in her notifications, and in the family's chronology.
    sign_in(page, base, "lena", check_a11y)
    page.goto(f"{base}/notifications/")
    expect(page.locator("main")).to_contain_text(
        "The hub added a new request for support for the Khan family to the episode you lead."
    )
    check_a11y(page, "Lena's notifications")
    page.goto(f"{base}/families/{open_family.pk}/")
    expect(page.locator("main")).to_contain_text(
        "Request for support from the family added to the episode"
    )
    check_a11y(page, "the family's page, with its chronology")
    page.get_by_role("button", name="Sign out").click()

    # Sofia, the social worker, finds the family handed to her on her home and notifications.
    sign_in(page, base, "sofia", check_a11y)
    page.goto(f"{base}/")
    expect(page.locator("#held-in-social-care + table")).to_contain_text("Risk family")
    check_a11y(page, "the social worker's home")
    page.goto(f"{base}/notifications/")
    expect(page.locator("main")).to_contain_text("Risk family is handed to you")
    check_a11y(page, "the social worker's notifications")
