"""A practitioner finds a family, reads it, corrects a person, adds a member; axe on each page."""

import pytest
from playwright.sync_api import expect

from earlyhelp.tests.factories import UserFactory
from tests.browser.dates import fill_date
from tests.browser.test_smoke import sign_in
from tests.worlds import make_family

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_practitioner_works_with_a_family(page, live_server, check_a11y):
    lead = UserFactory(username="priya", first_name="Priya", role="practitioner")
    family = make_family("Okafor family", members=2, lead=lead)
    make_family("Hidden family")
    base = live_server.url
    sign_in(page, base, "priya")

    page.get_by_role("link", name="Families").first.click()
    expect(page.get_by_role("link", name="Okafor family")).to_be_visible()
    expect(page.get_by_text("Hidden family")).to_have_count(0)
    check_a11y(page, "family list")
    page.get_by_label("Search by family name or reference").fill("okafor")
    page.get_by_role("button", name="Search").click()
    check_a11y(page, "family search")
    page.get_by_role("link", name="Okafor family").click()
    expect(page.get_by_role("heading", name="Okafor family")).to_be_visible()
    check_a11y(page, "family page")

    page.get_by_role("link", name="Member0 Okafor").click()
    check_a11y(page, "person page")
    page.get_by_role("button", name="Change details").click()
    page.get_by_label("NHS number").fill("485 777 3456")
    page.get_by_role("button", name="Save").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("NHS number is not valid")
    check_a11y(page, "person with errors")
    page.get_by_label("NHS number").fill("485 777 3457")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("record is updated")
    page.get_by_role("link", name="Changes to this record").click()
    expect(page.locator("table")).to_contain_text("4857773457")
    check_a11y(page, "history")

    page.goto(f"{base}/families/{family.pk}/members/add/")
    check_a11y(page, "add member")
    page.get_by_role("button", name="Check for existing records and add").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select role in the household")
    check_a11y(page, "add member with errors")


def test_practitioner_records_evidence_and_reads_the_plan(page, live_server, check_a11y):
    lead = UserFactory(username="priya", first_name="Priya", role="practitioner")
    family = make_family("Okafor family", members=2, lead=lead)
    base = live_server.url
    sign_in(page, base, "priya")
    page.goto(f"{base}/families/{family.pk}/")
    page.get_by_role("link", name="Evidence for the outcomes plan").click()
    check_a11y(page, "evidence list")
    page.get_by_role("button", name="Add evidence").click()
    check_a11y(page, "evidence kind")
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select what kind of evidence")
    check_a11y(page, "evidence kind with errors")
    page.get_by_label("What kind of evidence is it?").select_option("offence")
    page.get_by_role("button", name="Continue").click()
    check_a11y(page, "offence form")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the date it happened")
    check_a11y(page, "offence form with errors")
    page.get_by_label("Who is it about?").select_option(label="Member1 Okafor")
    fill_date(page, "When did it happen?", "2026-05-04")
    page.get_by_label("Yes").check()
    page.get_by_label("Where did it come from?").fill("Youth Offending Service")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("table")).to_contain_text("Youth Offending Service")
    page.goto(f"{base}/outcomes-plan/9/")
    expect(
        page.get_by_role("heading", name="1. Children who have not been attending school")
    ).to_be_visible()
    check_a11y(page, "plan version 9")


def test_someone_known_elsewhere_is_linked_by_the_hub_not_the_practitioner(
    page, live_server, check_a11y
):
    """Issue 15's "join to see": the practitioner learns only that Niamh is already known;
    the hub, which may see both records while it checks, links them."""
    from datetime import date

    from cases.models import FamilyMember, Person

    lead = UserFactory(username="priya", first_name="Priya", role="practitioner")
    UserFactory(username="harry", first_name="Harry", role="hub")
    family = make_family("Okafor family", members=1, lead=lead)
    bennetts = make_family("Bennett family", members=0, lead=UserFactory(role="practitioner"))
    niamh = Person.objects.create(
        first_name="Niamh",
        last_name="Bennett",
        date_of_birth=date(2015, 12, 16),
        postcode="LE2 7QQ",
    )
    FamilyMember.objects.create(family=bennetts, person=niamh, role="child")
    base = live_server.url

    sign_in(page, base, "priya")
    page.goto(f"{base}/families/{family.pk}/members/add/")
    page.get_by_label("Child or young person").check()
    page.get_by_label("First name").fill("Niamh")
    page.get_by_label("Last name").fill("Bennett")
    fill_date(page, "Date of birth", "2015-12-16")
    page.get_by_role("button", name="Check for existing records and add").click()
    warning = page.locator(".govuk-warning-text")
    expect(warning).to_contain_text("may already be known to the service")
    expect(warning).to_contain_text("ask the hub to link them")
    main = page.locator("main")
    expect(main).not_to_contain_text("LE2 7QQ")
    expect(main).not_to_contain_text(f"record {niamh.pk}")
    check_a11y(page, "add member: known elsewhere")
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "The hub will check whether they are already known to the service"
    )
    page.get_by_role("link", name="Niamh Bennett").first.click()
    expect(page.locator(".govuk-inset-text")).to_contain_text("The hub is checking")
    check_a11y(page, "person page: the hub is checking")
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, base, "harry")
    expect(main).to_contain_text("1 person was recorded as new")
    check_a11y(page, "hub home with a possible duplicate")
    page.get_by_role("link", name="Check whether Niamh Bennett is Niamh Bennett").click()
    expect(page.get_by_role("button", name="They are not the same person")).to_be_visible()
    check_a11y(page, "merge page for a possible duplicate")
    page.get_by_label("Why are these the same person?").fill("Same girl: same school and GP")
    page.get_by_role("button", name="Merge", exact=True).click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("The check is closed")
    expect(main).to_contain_text("No possible duplicates to check")
    check_a11y(page, "possible duplicates, all checked")
    assert FamilyMember.objects.filter(family=family, person=niamh).exists()
