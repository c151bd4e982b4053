"""Making a request for support through its question pages (DOMAIN §4 step 1)."""

import html
import re
from datetime import date, timedelta

import pytest
from django.test import Client
from django.urls import reverse

from cases.front_door.draft import SESSION_KEY
from cases.models import (
    Consent,
    Episode,
    Family,
    FamilyMember,
    Person,
    SupportRequest,
    SupportRequestMember,
)
from conftest import sign_in
from earlyhelp.models import AuditEntry, Organisation
from earlyhelp.tests.factories import TeamFactory, UserFactory
from tests.dates import typed
from tests.worlds import make_family, open_episode

from .requesting import (
    CHILD,
    PARENT,
    REASON,
    address_answers,
    consent_answers,
    fill_request,
    fill_until,
    post_ok,
    referrer_answers,
    send_request,
    world,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def practitioner(client_for):
    return client_for("practitioner")


def counts():
    return (
        Family.objects.count(),
        Person.objects.count(),
        SupportRequest.objects.count(),
        Consent.objects.count(),
        FamilyMember.objects.count(),
    )


def test_a_request_creates_nothing_until_it_is_sent(practitioner, users):
    before = counts()
    fill_request(practitioner)
    assert counts() == before
    check = practitioner.get(reverse("request-check"))
    page = check.content.decode()
    assert check.status_code == 200
    for answer in (
        "Sam Teacher",
        "Tomasz Nowak",
        "Ewa Nowak",
        "Missing school most Mondays",
        "LE11 2AB",
        "Charnwood",
        "Verbal, written consent to follow",
    ):
        assert answer in page
    # The answers are kept on the server: the browser holds only the session cookie.
    assert set(check.cookies) <= {"sessionid", "csrftoken"}
    assert SESSION_KEY in practitioner.session

    response = practitioner.post(reverse("request-check"))
    assert response.status_code == 302 and response.url == reverse("request-list")
    assert SESSION_KEY not in practitioner.session
    support_request = SupportRequest.objects.get()
    assert support_request.status == "awaiting_triage"
    assert support_request.submitted_by == users["practitioner"]
    assert support_request.source_agency.name == "Loughborough Primary"
    assert support_request.locality.name == "Charnwood"
    family = support_request.family
    assert re.fullmatch(r"F\d{7}", family.reference)
    assert family.name == "Nowak family" and family.postcode == "LE11 2AB"
    members = {m.person.first_name: m for m in support_request.members.select_related("person")}
    assert members["Tomasz"].concerns.startswith("Missing school")
    assert members["Tomasz"].role == "child" and members["Ewa"].role == "parent_carer"
    assert FamilyMember.objects.filter(family=family).count() == 2
    consents = Consent.objects.filter(family=family)
    assert consents.count() == 2
    assert {c.kind for c in consents} == {"verbal"}
    assert all(c.chase_on == date.today() + timedelta(days=14) for c in consents)
    assert AuditEntry.objects.filter(action="request", family_id=family.pk).exists()


def test_sending_twice_makes_one_request(practitioner):
    fill_request(practitioner)
    post_ok(practitioner, "request-check", {})
    again = practitioner.post(reverse("request-check"))
    assert again.status_code == 302 and again.url == reverse("request-start")
    assert SupportRequest.objects.count() == 1


def test_family_references_are_unique_and_in_the_f_format(client_for):
    first = send_request(client_for("practitioner")).family.reference
    # The same people again, told apart as new records: a second family.
    second = send_request(client_for("manager"), matches=["new", "new"]).family.reference
    assert first != second
    assert all(re.fullmatch(r"F\d{7}", ref) for ref in (first, second))


def test_a_known_person_is_linked_not_typed_twice_and_the_request_joins_their_family(
    practitioner, users
):
    # The sender leads the family: a person they may see is offered in full and linked.
    family = make_family("Nowak family", members=0, lead=users["practitioner"])
    tomasz = Person.objects.create(
        first_name="Tomasz", last_name="Nowak", date_of_birth="2014-03-02", postcode="LE11 2AB"
    )
    FamilyMember.objects.create(family=family, person=tomasz, role="child")
    world()
    post_ok(practitioner, "request-start", {"kind": "multi_agency"})
    organisation = Organisation.objects.get(name="Loughborough Primary")
    post_ok(practitioner, "request-referrer", referrer_answers(organisation))
    post_ok(practitioner, "request-reason", REASON)
    offered = practitioner.post(reverse("request-person-add"), typed(CHILD))
    page = offered.content.decode()
    assert offered.status_code == 200 and "We may already know this person" in page
    assert f'value="{tomasz.pk}"' in page
    assert AuditEntry.objects.filter(action="duplicate_check", listed_person_ids=[tomasz.pk])

    unanswered = practitioner.post(reverse("request-person-add"), typed({**CHILD, "match": ""}))
    assert "Select a record, or that none of these is the person" in unanswered.content.decode()
    post_ok(practitioner, "request-person-add", {**CHILD, "match": tomasz.pk})
    # The same record twice is refused.
    twice = practitioner.post(reverse("request-person-add"), typed({**CHILD, "match": tomasz.pk}))
    assert "You have already added this person" in twice.content.decode()
    post_ok(practitioner, "request-person-add", PARENT)
    post_ok(practitioner, "request-people", {"add_another": "no"})
    locality = family.locality or world()[0]
    post_ok(practitioner, "request-address", address_answers(locality))
    post_ok(practitioner, "request-consent", consent_answers([organisation]))
    before = Person.objects.count()
    post_ok(practitioner, "request-check", {})

    support_request = SupportRequest.objects.get()
    assert support_request.family == family
    assert Person.objects.count() == before + 1  # Ewa is new; Tomasz is the record we had
    linked = SupportRequestMember.objects.get(request=support_request, person=tomasz)
    assert linked.matched_existing and linked.name_as_given == "Tomasz Nowak"
    assert FamilyMember.objects.filter(family=family, person__first_name="Ewa").exists()
    assert Family.objects.count() == 1


def test_a_request_for_a_family_with_an_open_episode_is_flagged_to_the_hub(
    practitioner, client_for, users
):
    family = make_family("Nowak family", members=0)
    tomasz = Person.objects.create(
        first_name="Tomasz", last_name="Nowak", date_of_birth="2014-03-02", postcode="LE11 2AB"
    )
    FamilyMember.objects.create(family=family, person=tomasz, role="child")
    open_episode(family, users["practitioner"])  # the sender may link Tomasz: they lead
    send_request(practitioner, people=(CHILD,), matches=[tomasz.pk])
    queue = client_for("hub").get(reverse("triage-queue")).content.decode()
    assert "Open episode" in queue and "Nowak family" in queue


def manager_of_the_last_lead(users, family, *, started, ended):
    """A closed episode of `family`, led from a team the fixed manager manages: the manager
    may still see the family, and so link its people to a request."""
    users["manager"].managed_teams.add(users["practitioner"].team)
    Episode.objects.create(
        family=family,
        status="closed",
        started_on=started,
        ended_on=ended,
        lead_practitioner=users["practitioner"],
    )
    return users["manager"]


def test_a_request_for_a_family_closed_within_12_months_is_flagged(client_for, users):
    family = make_family("Nowak family", members=0)
    tomasz = Person.objects.create(
        first_name="Tomasz", last_name="Nowak", date_of_birth="2014-03-02", postcode="LE11 2AB"
    )
    FamilyMember.objects.create(family=family, person=tomasz, role="child")
    today = date.today()
    manager_of_the_last_lead(
        users, family, started=today - timedelta(days=300), ended=today - timedelta(days=100)
    )
    manager = client_for("manager")
    support_request = send_request(manager, people=(CHILD,), matches=[tomasz.pk])
    hub = client_for("hub")
    queue = hub.get(reverse("triage-queue")).content.decode()
    assert "Closed in the last 12 months" in queue and "Open episode" not in queue
    page = hub.get(reverse("triage-request", args=[support_request.pk])).content.decode()
    assert "closed in the last 12 months" in page


def test_an_episode_closed_long_ago_is_not_flagged(client_for, users):
    family = make_family("Nowak family", members=0)
    tomasz = Person.objects.create(
        first_name="Tomasz", last_name="Nowak", date_of_birth="2014-03-02", postcode="LE11 2AB"
    )
    FamilyMember.objects.create(family=family, person=tomasz, role="child")
    today = date.today()
    manager_of_the_last_lead(
        users, family, started=today - timedelta(days=900), ended=today - timedelta(days=400)
    )
    send_request(client_for("manager"), people=(CHILD,), matches=[tomasz.pk])
    queue = client_for("hub").get(reverse("triage-queue")).content.decode()
    assert "Closed in the last 12 months" not in queue


def test_verbal_consent_shows_as_pending_with_its_chase_date(practitioner, client_for, users):
    chase = date.today() + timedelta(days=10)
    locality, school, family_support = world()
    support_request = send_request(practitioner, consent=consent_answers([school], chase_on=chase))
    hub = client_for("hub")
    page = hub.get(reverse("triage-request", args=[support_request.pk])).content.decode()
    chase_text = f"{chase.day} {chase:%B %Y}"
    assert "Written consent pending" in page and f"chase the written form by {chase_text}" in page
    family_page = hub.get(reverse("family-detail", args=[support_request.family_id]))
    assert "Written consent pending" in family_page.content.decode()
    queue = hub.get(reverse("triage-queue")).content.decode()
    assert f"Verbal consent: chase by {chase.day} {chase:%b %Y}" in queue


def test_written_consent_has_nothing_to_chase(practitioner):
    locality, school, family_support = world()
    support_request = send_request(practitioner, consent=consent_answers([school], kind="written"))
    consent = Consent.objects.filter(family=support_request.family).first()
    assert consent.kind == "written" and consent.chase_on is None


def test_a_family_can_ask_for_themselves(client_for):
    support_request = send_request(client_for("hub"), kind="family")
    assert support_request.kind == "family" and support_request.source_agency is None
    assert support_request.referrer_role == "Mother"
    assert support_request.source == "The family"


def test_only_social_care_raises_step_down_requests(practitioner, client_for):
    start = practitioner.get(reverse("request-start")).content.decode()
    assert "step-down" not in start
    refused = practitioner.post(reverse("request-start"), {"kind": "step_down"})
    assert refused.status_code == 400
    assert "Only children&#x27;s social care can request a step-down" in refused.content.decode()

    social_care = Organisation.objects.create(
        name="Children's Social Care", kind="social_care", tier=1
    )
    worker = UserFactory(role="practitioner", team=TeamFactory(organisation=social_care))
    client = sign_in(Client(), worker)
    assert "step-down" in client.get(reverse("request-start")).content.decode()
    support_request = send_request(client, kind="step_down")
    assert support_request.is_step_down
    queue = client_for("hub").get(reverse("triage-queue")).content.decode()
    assert "Step-down" in queue


def test_pages_out_of_order_send_you_back(practitioner):
    for name in (
        "request-referrer",
        "request-reason",
        "request-people",
        "request-address",
        "request-consent",
        "request-check",
    ):
        response = practitioner.get(reverse(name))
        assert response.status_code == 302 and response.url == reverse("request-start")
    post_ok(practitioner, "request-start", {"kind": "family"})
    response = practitioner.get(reverse("request-consent"))
    assert response.url == reverse("request-referrer")


def test_your_requests_shows_status_not_the_family_record(practitioner, client_for, users):
    support_request = send_request(practitioner)
    page = practitioner.get(reverse("request-list")).content.decode()
    assert support_request.reference in page and "Awaiting triage" in page
    assert "Tomasz Nowak" in page
    assert reverse("family-detail", args=[support_request.family_id]) not in page
    # The request does not open the family record, nor the hub's page about it.
    assert (
        practitioner.get(reverse("family-detail", args=[support_request.family_id])).status_code
        == 404
    )
    assert practitioner.get(reverse("triage-request", args=[support_request.pk])).status_code == 404
    listed = AuditEntry.objects.filter(action="your_requests").latest("id").listed_family_ids
    assert listed == [support_request.family_id]
    # Another user's requests are not listed.
    other = client_for("manager").get(reverse("request-list")).content.decode()
    assert support_request.reference not in other


LONG = "x" * 5001
PERSON = {k: v for k, v in CHILD.items()}


def person_with(**changes):
    data = dict(PERSON)
    for key, value in changes.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return data


BAD_ANSWERS = [
    # (the page, its URL name, what is posted, the messages the error summary must give)
    ("kind", "request-start", {}, ["Select what kind of request this is"]),
    ("kind", "request-start", {"kind": "gossip"}, ["Select what kind of request this is from"]),
    (
        "referrer",
        "request-referrer",
        {},
        ["Select your agency", "Enter your name", "Enter your job title", "Enter telephone number"],
    ),
    (
        "referrer",
        "request-referrer",
        {"source_agency": "999999", "referrer_phone": "call me", "referrer_email": "sam@"},
        [
            "Select your agency from the list",
            "Enter a telephone number, like 01632 960 001",
            "Enter an email address in the correct format",
        ],
    ),
    ("referrer", "request-referrer", {"referrer_phone": "01509 12"}, ["Enter a telephone number"]),
    ("reason", "request-reason", {}, ["Enter why the family needs support"]),
    ("reason", "request-reason", {"reason": "Help."}, ["in at least 20 characters"]),
    ("reason", "request-reason", {"reason": LONG}, ["in 5,000 characters or fewer"]),
    (
        "person",
        "request-person-add",
        {},
        ["Select role in the household", "Enter first name", "Enter last name"],
    ),
    (
        "person",
        "request-person-add",
        person_with(**{"person-date_of_birth": "2014-02-30"}),
        ["Date of birth must be a real date"],
    ),
    (
        "person",
        "request-person-add",
        person_with(**{"person-expected_date_of_birth": "2027-01-01", "person-postcode": "LE11"}),
        ["not both", "Enter a real postcode, like LE11 3TU"],
    ),
    (
        "person",
        "request-person-add",
        person_with(**{"person-nhs_number": "485 777 3456", "member-role": "pet"}),
        ["NHS number is not valid", "Select role in the household from the list"],
    ),
    (
        "person",
        "request-person-add",
        person_with(**{"member-concerns": "y" * 3001}),
        ["Describe the concerns in 3,000 characters or fewer"],
    ),
    (
        # Issue 18: a parent "born 1 January 2030" was accepted.
        "person",
        "request-person-add",
        person_with(**{"member-role": "parent_carer", "person-date_of_birth": "2030-01-01"}),
        ["Date of birth must be today or in the past"],
    ),
    ("people", "request-people", {}, ["Select yes if you need to add another person"]),
    ("people", "request-people", {"add_another": "maybe"}, ["Select one of the options"]),
    (
        "address",
        "request-address",
        {},
        [
            "Enter the family's address",
            "Enter the family's postcode",
            "Select the family's locality",
        ],
    ),
    (
        "address",
        "request-address",
        {"address_line": "1 Road", "postcode": "ZZ9", "locality": "999999"},
        ["Enter a real postcode", "Select locality from the list"],
    ),
    (
        "consent",
        "request-consent",
        {},
        [
            "Select how the family gave consent",
            "Enter who gave consent",
            "Enter the date consent was given",
            "Select what the family agreed may be shared",
            "Select the agencies the family agreed may share information",
        ],
    ),
    (
        "consent",
        "request-consent",
        {"kind": "verbal", "given_by": "Ewa", "given_on": "2026-02-30", "covers": ["secrets"]},
        [
            "Date consent was given must be a real date",
            "Select what they agreed may be shared from",
        ],
    ),
    (
        "consent",
        "request-consent",
        {"kind": "verbal", "given_by": "Ewa", "given_on": "2026-01-10"},
        ["Enter the date to chase the written consent form"],
    ),
    (
        "consent",
        "request-consent",
        {"kind": "verbal", "given_by": "Ewa", "given_on": "2026-01-10", "chase_on": "2026-01-01"},
        ["must be after consent was given"],
    ),
    (
        "consent",
        "request-consent",
        {"kind": "written", "given_by": "Ewa", "given_on": "2999-01-01"},
        ["Date consent was given must be today or in the past"],
    ),
]


@pytest.mark.parametrize(
    "step, name, data, messages",
    BAD_ANSWERS,
    ids=[f"{case[0]}-{i}" for i, case in enumerate(BAD_ANSWERS)],
)
def test_every_bad_answer_is_refused_with_the_error_summary_and_nothing_kept(
    practitioner, step, name, data, messages
):
    fill_until(practitioner, step)
    before = (counts(), dict(practitioner.session.get(SESSION_KEY) or {}))
    response = practitioner.post(reverse(name), typed(data))
    page = html.unescape(response.content.decode())
    assert response.status_code == 400
    assert "govuk-error-summary" in page and "<title>Error:" in page
    for message in messages:
        assert message in page, message
    assert (counts(), dict(practitioner.session.get(SESSION_KEY) or {})) == before


def test_a_family_request_asks_the_family_who_they_are(practitioner):
    fill_until(practitioner, "referrer", kind="family")
    response = practitioner.post(reverse("request-referrer"), {})
    page = response.content.decode()
    assert response.status_code == 400
    for message in (
        "Enter the name of the person asking for support",
        "Enter their relationship to the children",
        "Enter telephone number",
    ):
        assert message in page
    assert "Select your agency" not in page


def test_people_without_any_concerns_are_not_enough(practitioner):
    fill_until(practitioner, "reason")
    post_ok(practitioner, "request-reason", REASON)
    post_ok(practitioner, "request-person-add", PARENT)  # no concerns given for her
    response = practitioner.post(reverse("request-people"), {"add_another": "no"})
    assert response.status_code == 400
    assert "Give the concerns for at least one person" in response.content.decode()


def test_removing_everyone_asks_for_a_person_again(practitioner):
    fill_until(practitioner, "people")
    post_ok(practitioner, "request-person-remove", {}, kwargs={"index": 0})
    response = practitioner.get(reverse("request-people"))
    assert response.url == reverse("request-person-add")
    assert practitioner.get(reverse("request-check")).url == reverse("request-person-add")


def test_a_record_merged_before_sending_stops_the_request_and_saves_nothing(practitioner, users):
    from cases.people.merging import person_merge

    tomasz = Person.objects.create(
        first_name="Tomasz", last_name="Nowak", date_of_birth="2014-03-02", postcode="LE11 2AB"
    )
    family = make_family("Nowak family", members=0, lead=users["practitioner"])
    FamilyMember.objects.create(family=family, person=tomasz, role="child")
    fill_request(practitioner, people=(CHILD,), matches=[tomasz.pk])
    survivor = Person.objects.create(first_name="Tomek", last_name="Nowak")
    person_merge(survivor=survivor, duplicate=tomasz, reason="Same boy, twice", by=users["hub"])
    before = counts()
    response = practitioner.post(reverse("request-check"))
    page = response.content.decode()
    assert response.status_code == 400 and "govuk-error-summary" in page
    assert "is no longer there, or was merged: change that person" in page
    # The summary links the problem to the page that asks for the person.
    assert f'href="{reverse("request-person-change", args=[0])}">The record chosen' in page
    assert counts() == before


def test_continuing_past_the_offered_records_without_choosing_is_an_error(practitioner, users):
    """On the request's person page and on a family's "add a member" page alike."""
    Person.objects.create(
        first_name="Tomasz", last_name="Nowak", date_of_birth="2014-03-02", postcode="LE11 2AB"
    )
    family = make_family("Lead family", members=0, lead=users["practitioner"])
    fill_until(practitioner, "person")
    member_add = {k: v for k, v in CHILD.items() if k != "member-concerns"}
    for url, data in [
        (reverse("request-person-add"), CHILD),
        (reverse("member-add", args=[family.pk]), member_add),
    ]:
        offered = practitioner.post(url, typed(data))
        assert offered.status_code == 200 and 'name="matches_offered"' in offered.content.decode()
        unanswered = practitioner.post(url, typed({**data, "matches_offered": "1"}))
        page = unanswered.content.decode()
        assert unanswered.status_code == 400 and "govuk-error-summary" in page
        assert "Select a record, or that none of these is the person" in page
    assert not FamilyMember.objects.filter(family=family).exists()


def test_a_date_of_birth_in_the_future_is_refused_when_a_member_is_added(practitioner, users):
    """Issue 18: a parent "born 1 January 2030" was accepted. An unborn child has an expected
    date of birth instead."""
    family = make_family("Nowak family", members=0, lead=users["practitioner"])
    parent = {k: v for k, v in CHILD.items() if k != "member-concerns"}
    parent.update({"member-role": "parent_carer", "person-date_of_birth": "2030-01-01"})
    response = practitioner.post(reverse("member-add", args=[family.pk]), typed(parent))
    page = html.unescape(response.content.decode())
    assert response.status_code == 400
    assert "Date of birth must be today or in the past" in page
    assert not FamilyMember.objects.filter(family=family).exists()
