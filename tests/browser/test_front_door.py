"""The front door in a real browser: a school asks for support, the hub triages and allocates,
and the lead practitioner finds the family. The request form is completed by keyboard alone
(Tab, arrows, Space, Enter and typing: no clicks), and axe checks every page visited."""

from datetime import date, timedelta

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from cases.models import Allocation, Episode, SupportRequest
from earlyhelp.models import Locality, Organisation, Team
from earlyhelp.tests.factories import UserFactory
from tests.browser.dates import fill_date
from tests.browser.test_smoke import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


# --- The keyboard, and nothing else -------------------------------------------------------


def focused(page, locator) -> bool:
    return locator.evaluate("el => el === document.activeElement")


def tab_to(page, locator, *, limit=150):
    """Press Tab until `locator` has the focus: proof it can be reached by keyboard."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if focused(page, locator):
            return
    raise AssertionError(f"Tab never reached {locator}")


def type_into(page, label, text, *, exact=True):
    field = page.get_by_label(label, exact=exact)
    tab_to(page, field)
    page.keyboard.press("ControlOrMeta+A")
    page.keyboard.type(text)
    return field


def choose(page, label):
    """Reach a radio group by Tab, then move to the answer with the arrow keys."""
    target = page.get_by_label(label, exact=True)
    name = target.get_attribute("name")
    for _ in range(150):
        page.keyboard.press("Tab")
        if page.evaluate("n => document.activeElement?.name === n", name):
            break
    else:
        raise AssertionError(f"Tab never reached the {name} radios")
    for _ in range(20):
        if target.is_checked():
            return
        page.keyboard.press("Space" if focused(page, target) else "ArrowDown")
    raise AssertionError(f"could not choose {label} by keyboard")


def tick(page, label):
    box = page.get_by_label(label, exact=True)
    tab_to(page, box)
    page.keyboard.press("Space")
    expect(box).to_be_checked()


def type_date(page, label, day: date):
    """The GOV.UK date input, typed as a person would from the keyboard: day, Tab, month, Tab,
    year."""
    group = page.get_by_role("group", name=label, exact=True)
    tab_to(page, group.get_by_label("Day"))
    page.keyboard.type(str(day.day))
    page.keyboard.press("Tab")
    page.keyboard.type(str(day.month))
    page.keyboard.press("Tab")
    page.keyboard.type(str(day.year))
    expect(group.get_by_label("Year")).to_be_focused()
    expect(group.get_by_label("Day")).to_have_value(str(day.day))


def press_button(page, name):
    tab_to(page, page.get_by_role("button", name=name))
    page.keyboard.press("Enter")


# --- The journey --------------------------------------------------------------------------


@pytest.fixture
def world():
    charnwood = Locality.objects.create(name="Charnwood")
    school = Organisation.objects.create(name="Loughborough Primary", kind="education", tier=3)
    service = Organisation.objects.create(
        name="Children and Family Wellbeing Service", kind="family_support", tier=2
    )
    school_staff = Team.objects.create(organisation=school, name="Staff", locality=charnwood)
    family_support = Team.objects.create(
        organisation=service, name="Charnwood family support", locality=charnwood
    )
    hub_team = Team.objects.create(organisation=service, name="Allocations hub")
    UserFactory(
        username="sam",
        first_name="Sam",
        last_name="Teacher",
        job_title="Designated safeguarding lead",
        team=school_staff,
    )
    UserFactory(
        username="harry", first_name="Harry", last_name="Bennett", role="hub", team=hub_team
    )
    UserFactory(username="priya", first_name="Priya", last_name="Shah", team=family_support)
    maya = UserFactory(username="maya", first_name="Maya", last_name="Manager", role="manager")
    maya.managed_teams.add(family_support)
    TOTPDevice.objects.create(user=maya, name="phone", confirmed=True)
    return charnwood


def test_a_school_asks_the_hub_triages_and_allocates_and_the_lead_finds_the_family(
    page, live_server, check_a11y, world
):
    base = live_server.url
    today = date.today()
    chase = today + timedelta(days=14)

    # 1. A school's practitioner makes the request, by keyboard alone.
    sign_in(page, base, "sam", check_a11y)
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Sam")
    check_a11y(page, "practitioner home")
    tab_to(page, page.get_by_role("link", name="Make a request", exact=True))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("What kind of request is this?")
    check_a11y(page, "request: kind")
    press_button(page, "Continue")
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Select what kind of request this is"
    )
    check_a11y(page, "request: kind with errors")
    choose(page, "A professional asking for support for a family")
    press_button(page, "Continue")

    expect(page.get_by_role("heading", level=1)).to_have_text("About you")
    expect(page.get_by_label("Your name")).to_have_value("Sam Teacher")
    check_a11y(page, "request: about you")
    type_into(page, "Telephone number", "01509 123456")
    press_button(page, "Continue")

    expect(page.get_by_role("heading", level=1)).to_have_text("Why does the family need support?")
    check_a11y(page, "request: reason")
    type_into(page, "Why does the family need support?", "Tomasz misses school most Mondays.")
    page.keyboard.press("Enter")  # a new line in the box, not a submission
    page.keyboard.type("His mother is struggling since her partner left.")
    press_button(page, "Continue")

    for person in [
        ("Child or young person", "Son", "Tomasz", "Nowak", date(2014, 3, 2), "Anxious, absent"),
        ("Parent or carer", "Mother", "Ewa", "Nowak", date(1988, 7, 19), ""),
    ]:
        role, relationship, first, last, born, concerns = person
        expect(page.get_by_role("heading", level=1)).to_have_text("Who is the request about?")
        check_a11y(page, f"request: person {first}")
        choose(page, role)
        type_into(page, "Relationship", relationship)
        if concerns:
            type_into(page, "Concerns about this person (optional)", concerns)
        type_into(page, "First name", first)
        type_into(page, "Last name", last)
        type_date(page, "Date of birth", born)
        type_into(page, "Postcode", "LE11 2AB")
        press_button(page, "Check for existing records and continue")
        expect(page.get_by_role("heading", level=1)).to_contain_text("You have added")
        check_a11y(page, "request: people")
        choose(page, "Yes" if first == "Tomasz" else "No")
        press_button(page, "Continue")

    expect(page.get_by_role("heading", level=1)).to_have_text("Where does the family live?")
    check_a11y(page, "request: address")
    type_into(page, "Address", "4 Mill Lane, Loughborough")
    type_into(page, "Postcode", "le11 2ab")
    locality = page.get_by_label("Locality")
    tab_to(page, locality)
    page.keyboard.type("Charn")
    expect(locality).to_have_value(str(world.pk))
    press_button(page, "Continue")

    expect(page.get_by_role("heading", level=1)).to_have_text("The family's consent")
    check_a11y(page, "request: consent")
    choose(page, "Verbal, written consent to follow")
    type_into(page, "Who gave consent", "Ewa Nowak, mother")
    type_date(page, "Date consent was given", today)
    type_date(page, "Date to chase the written consent form (for verbal consent)", chase)
    tick(page, "Family summary and members")
    tick(page, "Assessments, plans and case notes")
    tick(page, "Loughborough Primary")
    tick(page, "Children and Family Wellbeing Service")
    press_button(page, "Continue")

    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Check your answers before sending the request"
    )
    for answer in ("Tomasz Nowak", "Ewa Nowak", "01509 123456", "Charnwood", "Verbal"):
        expect(page.locator("main")).to_contain_text(answer)
    check_a11y(page, "request: check your answers")
    assert not SupportRequest.objects.exists()  # nothing is made before it is sent
    press_button(page, "Send the request")

    expect(page.get_by_role("heading", level=1)).to_have_text("Your requests")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("is sent")
    expect(page.locator("table")).to_contain_text("Awaiting triage")
    check_a11y(page, "your requests")
    support_request = SupportRequest.objects.get()
    family = support_request.family
    # The request does not open the family's record to the one who sent it.
    page.goto(f"{base}/families/{family.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    check_a11y(page, "the family, refused to the sender")
    page.get_by_role("button", name="Sign out").click()

    # 2. The hub triages it P3a and allocates it to a lead agency.
    sign_in(page, base, "harry", check_a11y)
    expect(page.get_by_role("heading", level=1)).to_have_text("Your triage queue")
    expect(page.locator("main")).to_contain_text("Verbal consent: chase by")
    check_a11y(page, "hub home")
    page.get_by_role("link", name="Triage queue").first.click()
    expect(page.locator("table")).to_contain_text("Nowak family")
    check_a11y(page, "triage queue")
    page.get_by_label("Locality").select_option(label="Charnwood")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.locator("table")).to_contain_text("Nowak family")
    check_a11y(page, "triage queue, filtered")
    page.get_by_role("link", name="Nowak family").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Request for the Nowak family")
    expect(page.locator("main")).to_contain_text("Written consent pending")
    check_a11y(page, "request page")
    page.get_by_role("button", name="Record the decision").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select a decision")
    check_a11y(page, "request page with errors")
    page.get_by_label("P3a", exact=False).check()
    page.get_by_label("Rationale").fill("Attendance and a parent struggling: needs a TAF.")
    page.get_by_role("button", name="Record the decision").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Decision recorded")
    check_a11y(page, "request page, decided")

    # The hub picks the lead agency; no one of it is engaged with the family yet, so its team
    # manager names the lead practitioner (DOMAIN §4 step 3).
    page.get_by_role("button", name="Allocate to a lead agency").click()
    check_a11y(page, "allocate: agency")
    page.get_by_label("Lead agency").select_option(label="Children and Family Wellbeing Service")
    page.get_by_role("button", name="Continue").click()
    expect(page.locator("main")).to_contain_text(
        "No practitioner of Children and Family Wellbeing Service is already engaged"
    )
    check_a11y(page, "allocate: to the agency")
    page.get_by_role("button", name="Allocate to Children and Family Wellbeing Service").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Allocated to Children and Family Wellbeing Service, waiting for a lead practitioner"
    )
    expect(page.locator("main")).to_contain_text(
        "Allocated to Children and Family Wellbeing Service, waiting for a lead practitioner"
    )
    check_a11y(page, "request page, allocated to the agency")
    page.get_by_role("link", name="Home").first.click()
    expect(page.locator("main")).to_contain_text("Your recent decisions")
    check_a11y(page, "hub home with a decision")
    page.get_by_role("button", name="Sign out").click()
    episode = Episode.objects.get(family=family)
    assert episode.status == "open" and episode.lead_practitioner is None

    # 2b. The agency's team manager finds the family waiting and names its lead practitioner.
    sign_in(page, base, "maya", check_a11y)
    device = TOTPDevice.objects.get(user__username="maya")
    code = f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=6):06d}"
    page.get_by_label("Security code").fill(code)
    page.get_by_role("button", name="Continue").click()
    expect(page.locator("#waiting-for-lead")).to_contain_text("Nowak family")
    check_a11y(page, "manager home, a family waiting for a lead")
    page.get_by_role("link", name="Name the lead practitioner for the Nowak family").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Name the lead practitioner")
    expect(page.locator("main")).to_contain_text("0 of 10 families")
    check_a11y(page, "name the lead")
    page.get_by_role("button", name="Name the lead practitioner").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select the lead practitioner")
    check_a11y(page, "name the lead with errors")
    page.get_by_label("Priya Shah", exact=False).check()
    page.get_by_role("button", name="Name the lead practitioner").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Priya Shah is the lead practitioner for the Nowak family"
    )
    expect(page.locator("#waiting-for-lead")).to_contain_text("No family is waiting")
    check_a11y(page, "manager home, lead named")
    page.get_by_role("button", name="Sign out").click()
    allocation = Allocation.objects.get()
    assert allocation.lead_practitioner.username == "priya"
    assert allocation.named_by.username == "maya"
    assert Episode.objects.get(family=family).lead_practitioner.username == "priya"

    # 3. The lead practitioner finds the family on their own page.
    sign_in(page, base, "priya", check_a11y)
    expect(page.locator("main")).to_contain_text("is allocated to you as lead practitioner")
    check_a11y(page, "lead's home")
    page.get_by_role("link", name="Families").first.click()
    expect(page.get_by_role("link", name="Nowak family")).to_be_visible()
    check_a11y(page, "lead's family list")
    page.get_by_role("link", name="Nowak family").click()
    expect(page.locator("main")).to_contain_text("Priya Shah")
    expect(page.locator("main")).to_contain_text("P3a by Harry Bennett")
    check_a11y(page, "lead's family page")


def test_a_person_we_already_hold_is_offered_and_chosen(page, live_server, check_a11y, world):
    from cases.models import FamilyMember, Person, TafMember
    from earlyhelp.models import User
    from tests.worlds import make_family

    # Sam sits on the family's team, so may see Tomasz's record and link it.
    family = make_family("Nowak family", members=0, lead=User.objects.get(username="priya"))
    TafMember.objects.create(
        episode=family.episodes.get(), user=User.objects.get(username="sam"), joined_on=date.today()
    )
    tomasz = Person.objects.create(
        first_name="Tomasz", last_name="Nowak", date_of_birth=date(2014, 3, 2), postcode="LE11 2AB"
    )
    FamilyMember.objects.create(family=family, person=tomasz, role="child")
    base = live_server.url
    sign_in(page, base, "sam")
    page.goto(f"{base}/requests/new/")
    page.get_by_label("A professional asking for support for a family").check()
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Telephone number").fill("01509 123456")
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Enter why the family needs support"
    )
    check_a11y(page, "reason with errors")
    page.get_by_label("Why does the family need support?").fill("Attendance has fallen this term.")
    page.get_by_role("button", name="Continue").click()

    page.get_by_role("button", name="Check for existing records and continue").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter first name")
    check_a11y(page, "person with errors")
    page.get_by_label("Child or young person").check()
    page.get_by_label("First name").fill("Tomasz")
    page.get_by_label("Last name").fill("Nowak")
    fill_date(page, "Date of birth", "2014-03-02")
    page.get_by_role("button", name="Check for existing records and continue").click()
    expect(page.get_by_role("heading", name="We may already know this person")).to_be_visible()
    check_a11y(page, "person with likely matches")
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select a record")
    check_a11y(page, "likely matches with errors")
    # By keyboard: the first record offered is Tomasz.
    choose(page, f"Tomasz Nowak, born 2 Mar 2014, LE11 2AB (record {tomasz.pk})")
    press_button(page, "Continue")
    expect(page.get_by_role("heading", level=1)).to_have_text("You have added 1 person")
    expect(page.locator("main")).to_contain_text("Linked to a record we already hold")
    check_a11y(page, "people, one linked")


def test_the_agencys_manager_ends_a_single_service_response_with_no_lead(
    page, live_server, check_a11y, world
):
    """A P3b goes to the service with no named lead; when its support ends, the agency's manager
    records it from their home (there is no lead to ask for closure), and the family is free
    for the next request."""
    from cases.front_door.services import support_request_allocate
    from cases.models import Closure, Family, TriageDecision
    from earlyhelp.models import User

    family = Family.objects.create(reference="B0000001", name="Nowak family")
    single = SupportRequest.objects.create(
        family=family, received_at=date.today(), status="awaiting_allocation"
    )
    TriageDecision.objects.create(
        request=single,
        priority="p3b",
        rationale="One need that one service can meet",
        decided_by=User.objects.get(username="harry"),
        decided_at=date.today(),
        time_to_decision=timedelta(hours=1),
    )
    support_request_allocate(
        support_request_id=single.pk,
        lead_agency=Organisation.objects.get(name="Children and Family Wellbeing Service"),
        by=User.objects.get(username="harry"),
    )
    base = live_server.url
    sign_in(page, base, "maya", check_a11y)
    device = TOTPDevice.objects.get(user__username="maya")
    code = f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=6):06d}"
    page.get_by_label("Security code").fill(code)
    page.get_by_role("button", name="Continue").click()
    expect(page.locator("#single-service")).to_contain_text("Nowak family")
    page.get_by_role("link", name="Record that the support ended for the Nowak family").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("End the episode")
    expect(page.locator("main")).to_contain_text("No named lead: single-service response")
    check_a11y(page, "end an episode with no lead")
    page.get_by_role("button", name="End the episode").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select why the episode ends")
    check_a11y(page, "end an episode with no lead, with errors")
    page.get_by_label("Needs met").check()
    page.get_by_label("What the service did, and what the family need now").fill(
        "Six sessions on routines with the family; nothing outstanding."
    )
    page.get_by_role("button", name="End the episode").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "The Nowak family's episode has ended."
    )
    expect(page.locator("#single-service")).to_have_count(0)  # none left to end
    check_a11y(page, "manager home after the episode ended")
    episode = Episode.objects.get(family=family)
    assert episode.status == "closed" and Closure.objects.get(episode=episode).status == (
        "signed_off"
    )
