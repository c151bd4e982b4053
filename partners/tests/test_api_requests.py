"""Requests for support from partner systems: into the hub's queue, and their status read back."""

import copy

import pytest

from cases.front_door import rules
from cases.front_door.selectors import triage_queue
from cases.front_door.services import support_request_triage
from cases.models import Consent, FamilyMember, Person, SupportRequest
from earlyhelp.models import AuditEntry
from earlyhelp.tests.factories import LocalityFactory, UserFactory
from partners.api.support_requests import EXAMPLE
from partners.services import api_client_create
from tests.worlds import make_family

from .clients import api, share_with

pytestmark = pytest.mark.django_db


@pytest.fixture
def sender(school):
    LocalityFactory(name="Charnwood")
    return api_client_create(
        organisation=school, name="Referrals", scopes=["requests:write", "requests:read"]
    )


def post(client, body):
    return client.post("/api/v1/requests/", body, content_type="application/json")


def test_a_partners_request_lands_in_the_hubs_queue_through_the_same_service(sender, school):
    response = post(api(sender), EXAMPLE)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "awaiting_triage" and body["about"] == ["Alex Smith"]
    assert body["family"] is None  # the agency may not see the family yet
    sent = SupportRequest.objects.get(pk=body["id"])
    assert sent.submitted_by == sender.client.user and sent.source_agency == school
    assert sent.referrer_name == "Sam Teacher" and sent.locality.name == "Charnwood"
    hub = UserFactory(role="hub")
    assert list(triage_queue(user=hub)) == [sent]
    consent = Consent.objects.get(family=sent.family)
    assert list(consent.agencies.all()) == [school] and consent.covers == ["summary", "evidence"]
    assert AuditEntry.objects.filter(
        api_client=sender.client, action="request", family_id=sent.family_id
    ).exists()


def test_the_client_reads_only_its_own_requests_and_sees_the_hubs_decision(sender, school):
    mine = post(api(sender), EXAMPLE).json()
    other = api_client_create(organisation=school, name="Other", scopes=["requests:write"])
    post(api(other), {**EXAMPLE, "referrer_name": "Someone else"})
    assert SupportRequest.objects.count() == 2
    client = api(sender)
    listing = client.get("/api/v1/requests/").json()
    assert [r["id"] for r in listing["results"]] == [mine["id"]]
    theirs = SupportRequest.objects.exclude(pk=mine["id"]).get()
    refused = client.get(f"/api/v1/requests/{theirs.pk}/")
    missing = client.get("/api/v1/requests/999999/")
    assert refused.status_code == missing.status_code == 404
    assert refused.json()["detail"] == missing.json()["detail"]

    support_request_triage(
        support_request_id=mine["id"], priority="p3a", rationale="Needs a TAF", by=UserFactory()
    )
    detail = client.get(f"/api/v1/requests/{mine['id']}/").json()
    assert detail["status"] == "awaiting_allocation" and detail["decision"] == "p3a"


def test_the_family_is_named_once_the_agency_may_see_it(sender, school):
    body = post(api(sender), EXAMPLE).json()
    family = SupportRequest.objects.get(pk=body["id"]).family
    share_with(school, family)
    again = api(sender).get(f"/api/v1/requests/{body['id']}/").json()
    assert again["family"] == family.pk


def fields_refused(response) -> set[str]:
    assert response.status_code == 400, response.content
    return {e["field"] for e in response.json()["errors"]}


def test_every_wrong_field_is_reported_and_nothing_is_saved(sender):
    """Every answer of the wrong shape at once; then, once the shape is right, every answer
    that breaks a rule of the request at once (the service's, as the pages refuse them)."""
    shape = copy.deepcopy(EXAMPLE)
    shape["locality"] = "Atlantis"
    shape["consent"]["agencies"] = ["Unknown agency"]
    shape["people"][0]["date_of_birth"] = "2014-02-30"
    shape["people"][0]["role"] = "pet"
    shape["referrer_phone"] = 1632960001
    assert fields_refused(post(api(sender), shape)) == {
        "locality",
        "consent.agencies",
        "people[0].date_of_birth",
        "people[0].role",
        "referrer_phone",
    }
    broken = copy.deepcopy(EXAMPLE)
    broken["reason"] = "short"
    broken["postcode"] = "nowhere"
    broken["consent"]["given_on"] = "2999-01-01"
    broken["people"][0]["date_of_birth"] = "2999-01-01"
    broken["referrer_phone"] = "call me"
    assert fields_refused(post(api(sender), broken)) == {
        "reason",
        "postcode",
        "consent.given_on",
        "people[0].date_of_birth",
        "referrer_phone",
    }
    assert not SupportRequest.objects.exists() and not Person.objects.exists()


def test_concerns_for_at_least_one_person_as_on_the_pages(sender):
    body = copy.deepcopy(EXAMPLE)
    body["people"][0]["concerns"] = ""
    response = post(api(sender), body)
    assert response.status_code == 400
    assert response.json()["errors"][0]["message"].startswith("Give the concerns")
    assert post(api(sender), {**EXAMPLE, "people": []}).status_code == 400
    assert post(api(sender), [EXAMPLE]).status_code == 400
    assert not SupportRequest.objects.exists()


def test_a_known_person_is_linked_only_when_the_client_may_see_them(sender, school):
    shared = make_family("Shared family")
    hidden = make_family("Hidden family")
    share_with(school, shared)
    client = api(sender)
    seen = shared.memberships.first().person
    unseen = hidden.memberships.first().person
    person = {"role": "child", "concerns": "Known to school"}
    refused = post(client, {**EXAMPLE, "people": [{**person, "person_id": unseen.pk}]})
    assert refused.status_code == 400
    assert refused.json()["errors"] == [
        {"field": "people[0].person_id", "message": "No such person you may see"}
    ]
    linked = post(client, {**EXAMPLE, "people": [{**person, "person_id": seen.pk}]})
    assert linked.status_code == 201
    sent = SupportRequest.objects.get(pk=linked.json()["id"])
    assert sent.family == shared and linked.json()["family"] == shared.pk
    assert FamilyMember.objects.filter(person=seen).count() == 1
    assert Person.objects.count() == 2


def test_without_the_scope_a_client_may_neither_send_nor_read(school):
    narrow = api_client_create(organisation=school, name="Reader", scopes=["requests:read"])
    LocalityFactory(name="Charnwood")
    assert post(api(narrow), EXAMPLE).status_code == 403
    assert not SupportRequest.objects.exists()
    blind = api_client_create(organisation=school, name="Sender", scopes=["requests:write"])
    assert api(blind).get("/api/v1/requests/").status_code == 403


def test_the_same_person_twice_is_refused_in_the_pages_words(sender, school):
    shared = make_family("Shared family")
    share_with(school, shared)
    seen = shared.memberships.first().person
    person = {"role": "child", "concerns": "Known to school", "person_id": seen.pk}
    response = post(api(sender), {**EXAMPLE, "people": [person, person]})
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"field": "people[1].person_id", "message": rules.PERSON_TWICE}
    ]
    assert not SupportRequest.objects.exists()
