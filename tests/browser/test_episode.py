"""The episode in a real browser, from allocation to closure, with axe on every page visited.

The front-door issue builds requests, triage and allocation; here the journey starts from an
episode allocated in the test (as the allocation code would leave it, `notify_allocated`
included). The lead completes the EHA by keyboard alone and submits it; the manager returns it
once, then signs it off; partners from two agencies join the team; actions, a meeting and a
review are recorded; a member updates their action; one leaves and gets 404; the case is
stepped up, stepped back down into a new episode, and closed with the manager's sign-off.
"""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from assessments.models import EarlyHelpAssessment
from cases.models import Consent, DataKind, Episode, FamilyMember
from cases.notifications.services import notify_allocated
from tests.browser.dates import fill_date
from tests.browser.test_autosave import signed_in
from tests.browser.test_smoke import sign_in
from tests.episode_worlds import agency_user, ensure_plan_v9
from tests.worlds import make_family, open_episode

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def plan_in_force():
    return ensure_plan_v9()


@pytest.fixture
def new_page(chromium):
    """Another person's browser: each has their own context (cookies), closed at the end."""
    contexts = []

    def make():
        context = chromium.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        return page

    yield make
    for context in contexts:
        context.close()


def tab_to(page, element_id, limit=120):
    """Move focus with the Tab key alone until the element is focused."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement && document.activeElement.id") == element_id:
            return
    raise AssertionError(f"Tab never reached #{element_id}")


def type_into(page, element_id, text):
    tab_to(page, element_id)
    page.keyboard.type(text)


def manager_code(device):
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=6):06d}"


@pytest.fixture
def world():
    lead = agency_user(
        "family_support", name="Charnwood Family Support", username="priya", first_name="Priya"
    )
    manager = agency_user(
        "family_support", role="manager", username="maria", first_name="Maria", last_name="Manager"
    )
    manager.managed_teams.add(lead.team)
    device = TOTPDevice.objects.create(user=manager, name="phone", confirmed=True)
    teacher = agency_user("education", name="Loughborough Primary School", username="tom")
    nurse = agency_user("health", name="Health Visiting Service", username="hana")
    agency_user("council", role="hub", name="Front Door", username="hub")
    social = agency_user(
        "social_care", name="Children's Social Care", username="sam", first_name="Sam"
    )
    family = make_family("Okafor family", members=2)
    parent = family.memberships.order_by("pk").first()
    parent.role = FamilyMember.Role.PARENT_CARER
    parent.save()
    Consent.objects.create(
        person=parent.person,
        family=family,
        kind="written",
        given_by="Member0 Okafor",
        given_on=timezone.localdate() - timedelta(days=3),
        covers=[DataKind.SUMMARY, DataKind.CASEWORK],
        recorded_by=lead,
    ).agencies.add(lead.organisation, teacher.organisation, nurse.organisation)
    episode = open_episode(family, lead)
    Episode.objects.filter(pk=episode.pk).update(
        started_on=timezone.localdate() - timedelta(days=2)
    )
    notify_allocated(episode)  # what the allocation code does once it has named the lead
    return {
        "family": family,
        "device": device,
        "teacher": teacher,
        "nurse": nurse,
        "social": social,
        "parent": parent,
        "child": family.memberships.order_by("pk").last(),
    }


def test_the_episode_from_allocation_to_closure(page, new_page, live_server, check_a11y, world):
    base = live_server.url
    family = world["family"]
    family_url = f"{base}/families/{family.pk}/"
    parent, child = world["parent"], world["child"]

    # --- The lead practitioner: from the notification to the assessment ---------------------
    sign_in(page, base, "priya")
    expect(page.get_by_text(f"The {family.name} is allocated to you")).to_be_visible()
    check_a11y(page, "home with a notification")
    page.get_by_role("link", name=f"The {family.name} is allocated to you").click()
    expect(page.get_by_role("heading", name="Okafor family", level=1)).to_be_visible()
    expect(page.get_by_text("The assessment has not been started")).to_be_visible()
    check_a11y(page, "family page at allocation")

    page.get_by_role("link", name="Complete the assessment").click()
    expect(page.get_by_role("heading", name="Early Help Assessment")).to_be_visible()
    check_a11y(page, "assessment form")

    # By keyboard alone: Tab to each box and type, Space to tick, Enter to submit.
    page.evaluate("() => document.activeElement && document.activeElement.blur()")
    type_into(page, "id_section-working_well", "Mum gets them to school most days.")
    type_into(page, "id_section-worried_about", "Rent arrears and low attendance.")
    type_into(page, "id_section-needs_to_happen", "Budgeting help; school attendance plan.")
    type_into(page, "id_section-family_views", "Mum wants help with money.")
    # Members in the page's order: the child, then the parent.
    type_into(page, f"id_section-needs-{child.pk}", "Regular attendance.")
    type_into(page, f"id_section-strengths-{child.pk}", "Likes reading.")
    type_into(page, f"id_section-child_views-{child.pk}", "I like my teacher.")
    type_into(page, f"id_section-needs-{parent.pk}", "Debt advice.")
    type_into(page, f"id_section-strengths-{parent.pk}", "Loving, organised mornings.")
    tab_to(page, "id_section-indicators")  # 1.1 attendance
    page.keyboard.press("Space")
    tab_to(page, "id_section-indicators-34")  # 3.4 financial exclusion
    page.keyboard.press("Space")
    expect(page.locator("[data-autosave-status]")).to_contain_text("All changes saved")
    check_a11y(page, "assessment form, filled")
    tab_to(page, "submit-assessment")
    page.keyboard.press("Enter")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("submitted to your manager")
    check_a11y(page, "family page, assessment submitted")

    # --- The manager returns it once -------------------------------------------------------
    manager = new_page()
    sign_in(manager, base, "maria")
    manager.get_by_label("Security code").fill(manager_code(world["device"]))
    manager.get_by_role("button", name="Continue").click()
    link = manager.get_by_role("link", name="awaits your sign-off")
    expect(link).to_be_visible()
    check_a11y(manager, "manager's home")
    link.click()
    expect(
        manager.get_by_role("heading", name="Sign off the Early Help Assessment")
    ).to_be_visible()
    check_a11y(manager, "sign-off page")
    manager.get_by_role("button", name="Save the decision").click()
    expect(manager.locator(".govuk-error-summary")).to_contain_text("Select your decision")
    check_a11y(manager, "sign-off page with errors")
    manager.get_by_label("Return it with comments").check()
    manager.get_by_label("Comments", exact=True).fill("Add the children's father's views.")
    manager.get_by_role("button", name="Save the decision").click()
    expect(manager.locator(".govuk-notification-banner")).to_contain_text("returned")
    check_a11y(manager, "family page for the manager")

    # The lead sees the comments, adds the views, submits again; the manager signs it off.
    page.goto(f"{family_url}assessment/")
    expect(page.get_by_text("Add the children's father's views.")).to_be_visible()
    check_a11y(page, "returned assessment")
    views = page.get_by_label("The family's views")
    views.press("End")
    views.press_sequentially(" Dad, by phone: wants to help with school runs.")
    expect(page.locator("[data-autosave-status]")).to_contain_text("All changes saved")
    page.get_by_role("button", name="Submit for sign-off").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("submitted")
    manager.goto(f"{family_url}assessment/sign-off/")
    expect(manager.get_by_text("Dad, by phone")).to_be_visible()
    manager.get_by_label("Sign it off", exact=True).check()
    manager.get_by_role("button", name="Save the decision").click()
    expect(manager.locator(".govuk-notification-banner")).to_contain_text("signed off")
    assert EarlyHelpAssessment.objects.get().status == "signed_off"

    # --- The team around the family: two agencies -------------------------------------------
    page.goto(family_url)
    page.get_by_role("button", name="Add someone to the team").click()
    check_a11y(page, "add a team member")
    page.get_by_role("button", name="Add").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select practitioner")
    check_a11y(page, "add a team member with errors")
    today = timezone.localdate().isoformat()
    for member in (world["teacher"], world["nurse"]):
        if not page.get_by_label("Practitioner", exact=True).is_visible():
            page.get_by_role("button", name="Add someone to the team").click()
        page.get_by_label("Practitioner", exact=True).select_option(
            label=f"{member.get_full_name()}, {member.organisation}"
        )
        fill_date(page, "Date they joined the team", today)
        page.get_by_role("button", name="Add").click()
        expect(page.locator(".govuk-notification-banner")).to_contain_text("is on the team")
    check_a11y(page, "family page with the team")

    # Actions: one for the school, one for the family.
    page.get_by_role("button", name="Add an action").click()
    check_a11y(page, "add an action")
    page.get_by_label("What will happen").fill("Weekly attendance check-in")
    page.get_by_label(
        f"{world['teacher'].get_full_name()}, {world['teacher'].organisation}"
    ).check()
    fill_date(page, "By when", timezone.localdate() + timedelta(days=14))
    page.get_by_label("Need or outcome it works towards").select_option("need:1.1")
    page.get_by_role("button", name="Add").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("added to the plan")
    page.get_by_role("button", name="Add an action").click()
    page.get_by_label("What will happen").fill("Book a debt advice appointment")
    page.get_by_label("The family", exact=True).check()
    fill_date(page, "By when", timezone.localdate() + timedelta(days=7))
    page.get_by_label("Need or outcome it works towards").select_option("need:3.4")
    page.get_by_role("button", name="Add").click()
    expect(page.locator(".app-plan")).to_contain_text("Book a debt advice appointment")

    # A meeting and a review.
    page.get_by_role("button", name="Record a meeting").click()
    check_a11y(page, "record a meeting")
    fill_date(page, "Date of the meeting", today)
    page.get_by_label(
        f"{world['teacher'].get_full_name()}, {world['teacher'].organisation}"
    ).check()
    page.get_by_label("Member0 Okafor").check()
    page.get_by_label("Decisions", exact=True).fill("School to check attendance weekly.")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("meeting is recorded")
    page.get_by_role("button", name="Record a review").click()
    check_a11y(page, "record a review")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the date of the review")
    check_a11y(page, "record a review with errors")
    fill_date(page, "Date of the review", today)
    page.get_by_label("Progress since the last review").fill("Attendance up to 92%.")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("review is recorded")
    expect(page.get_by_text("Met", exact=True)).to_have_count(
        7
    )  # every principle, from the records
    check_a11y(page, "family page with the plan and principles")
    page.get_by_label("Show").select_option("Case notes")
    page.get_by_role("button", name="Filter").click()
    check_a11y(page, "chronology filtered")
    page.goto(f"{family_url}assessment/print/")
    expect(page.get_by_role("heading", name="Early Help Assessment and plan")).to_be_visible()
    check_a11y(page, "printable assessment and plan")

    # The school updates the action it owns, and adds a case note.
    school = new_page()
    signed_in(school, base, "tom")
    school.goto(family_url)
    check_a11y(school, "family page for a team member")
    school.get_by_role("link", name="Update Weekly attendance check-in").click()
    check_a11y(school, "update an action")
    school.get_by_label("In progress", exact=True).check()
    school.get_by_label("What has happened").fill("First check-in done.")
    school.get_by_role("button", name="Save the update").click()
    expect(school.locator(".govuk-notification-banner")).to_contain_text("action is updated")
    school.get_by_role("button", name="Add a case note").click()
    check_a11y(school, "add a case note")
    school.get_by_label("Phone call", exact=True).check()
    fill_date(school, "Date it happened", today)
    school.get_by_label("Note", exact=True).fill("Spoke to Mum about Monday absences.")
    school.get_by_role("button", name="Save the note").click()
    expect(school.get_by_text("Spoke to Mum about Monday absences.")).to_be_visible()
    check_a11y(school, "case notes")

    # The health visitor leaves the team, and loses the family.
    health = new_page()
    signed_in(health, base, "hana")
    health.goto(family_url)
    expect(health.get_by_role("heading", name="Okafor family", level=1)).to_be_visible()
    page.goto(family_url)
    page.get_by_role(
        "link", name=re.compile(f"Leaves the team.*{world['nurse'].last_name}")
    ).click()
    check_a11y(page, "a member leaves")
    fill_date(page, "Date they left the team", today)
    page.get_by_role("button", name="Record that they left").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("has left the team")
    response = health.goto(family_url)
    assert response.status == 404
    expect(health.get_by_role("heading", level=1)).to_have_text("Page not found")
    check_a11y(health, "404 after leaving")

    # --- Step-up, then step-down into a new episode ----------------------------------------
    page.get_by_role("link", name="Ask for a step-up to children's social care").click()
    check_a11y(page, "ask for a step-up")
    page.get_by_label("Why does the family need children's social care?").fill(
        "Disclosure at school of harm at home."
    )
    page.get_by_role("button", name="Send to the front door").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("at the front door")

    hub = new_page()
    signed_in(hub, base, "hub")
    hub.get_by_role("link", name="Step-up and step-down").first.click()
    check_a11y(hub, "front door's step requests")
    hub.get_by_role("link", name="Decide the step-up of Okafor family").click()
    check_a11y(hub, "decide a step-up")
    hub.get_by_label("Accept", exact=True).check()
    hub.get_by_role("button", name="Save the decision").click()
    expect(hub.locator(".govuk-error-summary")).to_contain_text("Select the social worker")
    check_a11y(hub, "decide a step-up with errors")
    hub.get_by_label("Social worker who takes the family").select_option(
        label=f"{world['social'].get_full_name()}, {world['social'].organisation}"
    )
    hub.get_by_label("Handover to social care").fill("Strategy discussion booked today.")
    hub.get_by_role("button", name="Save the decision").click()
    expect(hub.locator(".govuk-notification-banner")).to_contain_text("episode is closed")
    check_a11y(hub, "family page after the step-up")
    assert Episode.objects.get(family=family).closure_reason == "stepped_up"

    social = new_page()
    signed_in(social, base, "sam")
    social.goto(family_url)
    check_a11y(social, "family page for the social worker")
    social.get_by_role("link", name="Ask for a step-down to early help").click()
    check_a11y(social, "ask for a step-down")
    social.get_by_label("Why can early help now meet the family's needs?").fill(
        "Child in need plan closed; risks reduced."
    )
    social.get_by_label("What the early help lead needs to know").fill("Mum engaging well.")
    social.get_by_role("button", name="Send to the front door").click()
    expect(social.locator(".govuk-notification-banner")).to_contain_text("at the front door")

    hub.goto(f"{base}/step-requests/")
    hub.get_by_role("link", name="Decide the step-down of Okafor family").click()
    check_a11y(hub, "decide a step-down")
    hub.get_by_label("Accept", exact=True).check()
    hub.get_by_label("Lead practitioner of the new episode").select_option(
        label="Priya Priya, Charnwood Family Support"
    )
    hub.get_by_role("button", name="Save the decision").click()
    expect(hub.locator(".govuk-notification-banner")).to_contain_text("new episode is open")
    assert Episode.objects.filter(family=family).count() == 2

    # --- The new episode is closed with the manager's sign-off ------------------------------
    page.goto(family_url)
    expect(page.get_by_role("cell", name="Stepped down from social care")).to_be_visible()
    check_a11y(page, "family page in the new episode")
    page.get_by_role("link", name="Close the episode").click()
    check_a11y(page, "close the episode")
    page.get_by_label("Needs met", exact=True).check()
    page.get_by_label("The family's needs at closure").fill("Attendance regular; debts managed.")
    page.get_by_role("button", name="Send for sign-off").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("no final outcome tool scores")
    check_a11y(page, "close the episode with errors")
    page.get_by_label("Why are there no final outcome tool scores?").fill(
        "Short episode after step-down: scored by social care."
    )
    page.get_by_role("button", name="Send for sign-off").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("sent to your manager")

    manager.goto(family_url)
    manager.get_by_role("link", name="Sign off or return the closure").click()
    check_a11y(manager, "sign off the closure")
    manager.get_by_label("Sign it off", exact=True).check()
    manager.get_by_role("button", name="Save the decision").click()
    expect(manager.locator(".govuk-notification-banner")).to_contain_text("episode is closed")
    check_a11y(manager, "family page after closure")
    closed = Episode.objects.filter(family=family).order_by("-pk").first()
    assert (closed.status, closed.closure_reason) == ("closed", "needs_met")
    response = page.goto(family_url)
    assert response.status == 404  # the lead's access ended with the episode
