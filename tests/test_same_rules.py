"""The same bad input gets the same error from a page and from the partner API.

The rules of each write the two share live in its service, and forms and serializers take their
words for an answer of the wrong shape from the same place. Each case below sends one bad input
both ways — through the test client to the real pages, and through the API with a client's
token — and compares what a person reads in the page's error summary with the problem's
`errors`: a rule broken, and an answer of the wrong shape, for each write. Nothing is saved
either way.
"""

import html
import re
from datetime import date, timedelta

import pytest
from django.test import Client
from django.urls import reverse

from cases.episode import services as episode
from cases.front_door import rules
from cases.models import CaseNote, Person, PlanActionUpdate, SupportRequest
from cases.people import rules as person_rules
from cases.tests.requesting import (
    CHILD,
    REASON,
    address_answers,
    consent_answers,
    fill_until,
    referrer_answers,
    world,
)
from conftest import sign_in
from earlyhelp.tests.factories import OrganisationFactory, TeamFactory, UserFactory
from outcomes import evidence_rows
from outcomes.models import Evidence
from partners.scopes import SCOPES
from partners.services import api_client_create
from partners.tests.clients import api, share_with
from tests.worlds import make_family

pytestmark = pytest.mark.django_db

TODAY = date.today()
TOMORROW = TODAY + timedelta(days=1)
LONG = "x" * 10_001


def page_errors(response) -> list[str]:
    """The messages of a page's error summary, as a person reads them."""
    assert response.status_code == 400, response.content.decode()[:2000]
    page = response.content.decode()
    listed = re.search(r'govuk-error-summary__list">(.*?)</ul>', page, re.S)
    assert listed, "the page has no error summary"
    return sorted(
        html.unescape(re.sub(r"<[^>]+>", "", item)).strip()
        for item in re.findall(r"<li>(.*?)</li>", listed.group(1), re.S)
    )


def api_errors(response, field: str) -> list[str]:
    """The messages of a problem's `errors`, each naming `field`."""
    assert response.status_code == 400, response.content.decode()[:2000]
    assert response["Content-Type"] == "application/problem+json"
    errors = response.json()["errors"]
    assert {e["field"] for e in errors} == {field}, errors
    return sorted(e["message"] for e in errors)


def same_error(page_response, api_response, *, field: str, message: str) -> None:
    assert page_errors(page_response) == [message]
    assert api_errors(api_response, field) == [message]


# --- a request for support ------------------------------------------------------------------


def unprefixed(answers: dict) -> dict:
    """A person as the API gives them, from the person page's answers."""
    return {name.partition("-")[2]: value for name, value in answers.items() if value != ""}


def request_payload(school) -> dict:
    """The answers `fill_until` gives the request pages, as a partner system sends them."""
    consent = consent_answers([school])
    consent["agencies"] = [school.name]
    referrer = referrer_answers(school)
    del referrer["source_agency"]  # a client asks for its own agency
    address = address_answers(world()[0])
    address["locality"] = "Charnwood"
    return {
        "kind": SupportRequest.Kind.MULTI_AGENCY,
        **referrer,
        **REASON,
        **address,
        "people": [unprefixed(CHILD)],
        "consent": consent,
    }


def without(answers: dict, *names) -> dict:
    return {k: v for k, v in answers.items() if k not in names}


# (the page, its URL name, its answers made bad; the payload made bad; the field; the message)
REQUEST_CASES = {
    "a step-down asked by a school (rule)": (
        "kind",
        "request-start",
        lambda school: {"kind": "step_down"},
        lambda body: body.update(kind="step_down"),
        "kind",
        rules.STEP_DOWN_NOT_YOURS,
    ),
    "a kind of request not in the list (shape)": (
        "kind",
        "request-start",
        lambda school: {"kind": "gossip"},
        lambda body: body.update(kind="gossip"),
        "kind",
        rules.KIND_UNKNOWN,
    ),
    "a telephone number too short (rule)": (
        "referrer",
        "request-referrer",
        lambda school: {**referrer_answers(school), "referrer_phone": "01509 12"},
        lambda body: body.update(referrer_phone="01509 12"),
        "referrer_phone",
        rules.PHONE_INVALID,
    ),
    "a reason in a word (rule)": (
        "reason",
        "request-reason",
        lambda school: {"reason": "Help."},
        lambda body: body.update(reason="Help."),
        "reason",
        rules.REASON_TOO_SHORT,
    ),
    "a child born tomorrow (rule)": (
        "person",
        "request-person-add",
        lambda school: {**CHILD, "person-date_of_birth": TOMORROW.isoformat()},
        lambda body: body["people"][0].update(date_of_birth=TOMORROW.isoformat()),
        "people[0].date_of_birth",
        person_rules.BORN_IN_THE_FUTURE,
    ),
    "an NHS number whose check digit is wrong (rule)": (
        "person",
        "request-person-add",
        lambda school: {**CHILD, "person-nhs_number": "485 777 3456"},
        lambda body: body["people"][0].update(nhs_number="485 777 3456"),
        "people[0].nhs_number",
        "NHS number is not valid: check the digits (the last one does not match)",
    ),
    "a date of birth that is not a date (shape)": (
        "person",
        "request-person-add",
        lambda school: {**CHILD, "person-date_of_birth": "2014-02-30"},
        lambda body: body["people"][0].update(date_of_birth="2014-02-30"),
        "people[0].date_of_birth",
        person_rules.DATE_OF_BIRTH_NOT_REAL,
    ),
    "no first name (shape)": (
        "person",
        "request-person-add",
        lambda school: {**CHILD, "person-first_name": ""},
        lambda body: body["people"][0].pop("first_name"),
        "people[0].first_name",
        person_rules.FIRST_NAME_MISSING,
    ),
    "a role not in the list (shape)": (
        "person",
        "request-person-add",
        lambda school: {**CHILD, "member-role": "pet"},
        lambda body: body["people"][0].update(role="pet"),
        "people[0].role",
        rules.ROLE_UNKNOWN,
    ),
    "a postcode that is not one (rule)": (
        "address",
        "request-address",
        lambda school: {**address_answers(world()[0]), "postcode": "nowhere"},
        lambda body: body.update(postcode="nowhere"),
        "postcode",
        person_rules.POSTCODE_INVALID,
    ),
    "verbal consent with no date to chase the written form (rule)": (
        "consent",
        "request-consent",
        lambda school: without(consent_answers([school]), "chase_on"),
        lambda body: body["consent"].pop("chase_on"),
        "consent.chase_on",
        rules.CHASE_ON_MISSING,
    ),
    "a chase date before consent was given (rule)": (
        "consent",
        "request-consent",
        lambda school: consent_answers([school], chase_on=TODAY - timedelta(days=1)),
        lambda body: body["consent"].update(chase_on=(TODAY - timedelta(days=1)).isoformat()),
        "consent.chase_on",
        rules.CHASE_BEFORE_GIVEN,
    ),
    "consent given tomorrow (rule)": (
        "consent",
        "request-consent",
        lambda school: consent_answers([school], given_on=TOMORROW),
        lambda body: body["consent"].update(
            given_on=TOMORROW.isoformat(), chase_on=(TOMORROW + timedelta(days=14)).isoformat()
        ),
        "consent.given_on",
        rules.GIVEN_ON_IN_THE_FUTURE,
    ),
    "consent given on a date that is not a date (shape)": (
        "consent",
        "request-consent",
        lambda school: {**consent_answers([school]), "given_on": "2026-02-30"},
        lambda body: body["consent"].update(given_on="2026-02-30"),
        "consent.given_on",
        rules.GIVEN_ON_NOT_REAL,
    ),
    "no agency chosen (shape)": (
        "consent",
        "request-consent",
        lambda school: without(consent_answers([school]), "agencies"),
        lambda body: body["consent"].update(agencies=[]),
        "consent.agencies",
        rules.AGENCIES_MISSING,
    ),
}


@pytest.fixture
def requester(client_for):
    """A practitioner on the request pages, and a school's system on the API."""
    locality, school, _ = world()
    partner = api_client_create(organisation=school, name="Referrals", scopes=["requests:write"])
    return client_for("practitioner"), api(partner), school


@pytest.mark.parametrize(
    "step, url_name, page_answers, spoil, field, message",
    REQUEST_CASES.values(),
    ids=REQUEST_CASES.keys(),
)
def test_a_request_for_support(requester, step, url_name, page_answers, spoil, field, message):
    page, partner, school = requester
    fill_until(page, step)
    on_page = page.post(reverse(url_name), page_answers(school))
    body = request_payload(school)
    spoil(body)
    through_api = partner.post("/api/v1/requests/", body, content_type="application/json")
    same_error(on_page, through_api, field=field, message=message)
    assert not SupportRequest.objects.exists() and not Person.objects.exists()


def test_a_request_with_no_concerns_for_anyone(requester):
    """A rule of the whole list of people: the page asks it when told no one else is to come."""
    page, partner, school = requester
    fill_until(page, "person")
    page.post(reverse("request-person-add"), {**CHILD, "member-concerns": ""})
    on_page = page.post(reverse("request-people"), {"add_another": "no"})
    body = request_payload(school)
    body["people"][0].pop("concerns")
    through_api = partner.post("/api/v1/requests/", body, content_type="application/json")
    same_error(on_page, through_api, field="people", message=rules.NO_CONCERNS)


def test_the_request_payload_is_the_pages_answers(requester):
    """The cases above start from answers both ways accept: the same request, sent twice."""
    page, partner, school = requester
    fill_until(page, "check")
    assert page.post(reverse("request-check")).status_code == 302
    body = request_payload(school)
    sent = partner.post("/api/v1/requests/", body, content_type="application/json")
    assert sent.status_code == 201, sent.content
    by_page, by_api = SupportRequest.objects.order_by("id")
    assert (by_page.reason, by_page.postcode) == (by_api.reason, by_api.postcode)
    assert [m.name_as_given for m in by_page.members.all()] == ["Tomasz Nowak"]
    assert [m.name_as_given for m in by_api.members.all()] == ["Tomasz Nowak"]


# --- the team's work: an action's update, a case note ---------------------------------------


@pytest.fixture
def team():
    """A family whose team has a lead (on the pages) and a school's system (on the API)."""
    school = OrganisationFactory(name="Loughborough Grammar Academy", kind="education")
    lead = UserFactory(role="practitioner", team=TeamFactory())
    family = make_family("Team family", members=2, lead=lead)
    case = family.episodes.get()
    partner = api_client_create(organisation=school, name="Attendance team", scopes=list(SCOPES))
    episode.taf_member_add(
        episode=case, user=partner.client.user, joined_on=date(2026, 9, 2), by=lead
    )
    action = episode.plan_action_add(
        episode=case,
        what="Daily attendance check",
        owner=partner.client.user,
        due_on=TODAY + timedelta(days=30),
        by=lead,
    )
    return {
        "family": family,
        "action": action,
        "page": sign_in(Client(), lead),
        "api": api(partner),
    }


# (the page's answers; the payload; the field; the message)
UPDATE_CASES = {
    "stopped, without saying why (rule)": (
        {"status": "stopped", "note": ""},
        {"status": "stopped"},
        "note",
        episode.STOPPED_WITHOUT_NOTE,
    ),
    "what has happened, at length (rule)": (
        {"status": "done", "note": LONG},
        {"status": "done", "note": LONG},
        "note",
        "What has happened must be 10,000 characters or fewer",
    ),
    "a status not in the list (shape)": (
        {"status": "paused", "note": "On hold"},
        {"status": "paused", "note": "On hold"},
        "status",
        episode.ACTION_STATUS_UNKNOWN,
    ),
    "no status (shape)": (
        {"note": "On hold"},
        {"note": "On hold"},
        "status",
        episode.ACTION_STATUS_MISSING,
    ),
}


@pytest.mark.parametrize(
    "answers, payload, field, message", UPDATE_CASES.values(), ids=UPDATE_CASES.keys()
)
def test_an_actions_update(team, answers, payload, field, message):
    action = team["action"]
    url = reverse("plan-action-update", args=[team["family"].pk, action.pk])
    on_page = team["page"].post(url, answers)
    path = f"/api/v1/actions/{action.pk}/"
    etag = team["api"].get(path)["ETag"]
    through_api = team["api"].patch(
        path, payload, content_type="application/json", HTTP_IF_MATCH=etag
    )
    same_error(on_page, through_api, field=field, message=message)
    assert not PlanActionUpdate.objects.exists()


NOTE = {"kind": "call", "happened_on": TODAY.isoformat(), "text": "Spoke to mum"}
# (changes to a good note, on the page and in the payload; the field; the message)
NOTE_CASES = {
    "something that happens tomorrow (rule)": (
        {"happened_on": TOMORROW.isoformat()},
        {"happened_on": TOMORROW.isoformat()},
        "happened_on",
        "Date it happened must be today or in the past",
    ),
    "something before the episode began (rule)": (
        {"happened_on": "2026-08-01"},
        {"happened_on": "2026-08-01"},
        "happened_on",
        "Date it happened must be on or after the episode began (1 September 2026)",
    ),
    "someone who is not in the family (rule)": (
        {"about": ["0"]},
        {"about": [999_999]},
        "about",
        episode.NOTE_ABOUT_NOT_MEMBERS,
    ),
    "a note at length (rule)": (
        {"text": LONG},
        {"text": LONG},
        "text",
        "Note must be 10,000 characters or fewer",
    ),
    "no note (shape)": ({"text": ""}, {"text": ""}, "text", episode.NOTE_TEXT_MISSING),
    "a date that is not a date (shape)": (
        {"happened_on": "2026-02-30"},
        {"happened_on": "2026-02-30"},
        "happened_on",
        "Date it happened must be a real date",
    ),
    "a kind not in the list (shape)": (
        {"kind": "letter"},
        {"kind": "letter"},
        "kind",
        episode.NOTE_KIND_UNKNOWN,
    ),
}


@pytest.mark.parametrize("answers, payload, field, message", NOTE_CASES.values(), ids=NOTE_CASES)
def test_a_case_note(team, answers, payload, field, message):
    family = team["family"]
    on_page = team["page"].post(reverse("case-note-add", args=[family.pk]), {**NOTE, **answers})
    body = {**NOTE, "family": family.pk, **payload}
    through_api = team["api"].post("/api/v1/case-notes/", body, content_type="application/json")
    same_error(on_page, through_api, field=field, message=message)
    assert not CaseNote.objects.exists()


# --- an evidence row ------------------------------------------------------------------------


@pytest.fixture
def recorders(users):
    """The family's lead practitioner on the evidence page, and a school's feed on the API."""
    school = OrganisationFactory(name="Loughborough Grammar Academy", kind="education")
    family = make_family("Evans family", members=1, lead=users["practitioner"])
    share_with(school, family)
    partner = api_client_create(organisation=school, name="Feed", scopes=["evidence:write"])
    return family, sign_in(Client(), users["practitioner"]), api(partner)


# (the kind; the page's answers; the row's values; the field; the message)
EVIDENCE_CASES = {
    "an offence tomorrow (rule)": (
        "offence",
        {"period_start": TOMORROW.isoformat()},
        {"period_start": TOMORROW.isoformat()},
        "period_start",
        evidence_rows.DATE_IN_THE_FUTURE,
    ),
    "a spell that ends before it starts (rule)": (
        "not_on_roll",
        {"period_start": "2026-05-04", "period_end": "2026-05-01"},
        {"period_start": "2026-05-04", "period_end": "2026-05-01"},
        "period_end",
        evidence_rows.END_BEFORE_START,
    ),
    # One shape, two ways of typing it: the page's three boxes answer in the GOV.UK date
    # input's own words (issue 18), a file's or the API's "2026-02-30" in the row's.
    "a date that is not a date (shape)": (
        "offence",
        {"period_start": "2026-02-30"},
        {"period_start": "2026-02-30"},
        "period_start",
        ("The date it happened must be a real date", evidence_rows.DATE_NOT_REAL),
    ),
    "no source (shape)": (
        "offence",
        {"source": ""},
        {"source": ""},
        "source",
        evidence_rows.SOURCE_MISSING,
    ),
}


@pytest.mark.parametrize(
    "kind, answers, row, field, message", EVIDENCE_CASES.values(), ids=EVIDENCE_CASES.keys()
)
def test_an_evidence_row(recorders, kind, answers, row, field, message):
    family, page, partner = recorders
    person = family.memberships.first().person_id
    good = {"person": person, "period_start": "2026-05-04", "source": "Youth Offending Service"}
    values = {"proven": True} if kind == "offence" else {}
    form = {**good, **({"value_proven": "true"} if values else {}), **answers}
    on_page = page.post(reverse("evidence-add-kind", args=[family.pk, kind]), form)
    body = {"family": family.reference, "kind": kind, "values": values, **good, **row}
    through_api = partner.post("/api/v1/evidence/", [body], content_type="application/json")
    on_page_message, api_message = message if isinstance(message, tuple) else (message, message)
    assert page_errors(on_page) == [on_page_message]
    assert response_rows(through_api) == [(1, field, api_message)]
    assert not Evidence.objects.exists()


def response_rows(response) -> list[tuple]:
    assert response.status_code == 400 and response["Content-Type"] == "application/problem+json"
    return [(e["row"], e["field"], e["message"]) for e in response.json()["errors"]]
