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
from cases.models import CaseNote, PlanActionUpdate
from conftest import sign_in
from earlyhelp.tests.factories import OrganisationFactory, TeamFactory, UserFactory
from partners.scopes import SCOPES
from partners.services import api_client_create
from partners.tests.clients import api
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
