"""Every list endpoint runs the same number of queries for a page of 2 as for a page of 12."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cases.episode import services
from cases.models import DataKind, SupportRequest, SupportRequestMember
from earlyhelp.tests.factories import TeamFactory, UserFactory
from outcomes.models import Evidence
from partners.scopes import SCOPES
from partners.services import api_client_create
from tests.worlds import make_family

from .clients import api, share_with

pytestmark = pytest.mark.django_db
FAMILIES = 12
LISTS = [
    "/api/v1/families/",
    "/api/v1/persons/",
    "/api/v1/families/{family}/evidence/",
    "/api/v1/requests/",
    "/api/v1/actions/",
    "/api/v1/case-notes/",
    "/api/v1/changes/",
]


@pytest.fixture
def world(school):
    partner = api_client_create(
        organisation=school, name="MIS", scopes=list(SCOPES), requests_per_minute=10_000
    )
    user = partner.client.user
    lead = UserFactory(role="practitioner", team=TeamFactory())
    first = None
    for i in range(FAMILIES):
        family = make_family(f"Family{i} family", members=2, lead=lead)
        first = first or family
        share_with(school, family, kinds=(DataKind.SUMMARY, DataKind.EVIDENCE))
        episode = family.episodes.get()
        services.taf_member_add(episode=episode, user=user, joined_on=date(2026, 9, 2), by=lead)
        services.plan_action_add(
            episode=episode,
            what="Check",
            owner=user,
            due_on=date.today() + timedelta(days=30),
            by=lead,
        )
        services.case_note_add(
            episode=episode, kind="call", happened_on=date(2026, 9, 3), about=[], text="x", by=user
        )
        sent = SupportRequest.objects.create(
            family=family, received_at=timezone.now(), submitted_by=user
        )
        SupportRequestMember.objects.create(
            request=sent, person=family.memberships.first().person, role="child", name_as_given="A"
        )
    for i in range(FAMILIES):
        Evidence.objects.create(
            family=first,
            person=first.memberships.first().person,
            kind="fixed_term_exclusion",
            period_start=date(2026, 3, 1 + i),
            values={"days": 1},
            source="Academy",
            external_id=f"Q-{i}",
            recorded_on=date(2026, 3, 20),
        )
    return {"client": api(partner), "family": first}


def queries(client, url, size):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, {"page_size": size})
    assert response.status_code == 200, (url, response.content)
    assert len(response.json()["results"]) == size, url
    return len(captured)


@pytest.mark.parametrize("url", LISTS)
def test_a_list_runs_a_fixed_number_of_queries_whatever_the_page_size(world, url):
    client, url = world["client"], url.format(family=world["family"].pk)
    queries(client, url, 2)  # the first call of a client: token and throttle warm up
    small, large = queries(client, url, 2), queries(client, url, FAMILIES)
    assert small == large, f"{url}: {small} queries for 2 rows, {large} for {FAMILIES}"
