"""A planned leaver's cases split between two workers from her last day, in a real browser with
axe (issue 18: "a planned leaver cannot be moved ahead; all cases must go to one worker, who
silently goes to 11 of 10")."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cases.models import Episode, LeadChange, Notification
from earlyhelp.tests.factories import UserFactory
from tests.browser.test_homes import a_caseload, sign_in_manager

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_leavers_cases_split_between_two_workers_from_a_later_day(
    page, live_server, check_a11y, set_policy
):
    set_policy(caseload_target=1)
    team = a_caseload()  # Priya leads three families; Leo is in her team
    UserFactory(username="sam", first_name="Sam", last_name="Jones", team=team)
    leaves_on = timezone.localdate() + timedelta(days=14)
    sign_in_manager(page, live_server.url, team)

    page.get_by_role("link", name="Re-allocate Priya Shah's cases").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Move Priya Shah's open cases")
    expect(page.locator("#caseloads")).to_contain_text("Leo Park")
    check_a11y(page, "leaver's page")

    page.get_by_label("Family0 household").select_option(label="Leo Park (0 open now)")
    page.get_by_label("Family1 household").select_option(label="Leo Park (0 open now)")
    page.get_by_label("Family2 household").select_option(label="Sam Jones (0 open now)")
    page.get_by_label("Day").fill(str(leaves_on.day))
    page.get_by_label("Month").fill(str(leaves_on.month))
    page.get_by_label("Year").fill(str(leaves_on.year))
    page.get_by_label("Why the cases move").fill("Priya leaves the service")
    page.get_by_role("button", name="Move the cases").click()

    # Leo would go over the target: a warning, not a refusal.
    expect(page.locator("#over-target")).to_contain_text(
        "Leo Park would have 2 open cases, over the target of 1"
    )
    expect(page.locator("#caseloads")).to_contain_text("Over target")
    assert not LeadChange.objects.exists()
    check_a11y(page, "leaver's page warning over target")
    page.get_by_role("button", name="Move the cases anyway").click()

    expect(page.locator(".govuk-notification-banner, .govuk-panel").first).to_contain_text(
        "3 open cases move from Priya Shah on"
    )
    check_a11y(page, "home after the move")
    assert set(LeadChange.objects.values_list("status", flat=True)) == {"scheduled"}
    assert Episode.objects.filter(lead_practitioner__username="priya").count() == 3
    for worker in ("leo", "sam"):
        told = Notification.objects.get(user__username=worker, kind="cases_moved_to_you")
        assert f"{leaves_on.day} {leaves_on:%B %Y}" in told.message

    family = Episode.objects.get(family__name__startswith="Family2").family
    page.goto(f"{live_server.url}/families/{family.pk}/")
    expect(page.locator("#scheduled-lead")).to_contain_text(
        f"Sam Jones ({team.organisation}) leads the family from "
        f"{leaves_on.day} {leaves_on:%B %Y} (scheduled)"
    )
    expect(page.locator("#current-lead")).to_contain_text("Priya Shah")
    check_a11y(page, "family page with a scheduled lead")
