"""Each role's home page and the caseload dashboard in a real browser, with axe (issue 9)."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from cases.models import Closure, Episode, Notification, PlanAction
from earlyhelp.tests.factories import OrganisationFactory, TeamFactory, UserFactory
from tests.browser.test_smoke import sign_in
from tests.episode_worlds import write_assessment
from tests.worlds import make_family

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def a_caseload():
    team = TeamFactory(organisation=OrganisationFactory(kind="council", tier=3), name="North")
    priya = UserFactory(username="priya", first_name="Priya", last_name="Shah", team=team)
    UserFactory(username="leo", first_name="Leo", last_name="Park", team=team)
    today = timezone.localdate()
    for i, started in enumerate([10, 80, 400]):
        episode = Episode.objects.create(
            family=make_family(f"Family{i} household"),
            started_on=today - timedelta(days=started),
            lead_practitioner=priya,
            lead_agency=team.organisation,
        )
        PlanAction.objects.create(
            episode=episode,
            what=f"Call school {i}",
            owner=priya,
            created_by=priya,
            due_on=today + timedelta(days=i),
        )
    write_assessment(episode, status="returned")
    submitted = Episode.objects.filter(lead_practitioner=priya).first()
    write_assessment(submitted, status="submitted")
    Closure.objects.create(
        episode=episode, reason="needs_met", needs_at_closure="met", requested_by=priya
    )
    Notification.objects.create(user=priya, kind="allocated", message="A new family", key="k")
    return team


def sign_in_manager(page, base, team):
    maria = UserFactory(username="maria", first_name="Maria", role="manager")
    maria.managed_teams.add(team)
    device = TOTPDevice.objects.create(user=maria, name="phone", confirmed=True)
    sign_in(page, base, "maria")
    code = f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=6):06d}"
    page.get_by_label("Security code").fill(code)
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Maria")


def test_practitioner_home(page, live_server, check_a11y):
    a_caseload()
    sign_in(page, live_server.url, "priya")
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Priya")
    expect(page.locator("#caseload tbody tr")).to_have_count(3)
    expect(page.locator("#caseload")).to_contain_text("Overdue")
    expect(page.locator("#actions-due li")).to_have_count(3)
    check_a11y(page, "practitioner home")


def test_manager_home_reallocation_and_dashboard(page, live_server, check_a11y):
    team = a_caseload()
    base = live_server.url
    sign_in_manager(page, base, team)
    expect(page.locator("#caseloads")).to_contain_text("Priya Shah")
    expect(page.locator("#long-open")).to_contain_text("Family2 household")
    check_a11y(page, "manager home")

    page.get_by_role("link", name="Re-allocate Priya Shah's cases").click()
    check_a11y(page, "re-allocate")
    page.get_by_role("button", name="Move the cases").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    check_a11y(page, "re-allocate with errors")

    page.get_by_role("link", name="Caseload dashboard").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Caseload dashboard")
    expect(page.locator("svg[role=img]")).to_have_count(5)
    expect(page.locator("#computed-at")).to_contain_text("These figures were computed at")
    expect(page.locator("#table-lead-agency thead")).to_contain_text("Child protection plan")
    check_a11y(page, "dashboard")
    page.get_by_label("Team").select_option(index=1)
    page.get_by_role("button", name="Apply filters").click()
    expect(page).to_have_url(re.compile(r"team=\d+"))
    check_a11y(page, "dashboard filtered")
    page.get_by_label("From month").fill("2026-13")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    check_a11y(page, "dashboard with errors")


@pytest.mark.parametrize("role", ["programme", "auditor"])
def test_work_list_homes(page, live_server, check_a11y, role):
    UserFactory(username="pat", first_name="Pat", role=role)
    sign_in(page, live_server.url, "pat")
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Pat")
    expect(page.locator("main")).to_contain_text("awaits")
    check_a11y(page, f"{role} home")
